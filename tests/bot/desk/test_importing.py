"""Importing orders and FAQ entries: the `import_orders` function and `python -m bot import`."""

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import start_services
from bot.cli.main import main
from bot.desk.importing import ImportReport, NewsSettings, import_orders
from bot.services import Services
from core.messages import Incoming
from core.settings import Settings
from storage.database import create_engine, create_session_factory
from storage.demo import demo_orders
from storage.models import Customer, FollowUp, Identity, Order
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock

NEW_ORDER = "KF20261201001"  # not one of the demo orders
PICKED_UP = {"time": "2026-11-21T18:00:00+08:00", "location": "广州", "description": "快件已揽收"}
IN_TRANSIT = {
    "time": "2026-11-22T08:00:00+08:00",
    "location": "上海",
    "description": "快件到达上海转运中心",
}


def order(**changes: Any) -> dict[str, Any]:
    """The issue's example order under a new number, with some fields changed."""
    data: dict[str, Any] = {
        "order_no": NEW_ORDER,
        "status": "shipped",
        "created_at": "2026-11-20T10:00:00+08:00",
        "customer": {"name": "赵六", "phone": "136-0000-1234"},
        "items": [{"sku": "MASK-01", "name": "玻尿酸补水面膜", "qty": 2, "price": "59.00"}],
        "total": "118.00",
        "paid_at": "2026-11-20T10:01:00+08:00",
        "shipment": {
            "carrier": "顺丰速运",
            "tracking_no": "sf9990001112223",
            "shipped_at": "2026-11-21T09:00:00+08:00",
            "events": [PICKED_UP],
        },
        "delivered_at": None,
    }
    data.update(changes)
    return data


def line(**changes: Any) -> str:
    return json.dumps(order(**changes), ensure_ascii=False)


def shipment(*events: dict[str, str]) -> dict[str, Any]:
    return {**order()["shipment"], "events": list(events)}


async def load(sessions: async_sessionmaker[AsyncSession], order_no: str) -> Order | None:
    async with sessions() as session:
        return await Repositories.for_session(session).orders.by_number(order_no)


async def load_existing(sessions: async_sessionmaker[AsyncSession], order_no: str) -> Order:
    found = await load(sessions, order_no)
    assert found is not None, f"{order_no} was not imported"
    return found


def event_descriptions(found: Order) -> list[str]:
    assert found.shipment is not None
    return [event.description for event in found.shipment.events]


def news_settings(services: Services) -> NewsSettings:
    return NewsSettings(services.settings, services.assistant.texts, services.clock.now())


async def import_lines(services: Services, *lines: str) -> ImportReport:
    return await import_orders(services.sessions, lines, news_settings(services))


# --- import_orders ---------------------------------------------------------------------------


async def test_a_good_line_is_imported_with_items_shipment_and_tracking(
    services: Services,
) -> None:
    report = await import_lines(services, line())

    assert (report.added, report.updated, report.errors) == (1, 0, [])
    found = await load_existing(services.sessions, NEW_ORDER)
    assert found.status == "shipped"
    assert found.total == Decimal("118.00")
    assert found.created_at == datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    assert found.paid_at == datetime(2026, 11, 20, 2, 1, tzinfo=UTC)
    assert found.delivered_at is None
    assert [(i.sku, i.name, i.qty, i.price) for i in found.items] == [
        ("MASK-01", "玻尿酸补水面膜", 2, Decimal("59.00"))
    ]
    assert found.shipment is not None
    assert found.shipment.carrier == "顺丰速运"
    assert found.shipment.tracking_no == "SF9990001112223"
    assert found.shipment.shipped_at == datetime(2026, 11, 21, 1, 0, tzinfo=UTC)
    [event] = found.shipment.events
    assert (event.time, event.location, event.description) == (
        datetime(2026, 11, 21, 10, 0, tzinfo=UTC),
        "广州",
        "快件已揽收",
    )


