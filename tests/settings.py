"""Settings for tests: development mode with fixed keys, so nothing is generated into ``instance/``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from engine.config import Settings

SECRET_KEY = "test-secret-key-of-the-sunshine-suite-0123456789"
AUDIT_KEY = "test-audit-key-of-the-sunshine-suite-0123456789"
#: Uploaded files go to a temporary directory, never into the checkout's ``instance/`` (a test may pass its own).
FILES_DIR = Path(tempfile.mkdtemp(prefix="sunshine-test-files-"))


def make_settings(**values: Any) -> Settings:
    """Settings as a test wants them: ``values`` over development mode and the suite's fixed keys."""
    return Settings(**{"env": "development", "secret_key": SECRET_KEY, "audit_key": AUDIT_KEY, "files_dir": FILES_DIR,
                        **values})
