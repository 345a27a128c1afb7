"""What the staff commands print: ticket lists and details, updates, the complaint and
satisfaction reports."""

from collections.abc import Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.cli.terminal_text import table, when
from bot.desk.customer_profiles import masked_phone
from bot.desk.reports import ComplaintReport
from bot.desk.satisfaction_report import LOW_RATING, SatisfactionReport, VisitFigures
from bot.desk.service_report import Ratio
from bot.desk.tickets import (
    RETURN_APPROVED,
    Customer,
    ListedTicket,
    TicketDetail,
    TicketEvent,
    TicketUpdate,
)
from core.enums import Sender, TicketEventKind, TicketKind


def print_ticket_list(tickets: Sequence[ListedTicket], zone: ZoneInfo) -> None:
    if not tickets:
        print("no tickets")
        return
    rows = [
        [
            "NUMBER",
            "KIND",
            "TYPE/CATEGORY",
            "STATUS",
            "SEVERITY",
            "CREATED",
            "RESPOND BY",
            "RESOLVE BY",
            "",
        ]
    ]
    for listed in tickets:
        ticket = listed.ticket
        missed = [
            name
            for name, flag in (
                ("response", listed.response_overdue),
                ("resolution", listed.resolution_overdue),
            )
            if flag
        ]
        rows.append(
            [
                ticket.number,
                ticket.kind,
                # What the ticket is about: a complaint's category, an after-sales request's type.
                (ticket.category if ticket.kind == TicketKind.COMPLAINT else ticket.request_type)
                or "-",
                ticket.status,
                ticket.severity,
                when(ticket.created_at, zone),
                "answered" if ticket.first_response_at else when(ticket.first_response_due, zone),
                when(ticket.resolution_due, zone),
                f"OVERDUE: {', '.join(missed)}" if missed else "",
            ]
        )
    print("\n".join(table(rows)))
    print(f"{len(tickets)} ticket{'s' if len(tickets) != 1 else ''}")


def customer_line(customer: Customer | None) -> str:
    """Who the customer is, as staff tell customers apart: name, masked phone and id."""
    if customer is None:
        return "not verified"
    return f"{customer.name} {masked_phone(customer.phone)} (#{customer.id})"


def print_ticket(detail: TicketDetail, zone: ZoneInfo) -> None:
    ticket = detail.ticket
    fields = [
        ("ticket", f"{ticket.number}  {ticket.kind}  {ticket.status}"),
        ("chat", f"{detail.channel} {detail.user}"),
        ("customer", customer_line(detail.customer)),
        ("order", detail.order_no or "-"),
        ("type", ticket.request_type or "-"),
        ("category", ticket.category or "-"),
        ("severity", ticket.severity),
    ]
    if ticket.kind == TicketKind.AFTER_SALES:  # the after-sales policy; complaints have none
        policy = "within policy" if ticket.within_policy else "outside policy"
        if ticket.policy_note:
            policy += f": {ticket.policy_note}"
        fields.append(("policy", policy))
    fields += [
        ("reason", ticket.reason or "-"),
        ("description", ticket.description or "-"),
        ("media", ", ".join(ticket.media) if ticket.media else "-"),
        ("created", when(ticket.created_at, zone)),
        (
            "first response",
            f"due {when(ticket.first_response_due, zone)}, "
            f"given {when(ticket.first_response_at, zone)}",
        ),
        (
            "resolution",
            f"due {when(ticket.resolution_due, zone)}, done {when(ticket.resolved_at, zone)}",
        ),
    ]
    width = max(len(label) for label, _ in fields) + 1
    for label, value in fields:
        _print_indented(f"{label + ':':<{width}} ", value)
    print("history:")
    for event in detail.events:
        _print_indented(f"  {when(event.time, zone)}  {event.author:<8} ", _event_text(event))


def _event_text(event: TicketEvent) -> str:
    if event.kind == TicketEventKind.NOTE:
        if event.author == Sender.CUSTOMER:
            audience = "customer"  # the customer's own words: neither internal nor for them
        else:
            audience = "for the customer" if event.public else "internal"
        return f"note ({audience}): {event.text}"
    if event.kind == TicketEventKind.CREATED:
        return f"created as {event.to_status}"
    if event.kind == RETURN_APPROVED:
        return f"approved the return: {event.from_status} -> {event.to_status}"
    return f"{event.from_status} -> {event.to_status}"


def _print_indented(head: str, text: str) -> None:
    """`head` then `text`, its later lines indented to start under its first."""
    first, *rest = text.splitlines() or [""]
    print(f"{head}{first}".rstrip())
    for line in rest:
        print(f"{' ' * len(head)}{line}".rstrip())


