"""Settings from the environment: a value that cannot work stops start-up, naming the variable and what it accepts."""

from __future__ import annotations

import pytest

from engine.config import Settings, SettingsError

MINUTES = ("须为大于 0、不超过 525600（一年）的分钟数 / "
           "must be a number of minutes above 0 and at most 525600 (one year)")
FAILURES = "须为 0（不限）到 1000 之间的整数 / must be a whole number from 0 (no limit) to 1000"


@pytest.mark.parametrize(("variable", "raw", "allowed"), [
    ("SUNSHINE_SIGNIN_USER_FAILURES", "-1", FAILURES),
    ("SUNSHINE_SIGNIN_ADDRESS_FAILURES", "2.5", FAILURES),
    ("SUNSHINE_SIGNIN_ADDRESS_FAILURES", "1001", FAILURES),
    ("SUNSHINE_SIGNIN_WINDOW_MINUTES", "0", MINUTES),
    ("SUNSHINE_SIGNIN_WINDOW_MINUTES", "-15", MINUTES),
    ("SUNSHINE_SIGNIN_LOCKOUT_MINUTES", "nan", MINUTES),
    ("SUNSHINE_SIGNIN_LOCKOUT_MINUTES", "1e12", MINUTES),  # beyond what a date can hold
])
def test_a_sign_in_setting_that_cannot_work_is_refused_when_the_settings_are_read(variable, raw, allowed):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({variable: raw})
    assert err.value.problems == [f"{variable}={raw}：{allowed}"]


def test_every_setting_that_cannot_work_is_named_at_once_and_the_limits_themselves_are_accepted():
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"SUNSHINE_TICK_SECONDS": "soon", "SUNSHINE_SIGNIN_USER_FAILURES": "-5"})
    assert err.value.problems == ["SUNSHINE_TICK_SECONDS=soon：须为数字 / must be a number",
                                  f"SUNSHINE_SIGNIN_USER_FAILURES=-5：{FAILURES}"]
    with pytest.raises(SettingsError):  # settings built in code are held to the same rule
        Settings(signin_lockout_minutes=-1)
    settings = Settings.from_env({"SUNSHINE_SIGNIN_USER_FAILURES": "0", "SUNSHINE_SIGNIN_ADDRESS_FAILURES": "1000",
                                  "SUNSHINE_SIGNIN_WINDOW_MINUTES": "0.5", "SUNSHINE_SIGNIN_LOCKOUT_MINUTES": "525600"})
    assert (settings.signin_user_failures, settings.signin_address_failures) == (0, 1000)
    assert (settings.signin_window_minutes, settings.signin_lockout_minutes) == (0.5, 525600.0)
