"""RestrictedPython sandbox for script tasks, gateway conditions and timer expressions.

SpiffWorkflow evaluates all model code through its script engine with plain ``eval``/``exec`` and forgets
the engine on deserialisation (brief §4–§5), so the runtime re-attaches this one after every load.
It is an in-process guard, not an isolation boundary: no imports, no dunder or private attribute access,
no ``try`` (it could swallow the time limit), and a time limit enforced by a line tracer that is
active only inside model code. The limit counts the thread's own CPU time, not the wall clock: model code that
loops is stopped all the same, while a machine busy with other work (or a database read inside ``workdays()``)
can no longer fail a step that took a millisecond of work.

The tracer runs between lines, so it cannot stop one long C call (``sum(range(10**12))``, ``1 << 10**10``,
``s.replace("", s)``). Whatever could make one: ``range``, ``pow``, ``*``, ``<<``, ``%`` on text, f-string
widths and the text methods that pad or repeat: is routed through a guard that refuses results beyond
``MAX_ITEMS`` items or characters, or ``MAX_INT_BITS`` bits, before the work starts; other text methods
that could amplify (``translate``, ``format``, ``encode`` …) are not offered at all.

What model code leaves in a case is bounded too (``max_data``, ``SUNSHINE_MAX_STEP_DATA``): a value cheap to build
can be huge to serialise (``['a' * 999999] * 999999``), so a script's results and an expression's value are
measured with ``engine.data_size`` before they are kept, and refused beyond the bound (``SandboxDataTooLarge``).
"""

from __future__ import annotations

import ast
import re
import sys
import time
from collections.abc import Callable, Mapping
from types import CodeType, FrameType
from typing import Any

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from engine.data_size import MAX_DEPTH, fits

FILENAME = "<sunshine-model-code>"
MAX_EXPONENT = 10_000
#: The longest text, list or range model code may make in one operation (a form field holds far less).
MAX_ITEMS = 1_000_000
#: The largest integer model code may make in one operation, in bits (about 30,000 decimal digits).
MAX_INT_BITS = 100_000
#: What one script or expression may leave in a case unless told otherwise (``SUNSHINE_MAX_STEP_DATA``).
MAX_STEP_DATA = 1024 * 1024
#: Compiled expressions and scripts kept per script engine (a process meets every deployed version's).
KEEP_COMPILED = 4096


class SandboxError(Exception):
    """Model code was refused (at compile time) or stopped (at run time)."""


class SandboxTimedOut(SandboxError):
    """Model code ran past its time limit and was stopped."""


