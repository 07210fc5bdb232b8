"""Model code runs in the RestrictedPython sandbox: escapes are refused, runaways stopped."""

from __future__ import annotations

import pytest

from engine.sandbox import RestrictedEnvironment, SandboxError

ESCAPES = [
    "().__class__.__base__.__subclasses__()",
    "__import__('os').system('id')",
    "open('/etc/passwd').read()",
    "getattr(x, '__class__')",
    "x.__class__",
    "eval('1')",
    "exec('import os')",
    "globals()",
    "type(x).mro()",
    "(lambda: 0).__globals__",
    "[c for c in ().__class__.__bases__]",
    "10 ** 10 ** 10",
]


@pytest.fixture
def env() -> RestrictedEnvironment:
    return RestrictedEnvironment({"workdays": lambda n: f"+{n}"}, timeout=0.3)


@pytest.mark.parametrize("source", ESCAPES)
def test_escapes_are_refused(env, source):
    with pytest.raises((SandboxError, NameError, AttributeError, TypeError)):
        env.evaluate(source, {"x": 1})


@pytest.mark.parametrize("script", ["import os", "from os import path", "try:\n    x = 1\nexcept:\n    pass"])
def test_forbidden_statements_are_refused_at_compile_time(env, script):
    with pytest.raises(SandboxError):
        env.execute(script, {})


def test_runaway_loops_are_stopped(env):
    with pytest.raises(SandboxError, match="longer than"):
        env.execute("n = 0\nwhile True:\n    n += 1", {})
    with pytest.raises(SandboxError, match="longer than"):
        env.evaluate("sum(i for i in range(10 ** 12))", {})


def test_ordinary_model_code_works(env):
    assert env.evaluate("amount * 2 if level == '较重' else amount", {"amount": 500, "level": "较重"}) == 1000
    assert env.evaluate("workdays(3)", {}) == "+3"
    data = {"fees": [10, 20]}
    env.execute("total = sum(fees)\nlabel = '合计%d元' % total", data)
    assert data == {"fees": [10, 20], "total": 30, "label": "合计30元"}


def test_task_data_cannot_replace_the_guards(env):
    with pytest.raises(SandboxError):
        env.evaluate("().__class__", {"_getattr_": getattr})
    # a variable named like a helper does not shadow the helper either
    assert env.evaluate("workdays(1)", {"workdays": "oops"}) == "+1"
