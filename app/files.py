"""Materials and evidence: upload, preview, download (thin over engine/files).

Uploads are ordinary forms (multipart, with the anti-forgery token) that answer with a redirect back to the case or
step page and a message; previews and downloads check who may see the case and are recorded in its audit stream
(``engine.files.records``).
"""

from __future__ import annotations

import functools
import io
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, g, redirect, request, send_file, url_for
from werkzeug.datastructures import FileStorage

from app import runtime, select_locale
from app.auth import login_required
from app.i18n import gettext as _
from app.inputs import bounded_ids
from app.uploads import limit_body, read_bounded
from engine.access import may_see_case
from engine.files.access import may_add_files_as
from engine.files.checks import Upload, checked_upload
from engine.files.errors import FileProblem
from engine.files.listing import CaseFiles, case_files
from engine.files.materials import MaterialItem, materials_of_powers
from engine.files.records import Target, add_file, open_file
from engine.files.sniff import BY_MIME, EXTENSIONS
from engine.files.storage import Storage, local_storage
from engine.runtime.errors import RuntimeProblem
from engine.store import Case, OpenTask, Power, StepRecord
from engine.store.files import EVIDENCE, MATERIAL

bp = Blueprint("files", __name__, url_prefix="/work")
bounded_ids(bp)

#: A preview is shown by the browser itself (its image or PDF viewer) in a sandbox: no script, no form, no plugin
#: of ours runs in it, and it reaches nothing (a file the checks let through that is more than it seems stays inert).
PREVIEW_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'"


@functools.cache
def _storage_at(path: str) -> Storage:
    return local_storage(Path(path))


def storage() -> Storage:
    """The configured file storage (``SUNSHINE_FILES_DIR``)."""
    return _storage_at(str(runtime().settings.files_dir))


def _max_file() -> int:
    return runtime().settings.max_file_bytes


def read_upload(part: FileStorage | None) -> Upload:
    """The posted file ``part`` checked (``FileProblem`` when refused); nothing is stored yet."""
    if part is None or not part.filename:
        raise FileProblem("file.empty")
    data = read_bounded(part.stream, _max_file())
    return checked_upload(part.filename, data, _max_file())


def _target(raw: str) -> Target | None:
    kind, _sep, name = raw.partition(":")
    if not name:
        return None
    return Target.of_material(name) if kind == MATERIAL else Target.of_step(name) if kind == EVIDENCE else None


@bp.route("/cases/<int:case_id>/files", methods=["POST"])
@login_required
@limit_body(_max_file, file=True)
def upload(case_id: int) -> Any:
    """Add one file to a case: an item of its material list or a step's evidence (``target``)."""
    rt = runtime()
    lang = select_locale()
    back_task = request.form.get("back_task", "")
    with rt.reader() as s:
        if not may_see_case(s, g.user, case_id):
            abort(404)
        back_open = bool(back_task) and s.get(OpenTask, back_task) is not None
    back = url_for("work.task", task_id=back_task) if back_open else url_for("work.case", case_id=case_id)
    target = _target(request.form.get("target", ""))
    if target is None:
        flash(_("请选择文件所属的申请材料或环节。"))
        return redirect(back + "#materials", 303)
    try:
        row = add_file(rt, storage(), g.user, case_id, target, read_upload(request.files.get("file")))
    except FileProblem as exc:
        if exc.code == "file.not_allowed":
            abort(403)
        flash(exc.message(lang))
    except RuntimeProblem as exc:
        flash(exc.message(lang))
    else:
        flash(_("已上传「%(name)s」（第 %(version)s 版）。", name=row.display_name, version=row.version))
    return redirect(back + "#materials", 303)


def _send(file_id: int, *, inline: bool) -> Any:
    try:
        opened = open_file(runtime(), storage(), g.user, file_id, how="preview" if inline else "download")
    except FileProblem as exc:
        if exc.code == "file.not_found":
            abort(404)
        flash(exc.message(select_locale()))
        return redirect(url_for("work.inbox"))
    row = opened.row
    kind = BY_MIME.get(row.content_type)
    inline = inline and kind is not None and kind.preview  # Office files are downloaded, never shown
    response = send_file(io.BytesIO(opened.data), mimetype=row.content_type, as_attachment=not inline,
                         download_name=row.display_name, conditional=False, etag=False, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    return response


@bp.route("/files/<int:file_id>/preview")
@login_required
def preview(file_id: int) -> Any:
    """The file shown by the browser (PDF and images); any other type is downloaded."""
    return _send(file_id, inline=True)


@bp.route("/files/<int:file_id>/download")
@login_required
def download(file_id: int) -> Any:
    return _send(file_id, inline=False)


# ---- what the case, step and registration pages show --------------------------------------------------------


def files_of(case: Case, history: list[StepRecord], open_steps: list[OpenTask]) -> tuple[CaseFiles, bool]:
    """The case's materials and evidence, and whether the signed-in user may add to them, from what the page has
    read already (its step records and open steps) and two reads more."""
    rt = runtime()
    with rt.reader() as s:
        return case_files(rt, s, case, history), may_add_files_as(g.user, case, open_steps)


def materials_of(powers: list[Power]) -> dict[int, list[MaterialItem]]:
    """The material list of each power offered at registration, in one read."""
    with runtime().reader() as s:
        return materials_of_powers(s, [p.id for p in powers])


def registration_uploads(power_id: int | None) -> tuple[list[tuple[str, Upload]], str | None]:
    """The materials posted with a registration for power ``power_id`` (inputs ``material-<power>-<n>``), checked;
    or the first refusal's message. Nothing is stored here."""
    if power_id is None:
        return [], None
    out: list[tuple[str, Upload]] = []
    with runtime().reader() as s:
        items = materials_of_powers(s, [power_id])[power_id]
    for index, item in enumerate(items):
        for part in request.files.getlist(f"material-{power_id}-{index}"):
            if not part.filename:
                continue
            try:
                out.append((item.name, read_upload(part)))
            except FileProblem as exc:
                return [], f"{item.name}：{exc.message(select_locale())}"
    return out, None


def attach_registration_materials(case_id: int, uploads: list[tuple[str, Upload]]) -> None:
    """Add the materials checked by ``registration_uploads`` to the new case."""
    for name, checked in uploads:
        try:
            add_file(runtime(), storage(), g.user, case_id, Target.of_material(name), checked)
        except RuntimeProblem as exc:
            flash(f"{name}：{exc.message(select_locale())}")


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"files_of": files_of, "materials_of": materials_of, "file_types": BY_MIME,
            "accepted_extensions": ",".join(EXTENSIONS), "max_file_bytes": _max_file}
