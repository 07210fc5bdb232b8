"""A document's PDF: A4, the authority and the title centred, the number under them, the filled text below.

fpdf2 embeds only the glyphs a document uses (a few dozen kB of the 3.4 MB font), so every PDF prints the same
anywhere. The font is the committed GB 2312 subset of Noto Serif SC (``fonts/``, rebuilt by ``build_font.py``);
a character outside it prints as an empty box, which the log names (``missing_characters``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

from engine.documents.placeholders import Line

log = logging.getLogger("sunshine.documents")

FONT = Path(__file__).resolve().parent / "fonts" / "NotoSerifSC-Regular-GB2312.ttf"
FAMILY = "NotoSerifSC"
_covered: set[int] | None = None


def covered() -> set[int]:
    """The code points the shipped font draws."""
    global _covered
    if _covered is None:
        _covered = set(TTFont(str(FONT), lazy=True).getBestCmap())
    return _covered


def missing_characters(text: str) -> list[str]:
    """Characters of ``text`` the font cannot draw (besides line breaks), in order of first use."""
    have = covered()
    return list(dict.fromkeys(ch for ch in text if ch not in "\n\r\t" and ord(ch) not in have))


def render_pdf(*, authority: str, title: str, number: str, lines: Iterable[Line], issued_at: datetime,
               note: str | None = None) -> bytes:
    """The PDF of one document. ``note`` (a correction's citation) is printed under the number."""
    lines = list(lines)
    text = "\n".join([authority, title, number, note or "", *(line.text for line in lines)])
    if missing := missing_characters(text):
        log.warning("document %s: the font lacks %s", number, "".join(missing))
    pdf = FPDF(format="A4")
    # Fixed metadata: the same document renders to the same bytes only if nothing varies with the clock.
    pdf.set_creation_date(issued_at)
    pdf.set_creator("Sunshine")
    pdf.set_title(f"{title} {number}")
    pdf.set_margins(25, 25, 25)
    pdf.set_auto_page_break(True, margin=25)
    pdf.add_font(FAMILY, "", str(FONT))
    pdf.add_page()
    pdf.set_font(FAMILY, size=20)
    pdf.multi_cell(0, 11, authority, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=22)
    pdf.multi_cell(0, 13, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FAMILY, size=12)
    pdf.multi_cell(0, 8, number, align="C", new_x="LMARGIN", new_y="NEXT")
    if note:
        pdf.set_font(FAMILY, size=10)
        pdf.multi_cell(0, 6, note, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FAMILY, size=13)
    for line in lines:
        pdf.multi_cell(0, 8, line.text or " ", align=line.align,
                       new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
