"""The console's FAQ pages: search, add, edit, delete, unanswered questions; admins only."""

import random
import re
import time
from datetime import timedelta

from aiohttp import ClientResponse

from bot.app import create_app
from bot.console.unanswered import GROUPS_SHOWN
from bot.desk.faq_admin import QUESTION_LIMIT, find_entries, get_entry
from bot.desk.unanswered_questions import UNANSWERED_ROWS, unanswered_groups
from bot.services import Services
from storage.repositories import Repositories
from tests.support.chat import Chat
from tests.support.clock import FakeClock
from tests.support.console import Console
from tests.support.text import random_chinese

STORE_QUESTION = "你们有实体店吗？"
STORE_ANSWER = "我们只在网上卖<b>哦</b>～"


def faq_routes(services: Services) -> list[tuple[str, str]]:
    """(method, path) of every console route under /console/faq, ids filled in."""
    routes = []
    for resource in create_app(services).router.resources():
        sub = getattr(resource, "_app", None)
        for route in sub.router.routes() if sub is not None else ():
            path = route.resource.canonical if route.resource else ""
            if path.startswith("/console/faq") and route.method != "HEAD":
                routes.append((route.method, re.sub(r"\{[^}]+\}", "shipping-time", path)))
    assert len(routes) >= 9
    return routes


async def post_pairs(console: Console, path: str, pairs: list[tuple[str, str]]) -> ClientResponse:
    """A form post with repeated fields (the unanswered questions' ids)."""
    data = [*pairs, ("csrf_token", console.csrf)]
    return await console.client.post(path, data=data, allow_redirects=False)


async def text_of(response: ClientResponse, status: int) -> str:
    text = await response.text()
    assert response.status == status, text
    return text


def group_texts(page: str) -> list[str]:
    """The headings of the unanswered-question groups on the page."""
    return re.findall(r'<section class="card unanswered-group">\s*<h2>(.*?)</h2>', page)


async def add_store_entry(console: Console, **extra: str) -> ClientResponse:
    form = {"question": STORE_QUESTION, "answer": STORE_ANSWER, "alternates": "线下店在哪"}
    return await console.post_form("/console/faq/new", {**form, **extra}, allow_redirects=False)


# --- who may use them ----------------------------------------------------------------------------


async def test_agents_are_refused_every_faq_page_and_change(
    services: Services, agent_console: Console
) -> None:
    for method, path in faq_routes(services):
        if method == "GET":
            response = await agent_console.get(path, allow_redirects=False)
        else:
            response = await agent_console.post_form(path, {"answer": "x"}, allow_redirects=False)
        assert response.status == 403, (method, path)


async def test_an_agent_refused_an_admin_page_gets_the_console_with_its_menu(
    agent_console: Console,
) -> None:
    for path in ("/console/faq", "/console/canned", "/console/staff", "/console/faq/unanswered"):
        response = await agent_console.get(path)
        page = await response.text()
        assert response.status == 403, path
        assert "这个页面只有管理员可以使用" in page, path
        menu = page[page.index('<header class="top">') : page.index("</header>")]
        assert 'href="/console/tickets"' in menu and "小王" in menu, path
        assert 'href="/console/faq"' not in menu, path  # still no link to what is refused
        assert "<title>没有权限 · kefu</title>" in page


# --- entries -------------------------------------------------------------------------------------


async def test_an_added_entry_answers_the_next_customer_message(
    admin_console: Console, chat: Chat
) -> None:
    assert STORE_ANSWER not in await chat.ask(STORE_QUESTION)

    response = await add_store_entry(admin_console, id="store")

    assert response.status == 302
    assert response.headers["Location"] == "/console/faq?notice=created&q=store"
    assert await chat.as_user("bob").ask(STORE_QUESTION) == STORE_ANSWER
    assert await chat.as_user("carol").ask("线下店在哪") == STORE_ANSWER
    listing = await text_of(await admin_console.get("/console/faq?q=实体店"), 200)
    assert "我们只在网上卖&lt;b&gt;哦&lt;/b&gt;" in listing and "<b>哦</b>" not in listing
    assert "机器人会直接回答条目" in listing and "/console/faq/store" in listing


