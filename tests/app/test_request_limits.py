"""Request bodies are read only up to their limit: an upload over it is a 413 in the reader's language, and the
worker neither reads nor holds much more than the limit, whether the client declared the size, sent the body in
chunks without declaring it, or declared less than it sent.

Bodies are made as the application reads them (``Body``), so the test itself never holds one; ``read`` says how
much the application took, and tracemalloc's peak how much memory the request needed.
"""

from __future__ import annotations

import io
import re
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import Flask, Request
from flask.testing import FlaskClient
from werkzeug.test import EnvironBuilder

from app import create_app, uploads
from engine.catalog import importer
from engine.config import Settings, SettingsError
from engine.store import CatalogChange
from tests.app.conftest import new_change, sign_in
from tests.settings import make_settings

MiB = 1024 * 1024
#: What the test streams at an upload: far beyond every limit, so "near the limit" and "the whole body" differ.
BODY = 64 * MiB
FLOWCHART_LIMIT = 1 * MiB
BOUNDARY = "sunshine-test-boundary"


class Body(io.RawIOBase):
    """A request body made as it is read: ``head``, ``size`` filler bytes, then ``tail``."""

    def __init__(self, head: bytes, size: int, tail: bytes = b"") -> None:
        self.parts = [memoryview(head), None, memoryview(tail)]
        self.filler_left = size
        self.filler = memoryview(b"a" * 65536)
        self.taken = 0  # bytes the application has read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        view = memoryview(buffer).cast("B")
        while self.parts:
            part = self.parts[0]
            if part is None:
                if self.filler_left == 0:
                    self.parts.pop(0)
                    continue
                n = min(len(view), self.filler_left, len(self.filler))
                view[:n] = self.filler[:n]
                self.filler_left -= n
            else:
                if not len(part):
                    self.parts.pop(0)
                    continue
                n = min(len(view), len(part))
                view[:n] = part[:n]
                self.parts[0] = part[n:]
            self.taken += n
            return n
        return 0

    @property
    def total(self) -> int:
        """The whole body's length (what an honest Content-Length says)."""
        return sum(len(p) for p in self.parts if p is not None) + self.filler_left + self.taken


@dataclass
class Sent:
    """How a test request went: the response, how much of the body was read, the memory peak it caused."""

    status: int
    text: str
    json: object
    read: int
    peak: int


# How the client tells the length: honestly, not at all (chunked, as gunicorn hands it to the application, which
# it marks wsgi.input_terminated), or less than it sends (to a server that, like gunicorn, terminates the input).
HOW = ["declared", "chunked", "understated"]


def send(client: FlaskClient, path: str, body: Body, content_type: str, how: str,
         headers: dict[str, str] | None = None) -> Sent:
    """POST ``body`` to ``path`` through the test client the way ``how`` says, measuring what it costs."""
    environ = EnvironBuilder(path=path, method="POST", headers=headers or {}).get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ.update({"wsgi.input": body, "CONTENT_TYPE": content_type})
    if how == "declared":
        environ["CONTENT_LENGTH"] = str(body.total)
    elif how == "chunked":
        environ.update({"HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input_terminated": True})
    else:
        environ.update({"CONTENT_LENGTH": "1000", "wsgi.input_terminated": True})
    with _peak() as peak:
        resp = client.open(Request(environ))
        text = resp.get_data(as_text=True)
    return Sent(resp.status_code, text, resp.get_json(silent=True), body.taken, peak[0])


@contextmanager
def _peak() -> Iterator[list[int]]:
    """The most memory Python held at once inside the block, above what it held before."""
    out = [0]
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        yield out
        out[0] = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def multipart(fields: dict[str, str], filename: str, size: int) -> tuple[Body, str]:
    """A form upload of a ``size``-byte file after ``fields``, and its Content-Type."""
    head = b"".join(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields.items())
    head += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
             "Content-Type: application/octet-stream\r\n\r\n").encode()
    return Body(head, size, f"\r\n--{BOUNDARY}--\r\n".encode()), f"multipart/form-data; boundary={BOUNDARY}"


def _stored_internal(app: Flask, change_url: str) -> str | None:
    with app.extensions["sunshine"].sessions() as s:
        return s.get(CatalogChange, int(change_url.rsplit("/", 1)[1])).internal_bpmn


