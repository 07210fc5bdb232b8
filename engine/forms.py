"""JSON Schema forms: load them from ``forms/``, coerce submitted text, validate with field messages."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

FIELD_MESSAGES: dict[str, dict[str, str]] = {
    "required": {"zh": "此项为必填项。", "en": "This field is required."},
    "type.number": {"zh": "请填写数字。", "en": "Enter a number."},
    "type.integer": {"zh": "请填写整数。", "en": "Enter a whole number."},
    "type.boolean": {"zh": "请选择是或否。", "en": "Choose yes or no."},
    "type": {"zh": "格式不正确。", "en": "Wrong format."},
    "choice": {"zh": "请从列表中选择。", "en": "Choose one of the listed options."},
    "maxLength": {"zh": "不能超过 {limit} 个字。", "en": "At most {limit} characters."},
    "minLength": {"zh": "至少 {limit} 个字。", "en": "At least {limit} characters."},
    "minimum": {"zh": "不能小于 {limit}。", "en": "Must be at least {limit}."},
    "maximum": {"zh": "不能大于 {limit}。", "en": "Must be at most {limit}."},
    "format.date": {"zh": "日期格式应为 年-月-日，例如 2026-11-21。", "en": "Use the form YYYY-MM-DD."},
    "pattern": {"zh": "格式不正确。", "en": "Wrong format."},
    "unknown": {"zh": "表单不接受此项。", "en": "This field is not part of the form."},
    "other": {"zh": "填写有误。", "en": "Invalid value."},
}

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    kind: str  # string | number | integer | boolean | date | choice | text
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    description: str | None = None


@dataclass(frozen=True)
class Form:
    name: str
    title: str
    schema: dict[str, Any]
    ui: dict[str, Any]

    @property
    def fields(self) -> list[Field]:
        """Fields in display order (ui:order first, then schema order)."""
        props: dict[str, Any] = self.schema.get("properties", {})
        order = [n for n in self.ui.get("ui:order", []) if n in props]
        order += [n for n in props if n not in order]
        required = set(self.schema.get("required", []))
        out = []
        for name in order:
            spec = props[name]
            choices = [(str(o.get("const")), o.get("title", str(o.get("const")))) for o in spec.get("oneOf", [])
                       if "const" in o]
            choices = choices or [(str(v), str(v)) for v in spec.get("enum", [])]
            if choices:
                kind = "choice"
            elif spec.get("format") == "date":
                kind = "date"
            elif self.ui.get(name, {}).get("ui:widget") == "textarea":
                kind = "text"
            else:
                kind = spec.get("type", "string")
            out.append(Field(name, spec.get("title", name), kind, name in required, choices,
                             spec.get("description")))
        return out

    def coerce(self, raw: dict[str, str]) -> dict[str, Any]:
        """Turn submitted text into typed values; blanks are left out so ``required`` catches them."""
        props: dict[str, Any] = self.schema.get("properties", {})
        out: dict[str, Any] = {}
        for name, value in raw.items():
            spec = props.get(name)
            if spec is None:
                out[name] = value
                continue
            kind = spec.get("type")
            if isinstance(value, str):
                value = value.strip()
                if value == "":
                    continue
                try:
                    if kind == "number":
                        number = float(value)
                        if not math.isfinite(number):  # "NaN", "inf", "1e400": not amounts JSON can hold
                            raise ValueError(value)
                        value = int(number) if number.is_integer() else number
                    elif kind == "integer":
                        value = int(value)
                    elif kind == "boolean":
                        value = value.lower() in {"1", "true", "yes", "on", "是"}
                except ValueError:
                    pass  # left as text: validation reports the field
            out[name] = value
        return out

    def validate(self, data: dict[str, Any], lang: str = "zh") -> dict[str, str]:
        """Field name → message for every problem; empty when the data is valid."""
        errors: dict[str, str] = {}
        props = self.schema.get("properties", {})
        for name in data:
            if name not in props:
                errors[name] = FIELD_MESSAGES["unknown"][lang]
        validator = Draft202012Validator(self.schema, format_checker=FormatChecker())
        for err in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
            for name, key, params in _explain(err, data):
                errors.setdefault(name, FIELD_MESSAGES[key][lang].format(**params))
        return errors


def _explain(err: ValidationError, data: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    if err.validator == "required":
        instance = err.instance if isinstance(err.instance, dict) else {}
        return [(name, "required", {}) for name in err.validator_value if name not in instance]
    if err.validator in ("if", "allOf", "anyOf") and err.context:
        return [x for sub in err.context for x in _explain(sub, data)]
    name = str(err.path[0]) if err.path else "_form"
    if err.validator == "type":
        key = f"type.{err.validator_value}"
        return [(name, key if key in FIELD_MESSAGES else "type", {})]
    if err.validator in ("enum", "oneOf", "const"):
        return [(name, "choice", {})]
    if err.validator in ("maxLength", "minLength", "minimum", "maximum"):
        return [(name, str(err.validator), {"limit": err.validator_value})]
    if err.validator == "format" and err.validator_value == "date":
        return [(name, "format.date", {})]
    if err.validator == "pattern":
        return [(name, "pattern", {})]
    return [(name, "other", {})]


class FormRegistry:
    """Forms by file name from a directory; the linter and the runtime ask it the same question."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[str, Form] = {}

    def exists(self, name: str) -> bool:
        return bool(_SAFE_NAME.match(name)) and (self.directory / name).is_file()

    def field_names(self, name: str) -> set[str]:
        """The names of a form's fields (empty when there is no such form)."""
        form = self.get(name)
        return set(form.schema.get("properties", {})) if form is not None else set()

    def get(self, name: str) -> Form | None:
        """The form named ``name`` (e.g. ``license_accept.json``), or None."""
        if name in self._cache:
            return self._cache[name]
        if not self.exists(name):
            return None
        schema = json.loads((self.directory / name).read_text(encoding="utf-8"))
        ui_path = self.directory / name.replace(".json", ".uischema.json")
        ui = json.loads(ui_path.read_text(encoding="utf-8")) if ui_path.is_file() else {}
        form = Form(name, schema.get("title", name), schema, ui)
        self._cache[name] = form
        return form
