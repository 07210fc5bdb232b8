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
        env.evaluate("any(False for _ in range(10 ** 6) for _ in range(10 ** 6))", {})


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


# Each of these is one long call into C, which the line tracer cannot interrupt: it would hold the worker (the web
# request or the supervisor tick) for hours, or fill the memory. They are refused before the work starts.
SINGLE_CALL_RUNAWAYS = [
    "sum(range(10 ** 12))", "max(range(10 ** 12))", "set(range(10 ** 10))", "list(zip(range(10 ** 12)))",
    "pow(2, 10 ** 10)", "1 << 10 ** 10", "(9 ** 9999) ** 9999", "(2 ** 9999) * (2 ** 99999)",
    "[0] * 10 ** 10", "'x' * 10 ** 10", "x * 10 ** 10",
    "'ab'.center(10 ** 10)", "'x'.zfill(10 ** 10)", "'\\t'.expandtabs(10 ** 9)",
    "'x'.replace('', 'y' * 10 ** 6)", "x.join(['y' * 10 ** 6] * 10)",
    "f'{1:>10000000000}'", "'%10000000000d' % 1", "'%*d' % (10 ** 10, 1)",
    "sum([[0] * 10 ** 6] * 10 ** 6, [])",
    "x.format_map({})", "x.translate({})", "x.encode()", "str.maketrans('a', 'b')",
]


@pytest.mark.parametrize("source", SINGLE_CALL_RUNAWAYS)
def test_single_calls_that_would_run_away_are_refused_before_they_start(env, source):
    with pytest.raises(SandboxError):
        env.evaluate(source, {"x": "ab"})


def test_a_format_width_computed_at_run_time_is_refused_when_compiled(env):
    with pytest.raises(SandboxError, match="written out"):
        env.evaluate("f'{x:>{n}}'", {"x": 1, "n": 5})


def test_everyday_text_and_number_code_still_works(env):
    data = {"name": " 成都示例餐饮有限公司 ", "amount": 1234.5, "codes": ["A", "B"]}
    assert env.evaluate("name.strip().replace('有限公司', '')", data) == "成都示例餐饮"
    assert env.evaluate("'、'.join(codes) + '-' * 3", data) == "A、B---"
    assert env.evaluate("f'{amount:>10.2f}' + '%05d' % 42 + str(7).zfill(3)", data) == "   1234.50" + "00042" + "007"
    numbers = "sum(range(1, 101)) + pow(2, 10) + (1 << 8) + pow(3, 10 ** 6, 7)"
    assert env.evaluate(numbers, data) == 5050 + 1024 + 256 + 4
    assert env.evaluate("[0] * 3 + list(range(3))", data) == [0, 0, 0, 0, 1, 2]


def test_a_long_lived_engine_keeps_a_bounded_number_of_compiled_expressions(monkeypatch):
    """A process evaluates every deployed version's expressions over the years; it keeps only the newest compiled."""
    import engine.sandbox

    monkeypatch.setattr(engine.sandbox, "KEEP_COMPILED", 3)
    env = RestrictedEnvironment()
    assert [env.evaluate(f"a + {n}", {"a": 1}) for n in range(10)] == list(range(1, 11))
    assert len(env._cache) == 3
    assert env.evaluate("a + 9", {"a": 1}) == 10  # still right, whether kept or compiled again
