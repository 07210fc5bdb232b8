"""What every response and the session cookie carry so that browsers hold the pages to what they need.

docs/security.md says why each part is as it is.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, g

from engine.config import Settings

#: Scripts only from this site's files (no inline script, no handler attributes, no ``javascript:`` URLs, no eval).
#: Styles may be inline, as measured in Chromium (tests/browser/test_csp.py): bpmn-js and diagram-js build their
#: palette, popup menus and icons from markup holding ``style`` attributes, and several templates keep their
#: page's styles in a ``<style>`` block. Fonts may be ``data:`` URLs: bpmn-js's icon font is embedded that way.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self'",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'self'",
])


def cookie_settings(settings: Settings) -> dict[str, Any]:
    """Flask's session-cookie configuration for ``settings``."""
    return {
        # Sent with top-level navigation from other sites (a link in a mail opens the case), never with their
        # forms or scripts: a second wall behind the anti-forgery token.
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        # Over HTTPS only, except on a developer's machine (``make run`` serves plain http).
        "SESSION_COOKIE_SECURE": not settings.development,
        # Flask refuses a signed cookie older than this (its default is 31 days): the session's absolute lifetime,
        # a second lock behind the server-side session (``engine/web_sessions.py``).
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=settings.session_max_hours),
    }


def harden(response: Response) -> Response:
    """Add the security headers to ``response``; a page shown to a signed-in user is never stored by any cache."""
    # No framing by other sites (clickjacking a 办理 button), no content sniffing, no case URLs leaked outside.
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    if g.get("user") is not None:
        # Case files carry ID numbers and telephones: neither the browser (back button, disk cache) nor a proxy
        # may keep a copy of anything rendered for a signed-in user. The public hall stays cacheable.
        response.headers["Cache-Control"] = "no-store"
    return response