async def test_the_customer_is_stored_with_the_digits_of_the_phone(services: Services) -> None:
    await import_lines(services, line())

    found = await load_existing(services.sessions, NEW_ORDER)
    async with services.sessions() as session:
        customer = await session.get(Customer, found.customer_id)
    assert customer is not None
    assert (customer.name, customer.phone) == ("赵六", "13600001234")


async def test_an_order_is_found_by_its_tracking_number_in_any_case(services: Services) -> None:
    await import_lines(services, line())

    async with services.sessions() as session:
        found = await Repositories.for_session(session).orders.owner("Sf9990001112223")
    assert found is not None
    assert found.order_no == NEW_ORDER


async def test_an_order_without_shipment_or_delivery_is_imported(services: Services) -> None:
    pending = order(status="paid")
    del pending["shipment"], pending["delivered_at"]

    report = await import_lines(services, json.dumps(pending))

    assert report.errors == []
    found = await load_existing(services.sessions, NEW_ORDER)
    assert (found.status, found.shipment, found.delivered_at) == ("paid", None, None)


async def test_reimporting_updates_the_status_and_appends_only_new_events(
    services: Services,
) -> None:
    await import_lines(services, line())

    report = await import_lines(
        services,
        line(
            status="delivered",
            delivered_at="2026-11-23T15:00:00+08:00",
            shipment=shipment(PICKED_UP, IN_TRANSIT),
        ),
    )

    assert (report.added, report.updated, report.errors) == (0, 1, [])
    found = await load_existing(services.sessions, NEW_ORDER)
    assert found.status == "delivered"
    assert found.delivered_at == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    assert event_descriptions(found) == ["快件已揽收", "快件到达上海转运中心"]


async def test_reimporting_the_same_line_changes_nothing(services: Services) -> None:
    await import_lines(services, line())
    first = await load_existing(services.sessions, NEW_ORDER)

    await import_lines(services, line())

    again = await load_existing(services.sessions, NEW_ORDER)
    assert again.id == first.id
    assert event_descriptions(again) == ["快件已揽收"]
    assert len(again.items) == 1


async def test_an_event_given_again_in_another_offset_is_not_duplicated(
    services: Services,
) -> None:
    await import_lines(services, line())
    same_instant_in_utc = {**PICKED_UP, "time": "2026-11-21T10:00:00+00:00"}

    await import_lines(services, line(shipment=shipment(same_instant_in_utc, IN_TRANSIT)))

    found = await load_existing(services.sessions, NEW_ORDER)
    assert event_descriptions(found) == ["快件已揽收", "快件到达上海转运中心"]


async def test_events_are_kept_in_time_order_across_offsets(services: Services) -> None:
    # 11:00 UTC is 19:00 in Shanghai: after the 18:00 pick-up although it "looks" earlier.
    later_in_utc = {"time": "2026-11-21T11:00:00Z", "location": "广州", "description": "已装车"}

    await import_lines(services, line(shipment=shipment(later_in_utc, PICKED_UP)))

    found = await load_existing(services.sessions, NEW_ORDER)
    assert event_descriptions(found) == ["快件已揽收", "已装车"]


async def test_a_shipment_is_added_when_a_paid_order_ships(services: Services) -> None:
    await import_lines(services, line(status="paid", shipment=None))

    await import_lines(services, line())

    found = await load_existing(services.sessions, NEW_ORDER)
    assert found.status == "shipped"
    assert event_descriptions(found) == ["快件已揽收"]


async def test_the_same_order_twice_in_one_file_keeps_the_later_line(services: Services) -> None:
    report = await import_lines(
        services, line(), line(status="delivered", shipment=shipment(PICKED_UP, IN_TRANSIT))
    )

    assert (report.added, report.updated, report.errors) == (1, 1, [])
    found = await load_existing(services.sessions, NEW_ORDER)
    assert found.status == "delivered"
    assert event_descriptions(found) == ["快件已揽收", "快件到达上海转运中心"]


