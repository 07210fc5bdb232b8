"""The local storage: content-addressed, write-once, and no key can leave its directory."""

from __future__ import annotations

import hashlib

import pytest

from engine.config import Settings, SettingsError
from engine.files.storage import LocalStorage, Storage, StorageError


def test_put_returns_the_content_s_hash_and_reads_it_back(tmp_path):
    storage: Storage = LocalStorage(tmp_path)
    key = storage.put(b"%PDF-1.4 one")
    assert key == hashlib.sha256(b"%PDF-1.4 one").hexdigest()
    assert storage.exists(key) and storage.read(key) == b"%PDF-1.4 one"
    with storage.open(key) as f:
        assert f.read() == b"%PDF-1.4 one"
    # Stored under the hash, two directory levels deep, with no temporary file left behind.
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()] == \
        [f"{key[:2]}/{key[2:4]}/{key}"]


def test_putting_the_same_content_again_never_rewrites_the_stored_file(tmp_path):
    storage = LocalStorage(tmp_path)
    key = storage.put(b"same")
    path = tmp_path / key[:2] / key[2:4] / key
    before = path.stat()
    assert storage.put(b"same") == key
    after = path.stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert storage.put(b"other") != key  # other content, another file


@pytest.mark.parametrize("key", ["../../etc/passwd", "a" * 63, "A" * 64, "0" * 64 + "/x", ""])
def test_a_key_that_is_no_hash_names_nothing(tmp_path, key):
    storage = LocalStorage(tmp_path)
    assert not storage.exists(key)
    with pytest.raises(StorageError):
        storage.read(key)


def test_an_unknown_key_is_a_storage_error(tmp_path):
    with pytest.raises(StorageError):
        LocalStorage(tmp_path).read("0" * 64)


def test_the_directory_and_the_size_limit_are_settings():
    settings = Settings.from_env({"SUNSHINE_FILES_DIR": "/var/lib/sunshine/files", "SUNSHINE_MAX_FILE_BYTES": "4096"})
    assert (str(settings.files_dir), settings.max_file_bytes) == ("/var/lib/sunshine/files", 4096)
    with pytest.raises(SettingsError, match="SUNSHINE_MAX_FILE_BYTES=10：须为 1024 到 1073741824 之间的整数"):
        Settings.from_env({"SUNSHINE_MAX_FILE_BYTES": "10"})
