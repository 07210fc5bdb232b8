"""Static checks of script and expression code against the RestrictedPython sandbox (DESIGN §4.8)."""

from __future__ import annotations

import re

from engine.sandbox import compile_errors

_LINE_PREFIX = re.compile(r"^Line (\d+): ")
_UNDERSCORE = re.compile(r'"([^"]+)" is an invalid (?:attribute |variable )?name because it starts with "_"')


def explain(errors: tuple[str, ...] | list[str], lang: str) -> str:
    """Turn RestrictedPython's English compile errors into one short sentence for a clerk."""
    parts: list[str] = []
    for raw in errors:
        line_match = _LINE_PREFIX.match(raw)
        line = line_match.group(1) if line_match else None
        text = _LINE_PREFIX.sub("", raw)
        underscore = _UNDERSCORE.search(text)
        if underscore:
            text = (
                f"不允许使用以下划线开头的名称 {underscore.group(1)}"
                if lang == "zh"
                else f"names starting with an underscore are not allowed ({underscore.group(1)})"
            )
        elif "is not allowed in model code" in text:
            what = "import" if text.startswith("import") else "try/except"
            text = (f"不允许使用 {what}" if lang == "zh" else f"{what} is not allowed")
        elif text.startswith("SyntaxError:"):
            detail = text.removeprefix("SyntaxError:").split(" at statement:")[0].strip()
            text = f"语法错误（{detail}）" if lang == "zh" else f"syntax error ({detail})"
        if line:
            text = f"第 {line} 行{text}" if lang == "zh" else f"line {line}: {text}"
        parts.append(text)
    return ("；" if lang == "zh" else "; ").join(parts)


def check_script(source: str, lang: str) -> str | None:
    """Return a plain explanation if ``source`` would not run in the sandbox, else None."""
    errors = compile_errors(source, "exec")
    return explain(errors, lang) if errors else None


def check_expression(source: str, lang: str) -> str | None:
    """Return a plain explanation if the expression ``source`` would not compile in the sandbox."""
    errors = compile_errors(source, "eval")
    return explain(errors, lang) if errors else None
