"""Reading numbers and JSON from a request without letting malformed input reach the engine as a 500.

A page that gets a malformed number answers 400 with the error page in the reader's language; a JSON endpoint
answers a JSON error with a code (``json_error``). Ids in URLs go through ``IdConverter`` (installed by
``bounded_ids``): an id no database column can hold is no such page (404), never an overflow in the driver.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, jsonify, request
from flask.blueprints import BlueprintSetupState
from werkzeug.routing import IntegerConverter

from app.i18n import gettext as _
from engine.plain_text import lone_surrogate

#: The largest id any table holds (a 32-bit INTEGER column on PostgreSQL; SQLite takes 64 bits, this is less).
MAX_ID = 2**31 - 1
#: How deeply a JSON body may nest: the modeler's requests nest a handful of levels.
MAX_JSON_DEPTH = 64


class IdConverter(IntegerConverter):
    """``<int:…>`` for database ids: ASCII digits only, 1 … ``MAX_ID``; anything else matches no route."""

    regex = r"[0-9]+"

    def __init__(self, map: Any, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def _install(state: BlueprintSetupState) -> None:
    state.app.url_map.converters["int"] = IdConverter


def bounded_ids(bp: Blueprint) -> None:
    """Make every ``<int:…>`` of the application an ``IdConverter``; call before the blueprint's routes.

    Whichever blueprint registers first installs it, before any of its rules is compiled; later ones find it.
    """
    bp.record_once(_install)


def int_arg(name: str, *, low: int = 1, high: int = MAX_ID, source: Mapping[str, str] | None = None) -> int | None:
    """The query argument ``name`` (or the field of ``source``, e.g. ``request.form``) as a whole number in
    ``low``…``high``; None when absent or blank.

    Anything else (``²``, ``1e3``, a number no column holds) is a 400: a link or form the platform made never
    carries it.
    """
    raw = (request.args if source is None else source).get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.lstrip("-").isdigit()) or len(raw) > 12:
        abort(400)
    value = int(raw)
    if not low <= value <= high:
        abort(400)
    return value


def is_id(value: Any) -> bool:
    """Whether a JSON value is a usable database id (a whole number in 1 … ``MAX_ID``, not a boolean)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


class BadJson(Exception):
    """A JSON body that cannot be used; ``reply()`` is the JSON error to send."""

    def __init__(self, code: str, status: int = 400) -> None:
        super().__init__(code)
        self.code, self.status = code, status

    def message(self) -> str:
        """The reason in the reader's language."""
        texts = {
            "json.too_large": _("请求内容过大。"),
            "json.malformed": _("请求内容不是有效的 JSON。"),
            "json.too_deep": _("请求内容嵌套层次过深（最多 %(depth)s 层）。", depth=MAX_JSON_DEPTH),
            "json.surrogate": _("请求内容含有无效字符（不成对的 UTF-16 代理项）。"),
            "json.not_object": _("请求内容应为 JSON 对象。"),
        }
        return texts[self.code]

    def reply(self) -> Any:
        return jsonify({"error": self.message(), "code": self.code}), self.status


def json_body(max_bytes: int) -> dict[str, Any]:
    """The request's JSON object, bounded in size and depth, with no lone surrogate in any key or text.

    Raises ``BadJson``; an absent or empty body is an empty object, as the modeler's endpoints always read it.
    """
    if (request.content_length or 0) > max_bytes:
        raise BadJson("json.too_large", 413)
    data = request.get_data(cache=False)
    if len(data) > max_bytes:
        raise BadJson("json.too_large", 413)
    if not data.strip():
        return {}
    try:
        body = json.loads(data)
    except RecursionError as exc:  # the C scanner gives up on deep nesting this way, cleanly
        raise BadJson("json.too_deep") from exc
    except ValueError as exc:  # includes undecodable bytes (UnicodeDecodeError)
        raise BadJson("json.malformed") from exc
    check_json_value(body)
    if not isinstance(body, dict):
        raise BadJson("json.not_object")
    return body


def check_json_value(value: Any) -> None:
    """Raise ``BadJson`` for a parsed JSON value nested beyond ``MAX_JSON_DEPTH`` or holding a lone surrogate."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if lone_surrogate(item):
                raise BadJson("json.surrogate")
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise BadJson("json.too_deep")
            if isinstance(item, dict):
                stack.extend((k, depth) for k in item)
                stack.extend((v, depth + 1) for v in item.values())
            else:
                stack.extend((v, depth + 1) for v in item)