async def test_reimporting_replaces_the_items(services: Services) -> None:
    await import_lines(services, line())
    serum = {"sku": "SERUM-30", "name": "烟酰胺精华液30ml", "qty": 1, "price": "168.00"}

    await import_lines(services, line(items=[serum], total="168.00"))

    found = await load_existing(services.sessions, NEW_ORDER)
    assert [i.sku for i in found.items] == ["SERUM-30"]
    assert found.total == Decimal("168.00")


async def test_bad_lines_are_reported_by_number_and_good_lines_imported(
    services: Services,
) -> None:
    missing_order_no = order()
    del missing_order_no["order_no"]
    lines = [
        line(order_no="KF20261201101"),
        '{"order_no": "KF20261201102", "status": ',
        json.dumps(missing_order_no),
        line(order_no="KF20261201103", status="lost"),
        line(order_no="KF20261201104", created_at="yesterday"),
        line(order_no="KF20261201105", created_at="2026-11-20T10:00:00"),
        "",
        line(order_no="KF20261201107"),
    ]

    report = await import_lines(services, *lines)

    assert report.added == 2
    problems = dict(report.errors)
    assert sorted(problems) == [2, 3, 4, 5, 6]
    assert "JSON" in problems[2]
    assert "order_no" in problems[3]
    assert "lost" in problems[4]
    assert "created_at" in problems[5]
    assert "offset" in problems[6]
    assert await load(services.sessions, "KF20261201101") is not None
    assert await load(services.sessions, "KF20261201107") is not None
    for skipped in ("KF20261201103", "KF20261201104", "KF20261201105"):
        assert await load(services.sessions, skipped) is None


async def test_byte_lines_are_decoded_and_invalid_utf8_is_reported_by_number(
    services: Services,
) -> None:
    lines = [
        b"\xef\xbb\xbf" + line().encode(),  # a byte order mark is allowed on the first line
        line(order_no="KF20261201302", customer={"name": "\udcff"}).encode(
            "utf-8", "surrogateescape"
        ),
        line(order_no="KF20261201303").encode(),
    ]

    report = await import_orders(services.sessions, lines, news_settings(services))

    assert report.added == 2
    assert [number for number, _ in report.errors] == [2]
    assert "UTF-8" in report.errors[0][1]
    assert await load(services.sessions, "KF20261201302") is None


@pytest.mark.parametrize(
    "changes",
    [
        {"items": [{"sku": "MASK-01", "name": "面膜", "qty": 10**20, "price": "59.00"}]},
        {"total": "1e30"},
    ],
    ids=["qty-beyond-64-bits", "total-beyond-precision"],
)
async def test_a_line_with_an_impossible_number_is_reported_and_the_rest_imported(
    services: Services, changes: dict[str, Any]
) -> None:
    report = await import_lines(
        services, line(order_no="KF20261201201"), line(order_no="KF20261201202", **changes)
    )

    assert [number for number, _ in report.errors] == [2]
    assert report.added == 1
    assert await load(services.sessions, "KF20261201201") is not None
    assert await load(services.sessions, "KF20261201202") is None


async def test_a_bad_tracking_event_time_rejects_its_line(services: Services) -> None:
    bad_event = {**IN_TRANSIT, "time": "2026-11-22 08:00"}

    report = await import_lines(services, line(shipment=shipment(PICKED_UP, bad_event)))

    assert [number for number, _ in report.errors] == [1]
    assert "time" in report.errors[0][1]
    assert await load(services.sessions, NEW_ORDER) is None


async def test_order_numbers_are_case_insensitive(services: Services) -> None:
    await import_lines(services, line(order_no=" kf20261201001 "))

    report = await import_lines(services, line(order_no="Kf20261201001", status="delivered"))

    assert report.updated == 1
    found = await load_existing(services.sessions, "kF20261201001")
    assert (found.order_no, found.status) == (NEW_ORDER, "delivered")


