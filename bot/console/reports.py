"""Console: 报表, the service report and the satisfaction visits over the last 7, 30 or 90
days, for all staff."""

from dataclasses import dataclass
from math import ceil

from aiohttp import web
from markupsafe import Markup

from bot.console.charts import Bar, column_chart, row_chart
from bot.console.formatting import label
from bot.console.services import SERVICES
from bot.console.templates import render
from bot.desk.satisfaction_report import (
    DELIVERY,
    SatisfactionReport,
    VisitFigures,
    satisfaction_report,
)
from bot.desk.service_report import REPORT_DAYS, DayCount, Ratio, ServiceReport, service_report

DEFAULT_DAYS = REPORT_DAYS[0]
WEEKDAYS = "一二三四五六日"
# About this many dates are written under the daily chart; every bar has its tooltip.
DAY_LABELS = 10
NOT_SENT_LABELS = {"skipped": "已跳过", "undeliverable": "无法送达"}


@dataclass(frozen=True)
class FigureRow:
    """One row of a visits table: who or what, and how their visits went."""

    name: str
    sent: int
    answered: int
    rate: str
    average: str


@dataclass(frozen=True)
class SatisfactionView:
    """The 满意度回访 section: the report with its chart and tables ready to show."""

    report: SatisfactionReport
    chart: Markup
    rate: str
    average: str
    ratings: list[tuple[str, int, str]]  # (rating, answers, share)
    subjects: list[FigureRow]
    agents: list[FigureRow]
    not_sent: list[tuple[str, str, int]]  # (outcome, reason, visits)


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


def average(figures: VisitFigures) -> str:
    """ "4.5", or "—" when no visit was answered."""
    return "—" if figures.average is None else f"{figures.average:.1f}"


def note_label(note: str) -> str:
    """Why a visit did not go, as the delivery rules wrote it; "—" for none."""
    return note or "—"


def figure_row(name: str, figures: VisitFigures) -> FigureRow:
    """A table row of a group's visits, its shares written out."""
    return FigureRow(
        name, figures.sent, figures.answered, percent(figures.answers), average(figures)
    )


def satisfaction_view(report: SatisfactionReport) -> SatisfactionView:
    """The 满意度回访 section's chart and tables, with Chinese names for stored codes."""
    ratings = [
        (f"{rating} 分", n, percent(report.rating_share(rating)))
        for rating, n in report.ratings.items()
    ]
    bars = [Bar(name, n, f"{name}：{n} 条（{share}）") for name, n, share in ratings]
    return SatisfactionView(
        report=report,
        chart=row_chart(bars, "评分分布"),
        rate=percent(report.total.answers),
        average=average(report.total),
        ratings=ratings,
        subjects=[
            figure_row("订单签收" if subject == DELIVERY else label(subject), figures)
            for subject, figures in report.by_subject.items()
        ],
        agents=[figure_row(agent.name or "—", agent.figures) for agent in report.by_agent],
        not_sent=[
            (NOT_SENT_LABELS.get(status, status), note_label(note), n)
            for (status, note), n in report.not_sent.items()
        ],
    )


async def page(request: web.Request) -> web.Response:
    days = period_days(request)
    services = request.config_dict[SERVICES]
    report = await service_report(services.sessions, services.clock, services.settings.zone, days)
    visits = await satisfaction_report(services.sessions, services.clock, days)
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
        "satisfaction": satisfaction_view(visits),
    }
    return render(request, "reports.html", context)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/reports", page)
