"""How much of a request body the platform reads: a global ceiling, a small one for ordinary forms, and each
upload's own.

Werkzeug stops reading at ``request.max_content_length`` with a 413, whether the client declared the length, sent
the body in chunks or declared less than it sent; ``apply_body_limit`` sets that limit for each request before
anything reads the body, from the view's ``limit_body`` or, for every other view, ``FORM_BODY``. ``read_bounded``
reads a raw body in chunks up to one byte past a limit, so nothing is ever read whole on trust.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from contextlib import suppress
from typing import IO, Any, TypeVar

from flask import Flask, Request, Response, current_app, g, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser

#: Multipart boundaries, part headers and the CSRF token that travel with an uploaded file.
FORM_OVERHEAD = 64 * 1024
#: Every view without an upload reads at most this much. Werkzeug reads a urlencoded body whole and keeps it
#: several times over while decoding, so the global limit (sized for uploads) is far too much for a form; a long
#: catalog entry, whose Chinese text percent-encodes to nine bytes a character, stays well below it.
FORM_BODY = 4 * 1024 * 1024
#: One non-file field of a multipart form (Werkzeug's ``MAX_FORM_MEMORY_SIZE``), and how many parts it may have.
MAX_FORM_MEMORY = 1024 * 1024
MAX_FORM_PARTS = 1000
_CHUNK = 64 * 1024

View = TypeVar("View", bound=Callable[..., Any])


class _FormParser(FormDataParser):
    def _parse_urlencoded(self, stream: IO[bytes], mimetype: str, content_length: int | None,
                          options: dict[str, str]) -> Any:
        # Werkzeug reads a urlencoded body with read(), which stops quietly at the request's limit: a longer body
        # would be parsed cut short instead of refused. The limit is one byte past what is accepted
        # (apply_body_limit), so a body that reaches it is too large.
        data = stream.read()
        if self.max_content_length is not None and len(data) >= self.max_content_length:
            raise RequestEntityTooLarge()
        return super()._parse_urlencoded(io.BytesIO(data), mimetype, content_length, options)


class BoundedRequest(Request):
    """Flask's request, refusing a urlencoded form that passes the limit instead of reading part of it."""

    form_data_parser_class = _FormParser


def install(app: Flask, max_request_bytes: int) -> None:
    """Apply the global limit and the per-view limits to ``app``; call before any other ``before_request``."""
    app.request_class = BoundedRequest
    app.config.update(MAX_CONTENT_LENGTH=max_request_bytes, MAX_FORM_MEMORY_SIZE=MAX_FORM_MEMORY,
                      MAX_FORM_PARTS=MAX_FORM_PARTS)
    app.before_request(apply_body_limit)
    app.after_request(drain_unread_body)


def limit_body(accepted: Callable[[], int], *, file: bool = False) -> Callable[[View], View]:
    """Let the decorated view read a body of up to ``accepted()`` bytes (a function: limits may follow settings);
    with ``file``, a form whose file may have that many bytes.

    Put it under ``@bp.route`` and the access decorators, which keep it (``functools.wraps``).
    """

    def decorate(view: View) -> View:
        view.body_limit = (accepted, FORM_OVERHEAD if file else 0)  # type: ignore[attr-defined]
        return view

    return decorate


def apply_body_limit() -> None:
    """Set this request's reading limit from its view: the view's own, else ``FORM_BODY``, never above the global."""
    view = current_app.view_functions.get(request.endpoint or "")
    accepted, overhead = getattr(view, "body_limit", (lambda: FORM_BODY, 0))
    ceiling, size = current_app.config["MAX_CONTENT_LENGTH"], accepted()
    # One byte more than accepted, since Werkzeug refuses a chunked body as soon as it reaches its limit: a body of
    # exactly the accepted size must still be read whole.
    request.max_content_length = min(size + overhead, ceiling) + 1
    g.body_limit = min(size, ceiling)  # the limit the 413 page names


def drain_unread_body(response: Response) -> Response:
    """Read and drop what is left of a declared body within the global limit that the view did not read (an upload
    refused at its own limit, a form refused before it was parsed).

    nginx sends gunicorn the whole body it buffered; a worker that answered early and closed the connection on the
    rest would make nginx answer 502 instead of passing the answer on. Reading on costs little: the body is already
    in nginx, and never more than the global limit.
    """
    length = request.content_length
    if not length or length > current_app.config["MAX_CONTENT_LENGTH"]:
        return response
    try:
        left = length - request.stream.tell()  # Werkzeug's stream counts what was read through it
    except RequestEntityTooLarge:  # declared over the view's limit: refused before any of it was read
        left = length
    # Only the rest of this body: on a kept-alive connection (the development server) the next request follows it.
    stream = request.environ["wsgi.input"]
    with suppress(OSError):  # the client went away: nothing left to drain
        while left > 0:
            chunk = stream.read(min(_CHUNK, left))
            if not chunk:
                break
            left -= len(chunk)
    return response


def read_bounded(stream: IO[bytes], limit: int) -> bytes:
    """Read ``stream`` to its end or to ``limit + 1`` bytes, whichever comes first; more than ``limit`` is too much."""
    parts: list[bytes] = []
    left = limit + 1
    while left > 0:
        chunk = stream.read(min(_CHUNK, left))
        if not chunk:
            break
        parts.append(chunk)
        left -= len(chunk)
    return b"".join(parts)
