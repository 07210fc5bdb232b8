"""The tamper-evident audit log: append-only, keyed with a secret the database never holds, sealed elsewhere.

* ``chain``: every event carries an HMAC under the audit key and links to the previous event of its stream
  (its case's, or the system's); no row is shared by all cases.
* ``checkpoints``: after every supervisor tick, one checkpoint seals what was committed since the last, in the
  table and in a file outside the database.
* ``verify``: every MAC and link, every checkpoint, the file against the table.

The design and what it protects against: ``docs/audit.md``.
"""

from engine.audit.chain import GENESIS, Recorded, queue, record
from engine.audit.checkpoints import Checkpoint, Sealed, checkpoint
from engine.audit.key import AuditKey, AuditKeyMissing, key_of, use_key
from engine.audit.verify import Problem, VerifyResult, verify

__all__ = [
    "GENESIS", "AuditKey", "AuditKeyMissing", "Checkpoint", "Problem", "Recorded", "Sealed", "VerifyResult",
    "checkpoint", "key_of", "queue", "record", "use_key", "verify",
]
