"""RestrictedPython sandbox for script tasks, gateway conditions and timer expressions.

SpiffWorkflow evaluates all model code through its script engine with plain ``eval``/``exec`` and forgets
the engine on deserialisation (brief §4–§5), so the runtime re-attaches this one after every load.
It is an in-process guard, not an isolation boundary: no imports, no dunder or private attribute access,
no ``try`` (it could swallow the time limit), and a wall-clock limit enforced by a line tracer that is
active only inside model code.
"""

from __future__ import annotations

import ast
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

FILENAME = "<sunshine-model-code>"
MAX_EXPONENT = 10_000


class SandboxError(Exception):
    """Model code was refused (at compile time) or stopped (at run time)."""


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
        # A single `10 ** 10 ** 9` is one bytecode op the tracer cannot interrupt: route powers via a guard.
        node = super().visit_BinOp(node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
            call = ast.Call(func=ast.Name("_pow_", ast.Load()), args=[node.left, node.right], keywords=[])
            return ast.fix_missing_locations(ast.copy_location(call, node))
        return node


def _guarded_pow(base: Any, exponent: Any) -> Any:
    if isinstance(exponent, int) and abs(exponent) > MAX_EXPONENT:
        raise SandboxError(f"exponent {exponent} is too large")
    return base**exponent


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    ops: dict[str, Callable[[Any, Any], Any]] = {
        "+=": lambda a, b: a + b, "-=": lambda a, b: a - b, "*=": lambda a, b: a * b,
        "/=": lambda a, b: a / b, "//=": lambda a, b: a // b, "%=": lambda a, b: a % b,
    }
    if op not in ops:
        raise SandboxError(f"operator {op} is not allowed")
    return ops[op](x, y)


SAFE_HELPERS: dict[str, Any] = {
    "min": min, "max": max, "sum": sum, "any": any, "all": all, "sorted": sorted,
    "list": list, "dict": dict, "tuple": tuple, "set": set, "enumerate": enumerate, "zip": zip,
}


def base_globals() -> dict[str, Any]:
    """Guards and builtins every piece of model code sees."""
    builtins = {**safe_builtins, **SAFE_HELPERS}
    for name in ("setattr", "delattr", "id", "__build_class__"):
        builtins.pop(name, None)
    return {
        "__builtins__": builtins,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_write_": full_write_guard,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_inplacevar_": _inplacevar,
        "_pow_": _guarded_pow,
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
    """Run compiled model code in ``namespace``, stopping it after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout

    def line_tracer(frame: FrameType, event: str, arg: Any) -> Any:
        if time.monotonic() > deadline:
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
        raise SandboxError(f"model code ran longer than {timeout:g} s and was stopped") from None
    finally:
        sys.settrace(previous)


class RestrictedEnvironment(TaskDataEnvironment):
    """SpiffWorkflow script environment that compiles everything with RestrictedPython."""

    def __init__(self, functions: Mapping[str, Callable[..., Any]] | None = None, timeout: float = 1.0):
        super().__init__({**base_globals(), **(functions or {})})
        self.timeout = timeout
        self._cache: dict[tuple[str, str], CodeType] = {}

    def _compiled(self, source: str, mode: str) -> CodeType:
        key = (mode, source)
        if key not in self._cache:
            self._cache[key] = compile_expression(source) if mode == "eval" else compile_script(source)
        return self._cache[key]

    def _namespace(self, context: dict[str, Any], external: dict[str, Any] | None) -> dict[str, Any]:
        # Guards are applied last so task data can never replace them.
        return {**{k: v for k, v in context.items() if not k.startswith("_")}, **(external or {}), **self.globals}

    def evaluate(self, expression: str, context: dict[str, Any], external_context: dict | None = None) -> Any:
        return run_limited(self._compiled(expression, "eval"), self._namespace(context, external_context),
                           self.timeout, mode="eval")

    def execute(self, script: str, context: dict[str, Any], external_context: dict | None = None) -> bool:
        self.check_for_overwrite(context, external_context or {})
        namespace = self._namespace(context, external_context)
        run_limited(self._compiled(script, "exec"), namespace, self.timeout, mode="exec")
        for key, value in namespace.items():
            if key.startswith("_") or key in self.globals or callable(value):
                continue
            if external_context and key in external_context:
                continue
            context[key] = value
        return True


def script_engine(functions: Mapping[str, Callable[..., Any]] | None = None, timeout: float = 1.0
                  ) -> PythonScriptEngine:
    """A SpiffWorkflow script engine running model code in the sandbox."""
    return PythonScriptEngine(environment=RestrictedEnvironment(functions, timeout))