async def test_an_edit_and_a_delete_take_effect_at_once(
    admin_console: Console, chat: Chat, clock: FakeClock
) -> None:
    await add_store_entry(admin_console, id="store")
    assert await chat.ask(STORE_QUESTION) == STORE_ANSWER
    form = await text_of(await admin_console.get("/console/faq/store"), 200)
    assert 'value="你们有实体店吗？"' in form and "线下店在哪</textarea>" in form

    response = await admin_console.post_form(
        "/console/faq/store",
        {"question": STORE_QUESTION, "answer": "杭州有一家门店", "alternates": ""},
        allow_redirects=False,
    )
    assert response.status == 302
    assert await chat.ask(STORE_QUESTION) == "杭州有一家门店"  # the clock did not move

    confirm = await text_of(await admin_console.get("/console/faq/store/delete"), 200)
    assert "确认删除" in confirm and "杭州有一家门店" in confirm
    response = await admin_console.post_form("/console/faq/store/delete", {}, allow_redirects=False)
    assert response.headers["Location"] == "/console/faq?notice=deleted"
    assert "杭州有一家门店" not in await chat.ask(STORE_QUESTION)
    await text_of(await admin_console.get("/console/faq/store"), 404)
    await text_of(await admin_console.post_form("/console/faq/store/delete", {}), 404)


async def test_search_shows_matching_entries_and_what_a_customer_would_get(
    admin_console: Console,
) -> None:
    page = await text_of(await admin_console.get("/console/faq?q=发票抬头"), 200)
    assert "invoice-electronic" in page and "shipping-time" not in page
    page = await text_of(await admin_console.get("/console/faq?q=能开发票吗"), 200)
    assert "机器人会直接回答条目" in page and "invoice-electronic" in page
    page = await text_of(await admin_console.get("/console/faq?q=火星快递几天到月球"), 200)
    assert "知识库中没有相近的问题" in page or "请客户从相近的问题中选择" in page
    # Between two entries: choices, with how sure the bot was and how sure it must be.
    page = await text_of(await admin_console.get("/console/faq?q=快递"), 200)
    assert "请客户从相近的问题中选择" in page and "需要 31）" in page


def listed_ids(page: str) -> list[str]:
    """The entries on a page of the list, by id, top to bottom."""
    return re.findall(r'<tr>\s*<td><a href="/console/faq/([^"/]+)">', page)


