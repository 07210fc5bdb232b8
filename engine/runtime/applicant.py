"""The applicant (行政相对人) of a case: what a registration must hold, and how a step's form corrects it.

**Applicant fields.** A form field is an applicant field when its name is one of ``APPLICANT_FIELDS``:
``applicant_`` followed by an ``Applicant`` attribute (``applicant_name``, ``applicant_id_type``,
``applicant_id_number``, ``applicant_contact``). The same name is the case row's column and the key ``start_data``
puts in every new workflow, so such a field opens filled in with the registration (``stepforms``) and, when a step
submits it changed, corrects the case row (``correction``). Other names, even starting with ``applicant_``, are
ordinary case data. A choice field (证件类型) may give its value (``uscc``): the row holds the choice's title as
written in the form (统一社会信用代码), as registration does, and the ID checks read the type by that title.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Final

from engine.applicant_ids import id_number_problem, normalise_id, phone_problem
from engine.forms import Form
from engine.plain_text import invisible

#: The longest text each registration field may hold (the case columns' lengths): longer is refused, never cut.
FIELD_LIMITS = {"subject": 300, "name": 200, "id_type": 30, "id_number": 60, "contact": 100}


@dataclass(frozen=True)
class Applicant:
    """The person or organisation the case is about (行政相对人)."""

    name: str
    id_type: str
    id_number: str
    contact: str

    def problems(self) -> dict[str, str]:
        """Field → "required", "too_long" or "invisible" for each field that cannot be stored as given."""
        return {k: p for k, v in asdict(self).items() if (p := text_problem(v, FIELD_LIMITS[k]))}

    def columns(self) -> dict[str, str]:
        """The applicant under its field names: the case row's columns and the workflow's start data."""
        return {name: getattr(self, attr) for name, attr in _COLUMNS}


#: The applicant fields, in ``Applicant``'s order (see the module's docstring).
APPLICANT_FIELDS: Final = tuple(f"applicant_{f.name}" for f in fields(Applicant))
_FIELD_SET: Final = frozenset(APPLICANT_FIELDS)
_ALL: Final = tuple(f.name for f in fields(Applicant))
_COLUMNS: Final = tuple(zip(APPLICANT_FIELDS, _ALL, strict=True))

#: Problem codes (``applicant_problems``) in words, for the engine's callers that take a ``lang``.
PROBLEM_MESSAGES: Final = {
    "required": {"zh": "此项为必填项。", "en": "This field is required."},
    "too_long": {"zh": "内容过长，最多 {limit} 个字。", "en": "Too long: at most {limit} characters."},
    "format": {"zh": "证件号码不符合所选证件类型的格式。",
               "en": "The ID number does not have the format of the chosen ID type."},
    "check": {"zh": "证件号码的校验位不符，请逐位核对。",
              "en": "The ID number's check character does not match; check it digit by digit."},
    "contact": {"zh": "请填写有效的联系电话（至少 7 位数字）。",
                "en": "Enter a valid telephone number (at least 7 digits)."},
    # "invisible" names the character it found (``engine.plain_text``), so it has no fixed words here.
}


def text_problem(value: object, limit: int) -> str | None:
    """"required" for blank text, "too_long" beyond ``limit`` characters, "invisible" for a character a person
    cannot see (a direction override, a zero-width space, a control character: ``engine.plain_text``), else None."""
    text = str(value or "").strip()
    if not text:
        return "required"
    if len(text) > limit:
        return "too_long"
    return "invisible" if invisible(text) else None


def applicant_problems(applicant: Applicant, checked: Collection[str] = _ALL) -> dict[str, str]:
    """Form field → "required", "too_long", or for the ID number and telephone "format" / "check" (a wrong check
    character), for the ``checked`` attributes of ``applicant`` (all of them unless told)."""
    out = {f"applicant_{k}": p for k in checked if (p := text_problem(getattr(applicant, k), FIELD_LIMITS[k]))}
    if "id_number" in checked and "applicant_id_number" not in out and (
            problem := id_number_problem(applicant.id_type, applicant.id_number)):
        out["applicant_id_number"] = problem
    if "contact" in checked and "applicant_contact" not in out and (problem := phone_problem(applicant.contact)):
        out["applicant_contact"] = problem
    return out


def problem_message(field: str, code: str, lang: str, value: object = "") -> str:
    """The words for ``applicant_problems``' ``code`` at ``field``, in ``lang`` (zh or en); "invisible" names the
    character found in ``value``, the text that was judged."""
    if code == "invisible" and (found := invisible(str(value or "").strip())) is not None:
        return found.message(lang)
    key = "contact" if field == "applicant_contact" and code == "format" else code
    text = PROBLEM_MESSAGES[key].get(lang) or PROBLEM_MESSAGES[key]["zh"]
    return text.format(limit=FIELD_LIMITS[field.removeprefix("applicant_")])


@dataclass(frozen=True)
class Correction:
    """A step stating the case's applicant otherwise than its row: the row's applicant and the stated one."""

    before: Applicant
    after: Applicant

    def changed(self) -> dict[str, tuple[str, str]]:
        """Field → (before, after) for each field that differs."""
        old, new = self.before.columns(), self.after.columns()
        return {k: (old[k], new[k]) for k in APPLICANT_FIELDS if old[k] != new[k]}

    def problems(self) -> dict[str, str]:
        """``applicant_problems`` of what the correction changes (values the step left as they were are not judged
        again); the ID number is checked whenever its type or itself changes."""
        checked = {k.removeprefix("applicant_") for k in self.changed()}
        if checked & {"id_type", "id_number"}:
            checked.add("id_number")
        return applicant_problems(self.after, checked)

    def payload(self, task_id: str) -> dict[str, Any]:
        """The audit event's payload: the step and the changed fields before and after."""
        changed = self.changed()
        return {"task": task_id, "before": {k: v[0] for k, v in changed.items()},
                "after": {k: v[1] for k, v in changed.items()}}


def carries_applicant(values: Mapping[str, Any]) -> bool:
    """Whether a step's values name any applicant field (most steps do not, and then pay only this check)."""
    return not _FIELD_SET.isdisjoint(values)


def correction(before: Applicant, values: Mapping[str, Any], form: Form | None) -> Correction | None:
    """The correction a step's ``values`` (submitted with ``form``, if any) make to the case's applicant ``before``;
    None when they carry no applicant field or state the same applicant (a choice by value or title, an ID number
    with other spacing or letter case)."""
    stated = {k.removeprefix("applicant_"): _as_stored(k, values[k], getattr(before, k.removeprefix("applicant_")),
                                                       form)
              for k in APPLICANT_FIELDS if k in values}
    after = replace(before, **stated)
    return None if after == before else Correction(before, after)


def _as_stored(name: str, value: Any, stored: str, form: Form | None) -> str:
    # What the row would hold for ``value``; the stored text itself when both mean the same.
    text = normalise_id(str(value)) if name == "applicant_id_number" else str(value).strip()
    if name == "applicant_id_type" and form is not None:
        title = _choice_titles(form, name).get(text)
        if stored in (text, title):
            return stored
        return title or text
    return text


def _choice_titles(form: Form, name: str) -> dict[str, str]:
    # The schema as written (Chinese titles), never a localised copy: the row holds what registration holds.
    spec = form.schema.get("properties", {}).get(name, {})
    return {str(o["const"]): str(o["title"]) for o in spec.get("oneOf", []) if "const" in o and o.get("title")}


def applicant_of(row: Any) -> Applicant:
    """The applicant a case row (or anything with its applicant columns) holds."""
    return Applicant(*(getattr(row, name) for name in APPLICANT_FIELDS))
