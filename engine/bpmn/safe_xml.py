"""Parse untrusted XML safely: no entities, no DTD, no network, no DOCTYPE, bounded size.

Every failure becomes a located :class:`BpmnProblem` inside a :class:`BpmnError`; nothing else escapes.
"""

from __future__ import annotations

import os
import re

from lxml import etree

from engine.bpmn.problems import BpmnError, BpmnProblem, make_problem

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_BYTES_ENV = "SUNSHINE_MAX_BPMN_BYTES"

# A DOCTYPE may hide in UTF-16 too, so look for it in the encodings XML allows without a declaration.
_DOCTYPE_PATTERNS = tuple(
    re.compile(re.escape("<!DOCTYPE".encode(enc)), re.IGNORECASE)
    for enc in ("utf-8", "utf-16-le", "utf-16-be")
)
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def max_bytes_limit(override: int | None = None) -> int:
    """The size limit in bytes: the argument, else ``SUNSHINE_MAX_BPMN_BYTES``, else 5 MiB."""
    if override is not None:
        return override
    raw = os.environ.get(MAX_BYTES_ENV, "").strip()
    if raw:
        try:
            value = int(raw)
        except ValueError:
            return DEFAULT_MAX_BYTES
        if value > 0:
            return value
    return DEFAULT_MAX_BYTES


def _parser() -> etree.XMLParser:
    # A fresh parser per call: lxml parsers keep state and are not safe to share between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(
    data: bytes, filename: str, *, lang: str = "zh", max_bytes: int | None = None
) -> etree._ElementTree:
    """Parse ``data`` into an lxml tree or raise :class:`BpmnError` with plain-language problems."""
    problem = _precheck(data, lang, max_bytes_limit(max_bytes))
    if problem is not None:
        raise BpmnError([problem])
    try:
        root = etree.fromstring(data, parser=_parser(), base_url=None)
    except etree.XMLSyntaxError as exc:
        raise BpmnError([_syntax_problem(exc, data, lang)]) from None
    except (ValueError, etree.LxmlError) as exc:
        raise BpmnError([make_problem("xml.malformed", lang, detail=str(exc))]) from None
    tree = root.getroottree()
    if tree.docinfo.doctype:
        # Defence in depth: the byte scan above should already have caught it.
        raise BpmnError([make_problem("xml.doctype", lang, line=1)])
    return tree


def _precheck(data: bytes, lang: str, limit: int) -> BpmnProblem | None:
    if not isinstance(data, bytes | bytearray):
        return make_problem("xml.malformed", lang, detail=type(data).__name__)
    if len(data) > limit:
        return make_problem("xml.too_large", lang, size=len(data), limit=limit)
    if not data.strip():
        return make_problem("xml.empty", lang)
    utf16 = data.startswith(_BOMS[1:])
    if not utf16 and b"\x00" in data[:4096]:
        return make_problem("xml.binary", lang)
    for pattern in _DOCTYPE_PATTERNS:
        match = pattern.search(data)
        if match is not None:
            line = None if utf16 else data.count(b"\n", 0, match.start()) + 1
            return make_problem("xml.doctype", lang, line=line)
    return None


def _syntax_problem(exc: etree.XMLSyntaxError, data: bytes, lang: str) -> BpmnProblem:
    text = str(exc.msg or exc)
    lowered = text.lower()
    line = exc.lineno if exc.lineno and exc.lineno > 0 else None
    if "encoding" in lowered or "utf-8" in lowered or "utf-16" in lowered or "bytes: 0x" in lowered:
        return make_problem("xml.encoding", lang, line=line, detail=text)
    if "char 0x" in lowered or "invalid char" in lowered:
        return make_problem("xml.binary", lang, line=line)
    if "start tag expected" in lowered or "document is empty" in lowered:
        if not _looks_textual(data):
            return make_problem("xml.binary", lang)
        return make_problem("xml.not_xml", lang, line=line, detail=text)
    if "premature end" in lowered or "not found" in lowered and "endtag" in lowered:
        return make_problem("xml.truncated", lang, line=line, detail=text)
    return make_problem("xml.malformed", lang, line=line, detail=text)


def _looks_textual(data: bytes) -> bool:
    sample = data[:2048]
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls * 20 < len(sample)
