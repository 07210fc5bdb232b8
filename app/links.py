"""The links every page carries (the menu, the stylesheet, the language switch), built once per process.

Flask builds each ``url_for`` afresh: a dozen links in the header of every page cost as much as a small page's own
work. A link that names no record is the same for every request under the same mount point, so it is remembered;
links to cases, steps and other records are built each time.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request

#: Arguments of links that name no record: a static file, a language.
CONSTANT = frozenset({"filename", "code"})
#: At most this many links are remembered (there are a few dozen such links).
LIMIT = 512


def install(app: Flask) -> None:
    """Templates build links through a ``url_for`` that remembers those that name no record."""
    build = app.url_for
    known: dict[tuple[Any, ...], str] = {}

    def url_for(endpoint: str, /, **values: Any) -> str:
        if endpoint[:1] == "." or not CONSTANT.issuperset(values) or not has_request_context():
            return build(endpoint, **values)
        key = (request.script_root, endpoint, *sorted(values.items()))
        found = known.get(key)
        if found is None:
            found = build(endpoint, **values)
            if len(known) < LIMIT:
                known[key] = found
        return found

    app.jinja_env.globals["url_for"] = url_for
