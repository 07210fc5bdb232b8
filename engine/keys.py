"""The platform's secret keys: given by the operator in production, made once on a developer's machine.

A key that is missing, a known default or too short would let anyone forge a session cookie (``secret_key``) or
rehash a rewritten audit log (``audit_key``), so production refuses to start without good ones. ``make run`` needs
no setup: in development each missing key is generated once into ``instance/`` (mode 0600) and reused.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from pathlib import Path

from engine.config import Settings, SettingsError, variable

#: Shortest key accepted outside development: 32 characters of ``secrets.token_urlsafe`` carry 192 bits.
MIN_CHARS = 32
KEYS = ("secret_key", "audit_key")
#: Values that have been published (in this repository's history or its docs) and so protect nothing.
KNOWN = frozenset({"dev-only-change-me", "change-me", "changeme", "secret", "test", "sunshine"})


def with_keys(settings: Settings) -> Settings:
    """``settings`` with every key set; ``SettingsError`` naming each variable whose key cannot be used."""
    values: dict[str, str] = {}
    problems: list[str] = []
    for name in KEYS:
        given = getattr(settings, name)
        if settings.development:
            if not given:
                values[name] = _kept(settings.instance_dir / name)
            continue
        if not given:
            problems.append(f"{variable(name)}：未设置。生产环境必须设置至少 {MIN_CHARS} 个字符的随机密钥 / "
                            f"is not set; production needs a random key of at least {MIN_CHARS} characters "
                            f"(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))'); "
                            f"on a developer's machine set SUNSHINE_ENV=development instead")
        elif given in KNOWN or len(given) < MIN_CHARS:
            problems.append(f"{variable(name)}：太短或是公开的默认值，须为至少 {MIN_CHARS} 个字符的随机密钥 / "
                            f"is too short or a published default; it must be a random key of at least "
                            f"{MIN_CHARS} characters")
    if problems:
        raise SettingsError(problems)
    return dataclasses.replace(settings, **values) if values else settings


def _kept(path: Path) -> str:
    """The key kept in ``path``, made there first if missing (readable by this user only)."""
    if path.exists():
        key = path.read_text().strip()
        if key:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside, then linked into place: link refuses to replace, so two processes starting at once agree on
    # the first key, and nobody ever reads a half-written file.
    spare = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(spare, path)
    except FileExistsError:
        pass
    finally:
        spare.unlink()
    return path.read_text().strip()
