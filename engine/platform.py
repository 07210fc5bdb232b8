"""The composition root: a Runtime with every platform reaction and step rule installed. App and CLI build it
here."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from engine.catalog import review
from engine.config import Settings
from engine.rules import registry
from engine.runtime.runtime import Runtime
from engine.supervision import alert_life, directives


def build_runtime(sessions: sessionmaker[Session], settings: Settings | None = None) -> Runtime:
    """A runtime whose own processes (catalog review) act on the catalog, and whose steps and returns the rules
    of the registry that run after them check (``engine/rules/registry.py``: P1, P3, P4, P7)."""
    rt = Runtime(sessions, settings)
    review.install_hooks(rt)
    alert_life.install_hooks(rt)  # the steps of an alert's life and of a 督办 move their alert / directive
    directives.install_hooks(rt)
    registry.install(rt)
    return rt
