"""Case operations beyond a step's form (issue 14): claim and hand over steps, return to an earlier step, pause and
resume the whole case, end it early (withdrawn, terminated, merged), drafts and comments.

Each operation is one transaction holding the case row lock, as the runtime's own steps are, and records an audit
event in the case's stream. Who may do what is ``policy``; the refusals are ``OperationRefused``.
"""

from engine.runtime.operations.errors import OperationRefused

__all__ = ["OperationRefused"]
