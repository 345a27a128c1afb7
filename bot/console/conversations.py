"""Console: 会话 — the conversation lists, one conversation, take over, reply, hand back,
and the messages scheduled for its customer (定时消息).

Pages work without script (forms post and redirect back); conversations.js keeps them live
with the event stream (bot/console/live.py) and the fragment routes under /console/api/.
"""

import json
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from aiohttp import web

from bot.console import live
from bot.console.forms import form_text
from bot.console.services import SERVICES
from bot.console.signed_in import acting, signed_in
from bot.console.templates import render, render_text
from bot.desk import audit, handover
from bot.desk.canned_replies import reply_by_id
from bot.desk.conversation_views import (
    Conversation,
    ConversationDetail,
    CustomerPanel,
    conversation_by_id,
    conversation_followups,
    conversation_lists,
    open_conversation,
)
from bot.outreach.scheduled_messages import (
    ScheduleRefused,
    cancel_followup,
    parse_time,
    schedule_customer_message,
)
from core.enums import ConversationMode

NOT_HELD = "只有接入该会话的客服可以回复，请先接入"
TAKEN_BY_OTHER = "该会话已由其他客服接入"
NOT_YOURS_TO_RETURN = "只有接入该会话的客服可以交还机器人"
EMPTY_REPLY = "请输入回复内容"
ALREADY_GONE = "这条消息已经发出或已取消，无法取消"
DUMPS = partial(json.dumps, ensure_ascii=False)


def _wants_json(request: web.Request) -> bool:
    return request.content_type == "application/json"


def _conversation_id(request: web.Request) -> int:
    return int(request.match_info["id"])


async def _lists_context(request: web.Request) -> dict[str, Any]:
    services = request.config_dict[SERVICES]
    lists = await conversation_lists(services.sessions, signed_in(request).id, services.clock.now())
    return {"lists": lists}


async def page(request: web.Request) -> web.Response:
    """GET /console/: the queue, my conversations, others' and recent bot conversations."""
    context = await _lists_context(request)
    return render(request, "conversations.html", {"section": "conversations", **context})


async def lists_fragment(request: web.Request) -> web.Response:
    """GET /console/api/conversations: the lists' HTML, for the page to swap in."""
    html = render_text(request, "conversations_lists.html", await _lists_context(request))
    return web.Response(text=html, content_type="text/html", headers={"Cache-Control": "no-store"})


@dataclass(frozen=True)
class CannedOption:
    id: int
    title: str
    text: str


@dataclass(frozen=True)
class Loaded:
    """A conversation and the canned replies its reply box offers."""

    detail: ConversationDetail
    canned: list[CannedOption]
    panel: CustomerPanel | None = None  # the verified customer's profile


async def _load(request: web.Request, after_message_id: int = 0) -> Loaded:
    services = request.config_dict[SERVICES]
    opened = await open_conversation(
        services.sessions,
        _conversation_id(request),
        services.settings,
        services.clock.now(),
        after_message_id,
    )
    if opened is None:
        raise _not_found(request)
    canned = [CannedOption(c.id, c.title, c.text) for c in opened.canned]
    return Loaded(opened.detail, canned, opened.panel)


def _not_found(request: web.Request) -> web.HTTPNotFound:
    return web.HTTPNotFound(
        text=render_text(request, "conversations_missing.html", {"section": "conversations"}),
        content_type="text/html",
    )


def _page_context(request: web.Request, loaded: Loaded) -> dict[str, Any]:
    me = signed_in(request)
    return {
        "section": "conversations",
        "conversation": loaded.detail,
        "panel": loaded.panel,
        "can_reply": loaded.detail.held_by(me.id),
        # Only the holder hands back: an admin taking someone's chat away would surprise them.
        # Admins may return anyone's chat: an agent who left must not strand a customer.
        "can_hand_back": loaded.detail.held_by(me.id)
        or (me.is_admin and loaded.detail.mode == ConversationMode.HUMAN),
        "canned": loaded.canned,
    }


@dataclass(frozen=True)
class ScheduleForm:
    """The scheduling form as typed, kept when it is refused, with the reason."""

    at: str = ""
    text: str = ""
    error: str = ""