def _near(limit: int) -> int:
    """How far past a limit reading and memory may go: Werkzeug's read buffers and the request's own objects."""
    return limit + 2 * MiB


@pytest.fixture
def small_flowcharts(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("SUNSHINE_MAX_BPMN_BYTES", str(FLOWCHART_LIMIT))
    return FLOWCHART_LIMIT


@pytest.mark.parametrize("how", HOW)
def test_a_flowchart_upload_stops_reading_at_the_flowchart_limit(app, small_flowcharts, how):
    drafter, token, change_url = new_change(app)
    body, content_type = multipart({"csrf": token}, "huge.bpmn", BODY)
    sent = send(drafter, f"{change_url}/upload/internal", body, content_type, how)
    assert sent.status == 413
    assert "提交的内容过大" in sent.text and "1.0 MiB" in sent.text
    assert sent.read <= _near(small_flowcharts), sent.read
    assert sent.peak <= _near(small_flowcharts), sent.peak
    assert _stored_internal(app, change_url) is None


def test_a_flowchart_declared_too_large_is_refused_before_any_of_it_is_read(app, small_flowcharts):
    drafter, token, change_url = new_change(app)
    body, content_type = multipart({"csrf": token}, "huge.bpmn", BODY)
    sent = send(drafter, f"{change_url}/upload/internal", body, content_type, "declared",
                headers={"Accept-Language": "en"})
    assert sent.status == 413 and sent.read == 0
    assert "too large" in sent.text and "1.0 MiB" in sent.text  # the reader's language


def test_a_flowchart_file_just_over_its_limit_is_named_too_large_and_one_at_the_limit_is_read(app,
                                                                                               small_flowcharts):
    drafter, token, change_url = new_change(app)
    over, content_type = multipart({"csrf": token}, "over.bpmn", small_flowcharts + 1)
    sent = send(drafter, f"{change_url}/upload/internal", over, content_type, "chunked")
    assert sent.status == 422 and "文件太大" in sent.text  # the checker's own located message
    at, content_type = multipart({"csrf": token}, "at.bpmn", small_flowcharts)
    sent = send(drafter, f"{change_url}/upload/internal", at, content_type, "chunked")
    assert sent.status == 422 and "文件太大" not in sent.text  # read whole: filler is no XML, but not too large
    assert _stored_internal(app, change_url) is None


def test_a_refused_upload_within_the_global_limit_is_read_to_its_end_and_dropped(app, small_flowcharts):
    # nginx has the whole body and sends it all: a worker that closed the connection on the rest would turn this
    # 413 into nginx's 502. The rest is read and dropped, not kept.
    drafter, token, change_url = new_change(app)
    body, content_type = multipart({"csrf": token}, "big.bpmn", 8 * MiB)
    sent = send(drafter, f"{change_url}/upload/internal", body, content_type, "declared")
    assert sent.status == 413 and sent.read == body.total
    assert sent.peak <= _near(0)


def test_nothing_past_a_declared_body_is_read(app):
    # On a kept-alive connection the next request follows the body: reading past it would wait for the client.
    client = app.test_client()
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
    form = f"csrf={token}&username=shouli&password=x".encode()
    body = Body(form, 0, b"GET /next HTTP/1.1\r\nHost: localhost\r\n\r\n")
    environ = EnvironBuilder(path="/login", method="POST").get_environ()
    environ.update({"wsgi.input": body, "CONTENT_TYPE": "application/x-www-form-urlencoded",
                    "CONTENT_LENGTH": str(len(form))})
    assert client.open(Request(environ)).status_code == 401
    assert body.taken == len(form)


@pytest.mark.parametrize("how", HOW)
def test_the_modeler_save_stops_reading_at_the_flowchart_limit(app, small_flowcharts, how):
    drafter, token, change_url = new_change(app)
    body = Body(b'<?xml version="1.0" encoding="UTF-8"?>', BODY)
    sent = send(drafter, f"{change_url}/flowchart/internal/xml", body, "application/xml", how,
                headers={"X-CSRF-Token": token})
    assert sent.read <= _near(small_flowcharts), sent.read
    assert sent.peak <= _near(small_flowcharts), sent.peak
    assert sent.status == 413
    assert sent.json["code"] == "xml.too_large" and str(small_flowcharts) in sent.json["error"]
    assert _stored_internal(app, change_url) is None


@pytest.mark.parametrize("how", ["chunked", "understated"])
def test_the_modeler_json_endpoints_stop_reading_at_their_limit(app, how):
    drafter, token, change_url = new_change(app)
    body = Body(b'{"xml": "', BODY, b'"}')
    sent = send(drafter, "/catalog/lint", body, "application/json", how, headers={"X-CSRF-Token": token})
    assert sent.status == 413 and sent.json["code"] == "json.too_large"
    assert sent.read <= _near(3 * MiB) and sent.peak <= _near(3 * MiB) * 2  # json_body's bytes, then its text


@pytest.mark.parametrize("how", ["declared", "chunked"])
def test_a_catalog_import_stops_reading_at_the_import_limit(app, how):
    client = app.test_client()
    token = sign_in(client, "fazhiban")
    body, content_type = multipart({"csrf": token}, "catalog.xlsx", BODY)
    sent = send(client, "/catalog/io/import", body, content_type, how)
    assert sent.status == 413 and "提交的内容过大" in sent.text and "20.0 MiB" in sent.text
    assert sent.read <= _near(importer.MAX_BYTES)
    assert sent.peak <= 4 * MiB  # the part that was read went to a temporary file, not memory


def test_every_request_stops_at_the_global_limit(demo_db):
    app = create_app(make_settings(database_url=demo_db.url, max_request_bytes=2 * MiB))
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * MiB
    body, content_type = multipart({"username": "shouli"}, "x", BODY)
    sent = send(app.test_client(), "/login", body, content_type, "chunked")
    assert sent.status == 413 and sent.read <= _near(2 * MiB) and sent.peak <= _near(2 * MiB)
    # An upload's own limit never lifts the global one.
    drafter, token, change_url = new_change(app)
    body, content_type = multipart({"csrf": token}, "big.bpmn", 3 * MiB)
    sent = send(drafter, f"{change_url}/upload/internal", body, content_type, "chunked")
    assert sent.status == 413 and sent.read <= _near(2 * MiB)


def test_an_ordinary_form_is_read_only_up_to_the_form_limits(app):
    client = app.test_client()
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").get_data(as_text=True))[1]
    # Werkzeug reads a urlencoded body whole: a view without an upload reads at most FORM_BODY of it.
    body = Body(f"csrf={token}&username=".encode(), uploads.FORM_BODY)
    sent = send(client, "/login", body, "application/x-www-form-urlencoded", "chunked")
    assert sent.status == 413 and sent.read <= _near(uploads.FORM_BODY)
    assert "提交的内容过大（上限 4.0 MiB）" in sent.text
    # A multipart field is held in memory, so each is bounded; and so is the number of parts.
    resp = client.post("/login", data={"csrf": token, "username": "x" * (uploads.MAX_FORM_MEMORY + 1)},
                       content_type="multipart/form-data")
    assert resp.status_code == 413
    resp = client.post("/login", data={"csrf": token, **{f"f{i}": "x" for i in range(uploads.MAX_FORM_PARTS)}},
                       content_type="multipart/form-data")
    assert resp.status_code == 413
    # What a real sign-in sends is far below all of them.
    assert client.post("/login", data={"csrf": token, "username": "shouli", "password": "x"}).status_code == 401


@pytest.mark.parametrize("raw", ["0", "-1", "2.5", "lots", str(4 * 1024**3)])
def test_a_request_limit_that_cannot_work_stops_start_up(raw):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"SUNSHINE_MAX_REQUEST_BYTES": raw})
    assert err.value.problems[0].startswith(f"SUNSHINE_MAX_REQUEST_BYTES={raw}：")


def test_the_default_request_limit_admits_the_largest_legitimate_upload():
    settings = Settings()
    assert settings.max_request_bytes >= importer.MAX_BYTES + uploads.FORM_OVERHEAD
    assert Settings.from_env({"SUNSHINE_MAX_REQUEST_BYTES": "1048576"}).max_request_bytes == MiB
