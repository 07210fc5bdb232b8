"""Where the bytes of materials and evidence live, behind a small interface an object store can implement.

Keys are the SHA-256 of the content (64 lowercase hex digits): a key names exactly one content, so nothing is ever
overwritten (putting content that is already there changes nothing), a file row's hash and its key agree, and no
part of a user's file name ever reaches the storage. An S3-compatible store implements the same four methods with
``PutObject`` (``If-None-Match: *``), ``GetObject`` and ``HeadObject`` on the key.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
from pathlib import Path
from typing import BinaryIO, Protocol

_KEY = re.compile(r"[0-9a-f]{64}")


class StorageError(OSError):
    """A key that names nothing (or is no key at all)."""


class Storage(Protocol):
    """Content-addressed, write-once storage of uploaded files."""

    def put(self, data: bytes) -> str:
        """Store ``data`` (unless the same content is already stored) and return its key."""
        ...

    def open(self, key: str) -> BinaryIO:
        """The stored content of ``key`` as a binary file (the caller closes it); ``StorageError`` if none."""
        ...

    def read(self, key: str) -> bytes:
        """The stored content of ``key``; ``StorageError`` if none."""
        ...

    def exists(self, key: str) -> bool:
        """Whether content is stored under ``key``."""
        ...


def key_of(data: bytes) -> str:
    """The key (SHA-256, hex) under which ``data`` is stored."""
    return hashlib.sha256(data).hexdigest()


def valid_key(key: str) -> bool:
    """Whether ``key`` could be a storage key (so it can never walk out of the storage's directory)."""
    return bool(_KEY.fullmatch(key))


class LocalStorage:
    """A directory: ``<root>/ab/cd/abcd…`` (two levels keep directories small); written through a temporary file
    and a hard link, so a reader never sees half a file and an existing file is never replaced."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not valid_key(key):
            raise StorageError(f"not a storage key: {key!r}")
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        key = key_of(data)
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.parent / f".{key}.{secrets.token_hex(8)}.part"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # never replace: the same content got there first
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except FileNotFoundError as exc:
            raise StorageError(f"no stored file {key}") from exc

    def read(self, key: str) -> bytes:
        with self.open(key) as f:
            return f.read()

    def exists(self, key: str) -> bool:
        return valid_key(key) and self._path(key).is_file()


def local_storage(files_dir: Path) -> Storage:
    """The storage configured by ``SUNSHINE_FILES_DIR``."""
    return LocalStorage(files_dir)
