"""What the staff commands print: ticket lists and details, updates, the complaint report."""

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.reports import ComplaintReport
from bot.tickets import TicketDetail, TicketUpdate
from storage.models import TicketEvent
from storage.repositories.tickets import ListedTicket


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "-"


def _table(rows: list[list[str]], right_from: int = 99) -> list[str]:
    """Rows as aligned columns; columns from index `right_from` on are right-aligned."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(
            cell.rjust(width) if i >= right_from else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]


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
                (ticket.category if ticket.kind == "complaint" else ticket.request_type) or "-",
                ticket.status,
                ticket.severity,
                _when(ticket.created_at, zone),
                "answered" if ticket.first_response_at else _when(ticket.first_response_due, zone),
                _when(ticket.resolution_due, zone),
                f"OVERDUE: {', '.join(missed)}" if missed else "",
            ]
        )
    print("\n".join(_table(rows)))
    print(f"{len(tickets)} ticket{'s' if len(tickets) != 1 else ''}")


def print_ticket(detail: TicketDetail, zone: ZoneInfo) -> None:
    ticket = detail.ticket
    fields = [
        ("ticket", f"{ticket.number}  {ticket.kind}  {ticket.status}"),
        ("chat", f"{detail.channel} {detail.user}"),
        ("customer", str(ticket.customer_id) if ticket.customer_id else "not verified"),
        ("order", detail.order_no or "-"),
        ("type", ticket.request_type or "-"),
        ("category", ticket.category or "-"),
        ("severity", ticket.severity),
    ]
    if ticket.kind == "after_sales":  # the after-sales policy; complaints have none
        policy = "within policy" if ticket.within_policy else "outside policy"
        if ticket.policy_note:
            policy += f": {ticket.policy_note}"
        fields.append(("policy", policy))
    fields += [
        ("reason", ticket.reason or "-"),
        ("description", ticket.description or "-"),
        ("media", ", ".join(ticket.media) if ticket.media else "-"),
        ("created", _when(ticket.created_at, zone)),
        (
            "first response",
            f"due {_when(ticket.first_response_due, zone)}, "
            f"given {_when(ticket.first_response_at, zone)}",
        ),
        (
            "resolution",
            f"due {_when(ticket.resolution_due, zone)}, done {_when(ticket.resolved_at, zone)}",
        ),
    ]
    width = max(len(label) for label, _ in fields) + 1
    for label, value in fields:
        _print_indented(f"{label + ':':<{width}} ", value)
    print("history:")
    for event in detail.events:
        _print_indented(f"  {_when(event.time, zone)}  {event.author:<8} ", _event_text(event))


def _event_text(event: TicketEvent) -> str:
    if event.kind == "note":
        if event.author == "customer":
            audience = "customer"  # the customer's own words: neither internal nor for them
        else:
            audience = "for the customer" if event.public else "internal"
        return f"note ({audience}): {event.text}"
    if event.kind == "created":
        return f"created as {event.to_status}"
    return f"{event.from_status} -> {event.to_status}"


def _print_indented(head: str, text: str) -> None:
    """`head` then `text`, its later lines indented to start under its first."""
    first, *rest = text.splitlines() or [""]
    print(f"{head}{first}".rstrip())
    for line in rest:
        print(f"{' ' * len(head)}{line}".rstrip())


def print_update(update: TicketUpdate) -> None:
    ticket = update.detail.ticket
    if update.status_changed:
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
        f"complaints from {_when(report.since, zone)} to {_when(report.until, zone)}: "
        f"{report.total}"
    )
    severities = report.severities()
    rows = [["category", *severities, "total"]]
    for category in report.categories():
        counts = [report.counts.get((category, severity), 0) for severity in severities]
        rows.append([category, *map(str, counts), str(report.by_category(category))])
    rows.append(["total", *(str(report.by_severity(s)) for s in severities), str(report.total)])
    print()
    print("\n".join(_table(rows, right_from=1)))
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
    print("\n".join(_table(summary)))
