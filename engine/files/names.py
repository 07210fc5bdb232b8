"""The name a person's file had: checked, kept only as the text shown for the file and given back on download.

It never names anything on disk (the storage's keys are content hashes). A name that tries to be a path, holds an
invisible character or is too long is refused rather than quietly changed: what is shown is what was uploaded.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from engine.files.errors import FileProblem
from engine.plain_text import invisible

#: Characters a file name may have (a column holds 255; most file systems allow 255 bytes, often less in UTF-8).
MAX_NAME = 200


def checked_name(raw: str | None) -> str:
    """``raw`` as the file's display name, or ``FileProblem`` saying why it cannot be one."""
    name = (raw or "").strip()
    if not name:
        raise FileProblem("file.name_missing")
    if len(name) > MAX_NAME:
        raise FileProblem("file.name_too_long", limit=MAX_NAME)
    if (found := invisible(name)) is not None:
        raise FileProblem("file.name_invisible", char=found.describe("zh"), char_en=found.describe("en"))
    if "/" in name or "\\" in name or name.strip(".") == "":
        raise FileProblem("file.name_path", name=name)
    return name


def extension(name: str) -> str:
    """The name's extension, lower-case with its dot (``.pdf``), or "" when it has none."""
    suffix = PurePosixPath(name).suffix.lower()
    return suffix if len(suffix) > 1 else ""
