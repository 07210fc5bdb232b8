"""Rebuild the vendored Chinese font subset from node_modules (developers only; ``make run`` needs no Node.js).

    npm ci --ignore-scripts && .venv/bin/python -m engine.documents.build_font

Noto Serif SC (SIL Open Font License 1.1) comes from the pinned npm package ``@expo-google-fonts/noto-serif-sc``
(package.json). The full TrueType files are about 15 MB each; documents need the characters of GB 2312 (its
6,763 hanzi of levels 1 and 2 and its symbols, which hold the CJK punctuation such as 〔〕「」), ASCII, and the few
characters below that official documents use beyond it. The subset is committed under ``engine/documents/fonts/``.
fontTools comes with fpdf2.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from fontTools import subset

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "node_modules" / "@expo-google-fonts" / "noto-serif-sc"
FONTS = Path(__file__).resolve().parent / "fonts"
#: (file in the npm package, name of the committed subset)
#: One weight only (3.4 MB): titles are set larger rather than bold, which would double the size.
WEIGHTS = [("400Regular/NotoSerifSC_400Regular.ttf", "NotoSerifSC-Regular-GB2312.ttf")]
#: Beyond GB 2312: typographic and legal punctuation, and name characters common in registrations.
EXTRA = "〔〕【】〖〗﹝﹞·—–…‘’“”•‰℃№№×÷≤≥±￥€￡©®™喆堃玥珺琇昇昊晟赟镕淼焱犇垚鑫燚瑄璟曌囍叡"


def gb2312() -> str:
    """Every character GB 2312 encodes (symbol rows 1–9 and hanzi rows 16–87)."""
    chars = []
    for high in [*range(0xA1, 0xAA), *range(0xB0, 0xF8)]:
        for low in range(0xA1, 0xFF):
            try:
                chars.append(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def characters() -> str:
    ascii_printable = "".join(chr(c) for c in range(0x20, 0x7F))
    return "".join(sorted(set(ascii_printable + gb2312() + EXTRA + "\u3000")))


def build(source: Path, target: Path, text: str) -> None:
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False  # printed documents and PDF viewers need no TrueType hinting; it halves the size
    options.desubroutinize = True
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    subset.save_font(font, str(target), options)


def main() -> int:
    if not PACKAGE.is_dir():
        print(f"{PACKAGE} is missing: run `npm ci --ignore-scripts` first", file=sys.stderr)
        return 1
    FONTS.mkdir(exist_ok=True)
    text = characters()
    for source, name in WEIGHTS:
        build(PACKAGE / source, FONTS / name, text)
        print(f"{name}: {(FONTS / name).stat().st_size / 1e6:.1f} MB, {len(text)} characters")
    shutil.copy(PACKAGE / "LICENSE_FONT", FONTS / "OFL.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