async def conversation_page(
    request: web.Request,
    error: str = "",
    status: int = 200,
    draft: str = "",
    scheduling: ScheduleForm | None = None,
) -> web.Response:
    """GET /console/conversations/{id}: the whole history, the customer beside it and the
    messages scheduled for them."""
    loaded = await _load(request)
    services = request.config_dict[SERVICES]
    followups = await conversation_followups(services.sessions, loaded.detail.id)
    context = {
        **_page_context(request, loaded),
        "error": error,
        "draft": draft,
        "followups": followups,
        "scheduling": scheduling or ScheduleForm(),
    }
    return render(request, "conversation.html", context, status=status)


async def messages_fragment(request: web.Request) -> web.Response:
    """GET /console/api/conversations/{id}/messages?after=N: new messages and state as HTML."""
    raw = request.query.get("after", "0")
    # Nine digits stay within the 32-bit ids PostgreSQL stores.
    if not raw.isdecimal() or len(raw) > 9:
        raise web.HTTPBadRequest(text="after 参数必须是消息编号")
    after = int(raw)
    loaded = await _load(request, after)
    context = _page_context(request, loaded)
    return web.json_response(
        {
            "messages_html": render_text(request, "conversations_messages.html", context),
            "last_message_id": max(after, loaded.detail.last_message_id),
            "status_html": render_text(request, "conversations_status.html", context),
            "unsent_html": render_text(request, "conversations_unsent.html", context),
            "side_html": render_text(request, "conversations_side.html", context),
            "can_reply": context["can_reply"],
        },
        headers={"Cache-Control": "no-store"},
    )


async def _data(request: web.Request) -> dict[str, Any]:
    """The posted fields, from a form or from a script's JSON."""
    if _wants_json(request):
        try:
            data = await request.json()
        except ValueError:
            raise web.HTTPBadRequest(text="请求内容不是有效的 JSON") from None
        if not isinstance(data, dict):
            raise web.HTTPBadRequest(text="请求内容必须是 JSON 对象")
        return data
    return dict(await request.post())


async def _done(
    request: web.Request, error: str = "", status: int = 200, draft: str = ""
) -> web.StreamResponse:
    """JSON for scripts; for forms a redirect after success (reloads don't post twice)."""
    conversation_id = _conversation_id(request)
    if _wants_json(request):
        body = {"ok": not error, **({"error": error} if error else {})}
        return web.json_response(body, status=status, dumps=DUMPS)
    if not error:
        raise web.HTTPSeeOther(f"/console/conversations/{conversation_id}")
    return await conversation_page(request, error=error, status=status, draft=draft)


async def _audit(request: web.Request, action: str, conversation_id: int, detail: str = "") -> None:
    sessions = request.config_dict[SERVICES].sessions
    await audit.record(sessions, acting(request), action, f"会话 {conversation_id}", detail)


async def _conversation(request: web.Request) -> Conversation:
    """The conversation an action is for, as stored now; 404 when there is none."""
    services = request.config_dict[SERVICES]
    conversation = await conversation_by_id(services.sessions, _conversation_id(request))
    if conversation is None:
        raise _not_found(request)
    return conversation


def _held_by(conversation: Conversation, staff_id: int) -> bool:
    return conversation.mode == ConversationMode.HUMAN and conversation.staff_id == staff_id


async def take(request: web.Request) -> web.StreamResponse:
    """POST /console/conversations/{id}/take: 接入 — a queued or bot conversation is mine."""
    await _data(request)
    conversation = await _conversation(request)
    me = signed_in(request)
    if _held_by(conversation, me.id):
        return await _done(request)
    services = request.config_dict[SERVICES]
    taken = await handover.take_over(
        services.sessions, services.clock, services.assistant.texts, conversation.id, me.id
    )
    if not taken:
        return await _done(request, TAKEN_BY_OTHER, status=409)
    await _audit(request, "conversation_take", conversation.id)
    return await _done(request)


