"""For tests that walk a case through a decision step: the evidence such a step needs (DESIGN §4.7)."""

from __future__ import annotations

from engine.files.checks import checked_upload
from engine.files.records import Target, add_file
from engine.files.storage import local_storage
from engine.runtime.runtime import Runtime
from engine.store import User
from engine.store.files import Attachment
from tests.engine.files import samples


def attach_evidence(rt: Runtime, user: User, case_id: int, task_id: str, name: str = "证据.pdf") -> Attachment:
    """Upload a small PDF as ``user`` as evidence of step ``task_id`` of case ``case_id``."""
    upload = checked_upload(name, samples.pdf(name), rt.settings.max_file_bytes)
    return add_file(rt, local_storage(rt.settings.files_dir), user, case_id, Target.of_step(task_id), upload)
