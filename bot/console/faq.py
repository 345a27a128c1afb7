"""Console: 知识库 — search, add, edit and delete FAQ entries (admins only; bot.desk.faq_admin)."""

from typing import Any
from urllib.parse import quote

from aiohttp import web
from multidict import MultiMapping

from bot.console import unanswered
from bot.console.auth import admin_only
from bot.console.forms import form_text
from bot.console.paging import page_of
from bot.console.services import SERVICES
from bot.console.signed_in import signed_in
from bot.console.templates import render
from bot.desk.faq_admin import (
    ALTERNATES_LIMIT,
    ANSWER_LIMIT,
    QUESTION_LIMIT,
    FaqDraft,
    FaqInvalid,
    FaqNotFound,
    add_entry,
    current_knowledge,
    customer_outcome,
    delete_entry,
    edit_entry,
    faq_categories,
    find_entries,
    get_entry,
)

SEARCH_LIMIT = 100  # characters of a search query that are used
MATCHES_SHOWN = 3
PAGE_SIZE = 20  # entries a page: the whole default FAQ is several thousand pixels long
# Category code → Chinese name (knowledge/data/faq_categories.yaml), read when the console starts.
CATEGORY_NAMES: web.AppKey[dict[str, str]] = web.AppKey("faq_category_names", dict)
NOTICES = {
    "created": "已新建条目，客户下一条消息起生效",
    "saved": "已保存，客户下一条消息起生效",
    "deleted": "已删除条目",
}


async def list_page(request: web.Request) -> web.Response:
    """GET /console/faq?q=&page=: the entries containing the text, a page at a time, and what
    the bot would answer."""
    services = request.config_dict[SERVICES]
    names = request.config_dict[CATEGORY_NAMES]
    query = request.query.get("q", "").strip()[:SEARCH_LIMIT]
    entries = await find_entries(services.sessions, query, names)
    matches = []
    if query:
        kb = await current_knowledge(services.sessions, services.assistant.faq)
        matches = kb.search(query, MATCHES_SHOWN)
    context = {
        "section": "faq",
        "query": query,
        "entries": page_of(entries, request.query.get("page", ""), PAGE_SIZE),
        "category_names": names,
        "matches": matches,
        "outcome": customer_outcome(matches, services.settings) if query else "",
        "answer_confidence": services.settings.faq_answer_confidence,
        "notice": NOTICES.get(request.query.get("notice", ""), ""),
    }
    return render(request, "faq.html", context)


async def new_page(request: web.Request) -> web.Response:
    """GET /console/faq/new?question=&alternates=&unanswered=…: the new-entry form."""
    # From unanswered questions: the group's wording as the question, its others as phrasings.
    draft = FaqDraft(
        question=request.query.get("question", "")[:QUESTION_LIMIT],
        alternates=request.query.get("alternates", "")[: QUESTION_LIMIT * ALTERNATES_LIMIT],
    )
    answered = unanswered.question_ids(request.query)
    return await _form(request, draft, new=True, answered=answered or [])


async def create(request: web.Request) -> web.Response:
    """POST /console/faq/new: store a new entry."""
    services = request.config_dict[SERVICES]
    form = await request.post()
    draft = draft_from(request, form)
    answered = unanswered.question_ids(form)
    if answered is None:
        return await _form(request, draft, new=True, answered=[], errors=[unanswered.BAD_IDS])
    try:
        item = await add_entry(
            services.sessions, services.clock, draft, signed_in(request).id, answered
        )
    except FaqInvalid as invalid:
        return await _form(request, draft, new=True, answered=answered, errors=invalid.errors)
    if answered:
        raise web.HTTPFound("/console/faq/unanswered?notice=created")
    # The new entry, wherever it falls among the pages.
    raise web.HTTPFound(f"/console/faq?notice=created&q={quote(item.id)}")


async def edit_page(request: web.Request) -> web.Response:
    """GET /console/faq/{id}: the entry's form."""
    services = request.config_dict[SERVICES]
    try:
        item = await get_entry(services.sessions, request.match_info["id"])
    except FaqNotFound:
        return _not_found(request)
    return await _form(request, FaqDraft.of(item), new=False)


async def save(request: web.Request) -> web.Response:
    """POST /console/faq/{id}: replace the entry's question, answer, phrasings, category."""
    services = request.config_dict[SERVICES]
    entry_id = request.match_info["id"]
    draft = draft_from(request, await request.post(), entry_id)
    try:
        await edit_entry(services.sessions, services.clock, entry_id, draft, signed_in(request).id)
    except FaqNotFound:
        return _not_found(request)
    except FaqInvalid as invalid:
        return await _form(request, draft, new=False, errors=invalid.errors)
    raise web.HTTPFound(f"/console/faq?notice=saved&q={quote(entry_id)}")


async def delete_page(request: web.Request) -> web.Response:
    """GET /console/faq/{id}/delete: ask before deleting."""
    services = request.config_dict[SERVICES]
    try:
        item = await get_entry(services.sessions, request.match_info["id"])
    except FaqNotFound:
        return _not_found(request)
    return render(request, "faq_delete.html", {"section": "faq", "entry": item})


async def delete(request: web.Request) -> web.Response:
    """POST /console/faq/{id}/delete: delete the entry."""
    services = request.config_dict[SERVICES]
    try:
        await delete_entry(
            services.sessions, services.clock, request.match_info["id"], signed_in(request).id
        )
    except FaqNotFound:
        return _not_found(request)
    raise web.HTTPFound("/console/faq?notice=deleted")


def draft_from(
    request: web.Request, form: MultiMapping[Any], entry_id: str | None = None
) -> FaqDraft:
    """The form's fields as typed, a category's Chinese name as its code; an edit's id comes
    from the path, not the form."""

    def field(name: str) -> str:
        return form_text(form, name)

    codes = {name: code for code, name in request.config_dict[CATEGORY_NAMES].items()}
    category = field("category")
    return FaqDraft(
        id=field("id") if entry_id is None else entry_id,
        question=field("question"),
        answer=field("answer"),
        alternates=field("alternates"),
        category=codes.get(category.strip(), category),
    )


async def _form(
    request: web.Request,
    draft: FaqDraft,
    *,
    new: bool,
    answered: list[int] | None = None,
    errors: list[str] | None = None,
) -> web.Response:
    services = request.config_dict[SERVICES]
    categories = await faq_categories(services.sessions)
    context = {
        "section": "faq",
        "draft": draft,
        "new": new,
        "answered": answered or [],
        "errors": errors or [],
        "categories": categories,
        "category_names": request.config_dict[CATEGORY_NAMES],
        "limits": {
            "question": QUESTION_LIMIT,
            "answer": ANSWER_LIMIT,
            "alternates": ALTERNATES_LIMIT,
        },
    }
    return render(request, "faq_form.html", context, status=400 if errors else 200)


def _not_found(request: web.Request) -> web.Response:
    context = {"section": "faq", "entry_id": request.match_info["id"]}
    return render(request, "faq_not_found.html", context, status=404)


def add_routes(app: web.Application) -> None:
    # Fixed paths first: /faq/{id} would take "new" and "unanswered" otherwise.
    app.router.add_get("/faq", admin_only(list_page))
    app.router.add_get("/faq/new", admin_only(new_page))
    app.router.add_post("/faq/new", admin_only(create))
    unanswered.add_routes(app)
    app.router.add_get("/faq/{id}", admin_only(edit_page))
    app.router.add_post("/faq/{id}", admin_only(save))
    app.router.add_get("/faq/{id}/delete", admin_only(delete_page))
    app.router.add_post("/faq/{id}/delete", admin_only(delete))
