"""Console: 报表, the service report over the last 7, 30 or 90 days, for all staff."""

from math import ceil

from aiohttp import web

from bot.console.charts import Bar, column_chart, row_chart
from bot.console.formatting import label
from bot.console.services import SERVICES
from bot.console.templates import render
from bot.service_report import REPORT_DAYS, DayCount, Ratio, ServiceReport, service_report

DEFAULT_DAYS = REPORT_DAYS[0]
WEEKDAYS = "一二三四五六日"
# About this many dates are written under the daily chart; every bar has its tooltip.
DAY_LABELS = 10


def period_days(request: web.Request) -> int:
    """The `days` asked for: one of REPORT_DAYS, the first when not given."""
    raw = request.query.get("days", "").strip()
    if not raw:
        return DEFAULT_DAYS
    if raw.isascii() and raw.isdigit() and int(raw) in REPORT_DAYS:
        return int(raw)
    allowed = "、".join(str(days) for days in REPORT_DAYS)
    raise web.HTTPBadRequest(text=f"统计天数只能是 {allowed} 天")


def percent(ratio: Ratio) -> str:
    """ "62.5%", or "—" when there is nothing to divide by."""
    share = ratio.share
    return "—" if share is None else f"{share * 100:.1f}%"


def day_name(day: DayCount) -> str:
    return f"{day.day:%m-%d} 周{WEEKDAYS[day.day.weekday()]}"


def charts(report: ServiceReport) -> dict[str, object]:
    """The report's charts as inline SVG (or "暂无数据")."""
    days = [
        Bar(f"{day.day:%m-%d}", day.count, f"{day_name(day)}：{day.count} 条消息")
        for day in report.messages_per_day
    ]
    reasons = [Bar(label(code), n) for code, n in report.handovers_by_reason.items()]
    categories = [Bar(label(code), n) for code, n in report.complaints_by_category.items()]
    return {
        "messages": column_chart(days, "每日客户消息", ceil(len(days) / DAY_LABELS)),
        "reasons": row_chart(reasons, "转人工原因"),
        "categories": row_chart(categories, "投诉分类"),
    }


async def page(request: web.Request) -> web.Response:
    days = period_days(request)
    services = request.config_dict[SERVICES]
    report = await service_report(services.sessions, services.clock, services.settings.zone, days)
    context = {
        "section": "reports",
        "report": report,
        "periods": REPORT_DAYS,
        "days": days,
        "charts": charts(report),
        "day_rows": [(day_name(day), day.count) for day in report.messages_per_day],
        "rates": {
            "faq": percent(report.faq_answers),
            "handover": percent(report.handovers),
            "first_response": percent(report.first_response),
        },
    }
    return render(request, "reports.html", context)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/reports", page)
