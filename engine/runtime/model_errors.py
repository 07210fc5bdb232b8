"""What a flowchart's failing script, condition or gateway means to the member of staff who met it.

SpiffWorkflow explains model errors to programmers, in English ("Error evaluating expression 'x > 1'",
"No conditions satisfied for gw"). Staff need to know which step of the flowchart failed, why in their words,
that the case was left as it was, and who can fix it. The technical text still goes to the log.
"""

from __future__ import annotations

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.exceptions import WorkflowException

from engine.data_size import readable
from engine.runtime.errors import RuntimeProblem
from engine.sandbox import SandboxDataTooLarge, SandboxError, SandboxTimedOut


def model_problem(exc: BaseException) -> RuntimeProblem:
    """The refusal to show for a model error raised while the engine ran a case."""
    element = _element(exc)
    cause = _cause(exc)
    if isinstance(cause, NameError) and cause.name:
        return RuntimeProblem("engine.script.name", element=element, name=cause.name, details=str(exc))
    if isinstance(cause, SandboxTimedOut):
        return RuntimeProblem("engine.script.timeout", element=element, details=str(exc))
    if isinstance(cause, SandboxDataTooLarge):
        return RuntimeProblem("engine.script.too_large", element=element, limit=readable(cause.limit),
                              details=str(exc))
    if isinstance(cause, SandboxError):
        return RuntimeProblem("engine.script.refused", element=element, details=str(exc))
    if isinstance(exc, WorkflowException) and str(exc).startswith("No conditions satisfied"):
        return RuntimeProblem("engine.script.no_path", element=element, details=str(exc))
    kind = type(cause).__name__ if cause is not exc else getattr(exc, "error_type", "") or type(exc).__name__
    return RuntimeProblem("engine.script", element=element, error=kind, details=str(exc))


def _element(exc: BaseException) -> str:
    # The flowchart element as the legal office named it in the modeler, else its id.
    spec = getattr(exc, "task_spec", None)
    if spec is None and isinstance(exc, WorkflowTaskException) and exc.task is not None:
        spec = exc.task.task_spec
    if spec is None:
        return "?"
    return str(getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name)


def _cause(exc: BaseException) -> BaseException:
    # SpiffWorkflow wraps what the model code raised in its own exception, raised inside the handler.
    seen = exc
    while isinstance(seen, WorkflowException) and (seen.__cause__ or seen.__context__) is not None:
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
    return seen
