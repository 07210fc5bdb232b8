"""Workflows of recently changed cases, kept in memory so the next step need not deserialise them.

Restoring a workflow from JSON costs more than running a step (brief §8). The database stays the only
truth: an entry is used only when the case row, read under its lock, still has the version the entry was
saved at, so a change made by another process (or a rollback here) simply means a normal load.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow


@dataclass
class IndexState:
    """The index rows a save left behind: waiting timers (id → row values) and open step ids."""

    timers: dict[str, dict[str, Any]] = field(default_factory=dict)
    tasks: set[str] = field(default_factory=set)
    #: An open step stops the case's legal clock (known after a sync; not read back from the rows).
    paused: bool = False


@dataclass
class Live:
    """A case's workflow as of one committed version, with its index rows."""

    serial: str
    version: int
    workflow: BpmnWorkflow
    index: IndexState


class LiveCases:
    """A bounded LRU of ``Live`` entries keyed by case id; safe to share between threads.

    ``take`` removes the entry, so a workflow being changed is never visible to another thread, and a
    failed transaction (which never calls ``keep``) leaves nothing stale behind.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[int, Live] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, case_id: int, serial: str, version: int) -> Live | None:
        """The entry for exactly this committed version of the case, removed from the cache."""
        with self._lock:
            live = self._entries.pop(case_id, None)
        if live is None or live.serial != serial or live.version != version:
            return None
        return live

    def keep(self, case_id: int, live: Live) -> None:
        """Remember the state just committed; the least recently kept entry goes when full."""
        if self.size <= 0:
            return
        with self._lock:
            self._entries[case_id] = live
            self._entries.move_to_end(case_id)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