async def reply(request: web.Request) -> web.StreamResponse:
    """POST /console/conversations/{id}/reply: send text (or a canned reply) to the customer."""
    data = await _data(request)
    conversation = await _conversation(request)
    me = signed_in(request)
    services = request.config_dict[SERVICES]
    text = form_text(data, "text").strip() or await _canned_text(request, data.get("canned_id"))
    if not _held_by(conversation, me.id):
        return await _done(request, NOT_HELD, status=403, draft=text)
    if not text:
        return await _done(request, EMPTY_REPLY, status=400)
    limit = services.settings.max_message_chars
    if len(text) > limit:
        return await _done(request, f"回复内容不能超过 {limit} 个字", status=400, draft=text)
    sent = await handover.send_staff_reply(
        services.sessions, services.clock, conversation.id, me.id, text, settings=services.settings
    )
    if not sent:  # handed back or taken by someone else just now
        return await _done(request, NOT_HELD, status=403, draft=text)
    await _audit(request, "conversation_reply", conversation.id, text[:200])
    return await _done(request)


async def _canned_text(request: web.Request, canned_id: object) -> str:
    """The text of the canned reply picked without script (its id in the form)."""
    raw = str(canned_id or "")
    if not raw.isdecimal() or len(raw) > 9:
        return ""
    services = request.config_dict[SERVICES]
    canned = await reply_by_id(services.sessions, int(raw))
    return canned.text if canned is not None else ""


async def hand_back(request: web.Request) -> web.StreamResponse:
    """POST /console/conversations/{id}/hand-back: 交还机器人."""
    await _data(request)
    conversation = await _conversation(request)
    me = signed_in(request)
    services = request.config_dict[SERVICES]
    if not (_held_by(conversation, me.id) or me.is_admin) or not await handover.hand_back(
        services.sessions,
        services.clock,
        services.assistant.texts,
        conversation.id,
        me.id,
        as_admin=me.is_admin,
    ):
        return await _done(request, NOT_YOURS_TO_RETURN, status=403)
    await _audit(request, "conversation_hand_back", conversation.id)
    return await _done(request)


async def schedule(request: web.Request) -> web.Response:
    """POST /console/conversations/{id}/scheduled: a message to the customer at a time."""
    form = await request.post()
    typed = ScheduleForm(at=form_text(form, "at"), text=form_text(form, "text"))
    conversation = await _conversation(request)
    services = request.config_dict[SERVICES]
    try:
        await schedule_customer_message(
            services.sessions,
            services.clock,
            services.settings,
            at=parse_time(typed.at, services.settings.zone),
            text=typed.text,
            staff_id=signed_in(request).id,
            identity_id=conversation.identity_id,
        )
    except ScheduleRefused as refusal:
        refused = replace(typed, error=refusal.chinese)
        return await conversation_page(request, status=400, scheduling=refused)
    raise web.HTTPSeeOther(f"/console/conversations/{conversation.id}#scheduled")


async def cancel_scheduled(request: web.Request) -> web.Response:
    """POST /console/conversations/{id}/scheduled/{followup_id}/cancel: 取消 one not sent."""
    conversation = await _conversation(request)
    services = request.config_dict[SERVICES]
    me = signed_in(request)
    cancelled = await cancel_followup(
        services.sessions,
        services.clock,
        followup_id=int(request.match_info["followup_id"]),
        identity_id=conversation.identity_id,
        staff_id=me.id,
        note=f"{me.display_name} 取消",
    )
    if not cancelled:
        return await conversation_page(
            request, status=409, scheduling=ScheduleForm(error=ALREADY_GONE)
        )
    raise web.HTTPSeeOther(f"/console/conversations/{conversation.id}#scheduled")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/", page)
    app.router.add_get("/api/conversations", lists_fragment)
    app.router.add_get(r"/conversations/{id:\d{1,9}}", conversation_page)
    app.router.add_get(r"/api/conversations/{id:\d{1,9}}/messages", messages_fragment)
    app.router.add_post(r"/conversations/{id:\d{1,9}}/take", take)
    app.router.add_post(r"/conversations/{id:\d{1,9}}/reply", reply)
    app.router.add_post(r"/conversations/{id:\d{1,9}}/hand-back", hand_back)
    app.router.add_post(r"/conversations/{id:\d{1,9}}/scheduled", schedule)
    app.router.add_post(
        r"/conversations/{id:\d{1,9}}/scheduled/{followup_id:\d{1,9}}/cancel", cancel_scheduled
    )
    live.add_routes(app)