async def test_the_list_is_shown_twenty_entries_a_page(
    admin_console: Console, services: Services
) -> None:
    every = [entry.id for entry in await find_entries(services.sessions, "")]
    pages = -(-len(every) // 20)
    assert pages >= 3  # the default FAQ

    first = await text_of(await admin_console.get("/console/faq"), 200)
    assert f"全部条目（{len(every)}）" in first and f"第 1 / {pages} 页" in first
    assert 'href="/console/faq?page=2" rel="next"' in first and 'rel="prev"' not in first
    shown = listed_ids(first)
    for number in range(2, pages + 1):
        page = await text_of(await admin_console.get(f"/console/faq?page={number}"), 200)
        assert f"第 {number} / {pages} 页" in page
        assert f'href="/console/faq?page={number - 1}" rel="prev"' in page
        shown += listed_ids(page)
    assert shown == every  # each entry once, on one page or another
    assert len(listed_ids(first)) == 20

    last = await text_of(await admin_console.get(f"/console/faq?page={pages}"), 200)
    assert 'rel="next"' not in last
    assert listed_ids(await text_of(await admin_console.get("/console/faq?page=999"), 200)) == (
        listed_ids(last)
    )
    for bad in ("abc", "0", "-3", ""):
        page = await text_of(await admin_console.get(f"/console/faq?page={bad}"), 200)
        assert listed_ids(page) == listed_ids(first), bad


async def test_search_finds_question_answer_and_category_text_and_keeps_it_across_pages(
    admin_console: Console, services: Services
) -> None:
    page = await text_of(await admin_console.get("/console/faq?q=顺丰"), 200)  # in answers
    assert "shipping-carrier" in listed_ids(page) and "invoice-electronic" not in page
    page = await text_of(await admin_console.get("/console/faq?q=能开发票"), 200)  # a question
    assert "invoice-electronic" in listed_ids(page)

    # 发货 is the Chinese name of the category "shipping": its entries are all found.
    found = await text_of(await admin_console.get("/console/faq?q=发货"), 200)
    shipping = [e.id for e in await find_entries(services.sessions, "") if e.category == "shipping"]
    assert set(shipping) <= set(listed_ids(found))

    # A search with more than a page of results pages through them, the search kept.
    pages = await text_of(await admin_console.get("/console/faq?q=亲"), 200)
    assert len(listed_ids(pages)) == 20
    assert 'href="/console/faq?q=%E4%BA%B2&amp;page=2" rel="next"' in pages
    second = await text_of(await admin_console.get("/console/faq?q=亲&page=2"), 200)
    assert 'value="亲"' in second and not set(listed_ids(second)) & set(listed_ids(pages))


async def test_categories_are_shown_and_typed_by_their_chinese_names(
    admin_console: Console, services: Services
) -> None:
    page = await text_of(await admin_console.get("/console/faq?q=shipping-time"), 200)
    assert '<td class="faq-category">发货</td>' in page
    assert '<td class="faq-category">shipping</td>' not in page
    form = await text_of(await admin_console.get("/console/faq/new"), 200)
    assert '<option value="shipping">发货</option>' in form

    response = await add_store_entry(admin_console, id="store", category="物流")
    assert response.status == 302, await response.text()
    assert (await get_entry(services.sessions, "store")).category == "logistics"


async def test_bad_input_is_a_400_page_with_the_errors_and_what_was_typed(
    admin_console: Console,
) -> None:
    response = await admin_console.post_form(
        "/console/faq/new",
        {
            "id": "Store!",
            "question": "<script>x</script>门店",
            "answer": "答" * 2001,
            "alternates": "有发票吗",
        },
    )
    page = await text_of(response, 400)
    assert "编号只能用小写英文字母" in page and "答案最多 2000 个字" in page
    assert 'value="&lt;script&gt;x&lt;/script&gt;门店"' in page and "<script>x" not in page
    assert 'value="Store!"' in page and "有发票吗</textarea>" in page

    response = await admin_console.post_form(
        "/console/faq/new", {"question": "门店", "answer": "有", "alternates": "有发票吗"}
    )
    assert "「有发票吗」已是条目 invoice-electronic 的问法" in await text_of(response, 400)

    response = await admin_console.post_form(
        "/console/faq/shipping-time", {"question": "", "answer": "48小时内发货"}
    )
    page = await text_of(response, 400)
    assert "请填写问题" in page and "48小时内发货</textarea>" in page


# --- unanswered questions ------------------------------------------------------------------------


async def ask_unanswerable(chat: Chat) -> None:
    for user, text in [
        ("a", "你们有实体店吗"),
        ("b", "你们有没有实体店"),
        ("c", "能用<花呗>分期吗"),
    ]:
        await chat.as_user(user).ask(text)


async def test_unanswered_questions_are_listed_in_groups(
    admin_console: Console, chat: Chat
) -> None:
    await ask_unanswerable(chat)
    page = await text_of(await admin_console.get("/console/faq/unanswered"), 200)
    assert len(group_texts(page)) == 2
    assert "共 2 次" in page and "共 1 次" in page
    assert "你们有没有实体店" in page
    assert "能用&lt;花呗&gt;分期吗" in page and "<花呗>" not in page
    assert "新建条目" in page and "添加为已有条目的问法" in page
    assert "推荐" in page  # the knowledge base's suggestions for the text


async def test_a_group_turned_into_an_entry_leaves_the_list_and_answers_customers(
    admin_console: Console, services: Services, chat: Chat, clock: FakeClock
) -> None:
    await ask_unanswerable(chat)
    page = await text_of(await admin_console.get("/console/faq/unanswered"), 200)
    form = re.search(r'<form method="get" action="/console/faq/new">(.*?)</form>', page, re.S)
    assert form is not None
    fields = re.findall(r'name="(question|alternates|unanswered)" value="([^"]*)"', form.group(1))
    new_form = await text_of(
        await admin_console.get("/console/faq/new", params=fields, allow_redirects=False), 200
    )
    question, other = dict(fields)["question"], dict(fields)["alternates"]
    assert {question, other} == {"你们有实体店吗", "你们有没有实体店"}
    assert f'value="{question}"' in new_form and f">{other}</textarea>" in new_form
    ids = [value for name, value in fields if name == "unanswered"]
    assert len(ids) == 2 and all(f'name="unanswered" value="{i}"' in new_form for i in ids)

    response = await post_pairs(
        admin_console,
        "/console/faq/new",
        [("question", question), ("answer", "只在网上卖"), ("alternates", other)]
        + [("unanswered", i) for i in ids],
    )

    assert response.headers["Location"] == "/console/faq/unanswered?notice=created"
    page = await text_of(await admin_console.get("/console/faq/unanswered?notice=created"), 200)
    assert group_texts(page) == ["能用&lt;花呗&gt;分期吗"]
    assert await chat.as_user("d").ask("你们有实体店吗") == "只在网上卖"


async def test_a_group_added_as_a_phrasing_leaves_the_list(
    admin_console: Console, services: Services, chat: Chat, clock: FakeClock
) -> None:
    await ask_unanswerable(chat)
    credit = next(
        g for g in await unanswered_groups(services.sessions, clock.now()) if "花呗" in g.text
    )
    ids = [("unanswered", str(i)) for i in credit.ids]

    refused = await post_pairs(
        admin_console, "/console/faq/unanswered/phrasing", [("text", "花呗可以吗"), *ids]
    )
    page = await text_of(refused, 400)
    assert "请选择要添加到的条目" in page and 'value="花呗可以吗"' in page

    response = await post_pairs(
        admin_console,
        "/console/faq/unanswered/phrasing",
        [("text", "能用花呗分期吗"), ("entry", "payment-methods"), *ids],
    )

    assert response.headers["Location"] == "/console/faq/unanswered?notice=added"
    page = await text_of(await admin_console.get("/console/faq/unanswered"), 200)
    [store] = group_texts(page)
    assert "实体店" in store
    payment = await get_entry(services.sessions, "payment-methods")
    assert payment.alternates[-1] == "能用花呗分期吗"
    assert await chat.as_user("e").ask("能用花呗分期吗") == payment.answer


async def test_a_dismissed_group_leaves_the_list(
    admin_console: Console, services: Services, chat: Chat, clock: FakeClock
) -> None:
    await ask_unanswerable(chat)
    groups = await unanswered_groups(services.sessions, clock.now())
    pairs = [("unanswered", str(i)) for i in groups[0].ids]
    response = await post_pairs(admin_console, "/console/faq/unanswered/dismiss", pairs)
    assert response.headers["Location"] == "/console/faq/unanswered?notice=dismissed"
    assert len(await unanswered_groups(services.sessions, clock.now())) == len(groups) - 1
    response = await post_pairs(
        admin_console, "/console/faq/unanswered/dismiss", [("unanswered", "x")]
    )
    assert response.status == 400


async def test_the_page_stays_quick_with_500_long_random_questions(
    admin_console: Console, services: Services, chat: Chat, clock: FakeClock
) -> None:
    # Issue 17's attack: hundreds of customers post 4,000 random characters each.
    rng = random.Random(17)
    await chat.ask(random_chinese(rng, 4000))
    async with services.sessions() as session, session.begin():
        unanswered = Repositories.for_session(session).unanswered
        [first] = await unanswered.recent(clock.now() - timedelta(days=1))
        for _ in range(UNANSWERED_ROWS - 1):
            await unanswered.add(first.message_id, random_chinese(rng, 4000), 0.0, clock.now())

    started = time.monotonic()
    page = await text_of(await admin_console.get("/console/faq/unanswered"), 200)
    # Under a second on a quiet machine; grouping whole questions took minutes.
    assert time.monotonic() - started < 30
    assert len(group_texts(page)) == GROUPS_SHOWN
    assert f"还有 {UNANSWERED_ROWS - GROUPS_SHOWN} 组未显示" in page
    # Each question is shown by its start: the page is not megabytes of pasted text.
    assert not re.search(f"[\u4e00-\u9fff]{{{QUESTION_LIMIT + 1},}}", page)
