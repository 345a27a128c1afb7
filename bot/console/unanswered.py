"""Console: 未解决的问题 — unanswered questions in groups, made entries or phrasings (admins)."""

import asyncio
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from multidict import MultiMapping

from bot.console.auth import admin_only
from bot.console.forms import form_text
from bot.console.services import SERVICES
from bot.console.signed_in import signed_in
from bot.console.templates import render
from bot.desk.faq_admin import (
    ALTERNATES_LIMIT,
    QUESTION_LIMIT,
    FaqInvalid,
    FaqNotFound,
    add_phrasing,
    current_knowledge,
)
from bot.desk.unanswered_questions import (
    UNANSWERED_DAYS,
    UnansweredGroup,
    dismiss_unanswered,
    unanswered_groups,
)
from knowledge import FaqMatch

FIELD = "unanswered"
BAD_IDS = "问题编号无效，请刷新页面后重试"
SUGGESTIONS = 3
GROUPS_SHOWN = 100
NOTICES = {
    "created": "已新建条目，这组问题已从列表移除",
    "added": "已添加为条目的问法，这组问题已从列表移除",
    "dismissed": "已忽略这组问题",
}


@dataclass(frozen=True)
class GroupView:
    """A group with the entries the knowledge base would suggest for its text."""

    group: UnansweredGroup
    suggestions: list[FaqMatch]


@dataclass(frozen=True)
class PhrasingForm:
    """An "add as a phrasing" form as typed, kept when it is refused."""

    ids: tuple[int, ...] = ()
    text: str = ""
    entry: str = ""


def question_ids(values: MultiMapping[Any]) -> list[int] | None:
    """The unanswered questions' ids sent with a form; None when one is not an id."""
    ids: list[int] = []
    for value in values.getall(FIELD, []):
        if not isinstance(value, str) or not value.isdigit() or len(value) > 9:
            return None
        ids.append(int(value))
    return ids


async def page(request: web.Request) -> web.Response:
    """GET /console/faq/unanswered: the groups, the most asked first."""
    notice = NOTICES.get(request.query.get("notice", ""), "")
    return await _page(request, notice=notice)


async def add_as_phrasing(request: web.Request) -> web.Response:
    """POST /console/faq/unanswered/phrasing: the text becomes an alternate of an entry."""
    services = request.config_dict[SERVICES]
    form = await request.post()
    ids = question_ids(form)
    typed = PhrasingForm(
        tuple(sorted(ids or ())), form_text(form, "text"), form_text(form, "entry").strip()
    )
    if not ids:
        return await _page(request, error=BAD_IDS, typed=typed)
    if not typed.entry:
        return await _page(request, error="请选择要添加到的条目", typed=typed)
    try:
        await add_phrasing(
            services.sessions, services.clock, typed.entry, typed.text, signed_in(request).id, ids
        )
    except FaqNotFound:
        return await _page(request, error=f"没有编号为「{typed.entry}」的条目", typed=typed)
    except FaqInvalid as invalid:
        return await _page(request, error="；".join(invalid.errors), typed=typed)
    raise web.HTTPFound("/console/faq/unanswered?notice=added")


async def dismiss(request: web.Request) -> web.Response:
    """POST /console/faq/unanswered/dismiss: forget a group that needs no entry."""
    services = request.config_dict[SERVICES]
    ids = question_ids(await request.post())
    if not ids:
        return await _page(request, error=BAD_IDS)
    await dismiss_unanswered(services.sessions, services.clock, ids, signed_in(request).id)
    raise web.HTTPFound("/console/faq/unanswered?notice=dismissed")


async def _page(
    request: web.Request,
    *,
    notice: str = "",
    error: str = "",
    typed: PhrasingForm | None = None,
) -> web.Response:
    services = request.config_dict[SERVICES]
    # The assistant's synonym groups, read once at start rather than on every page.
    synonyms = services.assistant.faq.synonyms
    groups = await unanswered_groups(services.sessions, services.clock.now(), synonyms)
    kb = await current_knowledge(services.sessions, services.assistant.faq)
    # Only the groups shown are searched: each search costs the event loop a little, and it
    # is given back between searches so customers' messages are not kept waiting.
    views = []
    for group in groups[:GROUPS_SHOWN]:
        views.append(GroupView(group, kb.search(group.text, SUGGESTIONS)))
        await asyncio.sleep(0)
    context = {
        "section": "faq",
        "groups": views,
        "hidden_groups": max(0, len(groups) - GROUPS_SHOWN),
        "entries": sorted(kb.entries, key=lambda entry: entry.id),
        "days": UNANSWERED_DAYS,
        "question_limit": QUESTION_LIMIT,
        "alternates_limit": ALTERNATES_LIMIT,
        "notice": notice,
        "error": error,
        "typed": typed or PhrasingForm(),
    }
    return render(request, "unanswered.html", context, status=400 if error else 200)


def add_routes(app: web.Application) -> None:
    app.router.add_get("/faq/unanswered", admin_only(page))
    app.router.add_post("/faq/unanswered/phrasing", admin_only(add_as_phrasing))
    app.router.add_post("/faq/unanswered/dismiss", admin_only(dismiss))
