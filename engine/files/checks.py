"""One upload's checks, all made before anything is stored: size, name, type by content, extension against content."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from engine.data_size import readable
from engine.files.errors import FileProblem
from engine.files.names import checked_name, extension
from engine.files.sniff import ACCEPTED_EN, ACCEPTED_ZH, FileType, sniff


@dataclass(frozen=True)
class Upload:
    """A file that passed every check: its display name, content, type and SHA-256."""

    name: str
    data: bytes
    type: FileType
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def checked_upload(raw_name: str | None, data: bytes, max_bytes: int) -> Upload:
    """``data`` uploaded as ``raw_name`` if the platform accepts it; else ``FileProblem`` saying why.

    ``data`` may be one byte longer than ``max_bytes`` (a bounded read stops there): that is too large too.
    """
    name = checked_name(raw_name)
    if not data:
        raise FileProblem("file.empty")
    if len(data) > max_bytes:
        raise FileProblem("file.too_large", name=name, limit=readable(max_bytes))
    suffix = extension(name)
    if not suffix:
        raise FileProblem("file.name_no_extension", name=name)
    found = sniff(data)
    if found is None:
        raise FileProblem("file.type_unknown", name=name, accepted=ACCEPTED_ZH, accepted_en=ACCEPTED_EN)
    if suffix not in found.extensions:
        raise FileProblem("file.type_mismatch", name=name, actual=found.zh, actual_en=found.en,
                          extensions=" / ".join(found.extensions))
    return Upload(name, data, found, hashlib.sha256(data).hexdigest())