class SandboxDataTooLarge(SandboxError):
    """Model code left (or returned) more data than a step may put in a case; ``limit`` in JSON characters."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"model code left more than {limit} characters of JSON data (or nested it deeper than "
                         f"{MAX_DEPTH} levels)")


class SandboxTimeout(BaseException):
    """Raised inside model code when it runs past its time limit (BaseException so plain except misses it)."""


class _Policy(RestrictingNodeTransformer):
    def visit_Import(self, node: ast.Import) -> Any:
        self.error(node, "import is not allowed in model code")

    def visit_ImportFrom(self, node: ast.ImportFrom) -> Any:
        self.error(node, "import is not allowed in model code")

    def visit_Try(self, node: ast.Try) -> Any:
        self.error(node, "try/except is not allowed in model code")

    def visit_TryStar(self, node: ast.AST) -> Any:
        self.error(node, "try/except is not allowed in model code")

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        # `10 ** 10 ** 9`, `1 << 10 ** 10`, `"x" * 10 ** 10`: each is one bytecode op the tracer cannot
        # interrupt, so these operators go through guards that size the result first.
        node = super().visit_BinOp(node)
        guard = _GUARDED_OPS.get(type(node.op)) if isinstance(node, ast.BinOp) else None
        if guard is not None:
            call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[])
            return ast.fix_missing_locations(ast.copy_location(call, node))
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        # f"{x:>{n}}" pads to a width known only at run time; only written-out widths are checked and allowed.
        spec = node.format_spec
        if spec is not None:
            parts = spec.values if isinstance(spec, ast.JoinedStr) else [spec]
            if not all(isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts):
                self.error(node, "a format width must be written out in model code")
            elif _too_wide("".join(p.value for p in parts)):  # type: ignore[union-attr]
                self.error(node, f"a format width may not exceed {MAX_ITEMS}")
        return self.node_contents_visit(node)


_GUARDED_OPS = {ast.Pow: "_pow_", ast.Mult: "_mul_", ast.LShift: "_lshift_", ast.Mod: "_mod_"}
_NUMBERS = re.compile(r"\d+")
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


def _too_wide(spec: str) -> bool:
    return any(int(n) > MAX_ITEMS for n in _NUMBERS.findall(spec))


def _refuse_big(size: int, what: str) -> None:
    if size > MAX_ITEMS:
        raise SandboxError(f"{what} of {size} items is too large (at most {MAX_ITEMS})")


def _int_bits(value: Any) -> int:
    return value.bit_length() if isinstance(value, int) else 0


def _guarded_pow(base: Any, exponent: Any, modulus: Any = None) -> Any:
    if modulus is not None:  # modular powers stay as small as the modulus, and are quick
        return pow(base, exponent, modulus)
    if isinstance(exponent, int) and abs(exponent) > MAX_EXPONENT:
        raise SandboxError(f"exponent {exponent} is too large")
    if isinstance(exponent, int) and exponent > 0 and _int_bits(base) * exponent > MAX_INT_BITS:
        raise SandboxError(f"the power would exceed {MAX_INT_BITS} bits")
    return base**exponent


def _guarded_mul(left: Any, right: Any) -> Any:
    for seq, times in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple | bytes) and isinstance(times, int):
            _refuse_big(len(seq) * times, "repetition")
    if _int_bits(left) + _int_bits(right) > MAX_INT_BITS:
        raise SandboxError(f"the product would exceed {MAX_INT_BITS} bits")
    return left * right


def _guarded_lshift(value: Any, bits: Any) -> Any:
    if isinstance(bits, int) and _int_bits(value) + bits > MAX_INT_BITS:
        raise SandboxError(f"the shift would exceed {MAX_INT_BITS} bits")
    return value << bits


def _guarded_mod(left: Any, right: Any) -> Any:
    if isinstance(left, str):  # printf-style formatting: "%1000000000d" pads in one call
        for width, precision in _PERCENT_SPEC.findall(left):
            if "*" in (width, precision):
                raise SandboxError("a format width must be written out in model code")
            if _too_wide(width + " " + precision):
                raise SandboxError(f"a format width may not exceed {MAX_ITEMS}")
    return left % right


def _guarded_range(*args: int) -> range:
    made = range(*args)
    try:
        size = len(made)
    except OverflowError:
        size = MAX_ITEMS + 1
    _refuse_big(size, "range")
    return made


def _guarded_sum(items: Any, start: Any = 0) -> Any:
    # Adding up lists or tuples copies the growing total at every item, inside one call.
    if isinstance(start, bool) or not isinstance(start, int | float | complex):
        raise SandboxError("sum() adds numbers only in model code")
    return sum(items, start)


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "+=": lambda a, b: a + b, "-=": lambda a, b: a - b, "*=": _guarded_mul,
        "/=": lambda a, b: a / b, "//=": lambda a, b: a // b, "%=": _guarded_mod,
    }
    if op not in ops:
        raise SandboxError(f"operator {op} is not allowed")
    return ops[op](x, y)


# ---- text methods ----------------------------------------------------------------------------------

#: Text methods whose result is never much bigger than the text itself (and its arguments).
_PLAIN_TEXT_METHODS = frozenset({
    "capitalize", "casefold", "count", "endswith", "find", "index", "isalnum", "isalpha", "isascii", "isdecimal",
    "isdigit", "isidentifier", "islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper", "lower",
    "lstrip", "partition", "removeprefix", "removesuffix", "rfind", "rindex", "rpartition", "rsplit", "rstrip",
    "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper",
})


def _padding(name: str) -> Callable[[str], Callable[..., str]]:
    def bind(text: str) -> Callable[..., str]:
        def pad(width: int, *rest: Any) -> str:
            _refuse_big(width if isinstance(width, int) else 0, f"{name}()")
            return getattr(text, name)(width, *rest)  # type: ignore[no-any-return]
        return pad
    return bind


def _replace(text: str) -> Callable[..., str]:
    def replace(old: str, new: str, count: int = -1) -> str:
        hits = text.count(old) if isinstance(old, str) and isinstance(new, str) else 0
        if count >= 0:
            hits = min(hits, count)
        _refuse_big(len(text) + hits * max(0, len(new) - len(old)), "replace()")
        return text.replace(old, new, count)
    return replace


def _join(text: str) -> Callable[..., str]:
    def join(items: Any) -> str:
        items = list(items)
        size = sum(len(i) for i in items if isinstance(i, str)) + len(text) * max(0, len(items) - 1)
        _refuse_big(size, "join()")
        return text.join(items)
    return join


def _expandtabs(text: str) -> Callable[..., str]:
    def expandtabs(tabsize: int = 8) -> str:
        _refuse_big(len(text) + text.count("\t") * max(0, tabsize), "expandtabs()")
        return text.expandtabs(tabsize)
    return expandtabs


_GUARDED_TEXT_METHODS: dict[str, Callable[[str], Callable[..., str]]] = {
    **{name: _padding(name) for name in ("center", "ljust", "rjust", "zfill")},
    "replace": _replace, "join": _join, "expandtabs": _expandtabs,
}


def _guarded_getattr(obj: Any, name: str, default: Any = None, getattr: Callable[..., Any] = getattr) -> Any:
    """RestrictedPython's attribute guard, with text methods limited to those that cannot blow up in one call."""
    if isinstance(obj, str):
        guarded = _GUARDED_TEXT_METHODS.get(name)
        if guarded is not None:
            return guarded(obj)
        if name not in _PLAIN_TEXT_METHODS:
            raise SandboxError(f"text method {name!r} is not available in model code")
    elif isinstance(obj, type) and issubclass(obj, str | bytes):
        raise SandboxError("methods of the text type itself are not available in model code")
    elif isinstance(obj, bytes):
        raise SandboxError("methods of bytes are not available in model code")
    return safer_getattr(obj, name, default, getattr)


