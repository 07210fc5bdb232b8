"""The composition root: a Runtime with every platform reaction installed. App and CLI build it here."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from engine.catalog import review
from engine.config import Settings
from engine.runtime.runtime import Runtime


def build_runtime(sessions: sessionmaker[Session], settings: Settings | None = None) -> Runtime:
    """A runtime whose own processes (catalog review) act on the catalog."""
    rt = Runtime(sessions, settings)
    review.install_hooks(rt)
    return rt
