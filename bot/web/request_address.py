"""The address an HTTP request came from, as failed sign-ins and verifications count it."""

import ipaddress

from aiohttp import web


def client_address(request: web.Request, trust_forwarded_for: bool) -> str:
    """The peer's address, or behind a trusted reverse proxy the one it added last to
    X-Forwarded-For (earlier entries are the client's to invent); an IPv6 client by its /64,
    which one subscriber usually holds whole."""
    raw = request.remote or ""
    if trust_forwarded_for:
        raw = request.headers.get("X-Forwarded-For", "").rsplit(",", 1)[-1].strip() or raw
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