SAFE_HELPERS: dict[str, Any] = {
    "min": min, "max": max, "any": any, "all": all, "sorted": sorted,
    "list": list, "dict": dict, "tuple": tuple, "set": set, "enumerate": enumerate, "zip": zip,
    "range": _guarded_range, "pow": _guarded_pow, "sum": _guarded_sum,
}


def base_globals() -> dict[str, Any]:
    """Guards and builtins every piece of model code sees."""
    builtins = {**safe_builtins, **SAFE_HELPERS}
    for name in ("setattr", "delattr", "id", "__build_class__"):
        builtins.pop(name, None)
    return {
        "__builtins__": builtins,
        "_getattr_": _guarded_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_write_": full_write_guard,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_inplacevar_": _inplacevar,
        "_pow_": _guarded_pow,
        "_mul_": _guarded_mul,
        "_lshift_": _guarded_lshift,
        "_mod_": _guarded_mod,
    }


def compile_errors(source: str, mode: str) -> list[str]:
    """RestrictedPython's reasons why ``source`` (mode ``eval`` or ``exec``) is refused; empty if it compiles."""
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    text = source.strip() if mode == "eval" else source
    return list(compiler(text, filename=FILENAME, policy=_Policy).errors)


def compile_expression(source: str) -> CodeType:
    """Compile an expression under the sandbox policy, or raise SandboxError with the reasons."""
    result = compile_restricted_eval(source.strip(), filename=FILENAME, policy=_Policy)
    if result.errors:
        raise SandboxError("; ".join(result.errors))
    return result.code


def compile_script(source: str) -> CodeType:
    """Compile a script under the sandbox policy, or raise SandboxError with the reasons."""
    result = compile_restricted_exec(source, filename=FILENAME, policy=_Policy)
    if result.errors:
        raise SandboxError("; ".join(result.errors))
    return result.code


