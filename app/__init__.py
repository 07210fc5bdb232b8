"""Flask application factory: one blueprint per audience, all thin over ``engine``."""

from __future__ import annotations

import logging

from flask import Flask, abort, g, render_template, request
from flask_babel import Babel
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from app import headers, i18n, links, uploads
from app.i18n import select_locale
from engine.config import Settings
from engine.db import make_engine, session_factory
from engine.keys import with_keys
from engine.platform import build_runtime
from engine.runtime.runtime import Runtime

FALLBACK_500 = "<!doctype html><meta charset=utf-8><h1>500</h1><p>系统出现错误，已记录。请稍后重试。</p>"
log = logging.getLogger("sunshine.web")


def _refuse_nul_bytes() -> None:
    """A NUL byte is in no valid path, name or text, and PostgreSQL refuses it in any string: a 400, not a 500."""
    values = [request.path, *request.args.keys(), *request.args.values()]
    if request.method == "POST":
        values += [*request.form.keys(), *request.form.values()]
    if any("\x00" in v for v in values):
        abort(400)


def create_app(settings: Settings | None = None, *, start_supervisor: bool = False) -> Flask:
    """Build the web application over the database in ``settings``."""
    # Refuses to start on a missing, default or short key outside development (engine/keys.py).
    settings = with_keys(settings or Settings.from_env())
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key, BABEL_DEFAULT_LOCALE="zh",
                      BABEL_TRANSLATION_DIRECTORIES="translations")
    app.config.update(headers.cookie_settings(settings))
    Babel(app, locale_selector=select_locale)
    i18n.install(app)
    links.install(app)
    if settings.trusted_proxies:
        # The client's address as the trusted proxies pass it on (each appends the one it saw); the scheme as the
        # nearest one, nginx, states it (docs/deploy.md). Anything further left in the headers is the client's claim.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.trusted_proxies, x_proto=1)  # type: ignore[method-assign]
    runtime = build_runtime(session_factory(make_engine(settings.database_url)), settings)
    app.extensions["sunshine"] = runtime

    from app import (
        auth,
        catalog,
        catalog_io,
        dashboard,
        directives,
        documents,
        files,
        filters,
        hall,
        ledger,
        modeler,
        operations,
        reports,
        watch,
        work,
    )

    filters.register(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(work.bp)
    app.register_blueprint(watch.bp)
    app.register_blueprint(hall.bp)
    app.register_blueprint(catalog.bp)
    app.register_blueprint(modeler.bp)
    app.register_blueprint(catalog_io.bp)
    app.register_blueprint(files.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(operations.bp)
    app.register_blueprint(ledger.bp)
    app.register_blueprint(directives.bp)
    app.register_blueprint(dashboard.bp)
    app.register_blueprint(reports.bp)
    # First of all: nothing may read a body before its limit is set (app/uploads.py).
    uploads.install(app, settings.max_request_bytes)
    app.before_request(_refuse_nul_bytes)
    app.before_request(auth.load_user)
    app.before_request(auth.check_csrf)
    app.jinja_env.globals["csrf_token"] = auth.csrf_token

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        return render_template("error.html", code=exc.code, description=exc.description), exc.code

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        # Users never see a stack trace; operators find it in the log with the request path.
        log.exception("unhandled error on %s", request.path)
        try:
            return render_template("error.html", code=500, description=None), 500
        except Exception:  # the error page itself failed: plain words, still no trace
            return FALLBACK_500, 500, {"Content-Type": "text/html; charset=utf-8"}

    app.after_request(headers.harden)

    @app.context_processor
    def inject() -> dict:
        return {"current_user": g.get("user"), "lang": select_locale()}

    if start_supervisor:
        from engine.supervisor.scheduler import start_background

        app.extensions["sunshine.scheduler"] = start_background(runtime)
    return app


def runtime() -> Runtime:
    """The engine runtime of the current application."""
    from flask import current_app

    return current_app.extensions["sunshine"]
