"""JSON Schema forms: load them from ``forms/``, coerce submitted text, validate with field messages.

Besides JSON Schema (draft 2020-12), a date field (``"format": "date"``) may declare checks that span fields,
which JSON Schema cannot say; validation reports them at the field, in the reader's language:

``"x-not-before": "valid_from"``
    not earlier than another date field of the same form (checked when both are filled in);
``"x-not-before-case": {"field": "decision_date", "title": "决定日期"}``
    not earlier than the date the case already holds under ``field`` (an earlier step's form filled it in;
    skipped while the case holds none); ``title`` names that date in the message;
``"x-not-after-today": true``
    not later than today, the Beijing date of ``engine.clock.now()``.

A yes/no field may name the item of the power's material list whose file is its proof, ``"x-material": "营业执照"``:
the step page answers it from the case's files and shows what was uploaded (``engine.files.answers``).

Every text a reader sees (the form's title and description, each field's title and description, each choice's
title, the ``title`` of ``x-not-before-case``, and a field's ``ui:help`` in the form's ui schema) is written in
Chinese and is the msgid of its English translation in the gettext catalog: ``Form.localised(translate)`` is the
form in the reader's language, ``form_texts`` and ``ui_texts`` list the texts a form and its ui schema need
translated. The engine never reads the catalog; the caller passes its ``gettext``.

Text a person types may hold no character they cannot see (``engine.plain_text``): no direction override, no
zero-width or other format character, no control character, in any text field; a textarea (``"ui:widget":
"textarea"``) keeps its tab and line breaks. ``validate`` refuses such text at its field, naming the character.

Any other ``x-`` keyword, one outside a field, or one naming a field the form does not have is a mistake in
the form: ``Form.problems`` lists them and ``FormRegistry.field_names`` refuses such a form, so the flowchart
checker reports it at every step that uses the form and no flowchart using it deploys.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import SchemaError, ValidationError

from engine import clock
from engine.plain_text import invisible

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
    "date.after_today": {"zh": "不能晚于今天（{today}）。", "en": "Must not be later than today ({today})."},
    "date.before": {"zh": "不能早于「{other}」（{date}）。", "en": "Must not be earlier than “{other}” ({date})."},
    "date.before_case": {"zh": "不能早于本案的「{other}」（{date}）。",
                         "en": "Must not be earlier than the case's “{other}” ({date})."},
}

#: Turns a form's Chinese text into the reader's language (Flask-Babel's ``gettext`` in the web application).
Translate = Callable[[str], str]


def form_text(text: str, translate: Translate | None = None) -> str:
    """``text`` of a form in the reader's language: ``translate(text)``, or the text itself without one.

    An empty text stays empty: gettext would answer the catalog's header for it.
    """
    return translate(text) if translate is not None and text else text


NOT_BEFORE, NOT_BEFORE_CASE, NOT_AFTER_TODAY = "x-not-before", "x-not-before-case", "x-not-after-today"
#: On a yes/no field: the item of the power's material list (申请材料) whose file is the proof. The step page then
#: answers the field from the case's files and shows which are uploaded (engine/files/answers.py).
MATERIAL = "x-material"
KEYWORDS = (NOT_BEFORE, NOT_BEFORE_CASE, NOT_AFTER_TODAY, MATERIAL)

#: What can be wrong with a form file itself (``Form.problems``), for whoever maintains the forms.
DECLARATION_MESSAGES: dict[str, dict[str, str]] = {
    "schema": {"zh": "不是有效的 JSON Schema：{detail}", "en": "Not a valid JSON Schema: {detail}"},
    "keyword.unknown": {"zh": "字段“{field}”的 {keyword} 不是平台认识的关键字（可用：{known}）。",
                        "en": 'Field "{field}": {keyword} is not a keyword the platform knows (known: {known}).'},
    "keyword.misplaced": {"zh": "{keyword} 只能写在表单的字段上（properties 之下），写在 {where} 不起作用。",
                          "en": "{keyword} works only on a field of the form (under properties), not at {where}."},
    "keyword.not_boolean": {"zh": "字段“{field}”不是“是/否”（\"type\": \"boolean\"），不能用 {keyword}。",
                            "en": 'Field "{field}" is not yes/no ("type": "boolean"), so {keyword} cannot apply.'},
    "keyword.not_date": {"zh": "字段“{field}”不是日期（\"format\": \"date\"），不能用 {keyword}。",
                         "en": 'Field "{field}" is not a date ("format": "date"), so {keyword} cannot apply.'},
    "keyword.no_field": {"zh": "字段“{field}”的 {keyword} 引用的字段“{target}”不在本表单中。",
                         "en": 'Field "{field}": {keyword} names "{target}", which is not a field of this form.'},
    "keyword.target_not_date": {"zh": "字段“{field}”的 {keyword} 引用的字段“{target}”不是日期。",
                                "en": 'Field "{field}": {keyword} names "{target}", which is not a date.'},
    "keyword.bad_value": {"zh": "字段“{field}”的 {keyword} 应写成 {expected}。",
                          "en": 'Field "{field}": write {keyword} as {expected}.'},
}
_EXPECTED = {NOT_BEFORE: '"另一个日期字段名"', NOT_AFTER_TODAY: "true", MATERIAL: '"营业执照"',
             NOT_BEFORE_CASE: '{"field": "decision_date", "title": "决定日期"}'}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    kind: str  # string | number | integer | boolean | date | choice | text
    required: bool
    choices: list[tuple[str, str]] = field(default_factory=list)
    description: str | None = None
    #: The ui schema's ``ui:help``: guidance shown under the field (a rule of the step, say).
    help: str | None = None
    #: ``x-material``: the material-list item whose file answers this yes/no field.
    material: str | None = None


@dataclass(frozen=True)
class Form:
    name: str
    title: str
    schema: dict[str, Any]
    ui: dict[str, Any]
    #: Set by ``localised``: the texts the form shows go through it; the schema itself stays as written.
    translate: Translate | None = field(default=None, compare=False, repr=False)

    def localised(self, translate: Translate | None) -> Form:
        """The form in the reader's language: titles, descriptions and choice titles through ``translate``
        (the Chinese text is the msgid), in ``fields``, ``description`` and ``validate``'s messages alike.

        Values, rules and ``schema`` are unchanged, so what is submitted and stored is the same in any language.
        """
        if translate is None:
            return self
        return replace(self, title=form_text(self.title, translate), translate=translate)

    @property
    def description(self) -> str | None:
        """The form's description (what the step is about), in the reader's language."""
        return self._text(self.schema.get("description"), "") or None

    def _text(self, text: Any, fallback: str) -> str:
        return form_text(text, self.translate) if isinstance(text, str) and text else fallback

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
            choices = [(str(o["const"]), self._text(o.get("title"), str(o["const"]))) for o in spec.get("oneOf", [])
                       if "const" in o]
            choices = choices or [(str(v), self._text(v, str(v))) for v in spec.get("enum", [])]
            if choices:
                kind = "choice"
            elif spec.get("format") == "date":
                kind = "date"
            elif self.ui.get(name, {}).get("ui:widget") == "textarea":
                kind = "text"
            else:
                kind = spec.get("type", "string")
            out.append(Field(name, self._text(spec.get("title"), name), kind, name in required, choices,
                             self._text(spec.get("description"), "") or None, self._help(name),
                             spec.get(MATERIAL) if isinstance(spec.get(MATERIAL), str) else None))
        return out

    def required_now(self, raw: Mapping[str, Any]) -> set[str]:
        """The fields a submission of ``raw`` (as typed) must fill in: the schema's ``required`` and those its
        ``if``/``then``/``else`` (at the top or in a top-level ``allOf``) require for these values."""
        return _required(self.schema, self.coerce(dict(raw)))

    @property
    def conditionally_required(self) -> set[str]:
        """The fields only some ``then``/``else`` branch requires (their required mark depends on the values)."""
        return _required(self.schema, None) - _required(self.schema, None, branches=False)

    @property
    def required_by_choice(self) -> dict[str, dict[str, list[str]]]:
        """For each choice or yes/no field on which other fields' requirement depends: each of its values (as
        submitted; "" for a yes/no left open) → the ``conditionally_required`` fields that value requires. The page
        moves the required marks with the choices: the fields required by the current value of each of them.

        Each value is judged alone, so a condition reading two fields at once is left to ``required_now``."""
        read, conditional = _condition_fields(self.schema), self.conditionally_required
        out: dict[str, dict[str, list[str]]] = {}
        for f in self.fields:
            if f.name not in read or f.kind not in ("choice", "boolean"):
                continue
            values = [v for v, _ in f.choices] if f.kind == "choice" else ["", "true", "false"]
            required = {value: sorted(self.required_now({f.name: value}) & conditional) for value in values}
            if len({tuple(names) for names in required.values()}) > 1:  # a choice that moves nothing is left out
                out[f.name] = required
        return out

    def _multiline(self, name: str) -> bool:
        # A textarea (opinions, reasons) keeps its own line breaks; every other text is one line.
        ui = self.ui.get(name)
        return isinstance(ui, dict) and ui.get("ui:widget") == "textarea"

    def _help(self, name: str) -> str | None:
        ui = self.ui.get(name)
        if not isinstance(ui, dict):
            return None
        return self._text(ui.get("ui:help"), "") or None

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

    def validate(self, data: dict[str, Any], lang: str = "zh", *, case_data: Mapping[str, Any] | None = None,
                 today: date | None = None) -> dict[str, str]:
        """Field name → message for every problem; empty when the data is valid.

        ``case_data`` is what the case holds before this step (for ``x-not-before-case``); ``today`` defaults
        to the Beijing date of ``engine.clock.now()``. A message naming another field names it by its title, in
        the reader's language when the form is ``localised``.
        """
        errors: dict[str, str] = {}
        props = self.schema.get("properties", {})
        for name, value in data.items():
            if name not in props:
                errors[name] = FIELD_MESSAGES["unknown"][lang]
            elif isinstance(value, str) and (found := invisible(value, multiline=self._multiline(name))):
                errors[name] = found.message(lang)
        validator = Draft202012Validator(self.schema, format_checker=FormatChecker())
        for err in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
            for name, key, params in _explain(err, data):
                errors.setdefault(name, FIELD_MESSAGES[key][lang].format(**params))
        today = today or clock.local(clock.now()).date()
        for name, key, params in self._date_order(data, case_data or {}, today):
            errors.setdefault(name, FIELD_MESSAGES[key][lang].format(**params))
        return errors

    def _date_order(self, data: Mapping[str, Any], case_data: Mapping[str, Any],
                    today: date) -> Iterator[tuple[str, str, dict[str, Any]]]:
        # Only well-formed dates are compared: a missing or malformed one already has its own message.
        props: dict[str, Any] = self.schema.get("properties", {})
        for name, spec in props.items():
            value = _as_date(data.get(name))
            if value is None or not isinstance(spec, dict):
                continue
            if spec.get(NOT_AFTER_TODAY) is True and value > today:
                yield name, "date.after_today", {"today": today.isoformat()}
                continue
            other_name = spec.get(NOT_BEFORE)
            other = _as_date(data.get(other_name)) if isinstance(other_name, str) else None
            if other is not None and value < other:
                title = self._text(props.get(other_name, {}).get("title"), other_name)
                yield name, "date.before", {"other": title, "date": other.isoformat()}
                continue
            ref = spec.get(NOT_BEFORE_CASE)
            if isinstance(ref, dict) and isinstance(ref.get("field"), str):
                earlier = _as_date(case_data.get(ref["field"]))
                if earlier is not None and value < earlier:
                    yield name, "date.before_case", {"other": self._text(ref.get("title"), ref["field"]),
                                                     "date": earlier.isoformat()}

    def problems(self, lang: str = "zh") -> list[str]:
        """What is wrong with the form file itself: an invalid schema, or a platform keyword that cannot work
        (unknown, misplaced, on a field that is no date, naming a field the form does not have)."""
        return [_declaration_text(key, params, lang) for key, params in _declaration_problems(self.schema)]


def form_texts(schema: Any) -> list[str]:
    """Every text of a form schema that a reader sees, each once, in the order of the file: the form's title and
    description; each field's title and description, its choices' titles (``oneOf``; ``enum`` values, which are
    shown as they are) and the date ``x-not-before-case`` names. Texts without a Chinese character need no
    translation and are left out."""
    if not isinstance(schema, dict):
        return []
    texts: list[Any] = [schema.get("title"), schema.get("description")]
    properties = schema.get("properties")
    for spec in (properties.values() if isinstance(properties, dict) else []):
        if not isinstance(spec, dict):
            continue
        texts += [spec.get("title"), spec.get("description")]
        texts += [o.get("title") for o in spec.get("oneOf", []) if isinstance(o, dict) and "const" in o]
        texts += spec.get("enum", []) if isinstance(spec.get("enum"), list) else []
        ref = spec.get(NOT_BEFORE_CASE)
        texts.append(ref.get("title") if isinstance(ref, dict) else None)
    return list(dict.fromkeys(t for t in texts if isinstance(t, str) and _CJK.search(t)))


def _required(schema: Any, data: Mapping[str, Any] | None, *, branches: bool = True) -> set[str]:
    """The names an object schema requires, with those of the ``if`` branch ``data`` takes (of every branch when
    ``data`` is None; of none without ``branches``), at its top and in its ``allOf``."""
    if not isinstance(schema, dict):
        return set()
    out = {name for name in schema.get("required", []) if isinstance(name, str)}
    parts = schema.get("allOf")
    for part in parts if isinstance(parts, list) else []:
        out |= _required(part, data, branches=branches)
    if branches and "if" in schema:
        if data is None:
            taken = [schema.get("then"), schema.get("else")]
        else:
            taken = [schema.get("then") if Draft202012Validator(schema["if"]).is_valid(data) else schema.get("else")]
        for branch in taken:
            out |= _required(branch, data)
    return out


def _condition_fields(schema: Any) -> set[str]:
    """The fields the ``if`` of an object schema (at its top or in its ``allOf``) reads."""
    if not isinstance(schema, dict):
        return set()
    out: set[str] = set()
    condition = schema.get("if")
    if isinstance(condition, dict):
        properties = condition.get("properties")
        out |= set(properties) if isinstance(properties, dict) else set()
        out |= {name for name in condition.get("required", []) if isinstance(name, str)}
    parts = schema.get("allOf")
    for part in parts if isinstance(parts, list) else []:
        out |= _condition_fields(part)
    return out


def ui_texts(ui: Any) -> list[str]:
    """Every text of a ui schema that a reader sees, each once, in the order of the file: each field's
    ``ui:help``. Texts without a Chinese character need no translation and are left out."""
    if not isinstance(ui, dict):
        return []
    texts = [spec.get("ui:help") for spec in ui.values() if isinstance(spec, dict)]
    return list(dict.fromkeys(t for t in texts if isinstance(t, str) and _CJK.search(t)))


def _declaration_text(key: str, params: dict[str, Any], lang: str) -> str:
    return DECLARATION_MESSAGES[key][lang].format(**params)


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):  # a moment a script stored: its Beijing day
        return clock.local(value).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def _declaration_problems(schema: Any) -> list[tuple[str, dict[str, Any]]]:
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [("schema", {"detail": exc.message})]
    out: list[tuple[str, dict[str, Any]]] = []
    props: dict[str, Any] = schema.get("properties", {}) if isinstance(schema, dict) else {}
    for name, spec in props.items():
        if isinstance(spec, dict):
            out += _field_keyword_problems(name, spec, props)
    for where, keyword in _x_keywords(schema, "#"):
        if not (where.startswith("#/properties/") and where.count("/") == 2):
            out.append(("keyword.misplaced", {"keyword": keyword, "where": where}))
    return out


def _field_keyword_problems(name: str, spec: dict[str, Any], props: dict[str, Any]) -> list[tuple[str, dict]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for keyword, value in spec.items():
        if not keyword.startswith("x-"):
            continue
        where = {"field": name, "keyword": keyword}
        if keyword not in KEYWORDS:
            out.append(("keyword.unknown", {**where, "known": "、".join(KEYWORDS)}))
        elif keyword == MATERIAL:
            if spec.get("type") != "boolean":
                out.append(("keyword.not_boolean", where))
            elif not _well_formed(keyword, value):
                out.append(("keyword.bad_value", {**where, "expected": _EXPECTED[keyword]}))
        elif spec.get("format") != "date":
            out.append(("keyword.not_date", where))
        elif not _well_formed(keyword, value):
            out.append(("keyword.bad_value", {**where, "expected": _EXPECTED[keyword]}))
        elif keyword == NOT_BEFORE and (value not in props or value == name):
            out.append(("keyword.no_field", {**where, "target": value}))
        elif keyword == NOT_BEFORE and (not isinstance(props[value], dict) or props[value].get("format") != "date"):
            out.append(("keyword.target_not_date", {**where, "target": value}))
    return out


def _well_formed(keyword: str, value: Any) -> bool:
    if keyword == NOT_AFTER_TODAY:
        return isinstance(value, bool)
    if keyword == NOT_BEFORE_CASE:
        return (isinstance(value, dict) and set(value) == {"field", "title"}
                and all(isinstance(v, str) and v.strip() for v in value.values()))
    return isinstance(value, str) and bool(value)


def _x_keywords(node: Any, where: str) -> Iterator[tuple[str, str]]:
    """(JSON pointer of the schema object, keyword) for every ``x-`` keyword anywhere in the schema."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(key, str) and key.startswith("x-"):
                yield where, key
            else:
                yield from _x_keywords(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _x_keywords(item, f"{where}/{i}")


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


class FormError(ValueError):
    """A form file that cannot be used as written; ``message(lang)`` says what to change."""

    def __init__(self, name: str, problems: list[tuple[str, dict[str, Any]]]) -> None:
        self.name = name
        self.problems = problems
        super().__init__(self.message("zh"))

    def message(self, lang: str = "zh") -> str:
        """Every problem, in ``lang`` (zh or en)."""
        lang = lang if lang in ("zh", "en") else "zh"
        return ("；" if lang == "zh" else "; ").join(_declaration_text(key, p, lang) for key, p in self.problems)


def declared_fields(name: str, schema: Any) -> set[str]:
    """The field names of form ``name`` with this schema; ``FormError`` when the form itself is wrong
    (``Form.problems``). A ui schema (``*.uischema.json``) only lays fields out and is not checked."""
    if not name.endswith(".uischema.json") and (problems := _declaration_problems(schema)):
        raise FormError(name, problems)
    properties = schema.get("properties") if isinstance(schema, dict) else None
    return set(properties) if isinstance(properties, dict) else set()


class FormRegistry:
    """Forms by file name from a directory; the linter and the runtime ask it the same question."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[str, Form] = {}
        # Checking a schema against the JSON Schema meta-schema costs ≈ 15 ms, and every lint asks for each form
        # several times; forms are read once per process (``_cache``), so their verdict can be kept as well.
        self._declared: dict[str, set[str] | FormError] = {}

    def exists(self, name: str) -> bool:
        return bool(_SAFE_NAME.match(name)) and (self.directory / name).is_file()

    def field_names(self, name: str) -> set[str]:
        """The names of a form's fields (empty when there is no such form).

        Raises ``FormError`` when the form itself is wrong (``Form.problems``): the flowchart checker asks this
        of every form a flowchart uses, so the mistake is reported there rather than ignored while cases run.
        A ui schema (``*.uischema.json``) only lays fields out and is not checked.
        """
        verdict = self._declared.get(name)
        if verdict is None:
            form = self.get(name)
            if form is None:
                return set()
            try:
                verdict = declared_fields(name, form.schema)
            except FormError as exc:
                verdict = exc
            self._declared[name] = verdict
        if isinstance(verdict, FormError):
            raise verdict
        return set(verdict)

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
