"""The supervisor: fires due timers and raises alerts, one idempotent tick at a time."""
