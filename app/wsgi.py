"""The WSGI entry point for production servers: ``gunicorn app.wsgi:application`` (see docs/deploy.md).

Settings that cannot work stop the server at start-up with the operator's message and no stack trace; exit status
4 tells gunicorn's arbiter the application cannot load, so it stops instead of restarting workers forever.
"""

from __future__ import annotations

import sys

from app import create_app
from engine.config import SettingsError

try:
    application = create_app()
except SettingsError as exc:
    sys.stderr.write("阳光行权平台无法启动 / Sunshine cannot start:\n  " + "\n  ".join(exc.problems) + "\n")
    sys.stderr.flush()
    sys.exit(4)
