"""Secret keys: production refuses to start without good ones; development makes them once and keeps them."""

from __future__ import annotations

import stat
import subprocess
import sys

import pytest

from engine.config import ROOT, Settings, SettingsError
from engine.keys import MIN_CHARS, with_keys

GOOD = "k" * MIN_CHARS


@pytest.mark.parametrize(("secret", "audit", "named"), [
    ("", GOOD, ["SUNSHINE_SECRET_KEY"]),
    ("dev-only-change-me", GOOD, ["SUNSHINE_SECRET_KEY"]),  # the default this project once shipped
    (GOOD, "short", ["SUNSHINE_AUDIT_KEY"]),
    ("", "", ["SUNSHINE_SECRET_KEY", "SUNSHINE_AUDIT_KEY"]),
])
def test_production_refuses_a_missing_default_or_short_key_naming_the_variable(tmp_path, secret, audit, named):
    with pytest.raises(SettingsError) as err:
        with_keys(Settings(secret_key=secret, audit_key=audit, instance_dir=tmp_path))
    assert [p.split("：")[0] for p in err.value.problems] == named
    assert not any(tmp_path.iterdir())  # nothing generated outside development


def test_production_takes_good_keys_as_given():
    settings = Settings(secret_key=GOOD, audit_key=GOOD + "x")
    assert with_keys(settings) is settings


def test_development_makes_each_missing_key_once_readable_by_its_owner_only(tmp_path):
    first = with_keys(Settings(env="development", instance_dir=tmp_path))
    again = with_keys(Settings(env="development", instance_dir=tmp_path))
    assert len(first.secret_key) >= MIN_CHARS and len(first.audit_key) >= MIN_CHARS
    assert first.secret_key != first.audit_key
    assert (again.secret_key, again.audit_key) == (first.secret_key, first.audit_key)
    for name in ("secret_key", "audit_key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit_key", "secret_key"]  # no spare files left
    given = with_keys(Settings(env="development", secret_key="mine", instance_dir=tmp_path))
    assert given.secret_key == "mine"  # a developer's own key, however short, is theirs to use


def test_the_production_entry_point_stops_with_the_operators_message_and_no_traceback(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "SUNSHINE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
           "SUNSHINE_INSTANCE_DIR": str(tmp_path)}
    run = subprocess.run([sys.executable, "-c", "import app.wsgi"], cwd=ROOT, env=env, capture_output=True,
                         text=True)
    assert run.returncode == 4
    assert "SUNSHINE_SECRET_KEY：未设置" in run.stderr and "SUNSHINE_AUDIT_KEY" in run.stderr
    assert "Traceback" not in run.stderr
