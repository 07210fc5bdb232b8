"""The interface's words in the reader's language, with the language and its catalog found once per request.

Flask-Babel finds the request's language and catalog again for every string it translates (a dozen context lookups
each time, some forty strings a page); here the first string of a request finds them and the rest reuse them.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g, has_request_context, request, session
from flask_babel import get_translations
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

LANGUAGES = ("zh", "en")


def select_locale() -> str:
    """The user's chosen language, else the browser's, else Chinese (decided once per request)."""
    if not has_request_context():
        return "zh"
    chosen = g.get("_lang")
    if chosen is None:
        chosen = session.get("lang")
        if chosen not in LANGUAGES:
            chosen = request.accept_languages.best_match(LANGUAGES, default="zh") or "zh"
        g._lang = chosen
    return chosen


def _catalog() -> Any:
    found = g.get("_catalog") if has_request_context() else None
    if found is None:
        found = get_translations()
        if has_request_context():
            g._catalog = found
    return found


def gettext(message: str, **variables: Any) -> str:
    """``message`` in the reader's language, with ``%(name)s`` filled from ``variables`` (as Flask-Babel's)."""
    text = _catalog().ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """The singular or plural of a message for ``n``, in the reader's language (``%(num)s`` is ``n``)."""
    variables.setdefault("num", n)
    return _catalog().ungettext(singular, plural, n) % variables


def install(app: Flask) -> None:
    """Templates translate through this module (after ``Babel(app)``, which installs its own)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _catalog().ugettext(s),
        ngettext=lambda s, p, n: _catalog().ungettext(s, p, n),
        newstyle=True,
    )

    @app.context_processor
    def translations() -> dict[str, Any]:
        # A page's ``_()`` bound to this request's catalog: the environment's goes through two more calls and
        # looks the catalog up again for every string. (Macros of imported templates still use the environment's.)
        return {"_": _bound(_catalog())}


def _bound(catalog: Any) -> Any:
    """Jinja's "newstyle" gettext over ``catalog``: escaped like the page, ``%(name)s`` filled from keywords."""

    @pass_context
    def gettext(context: Context, message: str, **variables: Any) -> str:
        text = catalog.ugettext(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return gettext
