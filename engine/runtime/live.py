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


#: How much saved JSON (in characters) the kept workflows may add up to. In memory a workflow takes about three to
#: five times its JSON, so this bounds the cache at roughly 50–80 MB however large a department's cases grow (a case
#: may hold up to ``max_case_data``); typical cases of 10–30 K characters fill the 500 entries first.
MAX_CHARS = 16 * 1024 * 1024


@dataclass
class Live:
    """A case's workflow as of one committed version, with its index rows."""

    serial: str
    version: int
    workflow: BpmnWorkflow
    index: IndexState
    #: The length of the JSON it was saved as: what the cache counts against ``MAX_CHARS``.
    chars: int = 0


class LiveCases:
    """An LRU of ``Live`` entries keyed by case id, bounded in entries and in ``MAX_CHARS``; safe to share between
    threads.

    ``take`` removes the entry, so a workflow being changed is never visible to another thread, and a
    failed transaction (which never calls ``keep``) leaves nothing stale behind. The open steps of the entries
    are known too, so a step's case can be told to have an entry before the case is locked (``case_of``).
    """

    def __init__(self, size: int, max_chars: int = MAX_CHARS) -> None:
        self.size = size
        self.max_chars = max_chars
        #: The JSON characters of the entries kept.
        self.chars = 0
        self._entries: OrderedDict[int, Live] = OrderedDict()
        self._by_step: dict[str, int] = {}
        self._lock = threading.Lock()

    def take(self, case_id: int, serial: str, version: int) -> Live | None:
        """The entry for exactly this committed version of the case, removed from the cache."""
        with self._lock:
            live = self._entries.pop(case_id, None)
            if live is not None:
                self._forget(live)
        if live is None or live.serial != serial or live.version != version:
            return None
        return live

    def keep(self, case_id: int, live: Live) -> None:
        """Remember the state just committed; the least recently kept entries go when full."""
        if self.size <= 0 or live.chars > self.max_chars:
            return
        with self._lock:
            old = self._entries.pop(case_id, None)
            if old is not None:
                self._forget(old)
            self._entries[case_id] = live
            self.chars += live.chars
            for step in live.index.tasks:
                self._by_step[step] = case_id
            while len(self._entries) > self.size or self.chars > self.max_chars:
                self._forget(self._entries.popitem(last=False)[1])

    def holds(self, case_id: int) -> bool:
        """Whether some version of the case is kept (the lock then need not read its workflow from the row)."""
        return case_id in self._entries

    def case_of(self, step_id: str) -> int | None:
        """The case of an open step of a kept entry, else None."""
        return self._by_step.get(step_id)

    def _forget(self, live: Live) -> None:
        self.chars -= live.chars
        for step in live.index.tasks:
            self._by_step.pop(step, None)

    def __len__(self) -> int:
        return len(self._entries)
