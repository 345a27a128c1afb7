"""Who is signed in to the console for a request."""

from dataclasses import dataclass

from aiohttp import web

from bot.console.services import SERVICES
from bot.desk.actor import Actor
from core.enums import StaffRole


@dataclass(frozen=True)
class SignedIn:
    """The staff member behind a console request."""

    id: int
    name: str
    display_name: str
    role: str
    session_epoch: int
    # Signed in with a password someone else chose: only the change-password page opens.
    must_change_password: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == StaffRole.ADMIN


STAFF: web.RequestKey[SignedIn] = web.RequestKey("staff", SignedIn)


def signed_in(request: web.Request) -> SignedIn:
    """The staff member of a request that passed the sign-in check."""
    return request[STAFF]


def acting(request: web.Request) -> Actor:
    """The signed-in staff member as the desk records them, acting now."""
    me = signed_in(request)
    return Actor(me.display_name, request.config_dict[SERVICES].clock.now(), me.id)


def signed_in_or_none(request: web.Request) -> SignedIn | None:
    return request.get(STAFF)
