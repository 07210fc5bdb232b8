"""Names model code reads must come from somewhere: case start data, forms, scripts, data objects.

A condition that reads a misspelt variable compiles fine and passes every structural rule, then stops every
case at its gateway with SpiffWorkflow's raw English ``NameError``. This module works out which names a process
can provide and reports condition names nothing provides (DESIGN §4.8–§4.9).
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable, Iterator
from typing import Final

from lxml import etree

from engine.bpmn import model
from engine.bpmn.dialects import tool_form
from engine.bpmn.messages import label
from engine.bpmn.problems import BpmnProblem
from engine.bpmn.rules.context import LintContext
from engine.bpmn.rules.forms import referenced_forms
from engine.bpmn.rules.structure import is_model_code
from engine.bpmn.timers import CALENDAR_FUNCTIONS
from engine.sandbox import base_globals

#: What every case holds from the start (``start_case`` puts it there).
CASE_START_DATA: Final = frozenset(
    {"applicant_name", "applicant_id_type", "applicant_id_number", "applicant_contact", "subject", "power_code",
     "power_name"}
)

#: Names model code sees besides case data: the sandbox's builtins and the platform's calendar functions.
#: Underscore names are the sandbox's guards, which RestrictedPython refuses in model code anyway.
SANDBOX_NAMES: Final = frozenset(
    {name for name in base_globals()["__builtins__"] if not name.startswith("_")} | set(CALENDAR_FUNCTIONS)
)

# How many known variables a message lists; a licence process holds dozens and the nearest few are what helps.
MAX_LISTED: Final = 8

_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


# ---- where names come from -------------------------------------------------------------------------


def assigned_names(source: str) -> set[str]:
    """Names a script leaves in the case data: every module-level binding (plain, tuple, augmented, ``for``…).

    Names local to a function, lambda or comprehension stay inside it, so they are left out; a function's
    ``global`` declarations are kept. Returns an empty set for a script that does not parse (the script rule
    reports it).
    """
    try:
        tree = ast.parse(source)
        return _assigned(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()


def _assigned(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in _module_level(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.NamedExpr) and isinstance(node.target, ast.Name):
            names.add(node.target.id)  # a walrus binds in the enclosing scope, even inside a comprehension
        elif isinstance(node, ast.Global):
            names.update(node.names)
        elif isinstance(node, ast.MatchAs | ast.MatchStar) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            names.add(node.rest)
    # The sandbox keeps no underscore names in the case data (RestrictedPython refuses them anyway).
    return {name for name in names if not name.startswith("_")}


def _module_level(tree: ast.AST) -> Iterator[ast.AST]:
    """Walk ``tree`` without entering the bindings of nested scopes (but still seeing ``global`` and walrus)."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, _SCOPES):
            # Only a `global x` inside a function makes its assignment reach the case data.
            yield from (node for node in ast.walk(child) if isinstance(node, ast.Global))
            continue
        if isinstance(child, _COMPREHENSIONS):
            yield from (node for node in ast.walk(child) if isinstance(node, ast.NamedExpr))
            continue
        yield child
        yield from _module_level(child)


def _scripts(process: etree._Element) -> Iterator[str]:
    for task in model.iter_descendants(process, "scriptTask"):
        script = task.find(model.bpmn("script"))
        if script is not None and script.text:
            yield script.text
    for _, _, text in model.spiff_scripts(process):
        if text:
            yield text


def _declared_data(process: etree._Element) -> Iterator[str]:
    """Variables the model declares: data objects, input/output specifications, multi-instance items.

    SpiffWorkflow keys all of these by the element's id in the task data.
    """
    for element in model.iter_descendants(
        process, "dataObject", "dataInput", "dataOutput", "inputDataItem", "outputDataItem"
    ):
        if element.get("id"):
            yield element.get("id", "")
    for ref in model.iter_descendants(process, "loopDataOutputRef"):
        if ref.text and ref.text.strip():
            yield ref.text.strip()
    for variable in process.iter(f"{{{model.SPIFF_NS}}}messageVariable"):
        if variable.text and variable.text.strip():
            yield variable.text.strip()
    for operator in process.iter(f"{{{model.SPIFF_NS}}}serviceTaskOperator"):
        if operator.get("resultVariable"):
            yield operator.get("resultVariable", "")


_TOOL_FIELDS = ("formData", "formProperty", "formDefinition")


def _tool_fields(task: etree._Element) -> bool:
    """Whether the task defines its form fields in another tool's way (camunda:formData, flowable:formProperty)."""
    ext = task.find(model.bpmn("extensionElements"))
    return ext is not None and any(
        isinstance(child.tag, str) and etree.QName(child.tag).localname in _TOOL_FIELDS
        for child in ext
    )