def print_update(update: TicketUpdate) -> None:
    ticket = update.detail.ticket
    if update.return_approved:
        print(f"{ticket.number}: {ticket.request_type} approved, now {ticket.status}")
    elif update.status_changed:
        print(f"{ticket.number}: now {ticket.status}")
    else:
        print(f"{ticket.number}: status {ticket.status}")
    if update.customer_message is None:
        print("nothing sent to the customer")
    else:
        print(f"sent to the customer ({update.detail.channel} {update.detail.user}):")
        for line in update.customer_message.splitlines():
            print(f"  {line}")


def _duration(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days}d"] if days else []
    if days or hours:
        parts.append(f"{hours}h")
    parts.append(f"{minutes}m")
    return " ".join(parts)


def print_complaint_report(report: ComplaintReport, zone: ZoneInfo) -> None:
    print(
        f"complaints from {when(report.since, zone)} to {when(report.until, zone)}: {report.total}"
    )
    severities = report.severities()
    rows = [["category", *severities, "total"]]
    for category in report.categories():
        counts = [report.counts.get((category, severity), 0) for severity in severities]
        rows.append([category, *map(str, counts), str(report.by_category(category))])
    rows.append(["total", *(str(report.by_severity(s)) for s in severities), str(report.total)])
    print()
    print("\n".join(table(rows, right_from=1)))
    print()
    share = report.in_time_share
    in_time = "-" if share is None else f"{share:.0%}"
    median = report.median_time_to_resolve
    summary = [
        [
            "first response in time:",
            f"{in_time} ({report.answered_in_time} of {report.judged} answered or past due)",
        ],
        [
            "median time to resolve:",
            f"{'-' if median is None else _duration(median)} ({report.resolved} resolved)",
        ],
    ]
    print("\n".join(table(summary)))


FIGURE_HEADINGS = ["sent", "answered", "answered %", "average"]


def print_satisfaction_report(report: SatisfactionReport, zone: ZoneInfo) -> None:
    total = report.total
    print(
        f"satisfaction visits sent from {when(report.since, zone)} to "
        f"{when(report.until, zone)}: {total.sent}"
    )
    summary = [
        ["answered:", f"{total.answered} ({_percent(total.answers)})"],
        ["expired unanswered:", str(total.expired)],
        ["still open:", str(total.waiting)],
        ["average rating:", f"{_average(total)} ({report.rated} ratings)"],
        [
            "not sent:",
            f"{report.not_sent_with('skipped')} skipped, "
            f"{report.not_sent_with('undeliverable')} undeliverable (due in the period)",
        ],
    ]
    print("\n".join(table(summary)))
    print()
    ratings = [["rating", "answers", "share"]]
    for rating, count in report.ratings.items():
        ratings.append([str(rating), str(count), _percent(report.rating_share(rating))])
    print("\n".join(table(ratings, right_from=0)))
    print()
    by_subject = [[subject, *_figure_cells(f)] for subject, f in report.by_subject.items()]
    print("\n".join(table([["visited", *FIGURE_HEADINGS], *by_subject], right_from=1)))
    print()
    if report.by_agent:
        by_agent = [[a.name or "-", *_figure_cells(a.figures)] for a in report.by_agent]
        print("\n".join(table([["resolved by", *FIGURE_HEADINGS], *by_agent], right_from=1)))
    else:
        print("resolved by: no visits after tickets")
    if report.not_sent:
        print()
        not_sent = [[status, note or "-", str(n)] for (status, note), n in report.not_sent.items()]
        print("\n".join(table([["not sent", "why", "visits"], *not_sent], right_from=2)))
    print()
    _print_low_scores(report, zone)


def _figure_cells(figures: VisitFigures) -> list[str]:
    return [
        str(figures.sent),
        str(figures.answered),
        _percent(figures.answers),
        _average(figures),
    ]


def _percent(ratio: Ratio) -> str:
    return "-" if ratio.share is None else f"{ratio.share:.1%}"


def _average(figures: VisitFigures) -> str:
    return "-" if figures.average is None else f"{figures.average:.1f}"


def _print_low_scores(report: SatisfactionReport, zone: ZoneInfo) -> None:
    heading = f"low scores (rating 1-{LOW_RATING}): {report.low_score_count}"
    if not report.low_scores:
        print(heading)
        return
    listed = len(report.low_scores)
    print(heading + (f", the newest {listed} listed" if listed < report.low_score_count else ""))
    rows = [["ticket", "status", "rating", "visited", "answered", "comment"]]
    for low in report.low_scores:
        if low.order_no:
            visited = f"order {low.order_no}"
        else:
            visited = f"ticket {low.visited_ticket}" if low.visited_ticket else "-"
        rows.append(
            [
                low.followup_ticket or "-",
                low.followup_status or "-",
                str(low.rating),
                visited,
                when(low.answered_at, zone),
                # One line per ticket: a comment's line breaks would break the table.
                " ".join(low.comment.split()) or "-",
            ]
        )
    print("\n".join(table(rows)))
