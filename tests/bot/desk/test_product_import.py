"""`python -m bot import products FILE`: the shop's catalogue from JSON lines or CSV, on
whichever database the tests run on."""

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.main import main
from storage.database import create_engine, create_session_factory
from storage.models import Product
from storage.repositories import Repositories
from storage.repositories.products import CatalogueRevision
from tests.support.catalogue import example_product
from tests.support.clock import START, FakeClock

HEADER = "sku,name,aliases,category,price,stock,non_returnable,description,tags,restock_date"


MASK = example_product(
    sku="MASK-02", name="积雪草舒缓面膜", aliases=["舒缓面膜"], category="面膜", price="69.00"
)


def line(**changes: Any) -> str:
    return json.dumps(example_product(**changes), ensure_ascii=False)


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def cli_env(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the command line at the test's empty database, without the demo shop."""
    monkeypatch.setenv("KEFU_DATABASE_URL", database_url)
    monkeypatch.setenv("KEFU_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KEFU_DEMO", "0")


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The command line's database, to look at what an import stored."""
    engine = create_engine(database_url)
    yield create_session_factory(engine)
    await engine.dispose()


async def run(*argv: str, clock: FakeClock | None = None) -> int:
    # In a thread: the command line runs its own event loop.
    return await asyncio.to_thread(main, list(argv), clock or FakeClock())


async def stored(sessions: async_sessionmaker[AsyncSession], sku: str) -> Product:
    async with sessions() as session:
        found = await Repositories.for_session(session).products.by_sku(sku)
    assert found is not None, f"{sku} was not imported"
    return found


async def on_sale(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessions() as session:
        return [p.sku for p in await Repositories.for_session(session).products.catalogue()]


async def revision(sessions: async_sessionmaker[AsyncSession]) -> CatalogueRevision:
    async with sessions() as session:
        return await Repositories.for_session(session).products.revision()


# --- JSON lines --------------------------------------------------------------------------------


@pytest.mark.usefixtures("cli_env")
async def test_importing_json_lines_puts_the_products_on_sale(
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = write_lines(
        tmp_path / "products.jsonl",
        line(restock_date="2026-12-10"),
        json.dumps(MASK, ensure_ascii=False),
    )

    assert await run("import", "products", str(path)) == 0

    out, err = capsys.readouterr()
    assert "products: 2 added, 0 updated, 0 bad lines" in out
    assert err == ""
    assert await on_sale(sessions) == ["SERUM-30", "MASK-02"]
    serum = await stored(sessions, "SERUM-30")
    assert (serum.name, serum.category, serum.price, serum.stock) == (
        "烟酰胺精华液30ml",
        "精华",
        Decimal("168.00"),
        42,
    )
    assert (serum.aliases, serum.tags) == (["小白瓶", "烟酰胺精华"], ["提亮", "油皮"])
    assert (serum.description, serum.non_returnable) == ("5%烟酰胺，提亮肤色。", False)
    assert serum.restock_date == date(2026, 12, 10)
    assert serum.updated_at == START


@pytest.mark.usefixtures("cli_env")
async def test_reimporting_updates_price_and_stock_by_sku_and_keeps_the_product(
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run("import", "products", str(write_lines(tmp_path / "a.jsonl", line()))) == 0
    first = await stored(sessions, "SERUM-30")
    capsys.readouterr()
    newer = line(sku=" SERUM-30 ", price="158.00", stock=0, restock_date="2026-12-10", tags=None)

    assert await run("import", "products", str(write_lines(tmp_path / "b.jsonl", newer))) == 0

    assert "products: 0 added, 1 updated, 0 bad lines" in capsys.readouterr().out
    again = await stored(sessions, "SERUM-30")
    assert again.id == first.id
    assert (again.price, again.stock, again.restock_date) == (
        Decimal("158.00"),
        0,
        date(2026, 12, 10),
    )
    assert again.tags == []  # the file is the truth: a field left out is cleared
    assert await on_sale(sessions) == ["SERUM-30"]


@pytest.mark.usefixtures("cli_env")
async def test_a_product_known_from_an_order_gets_its_catalogue_fields(
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    order = {
        "order_no": "KF20261201001",
        "status": "paid",
        "created_at": "2026-11-20T10:00:00+08:00",
        "customer": {"name": "赵六", "phone": "13600001234"},
        "items": [{"sku": "MASK-02", "name": "舒缓面膜", "qty": 1, "price": "65.00"}],
        "total": "65.00",
        "paid_at": "2026-11-20T10:01:00+08:00",
    }
    orders = write_lines(tmp_path / "orders.jsonl", json.dumps(order, ensure_ascii=False))
    assert await run("import", "orders", str(orders)) == 0
    from_order = await stored(sessions, "MASK-02")
    assert from_order.price is None
    assert await on_sale(sessions) == []
    capsys.readouterr()

    catalogue = write_lines(tmp_path / "products.jsonl", json.dumps(MASK, ensure_ascii=False))
    assert await run("import", "products", str(catalogue)) == 0

    assert "products: 0 added, 1 updated, 0 bad lines" in capsys.readouterr().out
    mask = await stored(sessions, "MASK-02")
    assert mask.id == from_order.id
    assert (mask.name, mask.category, mask.price) == ("积雪草舒缓面膜", "面膜", Decimal("69.00"))
    assert mask.aliases == ["舒缓面膜"]
    assert await on_sale(sessions) == ["MASK-02"]


@pytest.mark.usefixtures("cli_env")
async def test_bad_lines_are_reported_by_number_and_the_good_ones_saved(
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    no_price = example_product(sku="TONER-200")
    del no_price["price"]
    path = write_lines(
        tmp_path / "products.jsonl",
        line(),
        "not json at all",
        json.dumps(no_price),
        "",
        json.dumps(MASK, ensure_ascii=False),
        line(sku="SUN-50", stock=-3),
    )

    assert await run("import", "products", str(path)) == 1

    out, err = capsys.readouterr()
    assert "products: 2 added, 0 updated, 3 bad lines" in out
    assert [problem.split(": ", 1)[0] for problem in err.splitlines()] == [
        f"{path}:2",
        f"{path}:3",
        f"{path}:6",
    ]
    assert "missing price" in err
    assert "stock" in err
    assert await on_sale(sessions) == ["SERUM-30", "MASK-02"]


@pytest.mark.usefixtures("cli_env")
async def test_a_line_of_invalid_utf8_is_reported_and_the_rest_imported(
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "products.jsonl"
    bad = json.dumps(MASK, ensure_ascii=False).encode().replace("积雪草".encode(), b"\xff")
    path.write_bytes(
        "\ufeff".encode() + line().encode() + b"\n" + bad + b"\n" + line(sku="SUN-50").encode()
    )

    assert await run("import", "products", str(path)) == 1

    out, err = capsys.readouterr()
    assert f"{path}:2: invalid UTF-8" in err
    assert "products: 2 added" in out
    assert await on_sale(sessions) == ["SERUM-30", "SUN-50"]


@pytest.mark.usefixtures("cli_env")
async def test_updated_at_moves_only_for_a_product_that_changed(
    tmp_path: Path, sessions: async_sessionmaker[AsyncSession]
) -> None:
    clock = FakeClock()
    both = (line(), json.dumps(MASK, ensure_ascii=False))
    assert (
        await run("import", "products", str(write_lines(tmp_path / "1.jsonl", *both)), clock=clock)
        == 0
    )
    assert await revision(sessions) == (2, START)

    clock.advance(hours=1)
    same = write_lines(tmp_path / "2.jsonl", *both)
    assert await run("import", "products", str(same), clock=clock) == 0
    # Nothing changed: the assistant has no reason to read the catalogue again.
    assert await revision(sessions) == (2, START)

    clock.advance(hours=1)
    cheaper = write_lines(tmp_path / "3.jsonl", line(price="158"), both[1])
    assert await run("import", "products", str(cheaper), clock=clock) == 0
    assert (await stored(sessions, "SERUM-30")).updated_at == clock.now()
    assert (await stored(sessions, "MASK-02")).updated_at == START
    assert await revision(sessions) == (2, clock.now())


# --- CSV ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("cli_env")
async def test_a_csv_catalogue_is_imported_with_bar_separated_lists(
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "products.csv"
    # As a spreadsheet saves it: a byte order mark, CRLF, a quoted cell over two lines.
    rows = [
        HEADER,
        'MASK-02,积雪草舒缓面膜,积雪草面膜|舒缓面膜,面膜,69.00,0,否,"舒缓泛红，',
        '换季适用",敏感肌|舒缓,2026-12-04',
        "LIP-01,滋润唇膏,润唇膏,唇部,39,,是,,保湿,",
    ]
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8-sig")

    assert await run("import", "products", str(path)) == 0

    out, err = capsys.readouterr()
    assert "products: 2 added, 0 updated, 0 bad lines" in out
    assert err == ""
    mask = await stored(sessions, "MASK-02")
    assert (mask.aliases, mask.tags) == (["积雪草面膜", "舒缓面膜"], ["敏感肌", "舒缓"])
    assert (mask.price, mask.stock, mask.restock_date) == (Decimal("69.00"), 0, date(2026, 12, 4))
    assert mask.description == "舒缓泛红，\r\n换季适用"
    lip = await stored(sessions, "LIP-01")
    assert (lip.non_returnable, lip.price, lip.stock) == (True, Decimal("39.00"), None)
    assert (lip.aliases, lip.tags, lip.description) == (["润唇膏"], ["保湿"], "")


@pytest.mark.usefixtures("cli_env")
async def test_bad_csv_rows_are_reported_by_their_line_in_the_file(
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "products.csv"
    path.write_text(
        "\n".join(
            [
                HEADER,
                'SERUM-30,烟酰胺精华液30ml,小白瓶,精华,168.00,42,false,"两行',
                '描述",提亮,',
                "SUN-50,清透防晒乳50ml,,防晒,九十九,10,false,,防晒,",
                "",
                "TONER-200,氨基酸爽肤水200ml,,爽肤水,89.00,-1,false,,,",
                "CREAM-50,修护面霜50g,,面霜,129.00,60",
                "EYE-15,淡纹眼霜15g,,眼霜,149.00,30,也许,,,",
                "MASK-03,清洁泥膜,泥膜,面膜,79.00,35,0,,清洁|控油,",
            ]
        )
        + "\n",
        encoding="utf-8",
    )

    assert await run("import", "products", str(path)) == 1

    out, err = capsys.readouterr()
    assert "products: 2 added, 0 updated, 4 bad lines" in out
    assert [problem.split(": ", 1)[0] for problem in err.splitlines()] == [
        f"{path}:4",
        f"{path}:6",
        f"{path}:7",
        f"{path}:8",
    ]
    assert "price" in err and "stock" in err and "non_returnable" in err and "columns" in err
    assert await on_sale(sessions) == ["SERUM-30", "MASK-03"]


@pytest.mark.usefixtures("cli_env")
async def test_a_csv_file_that_is_not_utf8_is_refused_as_a_whole(
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "products.csv"
    # A UTF-8 file (with its byte order mark) and a line pasted in from a GBK file.
    path.write_bytes(
        f"\ufeff{HEADER}\nSERUM-30,X,,,168,,,,,\n".encode()
        + "MASK-02,积雪草舒缓面膜,,面膜,69,,,,,\n".encode("gbk")
    )

    assert await run("import", "products", str(path)) == 1

    err = capsys.readouterr().err
    assert f"{path}: not UTF-8" in err
    assert "line 3" in err
    assert await on_sale(sessions) == []


@pytest.mark.usefixtures("cli_env")
@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("sku,name,aliases,price,stok", "unknown CSV column 'stok'"),
        ("sku,name,stock", "no column price"),
        ("sku,name,price,tags,tags", "tags more than once"),
    ],
)
async def test_a_csv_header_that_does_not_fit_is_refused_naming_the_problem(
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
    header: str,
    expected: str,
) -> None:
    cells = ",".join(["SERUM-30", "烟酰胺精华液30ml"] + ["1"] * (header.count(",") - 1))
    path = write_lines(tmp_path / "products.csv", header, cells)

    assert await run("import", "products", str(path)) == 1

    assert expected in capsys.readouterr().err
    assert await on_sale(sessions) == []


@pytest.mark.usefixtures("cli_env")
async def test_an_unclosed_quote_in_a_csv_is_reported_and_swallows_no_line(
    tmp_path: Path,
    sessions: async_sessionmaker[AsyncSession],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The quote opened on line 2 would take lines 3-5 into one description, closed on line 6
    # so that the row still has ten cells.
    path = write_lines(
        tmp_path / "products.csv",
        HEADER,
        'SERUM-30,烟酰胺精华液30ml,小白瓶,精华,168.00,42,false,"提亮肤色',
        "SUN-50,清透防晒乳50ml,,防晒,99.00,10,false,,防晒,",
        "TONER-200,氨基酸爽肤水200ml,,爽肤水,89.00,20,false,,,",
        "CREAM-50,修护面霜50g,,面霜,129.00,60,false,,,",
        '温和",提亮,',
        'EYE-15,淡纹眼霜15g,,眼霜,149.00,30,false,"适合,""熬夜""党",,',
    )

    assert await run("import", "products", str(path)) == 1

    out, err = capsys.readouterr()
    assert [problem.split(": ", 1)[0] for problem in err.splitlines()] == [
        f"{path}:2",
        f"{path}:6",
    ]
    assert "a quote opened on this line runs to line 6" in err
    assert "products: 4 added, 0 updated, 2 bad lines skipped" in out
    assert await on_sale(sessions) == ["SUN-50", "TONER-200", "CREAM-50", "EYE-15"]
    assert (await stored(sessions, "EYE-15")).description == '适合,"熬夜"党'
