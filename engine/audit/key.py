"""The audit key: it makes every event's and checkpoint's MAC, and it never goes into the database.

The key reaches ``record`` through the sessions: whoever builds them (``Runtime``, the CLI) calls ``use_key`` once,
and every session they make carries it in ``session.info``.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

_INFO = "sunshine_audit_key"


class AuditKeyMissing(RuntimeError):
    """Audit events cannot be written or checked without the key."""

    def __init__(self) -> None:
        super().__init__("审计密钥未配置，无法写入或核验审计日志：请设置 SUNSHINE_AUDIT_KEY / no audit key: the audit "
                         "log can be neither written nor verified; set SUNSHINE_AUDIT_KEY (sessions get it from "
                         "the Runtime, or from engine.audit.use_key)")


@dataclass(frozen=True)
class AuditKey:
    """A secret and its public fingerprint (``key_id``), which each event and checkpoint stores."""

    secret: bytes = field(repr=False)
    id: str
    _base: hmac.HMAC = field(repr=False, compare=False)

    @classmethod
    def of(cls, text: str) -> AuditKey:
        """The key whose secret is ``text`` (``Settings.audit_key``)."""
        if not text:
            raise AuditKeyMissing()
        secret = text.encode()
        # The fingerprint tells keys apart (for rotation) and says nothing about the secret.
        key_id = "h1:" + hmac.new(secret, b"sunshine audit key id", hashlib.sha256).hexdigest()[:16]
        return cls(secret, key_id, hmac.new(secret, digestmod=hashlib.sha256))

    def mac(self, body: bytes) -> bytes:
        """HMAC-SHA256 of ``body`` under this key."""
        h = self._base.copy()  # the key's padding is hashed once, not per event
        h.update(body)
        return h.digest()

    def hexmac(self, body: bytes) -> str:
        return self.mac(body).hex()


def use_key(sessions: sessionmaker[Session], text: str) -> None:
    """Make every session of ``sessions`` carry the audit key ``text`` (nothing when ``text`` is empty)."""
    if not text:
        return
    info = dict(sessions.kw.get("info") or {})
    info[_INFO] = AuditKey.of(text)
    sessions.configure(info=info)


def key_of(session: Session) -> AuditKey:
    """The audit key this session carries; ``AuditKeyMissing`` when it carries none."""
    key = session.info.get(_INFO)
    if key is None:
        raise AuditKeyMissing()
    return key
