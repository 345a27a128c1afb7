"""Console: 快捷回复 — admins keep the ready answers agents insert into a chat."""

from dataclasses import dataclass

from aiohttp import web

from bot.console.auth import admin_only
from bot.console.forms import form_text
from bot.console.services import SERVICES
from bot.console.signed_in import acting
from bot.console.templates import render
from bot.desk.canned_replies import (
    CannedReply,
    CannedReplyNotFound,
    all_replies,
    delete_reply,
    reply_by_id,
    save_reply,
)

MAX_TITLE = 100
MAX_TEXT = 2000
NOTICES = {"added": "快捷回复已添加", "saved": "快捷回复已保存", "deleted": "快捷回复已删除"}


@dataclass(frozen=True)
class CannedForm:
    """What an admin typed, and what is wrong with it."""

    title: str = ""
    text: str = ""
    errors: tuple[str, ...] = ()


def checked_form(title: str, text: str) -> CannedForm:
    title, text = title.strip(), text.strip()
    errors: list[str] = []
    if not title:
        errors.append("请填写标题")
    elif len(title) > MAX_TITLE:
        errors.append(f"标题不能超过 {MAX_TITLE} 个字（现在 {len(title)} 个）")
    if not text:
        errors.append("请填写回复内容")
    elif len(text) > MAX_TEXT:
        errors.append(f"回复内容不能超过 {MAX_TEXT} 个字（现在 {len(text)} 个）")
    return CannedForm(title, text, tuple(errors))


def _reply_id(request: web.Request) -> int:
    return int(request.match_info["id"])


async def _posted(request: web.Request) -> CannedForm:
    form = await request.post()
    return checked_form(form_text(form, "title"), form_text(form, "text"))


async def _list_page(
    request: web.Request, form: CannedForm | None = None, status: int = 200
) -> web.Response:
    services = request.config_dict[SERVICES]
    replies = await all_replies(services.sessions)
    context = {
        "section": "canned",
        "replies": replies,
        "form": form or CannedForm(),
        "notice": NOTICES.get(request.query.get("done", ""), ""),
        "max_title": MAX_TITLE,
        "max_text": MAX_TEXT,
    }
    return render(request, "canned.html", context, status=status)


async def list_page(request: web.Request) -> web.Response:
    """GET /console/canned: every canned reply and the form to add one."""
    return await _list_page(request)


async def add(request: web.Request) -> web.Response:
    """POST /console/canned: add a canned reply."""
    form = await _posted(request)
    if form.errors:
        return await _list_page(request, form, status=400)
    await _save(request, None, form, "canned_add")
    raise web.HTTPSeeOther("/console/canned?done=added")


async def _found(request: web.Request) -> CannedReply:
    services = request.config_dict[SERVICES]
    reply = await reply_by_id(services.sessions, _reply_id(request))
    if reply is None:
        raise web.HTTPNotFound(text="快捷回复不存在")
    return reply


def _edit_page(
    request: web.Request, reply: CannedReply, form: CannedForm, status: int = 200
) -> web.Response:
    context = {
        "section": "canned",
        "reply": reply,
        "form": form,
        "max_title": MAX_TITLE,
        "max_text": MAX_TEXT,
    }
    return render(request, "canned_edit.html", context, status=status)


async def edit_page(request: web.Request) -> web.Response:
    """GET /console/canned/{id}: the form to change one canned reply."""
    reply = await _found(request)
    return _edit_page(request, reply, CannedForm(reply.title, reply.text))


async def edit(request: web.Request) -> web.Response:
    """POST /console/canned/{id}: save a changed canned reply."""
    reply = await _found(request)
    form = await _posted(request)
    if form.errors:
        return _edit_page(request, reply, form, status=400)
    await _save(request, reply.id, form, "canned_edit")
    raise web.HTTPSeeOther("/console/canned?done=saved")


async def _save(request: web.Request, reply_id: int | None, form: CannedForm, action: str) -> None:
    services = request.config_dict[SERVICES]
    try:
        await save_reply(
            services.sessions, reply_id, form.title, form.text, acting(request), action
        )
    except CannedReplyNotFound:  # deleted meanwhile
        raise web.HTTPNotFound(text="快捷回复不存在") from None


async def delete(request: web.Request) -> web.Response:
    """POST /console/canned/{id}/delete: remove a canned reply."""
    services = request.config_dict[SERVICES]
    try:
        await delete_reply(services.sessions, _reply_id(request), acting(request))
    except CannedReplyNotFound:
        raise web.HTTPNotFound(text="快捷回复不存在") from None
    raise web.HTTPSeeOther("/console/canned?done=deleted")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/canned", admin_only(list_page))
    app.router.add_post("/canned", admin_only(add))
    app.router.add_get(r"/canned/{id:\d{1,9}}", admin_only(edit_page))
    app.router.add_post(r"/canned/{id:\d{1,9}}", admin_only(edit))
    app.router.add_post(r"/canned/{id:\d{1,9}}/delete", admin_only(delete))