def data_names(ctx: LintContext, process: etree._Element) -> frozenset[str] | None:
    """Every variable a case of ``process`` can hold, or None when that cannot be known.

    The case start data, the fields of every form the process's steps fill in, whatever its scripts assign and
    the data it declares. None when the caller gave no ``form_fields``, a referenced form is missing or a form
    key is computed at run time: then a name may well come from a form we cannot see (and ``form.missing``
    already says what to fix).
    """
    if ctx.form_fields is None:
        return None
    names = set(CASE_START_DATA)
    for task in model.iter_descendants(process, "userTask", "manualTask", "startEvent"):
        if tool_form(model.camunda_attributes(task).get("formKey", "")) is not None or _tool_fields(task):
            return None  # a form chosen at run time or in another tool's format: its fields are anyone's guess
        for form in referenced_forms(task):
            try:
                if ctx.form_exists is not None and not ctx.form_exists(form):
                    return None
                names |= ctx.form_fields(form)
            except (OSError, ValueError):
                return None
    for script in _scripts(process):
        names |= assigned_names(script)
    names.update(name for name in _declared_data(process) if name.isidentifier())
    return frozenset(names)


# ---- what an expression reads ----------------------------------------------------------------------


class _FreeNames(ast.NodeVisitor):
    """Names an expression reads that it does not bind itself (comprehension targets, lambda arguments)."""

    def __init__(self, walrus: set[str]) -> None:
        # Walrus targets count as bound everywhere: a rare construct, and a false alarm would be worse.
        self.scopes: list[set[str]] = [set(walrus)]
        self.free: list[str] = []

    def _bound(self, name: str) -> bool:
        return any(name in scope for scope in self.scopes)

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Store):
            self.scopes[-1].add(node.id)
        elif not self._bound(node.id) and node.id not in self.free:
            self.free.append(node.id)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        # Defaults are evaluated where the lambda is written; the body sees the arguments.
        for default in [*node.args.defaults, *(d for d in node.args.kw_defaults if d is not None)]:
            self.visit(default)
        args = node.args
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs, *filter(None, (args.vararg, args.kwarg))]
        self.scopes.append({a.arg for a in params})
        self.visit(node.body)
        self.scopes.pop()

    def _comprehension(self, generators: list[ast.comprehension], results: Iterable[ast.AST]) -> None:
        # The first iterable is evaluated outside the comprehension, everything else inside it, in order.
        self.visit(generators[0].iter)
        self.scopes.append(set())
        for index, generator in enumerate(generators):
            if index:
                self.visit(generator.iter)
            self.visit(generator.target)
            for condition in generator.ifs:
                self.visit(condition)
        for result in results:
            self.visit(result)
        self.scopes.pop()

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node.generators, [node.elt])

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self._comprehension(node.generators, [node.elt])

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._comprehension(node.generators, [node.elt])

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node.generators, [node.key, node.value])


def read_names(expression: str) -> list[str] | None:
    """Names ``expression`` reads from outside itself, in order of appearance; None if it does not parse."""
    try:
        tree = ast.parse(expression.strip(), mode="eval")
        return _read(tree)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _read(tree: ast.AST) -> list[str]:
    walrus = {n.target.id for n in ast.walk(tree) if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name)}
    visitor = _FreeNames(walrus)
    visitor.visit(tree)
    return visitor.free


# ---- the rule --------------------------------------------------------------------------------------


def suggestion(name: str, known: Iterable[str]) -> str | None:
    """The known name ``name`` most likely misspells, if any is close enough."""
    matches = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    if not matches:
        # Case slips (Accept_Result) score low on raw characters; compare lower-cased too.
        by_lower = {k.lower(): k for k in sorted(known)}
        matches = [by_lower[m] for m in difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)]
    return matches[0] if matches else None


def _listed(name: str, data: frozenset[str], lang: str) -> str:
    if not data:
        return label("none", lang)
    # Nearest first, so the name the author meant is in the short list even in a process with many fields.
    ranked = sorted(data, key=lambda k: (-difflib.SequenceMatcher(None, name, k).ratio(), k))
    shown = label("list_sep", lang).join(ranked[:MAX_LISTED])
    if len(ranked) > MAX_LISTED:
        shown += label("more", lang, count=len(ranked))
    return shown


def check_condition_names(ctx: LintContext, process: etree._Element) -> list[BpmnProblem]:
    """Arrow conditions read only names the process can provide (case data) or the sandbox offers.

    Skipped when the known names cannot be worked out (no ``form_fields``, or a referenced form is missing);
    a condition that does not parse is left to ``check_conditions_compile``.
    """
    data = data_names(ctx, process)
    if data is None:
        return []
    known = data | SANDBOX_NAMES
    problems: list[BpmnProblem] = []
    for flow in model.iter_descendants(process, "sequenceFlow"):
        condition = flow.find(model.bpmn("conditionExpression"))
        text = (condition.text or "").strip() if condition is not None else ""
        if condition is None or not text or not is_model_code(text, condition.get("language")):
            continue
        for name in read_names(text) or []:
            if name in known:
                continue
            # A misspelt case variable is far likelier than a misspelt builtin; look there first.
            closest = suggestion(name, data) or suggestion(name, SANDBOX_NAMES)
            hint = label("did_you_mean", ctx.lang, name=closest) if closest else ""
            problems.append(
                ctx.problem(
                    "condition.unknown_name", flow, line=condition.sourceline, name=name, hint=hint,
                    known=_listed(name, data, ctx.lang),
                )
            )
    return problems