def run_limited(code: CodeType, namespace: dict[str, Any], timeout: float, *, mode: str) -> Any:
    """Run compiled model code in ``namespace``, stopping it after ``timeout`` seconds of this thread's CPU time."""
    deadline = time.thread_time() + timeout

    def line_tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if time.thread_time() > deadline:
            raise SandboxTimeout()
        return line_tracer

    def call_tracer(frame: FrameType, event: str, arg: Any) -> Any:
        return line_tracer if frame.f_code.co_filename == FILENAME else None

    previous = sys.gettrace()
    sys.settrace(call_tracer)
    try:
        if mode == "eval":
            return eval(code, namespace)  # noqa: S307 - restricted code object
        exec(code, namespace)  # noqa: S102 - restricted code object
        return None
    except SandboxTimeout:
        raise SandboxTimedOut(f"model code ran longer than {timeout:g} s and was stopped") from None
    finally:
        sys.settrace(previous)


class RestrictedEnvironment(TaskDataEnvironment):
    """SpiffWorkflow script environment that compiles everything with RestrictedPython.

    What a script leaves in the case, and what an expression returns, is measured before it is kept
    (``engine.data_size``): more than ``max_data`` characters of JSON is refused, so a value that is cheap to
    build and huge to write out never reaches the serialiser.
    """

    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None, timeout: float = 1.0,
                 max_data: int = MAX_STEP_DATA):
        super().__init__({**base_globals(), **(functions or {})})
        self.timeout = timeout
        self.max_data = max_data
        self._cache: dict[tuple[str, str], CodeType] = {}

    def _compiled(self, source: str, mode: str) -> CodeType:
        key = (mode, source)
        code = self._cache.get(key)
        if code is None:
            code = compile_expression(source) if mode == "eval" else compile_script(source)
            if len(self._cache) >= KEEP_COMPILED:  # every version's expressions pass here: keep the newest
                self._cache.pop(next(iter(self._cache)), None)
            self._cache[key] = code
        return code

    def _namespace(self, context: dict[str, Any], external: dict[str, Any] | None) -> dict[str, Any]:
        # Guards are applied last so task data can never replace them.
        return {**{k: v for k, v in context.items() if not k.startswith("_")}, **(external or {}), **self.globals}

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict | None = None) -> Any:
        result = run_limited(self._compiled(expression, "eval"), self._namespace(context, external_context),
                             self.timeout, mode="eval")
        # Conditions give booleans; only what could be large (a timer's text, a collection) is measured.
        if type(result) not in _SMALL and not fits(result, self.max_data):
            raise SandboxDataTooLarge(self.max_data)
        return result

    def execute(self, script: str, context: dict[str, Any], external_context: dict | None = None) -> bool:
        self.check_for_overwrite(context, external_context or {})
        namespace = self._namespace(context, external_context)
        run_limited(self._compiled(script, "exec"), namespace, self.timeout, mode="exec")
        left = {}
        for key, value in namespace.items():
            if key.startswith("_") or key in self.globals or callable(value):
                continue
            if external_context and key in external_context:
                continue
            left[key] = value
        # Measured before any of it is kept: what the script set or replaced, and every container, which it may
        # have changed in place; a value it did not touch was measured when it came in.
        changed = {k: v for k, v in left.items() if context.get(k, _MISSING) is not v or type(v) in _CONTAINERS}
        if changed and not fits(changed, self.max_data):
            raise SandboxDataTooLarge(self.max_data)
        context.update(left)
        return True


_SMALL = frozenset({bool, type(None), int, float})
_CONTAINERS = frozenset({list, dict, set})
_MISSING = object()


def script_engine(functions: Mapping[str, Callable[..., Any]] | None = None, timeout: float = 1.0,
                  max_data: int = MAX_STEP_DATA) -> PythonScriptEngine:
    """A SpiffWorkflow script engine running model code in the sandbox; ``max_data`` bounds what one script or
    expression may leave in a case, in characters of JSON."""
    return PythonScriptEngine(environment=RestrictedEnvironment(functions, timeout, max_data))
