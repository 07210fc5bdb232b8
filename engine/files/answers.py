"""Yes/no fields a file answers: a field marked ``"x-material": "营业执照"`` (engine/forms.py) is answered by whether
the case holds a file for that item of its material list, so the clerk uploads the proof instead of ticking a box.

The step page opens such a field with that answer (the clerk may still change it: an original seen at the window
and not scanned, say), and shows beside it what was uploaded.
"""

from __future__ import annotations

from typing import Any

from engine.files.listing import CaseFiles
from engine.forms import Form


def uploaded_counts(files: CaseFiles) -> dict[str, int]:
    """How many versions each item of the material list has on file (items without a file are absent)."""
    return {slot.title: len(slot.versions) for slot in files.materials if slot.versions}


def material_answers(form: Form, files: CaseFiles, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with each file-answered field not yet answered set from the case's files: "true" when the item has
    a file, "false" when a required item has none. An optional item without a file (授权委托书 when no one acts for
    the applicant) stays unanswered: it is not missing, and a 补正 notice must not ask for it."""
    counts = uploaded_counts(files)
    optional = {slot.title for slot in files.materials if slot.item is not None and not slot.item.required}
    answered = dict(values)
    for f in form.fields:
        if f.material and answered.get(f.name) in (None, ""):
            if counts.get(f.material):
                answered[f.name] = "true"
            elif f.material not in optional:
                answered[f.name] = "false"
    return answered
