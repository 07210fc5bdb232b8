"""What an uploaded file is, judged by its content (magic numbers and, for Office files, their inner structure).

The name's extension and the browser's Content-Type are never believed: an HTML page named ``.pdf`` or a program
named ``.png`` is no known type and is refused. Only types that cannot carry script into a page of this site are
accepted (no HTML, no SVG); of them, PDF and the image types may be previewed in the browser.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FileType:
    """A type the platform accepts: its MIME type, names for people, the extensions its files may have, and
    whether a browser may show it inline."""

    key: str
    mime: str
    zh: str
    en: str
    extensions: tuple[str, ...]
    preview: bool

    def label(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


PDF = FileType("pdf", "application/pdf", "PDF 文档", "a PDF document", (".pdf",), True)
PNG = FileType("png", "image/png", "PNG 图片", "a PNG image", (".png",), True)
JPEG = FileType("jpeg", "image/jpeg", "JPEG 图片", "a JPEG image", (".jpg", ".jpeg"), True)
GIF = FileType("gif", "image/gif", "GIF 图片", "a GIF image", (".gif",), True)
WEBP = FileType("webp", "image/webp", "WebP 图片", "a WebP image", (".webp",), True)
DOCX = FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                "Word 文档（docx）", "a Word document (docx)", (".docx",), False)
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "Excel 表格（xlsx）", "an Excel workbook (xlsx)", (".xlsx",), False)
DOC = FileType("doc", "application/msword", "Word 97-2003 文档（doc）", "a Word 97-2003 document (doc)", (".doc",),
               False)
XLS = FileType("xls", "application/vnd.ms-excel", "Excel 97-2003 表格（xls）", "an Excel 97-2003 workbook (xls)",
               (".xls",), False)
TYPES: tuple[FileType, ...] = (PDF, PNG, JPEG, GIF, WEBP, DOCX, XLSX, DOC, XLS)
BY_KEY = {t.key: t for t in TYPES}
BY_MIME = {t.mime: t for t in TYPES}
#: What the upload fields accept (``<input accept=…>``), and how a refusal lists them.
EXTENSIONS = tuple(e for t in TYPES for e in t.extensions)
ACCEPTED_ZH = "PDF、图片（PNG、JPEG、GIF、WebP）、Word（doc、docx）、Excel（xls、xlsx）"
ACCEPTED_EN = "PDF, images (PNG, JPEG, GIF, WebP), Word (doc, docx) and Excel (xls, xlsx)"

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"


def sniff(data: bytes) -> FileType | None:
    """The accepted type ``data`` is, or None when it is none of them."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(_ZIP):
        return _office_open_xml(data)
    if data.startswith(_OLE):
        return _compound_document(data)
    return None


def _office_open_xml(data: bytes) -> FileType | None:
    """docx or xlsx by the parts the package must hold; any other zip (or a broken one) is none of ours.

    Only the archive's directory is read, never a member: a zip bomb costs nothing here.
    """
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def _compound_document(data: bytes) -> FileType | None:
    """A legacy Office file (OLE compound document) by the stream its directory names: Word's ``WordDocument``,
    Excel's ``Workbook`` (``Book`` before Excel 97). Directory entry names are UTF-16LE."""
    if "WordDocument".encode("utf-16-le") in data:
        return DOC
    if "Workbook".encode("utf-16-le") in data or "Book\x00".encode("utf-16-le") in data:
        return XLS
    return None
