"""The texts of the step forms (forms/*.json) that need an English translation in the gettext catalog.

A form is written in Chinese; each text a reader sees (``engine.forms.form_texts``, and the ``ui:help`` of its
ui schema: ``engine.forms.ui_texts``) is the msgid of its English msgstr in
app/translations/en/LC_MESSAGES/messages.po, as everywhere else in the UI.

    .venv/bin/python scripts/form_strings.py              # every text, with the forms that use it
    .venv/bin/python scripts/form_strings.py --missing    # only those without English (exit 1 if any)
    .venv/bin/python scripts/form_strings.py --add-to /tmp/messages.pot   # before `pybabel update`

``pybabel extract`` does not read the forms, so after a re-extraction add their texts to the template with
``--add-to`` before merging, or ``pybabel update`` would mark their translations obsolete.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.forms import form_texts, ui_texts  # noqa: E402  (the repository root is put on the path just above)

FORMS = ROOT / "forms"
CATALOG = ROOT / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def form_strings(directory: Path = FORMS) -> dict[str, list[str]]:
    """Every translatable text of the forms in ``directory`` → the form files that use it (file order)."""
    out: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.json")):
        texts = ui_texts if path.name.endswith(".uischema.json") else form_texts  # a ui schema's only text: ui:help
        for text in texts(json.loads(path.read_text(encoding="utf-8"))):
            out.setdefault(text, []).append(path.name)
    return out


def english(catalog: Path = CATALOG) -> dict[str, str]:
    """msgid → English msgstr of the catalog's current (not obsolete, not fuzzy) entries."""
    with catalog.open("rb") as fh:
        po = read_po(fh, locale="en")
    return {str(m.id): str(m.string) for m in po if m.id and isinstance(m.id, str) and m.string and not m.fuzzy}


def missing(directory: Path = FORMS, catalog: Path = CATALOG) -> dict[str, list[str]]:
    """The form texts without an English msgstr → the forms that use them."""
    known = english(catalog)
    return {text: files for text, files in form_strings(directory).items() if not known.get(text, "").strip()}


def add_to(pot: Path, directory: Path = FORMS) -> int:
    """Add the form texts to the message template ``pot`` (as ``pybabel extract`` wrote it); how many were new."""
    with pot.open("rb") as fh:
        template = read_po(fh)
    new = 0
    for text, files in form_strings(directory).items():
        new += text not in template
        template.add(text, locations=[(f"forms/{name}", None) for name in files])
    with pot.open("wb") as fh:
        write_po(fh, template)
    return new


def main(argv: list[str] | None = None) -> int:
    """Print the form texts (all, or ``--missing``), or add them to a template (``--add-to``)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--forms-dir", type=Path, default=FORMS)
    parser.add_argument("--catalog", type=Path, default=CATALOG)
    parser.add_argument("--missing", action="store_true", help="only texts without English; exit 1 if any")
    parser.add_argument("--add-to", type=Path, metavar="POT", help="add the texts to this message template")
    args = parser.parse_args(argv)
    if args.add_to:
        print(f"{add_to(args.add_to, args.forms_dir)} form texts added to {args.add_to}")
        return 0
    texts = missing(args.forms_dir, args.catalog) if args.missing else form_strings(args.forms_dir)
    for text, files in texts.items():
        print(f"{text}\t{', '.join(files)}")
    return 1 if args.missing and texts else 0


if __name__ == "__main__":
    sys.exit(main())
