"""How much JSON case data would make, measured without making it.

A script may build in milliseconds a value whose JSON is terabytes (``['a' * 999999] * 999999``: one text,
referenced a million times); serialising it to save the case is what exhausts memory. ``json_size`` walks the
value with a budget and stops as soon as the budget is spent, counting a shared value each time it would be
written out, as JSON writes it. The count is in characters of JSON text (a text counts its characters and
quotes, whatever their script), close to what the saved case holds and never more expensive to reach than the
budget itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Deeper nesting than this cannot be case data a form or a flowchart's script means (and JSON's writer and
#: reader recurse once per level).
MAX_DEPTH = 64
#: What a value of a type JSON has no literal for costs: SpiffWorkflow writes dates, durations, decimals and
#: the like as a small object naming the type.
_OBJECT = 64
_FLOAT = 24


def _int_size(value: int) -> int:
    if -(10**18) < value < 10**18:
        return len(str(value))
    return value.bit_length() * 30103 // 100000 + 2  # decimal digits, without writing them out


def json_size(value: Any, budget: int, *, max_depth: int = MAX_DEPTH) -> int | None:
    """The length of ``value``'s JSON, or None as soon as it is known to exceed ``budget`` characters or
    ``max_depth`` levels of nesting (a cycle is one of those: it never ends)."""
    total = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        kind = type(item)
        if kind is str:
            total += len(item) + 2
        elif item is None or kind is bool:
            total += 5
        elif kind is int:
            total += _int_size(item)
        elif kind is float:
            total += _FLOAT
        elif isinstance(item, Mapping):
            if depth >= max_depth:
                return None
            total += 2 + 4 * len(item)  # braces, quotes around a key, ": " and ", "
            if total > budget:
                return None
            for key, inner in item.items():
                stack.append((key, depth + 1))
                stack.append((inner, depth + 1))
        elif isinstance(item, list | tuple | set | frozenset):
            if depth >= max_depth:
                return None
            total += 2 + 2 * len(item)
            if total > budget:
                return None
            stack.extend((inner, depth + 1) for inner in item)
        elif isinstance(item, str):  # a str subclass
            total += len(item) + 2
        elif isinstance(item, int):  # an int subclass (bool is handled above)
            total += _int_size(int(item))
        else:
            total += _OBJECT
        if total > budget:
            return None
    return total


def fits(value: Any, budget: int) -> bool:
    """Whether ``value``'s JSON stays within ``budget`` characters (and ``MAX_DEPTH`` levels)."""
    return json_size(value, budget) is not None


def readable(size: int) -> str:
    """A size in characters as people read it: ``1 MB``, ``512 KB``, ``900 B`` (binary units)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:g} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} B"