# --- python -m bot import ----------------------------------------------------------------------


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Point the command line at an empty database in tmp_path, without the demo shop."""
    monkeypatch.setenv("KEFU_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KEFU_DEMO", "0")
    return Settings.from_env()


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored_order(settings: Settings, order_no: str) -> Order | None:
    """Look an order up in the command line's database (from a plain test function)."""

    async def lookup() -> Order | None:
        engine = create_engine(settings.database_url)
        try:
            return await load(create_session_factory(engine), order_no)
        finally:
            await engine.dispose()

    return asyncio.run(lookup())


def ask(settings: Settings, text: str) -> str:
    """Start kefu on the command line's database and ask one question on the web channel."""

    async def conversation() -> str:
        clock = FakeClock()
        services = await start_services(settings, clock)
        try:
            incoming = Incoming("web", "faq-tester", text, clock.now())
            return "\n".join(reply.text for reply in await services.assistant.handle(incoming))
        finally:
            await services.close()

    return asyncio.run(conversation())


def test_cli_import_of_good_orders_exits_zero(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_lines(tmp_path / "orders.jsonl", line(), line(order_no="KF20261201002"))

    assert main(["import", "orders", str(path)]) == 0

    out, err = capsys.readouterr()
    assert "2 added" in out
    assert err == ""
    assert stored_order(cli_env, NEW_ORDER) is not None
    assert stored_order(cli_env, "KF20261201002") is not None


def test_cli_import_with_a_bad_line_exits_one_and_names_the_line(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_lines(
        tmp_path / "orders.jsonl",
        line(),
        "not json at all",
        line(order_no="KF20261201003", status="teleported"),
        line(order_no="KF20261201004"),
    )

    assert main(["import", "orders", str(path)]) == 1

    out, err = capsys.readouterr()
    assert f"{path}:2:" in err
    assert f"{path}:3:" in err
    assert f"{path}:1:" not in err
    assert f"{path}:4:" not in err
    assert "2 bad lines" in out
    assert stored_order(cli_env, NEW_ORDER) is not None
    assert stored_order(cli_env, "KF20261201004") is not None
    assert stored_order(cli_env, "KF20261201003") is None


def test_cli_import_reads_a_file_with_a_byte_order_mark(cli_env: Settings, tmp_path: Path) -> None:
    path = tmp_path / "orders.jsonl"
    path.write_text(line() + "\n", encoding="utf-8-sig")

    assert main(["import", "orders", str(path)]) == 0
    assert stored_order(cli_env, NEW_ORDER) is not None


def test_cli_import_reports_a_line_of_invalid_utf8_and_imports_the_rest(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "orders.jsonl"
    bad = line(order_no="KF20261201002").encode().replace("赵六".encode(), b"\xff")
    path.write_bytes(
        line().encode() + b"\n" + bad + b"\n" + line(order_no="KF20261201003").encode()
    )

    assert main(["import", "orders", str(path)]) == 1

    out, err = capsys.readouterr()
    assert f"{path}:2:" in err
    assert "UTF-8" in err
    assert "2 added" in out
    assert stored_order(cli_env, NEW_ORDER) is not None
    assert stored_order(cli_env, "KF20261201002") is None
    assert stored_order(cli_env, "KF20261201003") is not None


@pytest.mark.parametrize("kind", ["orders", "faq"])
def test_cli_import_never_adds_the_demo_shop(
    cli_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    monkeypatch.setenv("KEFU_DEMO", "1")
    if kind == "orders":
        path = write_lines(tmp_path / "orders.jsonl", line())
    else:
        path = write_jsonl(tmp_path / "faq", PET_ENTRY)

    assert main(["import", kind, str(path)]) == 0

    for demo in demo_orders(datetime.now(UTC)):
        assert stored_order(cli_env, demo.order_no) is None, demo.order_no


def test_cli_import_of_a_missing_file_fails_with_a_message(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.jsonl"

    assert main(["import", "orders", str(missing)]) != 0
    assert "nope.jsonl" in capsys.readouterr().err


PET_QUESTION = "面膜可以给猫咪敷吗"
PET_ANSWER = "面膜是为人的皮肤设计的，请不要给宠物使用哦。"
PET_ENTRY = {
    "id": "pet-mask",
    "question": PET_QUESTION,
    "alternates": ["宠物能用面膜吗", "狗狗可以敷面膜吗"],
    "answer": PET_ANSWER,
    "category": "使用",
}


def write_yaml(path: Path, entry: dict[str, Any]) -> Path:
    path = path.with_suffix(".yaml")
    alternates = "".join(f"\n    - {a}" for a in entry["alternates"])
    path.write_text(
        f"- id: {entry['id']}\n  question: {entry['question']}\n  alternates:{alternates}\n"
        f"  answer: {entry['answer']}\n  category: {entry['category']}\n",
        encoding="utf-8",
    )
    return path


def write_jsonl(path: Path, entry: dict[str, Any]) -> Path:
    path = path.with_suffix(".jsonl")
    path.write_text(json.dumps(entry, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_csv(path: Path, entry: dict[str, Any]) -> Path:
    path = path.with_suffix(".csv")
    alternates = "|".join(entry["alternates"])
    path.write_text(
        "id,question,answer,alternates,category\n"
        f"{entry['id']},{entry['question']},{entry['answer']},{alternates},{entry['category']}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "write", [write_yaml, write_jsonl, write_csv], ids=["yaml", "jsonl", "csv"]
)
def test_cli_import_of_faq_entries_makes_them_answerable(
    cli_env: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    write: Callable[[Path, dict[str, Any]], Path],
) -> None:
    assert PET_ANSWER not in ask(cli_env, PET_QUESTION)
    path = write(tmp_path / "faq", PET_ENTRY)

    assert main(["import", "faq", str(path)]) == 0

    assert "1 added" in capsys.readouterr().out
    assert PET_ANSWER in ask(cli_env, PET_QUESTION)
    assert PET_ANSWER in ask(cli_env, "宠物能用面膜吗")


def test_cli_import_of_faq_replaces_an_entry_with_the_same_id(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "faq", str(write_jsonl(tmp_path / "faq", PET_ENTRY))]) == 0
    newer = {**PET_ENTRY, "answer": "宠物请用宠物专用护理品，面膜只适合人使用。"}

    assert main(["import", "faq", str(write_jsonl(tmp_path / "faq2", newer))]) == 0

    assert "0 added, 1 updated" in capsys.readouterr().out
    reply = ask(cli_env, PET_QUESTION)
    assert newer["answer"] in reply
    assert PET_ANSWER not in reply


def test_cli_import_of_a_bad_faq_file_exits_one_with_a_message(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_jsonl(tmp_path / "faq", {"id": "no-answer", "question": "有赠品吗"})

    assert main(["import", "faq", str(path)]) == 1
    assert "answer" in capsys.readouterr().err


def test_cli_import_of_broken_yaml_exits_one_naming_the_file(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text("- id: pet\n  question: [unclosed\n", encoding="utf-8")

    assert main(["import", "faq", str(path)]) == 1

    out, err = capsys.readouterr()
    assert f"{path}: invalid YAML" in err
    assert "added" not in out


def test_cli_import_of_a_faq_file_with_a_duplicate_id_keeps_the_first_and_names_the_second(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "faq.jsonl"
    path.write_text(
        json.dumps(PET_ENTRY) + "\n" + json.dumps({**PET_ENTRY, "answer": "另一个"}) + "\n",
        encoding="utf-8",
    )

    assert main(["import", "faq", str(path)]) == 1

    out, err = capsys.readouterr()
    assert f"{path}:2: duplicate id 'pet-mask' (also at line 1)" in err
    assert "faq: 1 added, 0 updated, 1 bad lines skipped" in out
    reply = ask(cli_env, PET_QUESTION)
    assert PET_ANSWER in reply
    assert "另一个" not in reply


GIFT_ENTRY = {"id": "gift", "question": "下单有赠品吗", "answer": "满199元送旅行装小样一份～"}


def test_cli_import_of_faq_with_one_bad_line_keeps_the_others_and_prints_a_summary(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "faq.jsonl"
    no_answer = {"id": "no-answer", "question": "能开专票吗"}
    path.write_text(
        "\n".join(json.dumps(e, ensure_ascii=False) for e in (PET_ENTRY, no_answer, GIFT_ENTRY))
        + "\n{not json\n",
        encoding="utf-8",
    )

    assert main(["import", "faq", str(path)]) == 1

    out, err = capsys.readouterr()
    assert err.splitlines() == [
        f"{path}:2: missing answer",
        f"{path}:4: invalid JSON: Expecting property name enclosed in double quotes",
    ]
    assert "faq: 2 added, 0 updated, 2 bad lines skipped" in out
    assert PET_ANSWER in ask(cli_env, PET_QUESTION)
    assert GIFT_ENTRY["answer"] in ask(cli_env, "下单有赠品吗")


def test_cli_import_of_a_yaml_faq_names_a_bad_entry_by_its_line_and_keeps_the_others(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_yaml(tmp_path / "faq", PET_ENTRY)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("- id: broken\n  question: [一, 二]\n  answer: 好的\n")

    assert main(["import", "faq", str(path)]) == 1

    out, err = capsys.readouterr()
    assert err.splitlines() == [f"{path}:8: question must be text, not list"]
    assert "faq: 1 added, 0 updated, 1 bad lines skipped" in out
    assert PET_ANSWER in ask(cli_env, PET_QUESTION)


def test_cli_import_of_a_faq_csv_with_an_unclosed_quote_swallows_no_line(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "faq.csv"
    path.write_text(
        "id,question,answer,alternates,category\n"
        'ship,"几天能到,一般两三天,,物流\n'
        f"{PET_ENTRY['id']},{PET_QUESTION},{PET_ANSWER},宠物能用面膜吗,使用\n"
        f"{GIFT_ENTRY['id']},{GIFT_ENTRY['question']},{GIFT_ENTRY['answer']},,活动\n",
        encoding="utf-8",
    )

    assert main(["import", "faq", str(path)]) == 1

    out, err = capsys.readouterr()
    assert err.startswith(f"{path}:2: a quote opened on this line")
    assert len(err.splitlines()) == 1
    assert "faq: 2 added, 0 updated, 1 bad lines skipped" in out
    assert PET_ANSWER in ask(cli_env, "宠物能用面膜吗")


async def test_an_order_number_no_customer_could_type_is_reported(services: Services) -> None:
    report = await import_lines(
        services, line(order_no="kf-2026-x1"), line(order_no="13800138000"), line()
    )
    assert [number for number, _ in report.errors] == [1, 2]
    assert "cannot be recognised" in report.errors[0][1]
    assert report.added == 1


async def test_a_deeply_nested_or_huge_number_line_is_reported(services: Services) -> None:
    report = await import_lines(services, "[" * 100_000, '{"order_no": ' + "9" * 5000 + "}")
    assert [number for number, _ in report.errors] == [1, 2]


# --- an order imported again under another customer's phone ---------------------------------

OTHER_ORDER = "KF20261201009"
OTHER_PHONE = "139-0000-5678"  # 钱七's; the example order's customer has one ending 1234
TRACKING = "SF9990001112223"


async def verified_chat(chat: Chat, order_no: str, digits: str) -> Chat:
    await chat.ask(order_no)
    assert "验证成功" in await chat.ask(digits)
    return chat


async def shipping_notices(services: Services, chat: Chat) -> list[str]:
    """The statuses of the shipping notices scheduled for a chat, oldest first."""
    async with services.sessions() as session:
        rows = await session.scalars(
            select(FollowUp.status)
            .join(Identity, Identity.id == FollowUp.identity_id)
            .where(Identity.external_id == chat.user, FollowUp.kind == "shipping_notice")
            .order_by(FollowUp.id)
        )
        return list(rows)


async def owner_phone_of(services: Services, order_no: str) -> str:
    found = await load_existing(services.sessions, order_no)
    async with services.sessions() as session:
        customer = await session.get(Customer, found.customer_id)
    assert customer is not None
    return customer.phone


async def two_verified_customers(services: Services, chat: Chat) -> tuple[Chat, Chat]:
    """赵六 (…1234) with a paid order and 钱七 (…5678), each with a verified chat."""
    paid = order(status="paid")
    del paid["shipment"]
    other = order(order_no=OTHER_ORDER, customer={"name": "钱七", "phone": OTHER_PHONE})
    report = await import_lines(
        services, json.dumps(paid, ensure_ascii=False), json.dumps(other, ensure_ascii=False)
    )
    assert report.errors == []
    zhao = await verified_chat(chat.as_user("zhao"), NEW_ORDER, "1234")
    qian = await verified_chat(chat.as_user("qian"), OTHER_ORDER, "5678")
    return zhao, qian


async def test_an_order_is_not_moved_to_another_phone_without_leave(
    services: Services, chat: Chat
) -> None:
    _, qian = await two_verified_customers(services, chat)

    report = await import_lines(services, line(customer={"name": "钱七", "phone": OTHER_PHONE}))

    [(number, problem)] = report.errors
    assert number == 1
    assert "…1234" in problem and "…5678" in problem and "--allow-owner-change" in problem
    assert (report.added, report.updated, report.owner_changes) == (0, 0, [])
    assert await owner_phone_of(services, NEW_ORDER) == "13600001234"
    assert "后四位" in await qian.ask(NEW_ORDER)  # still a stranger's order: digits asked
    assert await shipping_notices(services, qian) == []


async def test_a_move_allowed_takes_the_order_from_the_old_chat_and_tells_the_new_one(
    services: Services, chat: Chat
) -> None:
    zhao, qian = await two_verified_customers(services, chat)
    # Shipped while still 赵六's: his notice waits to be sent.
    await import_lines(services, line())
    assert await shipping_notices(services, zhao) == ["scheduled"]
    assert TRACKING in await zhao.ask(NEW_ORDER)

    report = await import_orders(
        services.sessions,
        [line(customer={"name": "钱七", "phone": OTHER_PHONE})],
        news_settings(services),
        allow_owner_change=True,
    )

    assert (report.added, report.updated, report.errors) == (0, 1, [])
    [change] = report.owner_changes
    assert (change.order_no, change.old_phone, change.new_phone) == (
        NEW_ORDER,
        "13600001234",
        "13900005678",
    )
    assert change.cancelled == 1
    assert await owner_phone_of(services, NEW_ORDER) == "13900005678"
    assert await shipping_notices(services, zhao) == ["skipped"]
    assert await shipping_notices(services, qian) == ["scheduled"]
    assert TRACKING not in await zhao.ask(NEW_ORDER)
    assert TRACKING in await qian.ask(NEW_ORDER)
    async with services.sessions() as session:
        [entry] = await Repositories.for_session(session).audit.recent()
    assert (entry.action, entry.subject) == ("order_owner_changed", NEW_ORDER)


def test_cli_import_refuses_an_owner_change_and_moves_it_with_the_flag(
    cli_env: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "orders", str(write_lines(tmp_path / "a.jsonl", line()))]) == 0
    moved = write_lines(
        tmp_path / "b.jsonl",
        line(customer={"name": "钱七", "phone": OTHER_PHONE}),
        line(order_no=OTHER_ORDER),
    )

    assert main(["import", "orders", str(moved)]) == 1
    out, err = capsys.readouterr()
    assert f"{moved}:1: order {NEW_ORDER} belongs to the customer with phone …1234" in err
    assert "orders: 1 added, 0 updated, 1 bad lines skipped" in out

    assert main(["import", "orders", "--allow-owner-change", str(moved)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert (
        f"owner changed: order {NEW_ORDER} moved from the customer with phone …1234 to …5678" in out
    )
