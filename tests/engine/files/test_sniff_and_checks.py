"""What a file is decides whether it is accepted, never its name; the name is checked before it is shown."""

from __future__ import annotations

import pytest

from engine.files.checks import checked_upload
from engine.files.errors import FileProblem
from engine.files.sniff import sniff
from tests.engine.files import samples

LIMIT = 1024 * 1024


@pytest.mark.parametrize(("data", "name", "mime"), [
    (samples.pdf(), "申请书.pdf", "application/pdf"),
    (samples.png(), "营业执照.PNG", "image/png"),
    (samples.jpeg(), "现场照片.jpg", "image/jpeg"),
    (samples.jpeg(), "现场照片.jpeg", "image/jpeg"),
    (samples.gif(), "a.gif", "image/gif"),
    (samples.webp(), "a.webp", "image/webp"),
    (samples.docx(), "制度目录.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (samples.xlsx(), "设备清单.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (samples.doc(), "旧申请书.doc", "application/msword"),
    (samples.xls(), "旧清单.xls", "application/vnd.ms-excel"),
])
def test_every_accepted_type_is_recognised_by_its_content(data, name, mime):
    upload = checked_upload(name, data, LIMIT)
    assert (upload.name, upload.type.mime, upload.size) == (name, mime, len(data))
    assert len(upload.sha256) == 64


@pytest.mark.parametrize(("data", "name", "code", "says"), [
    (samples.HTML, "营业执照.pdf", "file.type_unknown", "不是可接受的文件类型"),
    (samples.EXE, "photo.png", "file.type_unknown", "不是可接受的文件类型"),
    (samples.SVG, "logo.svg", "file.type_unknown", "不是可接受的文件类型"),
    (samples.plain_zip(), "材料.docx", "file.type_unknown", "不是可接受的文件类型"),
    (samples.png(), "营业执照.pdf", "file.type_mismatch", "内容是PNG 图片，扩展名应为 .png"),
    (samples.docx(), "清单.xlsx", "file.type_mismatch", "扩展名应为 .docx"),
    (samples.pdf(), "申请书", "file.name_no_extension", "没有扩展名"),
    (b"", "a.pdf", "file.empty", "未选择文件"),
    (samples.pdf(), "../../etc/passwd", "file.name_path", "路径符号"),
    (samples.pdf(), "..\\..\\a.pdf", "file.name_path", "路径符号"),
    (samples.pdf(), "a\\b.pdf", "file.name_path", "路径符号"),
    (samples.pdf(), "/etc/a.pdf", "file.name_path", "路径符号"),
    (samples.pdf(), "..", "file.name_path", "路径符号"),
    (samples.pdf(), "a\x00.pdf", "file.name_invisible", "U+0000"),
    (samples.pdf(), "a\u202egpj.pdf", "file.name_invisible", "U+202E"),
    (samples.pdf(), "a\nb.pdf", "file.name_invisible", "U+000A"),
    (samples.pdf(), "长" * 300 + ".pdf", "file.name_too_long", "文件名过长"),
    (samples.pdf(), "", "file.name_missing", "没有名称"),
])
def test_hostile_or_wrong_files_are_refused_with_a_message(data, name, code, says):
    with pytest.raises(FileProblem) as refused:
        checked_upload(name, data, LIMIT)
    assert refused.value.code == code
    assert says in refused.value.message("zh")
    assert refused.value.message("en") and "{" not in refused.value.message("en")


def test_a_file_over_the_limit_is_refused_naming_the_limit():
    with pytest.raises(FileProblem) as refused:
        checked_upload("扫描件.pdf", samples.pdf() + b"\x00" * 2048, 1024)
    assert refused.value.code == "file.too_large"
    assert refused.value.message("zh") == "文件「扫描件.pdf」超过大小上限 1 KB，请压缩或拆分后上传。"
    # Exactly the limit is accepted.
    data = samples.pdf()
    assert checked_upload("a.pdf", data, len(data)).size == len(data)


def test_only_pdf_and_images_may_be_previewed():
    assert sniff(samples.pdf()).preview and sniff(samples.png()).preview and sniff(samples.jpeg()).preview
    assert not sniff(samples.docx()).preview and not sniff(samples.xls()).preview


def test_a_broken_zip_or_an_ole_file_of_another_kind_is_no_known_type():
    assert sniff(b"PK\x03\x04" + b"\x00" * 100) is None
    assert sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600) is None
