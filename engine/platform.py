"""The composition root: a Runtime with every platform reaction and step rule installed. App and CLI build it
here."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from engine.catalog import review
from engine.config import Settings
from engine.rules import p4_discretion
from engine.runtime.runtime import Runtime


def build_runtime(sessions: sessionmaker[Session], settings: Settings | None = None) -> Runtime:
    """A runtime whose own processes (catalog review) act on the catalog, and whose steps the rules that read
    what a step recorded check as it completes (P4)."""
    rt = Runtime(sessions, settings)
    review.install_hooks(rt)
    p4_discretion.install(rt)
    return rt
