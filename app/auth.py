"""Staff sign-in and sign-out, the server-side session behind each request, the password page and role checks."""

from __future__ import annotations

import hmac
import math
import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, g, redirect, render_template, request, session, url_for
from sqlalchemy.orm import selectinload

from app import runtime
from app.i18n import LANGUAGES
from app.i18n import gettext as _
from engine import clock, web_sessions
from engine.accounts import set_password
from engine.password_policy import MAX_LENGTH, MIN_KINDS, MIN_LENGTH, Weakness, weaknesses
from engine.signin_guard import Limits, Outcome, SignInResult, sign_in, try_again_at
from engine.store import User
from engine.web_sessions import Ended, Lifetimes

bp = Blueprint("auth", __name__)

#: The cookie's key for the server-side session's token (``engine/web_sessions.py``).
SESSION_ID = "sid"


def load_user() -> None:
    """Sign the request in by its session token; a session that has ended signs the browser out."""
    g.user = None
    g.session_ended = None
    token = session.get(SESSION_ID)
    # Static files need no user: no database read for a stylesheet.
    if not token or request.endpoint == "static":
        return
    rt = runtime()
    resumed = web_sessions.resume(rt.sessions, rt.reader, token, Lifetimes.from_settings(rt.settings))
    if resumed.user is None:
        # Only the token goes: the anti-forgery token stays, so a form posted into an ended session is answered
        # with the sign-in page and the reason, not a bare 400.
        session.pop(SESSION_ID, None)
        g.session_ended = resumed.ended
    else:
        g.user = resumed.user


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
            if g.get("session_ended") is not None:
                flash(_ended_message(g.session_ended))
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
    if result.outcome is Outcome.SIGNED_IN and result.user_id is not None:
        _start_session(result.user_id)
        return redirect(_local_target(request.args.get("next", "")) or _landing_of(rt, result.user_id))
    locked = _locked(result)
    if locked is not None:
        error, headers = locked
        return render_template("auth/login.html", error=error), 429, headers
    return render_template("auth/login.html", error=_("用户名或密码不正确。")), 401


def _locked(result: SignInResult) -> tuple[str, dict[str, str]] | None:
    """The message and headers of a refusal because of the throttle, or None when the attempt was not refused."""
    if result.outcome is not Outcome.LOCKED or result.locked_until is None:
        return None
    when = try_again_at(result.locked_until).strftime("%Y-%m-%d %H:%M")
    error = _("登录失败次数过多，已暂时锁定。请于 %(time)s（北京时间）之后再试。", time=when)
    wait = max(1, math.ceil((result.locked_until - clock.now()).total_seconds()))
    return error, {"Retry-After": str(wait)}


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


def _start_session(user_id: int) -> None:
    """A new server-side session, with a new id, for this browser; of the old cookie only the language stays."""
    token = web_sessions.start(runtime().sessions, user_id, replacing=session.get(SESSION_ID))
    _clear_session()
    session[SESSION_ID] = token


def _clear_session() -> None:
    """Forget everything the cookie holds (nothing carries over to another user) but the chosen language."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _ended_message(reason: Ended) -> str:
    """Why the browser was signed out, as the sign-in page says it."""
    settings = runtime().settings
    if reason is Ended.IDLE:
        return _("您已 %(minutes)s 分钟未操作，登录已结束，请重新登录。", minutes=f"{settings.session_idle_minutes:g}")
    if reason is Ended.EXPIRED:
        return _("登录已满 %(hours)s 小时，请重新登录。", hours=f"{settings.session_max_hours:g}")
    if reason in (Ended.PASSWORD_CHANGED, Ended.PASSWORD_RESET):
        return _("账号密码已更改，登录已结束，请重新登录。")
    return _("您的登录已结束，请重新登录。")


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Sign out: the session ends on the server, so a copy of the cookie opens nothing afterwards."""
    token = session.get(SESSION_ID)
    if token:
        web_sessions.end(runtime().sessions, token, Ended.SIGNED_OUT)
    _clear_session()
    flash(_("您已退出登录。"))
    return redirect(url_for("auth.login"))


@bp.route("/account/alive")
def alive() -> Any:
    """Called by ``static/js/session.js`` while the user types or clicks in an open page: their session counts as
    in use (``load_user`` has refreshed it), so a long form or drawing does not outlast it. 401 once it ended."""
    return ("", 204) if g.user is not None else ("", 401)


