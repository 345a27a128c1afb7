"""Headers every response carries: no page may be framed by another site (clickjacking), and
pages run only the scripts and styles served from this server."""

from aiohttp import web

# Pages use no inline script or style (the report charts are inline SVG markup), so a strict
# policy costs nothing, and a script that got in through a customer's text would not run.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


async def _add_page_headers(_request: web.Request, response: web.StreamResponse) -> None:
    for name, value in PAGE_HEADERS.items():
        response.headers.setdefault(name, value)


def protect_pages(app: web.Application) -> None:
    """Send the page headers with every response of the application and its sub-applications
    (the console), errors and static files included."""
    app.on_response_prepare.append(_add_page_headers)
