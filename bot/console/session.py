"""The console session: a small JSON object in an encrypted, signed cookie (Fernet).

Nothing is stored on the server; the cookie's age is checked on every read, so a stolen
cookie stops working after `session_hours`.
"""

import base64
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from cryptography.fernet import Fernet, InvalidToken

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

COOKIE = "kefu_console"


class Session(dict[str, Any]):
    """Session values; `changed` says the cookie must be written again."""

    def __init__(self, values: dict[str, Any] | None = None) -> None:
        super().__init__(values or {})
        self.changed = False
        self.cleared = False

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, value)
        self.changed = True

    def renew(self) -> None:
        """Forget everything (sign-in and sign-out start from a fresh session)."""
        super().clear()
        self.changed = True
        self.cleared = True


SESSION: web.RequestKey[Session] = web.RequestKey("console_session", Session)


def session_of(request: web.Request) -> Session:
    return request[SESSION]


def session_middleware(
    secret: bytes, max_age_seconds: int, always_secure: bool = False
) -> Callable[..., Any]:
    """Load the session from the cookie before the handler, write it back after."""
    fernet = Fernet(base64.urlsafe_b64encode(secret))

    def load(request: web.Request) -> Session:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return Session()
        try:
            values = json.loads(fernet.decrypt(raw.encode(), ttl=max_age_seconds))
        except (InvalidToken, ValueError):
            return Session()  # expired, forged or from another key: signed out
        return Session(values if isinstance(values, dict) else None)

    def save(request: web.Request, response: web.StreamResponse, session: Session) -> None:
        if not session:
            if session.cleared or COOKIE in request.cookies:
                response.del_cookie(COOKIE, path="/console")
            return
        response.set_cookie(
            COOKIE,
            fernet.encrypt(json.dumps(session).encode()).decode(),
            max_age=max_age_seconds,
            path="/console",
            httponly=True,
            samesite="Lax",
            # Secure whenever served over HTTPS; plain http://127.0.0.1 must work too.
            secure=request.secure or always_secure,
        )

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        session = load(request)
        request[SESSION] = session
        try:
            response = await handler(request)
        except web.HTTPException as redirect_or_error:
            if session.changed:
                save(request, redirect_or_error, session)
            raise
        if session.changed and not response.prepared:
            save(request, response, session)
        return response

    return middleware


CSRF_FIELD = "csrf_token"


def csrf_token(request: web.Request) -> str:
    """The session's CSRF token, made on first use."""
    session = session_of(request)
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session[CSRF_FIELD] = token
    return token
