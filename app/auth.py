"""Staff sign-in, the current user, and role checks."""

from __future__ import annotations

import hmac
import math
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app import runtime
from engine import clock
from engine.signin_guard import Limits, Outcome, sign_in, try_again_at
from engine.store import User

bp = Blueprint("auth", __name__)


def load_user() -> None:
    g.user = None
    uid = session.get("uid")
    if uid is not None:
        with runtime().reader() as s:
            user = s.get(User, uid, options=[selectinload(User.roles), selectinload(User.memberships)])
            if user is not None and user.active:
                g.user = user


def csrf_token() -> str:
    """The session's anti-forgery token, made on first use."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(24)
    return token


def check_csrf() -> None:
    """Refuse a form POST that does not carry the session's token."""
    if request.method == "POST" and not request.path.startswith("/api/"):
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf", "")
        expected = session.get("csrf", "")
        if not expected or not hmac.compare_digest(sent, expected):
            abort(400)


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.user is None:
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not g.user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The sign-in page; a POST signs in unless the username or this client is locked (429, with the time)."""
    if request.method == "GET":
        return render_template("auth/login.html", error=None)
    rt = runtime()
    # Behind a reverse proxy remote_addr is the proxy's unless ProxyFix is configured (see README).
    result = sign_in(rt.sessions, rt.reader, request.form.get("username", ""), request.form.get("password", ""),
                     request.remote_addr, Limits.from_settings(rt.settings))
    if result.outcome is Outcome.SIGNED_IN:
        _fresh_session(uid=result.user_id)
        return redirect(_local_target(request.args.get("next", "")) or url_for("work.inbox"))
    if result.outcome is Outcome.LOCKED and result.locked_until is not None:
        when = try_again_at(result.locked_until).strftime("%Y-%m-%d %H:%M")
        error = _("登录失败次数过多，已暂时锁定。请于 %(time)s（北京时间）之后再试。", time=when)
        wait = max(1, math.ceil((result.locked_until - clock.now()).total_seconds()))
        return render_template("auth/login.html", error=error), 429, {"Retry-After": str(wait)}
    return render_template("auth/login.html", error=_("用户名或密码不正确。")), 401


def _local_target(target: str) -> str | None:
    """``target`` when it is a path on this site, else None.

    Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so a tab or backslash after
    the first slash would turn the path into another host; any control character or backslash refuses it.
    """
    if not target.startswith("/") or any(ch < " " or ch in "\\\x7f" for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return None
    return target


def _fresh_session(**values: Any) -> None:
    """Start a new session (nothing of the old one carries over to another user) but keep the chosen language."""
    lang = session.get("lang")
    session.clear()
    session.update(values)
    if lang:
        session["lang"] = lang


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    _fresh_session()
    flash(_("您已退出登录。"))
    return redirect(url_for("auth.login"))


@bp.route("/lang/<code>")
def set_lang(code: str) -> Any:
    if code in ("zh", "en"):
        session["lang"] = code
    target = request.referrer or url_for("hall.index")
    return redirect(target)