@bp.route("/lang/<code>")
def set_lang(code: str) -> Any:
    """Switch the interface language and go back to the page the link was on, if that page is on this site."""
    if code not in LANGUAGES:
        abort(404)
    session["lang"] = code
    return redirect(_same_site_referrer() or url_for("hall.index"))


def _same_site_referrer() -> str | None:
    """The path of the referring page when it is a page of this site (same scheme and host), else None."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.scheme != request.scheme or parts.netloc != request.host:
        return None
    return _local_target(parts.path + (f"?{parts.query}" if parts.query else ""))


PASSWORD_FIELDS = ("current_password", "new_password", "new_password2")


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """The signed-in user's new password: the current one, the new one twice. Every session of theirs ends; this
    browser goes on in a new one."""
    if request.method == "GET":
        return _password_page()
    current, new, again = (request.form.get(name, "") for name in PASSWORD_FIELDS)
    errors = _password_errors(g.user.username, current, new, again)
    if errors:
        return _password_page(errors), 422
    rt = runtime()
    # The current password is checked as a sign-in is, so guesses made here count towards the same locks.
    result = sign_in(rt.sessions, rt.reader, g.user.username, current, request.remote_addr,
                     Limits.from_settings(rt.settings))
    locked = _locked(result)
    if locked is not None:
        error, headers = locked
        return _password_page(error=error), 429, headers
    if result.outcome is not Outcome.SIGNED_IN:
        errors = {"current_password": _("当前密码不正确。")}
        return _password_page(errors), 422
    changed = set_password(rt.sessions, g.user.username, new, actor=g.user.username)
    _start_session(g.user.id)
    if changed.sessions_ended > 1:
        flash(_("密码已更改。您在其他浏览器或设备上的登录已全部结束。"))
    else:
        flash(_("密码已更改。"))
    return redirect(url_for("work.inbox"))


#: Where each kind of user starts after signing in: supervisors (and administrators, who supervise) on 电子监察,
#: those who keep the catalog on it, everyone else on their inbox. First match wins.
LANDINGS = ((("supervisor", "admin"), "watch.alerts"), (("drafter", "legal"), "catalog.index"))


def landing(user: User) -> str:
    """The endpoint ``user`` lands on after signing in (``LANDINGS``; the inbox otherwise)."""
    return next((endpoint for roles, endpoint in LANDINGS if user.has_role(*roles)), "work.inbox")


def _landing_of(rt: Any, user_id: int) -> str:
    with rt.reader() as s:
        user = s.get(User, user_id, options=[selectinload(User.roles)])
        return url_for(landing(user) if user is not None else "work.inbox")


def _password_page(errors: dict[str, str] | None = None, error: str | None = None) -> str:
    return render_template("account/password.html", errors=errors or {}, error=error, min_length=MIN_LENGTH,
                           min_kinds=MIN_KINDS)


def _password_errors(username: str, current: str, new: str, again: str) -> dict[str, str]:
    """Field messages for the password form, before the current password is checked."""
    errors: dict[str, str] = {}
    if not current:
        errors["current_password"] = _("请输入当前密码。")
    found = weaknesses(new, username)
    if not new:
        errors["new_password"] = _("请输入新密码。")
    elif found:
        errors["new_password"] = " ".join(_weakness_message(w) for w in found)
    elif new == current:
        errors["new_password"] = _("新密码不能与当前密码相同。")
    if new != again:
        errors["new_password2"] = _("两次输入的新密码不一致。")
    return errors


def _weakness_message(weakness: Weakness) -> str:
    """One broken rule of the password policy, in the reader's language."""
    if weakness is Weakness.TOO_SHORT:
        return _("密码至少需要 %(n)s 个字符。", n=MIN_LENGTH)
    if weakness is Weakness.TOO_LONG:
        return _("密码不能超过 %(n)s 个字符。", n=MAX_LENGTH)
    if weakness is Weakness.TOO_FEW_KINDS:
        return _("密码须包含大写字母、小写字母、数字、其他符号中的至少 %(n)s 种。", n=MIN_KINDS)
    if weakness is Weakness.HAS_USERNAME:
        return _("密码不能包含用户名。")
    if weakness is Weakness.KNOWN:
        return _("这个密码过于常见，容易被猜中，请换一个。")
    return _("密码不能包含制表符、零宽字符等看不见的字符。")
