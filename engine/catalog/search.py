"""Chinese full-text search over the published catalog, with plain SQL on any database.

Chinese has no spaces between words, so instead of a word index we keep each power's character bigrams (and
single characters, for one-character queries) with a weight per field: a hit in the name counts most.
``reindex`` is called on every publication; ``search`` returns power ids, best match first.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from engine.catalog.fields import CATEGORIES
from engine.store import Department, Power, PowerSearchTerm, PowerVersion

# Field → weight. Boilerplate (phones, rights channels) is left out: it would match every power alike.
WEIGHTS: dict[str, int] = {
    "name": 10,
    "code": 6,
    "category": 4,
    "department": 4,
    "implementing_body": 3,
    "legal_basis.law": 3,
    "materials": 2,
    "conditions": 2,
    "penalty_kinds": 2,
    "levy_standard": 1,
    "legal_basis.text": 1,
    "service_guide": 1,
    "procedure": 1,
    "faq": 1,
    "place": 1,
    "forms": 1,
}
# A result must contain at least this share of the query's grams, so one common gram ("许可") in a long
# query does not drag in the whole catalog.
MIN_COVERAGE = 0.6
_RUN = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Full-width to half-width, lower case: 「ＡＢＣ」 and 「abc」 index alike."""
    return unicodedata.normalize("NFKC", text).lower()


def runs(text: str) -> list[str]:
    """Runs of letters, digits and CJK characters; punctuation and spaces end a run (no bigram spans them)."""
    return _RUN.findall(normalise(text))


def bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


def grams_of(text: str) -> set[str]:
    """Every bigram and every single character of ``text``: what the index stores."""
    out: set[str] = set()
    for run in runs(text):
        out.update(run)
        out.update(bigrams(run))
    return out


def query_grams(query: str) -> set[str]:
    """Bigrams of each run of the query; a one-character run is looked up as itself."""
    out: set[str] = set()
    for run in runs(query):
        out.update(bigrams(run) if len(run) > 1 else [run])
    return out


def _texts(value: Any) -> Iterable[str]:
    """Every string inside a field value (lists of dicts for materials, FAQ, forms…)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)


def public_text(power: Power, version: PowerVersion, department: Department | None) -> dict[str, list[str]]:
    """The indexed text of one version, grouped by weight key."""
    f = version.fields or {}
    basis = f.get("legal_basis") or []
    by_key: dict[str, list[str]] = {
        "name": [f.get("name") or power.name],
        "code": [power.code],
        "category": [CATEGORIES.get(power.category, ("",))[0]],
        "department": [f.get("department") or (department.name if department else "")],
        "implementing_body": list(_texts(f.get("implementing_body"))),
        "legal_basis.law": [b.get("law", "") for b in basis if isinstance(b, dict)],
        "legal_basis.text": [str(b.get(k, "")) for b in basis if isinstance(b, dict) for k in ("article", "text")],
        # Material names and notes, not the copy counts.
        "materials": [str(m.get(k, "")) for m in f.get("materials") or [] if isinstance(m, dict)
                      for k in ("name", "note")],
        "forms": [str(m.get("name", "")) for m in f.get("forms") or [] if isinstance(m, dict)],
    }
    for key in ("conditions", "penalty_kinds", "levy_standard", "service_guide", "procedure", "faq", "place"):
        by_key[key] = list(_texts(f.get(key)))
    return by_key


def reindex(session: Session, power: Power, version: PowerVersion) -> None:
    """Replace the power's index rows; secret or non-published powers get none."""
    session.execute(delete(PowerSearchTerm).where(PowerSearchTerm.power_id == power.id))
    if power.secret or power.status != "published" or version.status != "published":
        return
    department = session.get(Department, power.department_id)
    # A gram's weight sums the weights of the fields it occurs in: the name dominates, and a term that runs
    # through conditions, materials and FAQ outranks one mentioned once in passing.
    weights: dict[str, int] = {}
    for key, texts in public_text(power, version, department).items():
        for gram in set().union(*(grams_of(t) for t in texts)) if texts else ():
            weights[gram] = weights.get(gram, 0) + WEIGHTS[key]
    if weights:
        session.execute(insert(PowerSearchTerm),
                        [{"power_id": power.id, "gram": g, "weight": w} for g, w in sorted(weights.items())])


def search(session: Session, query: str, limit: int = 50) -> list[int]:
    """Ids of published, non-secret powers matching ``query``, highest summed weight first."""
    grams = query_grams(query)
    if not grams:
        return []
    need = max(1, math.ceil(len(grams) * MIN_COVERAGE))
    score = func.sum(PowerSearchTerm.weight)
    hits = func.count(PowerSearchTerm.gram)
    rows = session.execute(
        select(PowerSearchTerm.power_id)
        .join(Power, Power.id == PowerSearchTerm.power_id)
        # The index already holds only public powers; checking again keeps a stale row from leaking one.
        .where(PowerSearchTerm.gram.in_(sorted(grams)), Power.status == "published", Power.secret.is_(False))
        .group_by(PowerSearchTerm.power_id, Power.code)
        .having(hits >= need)
        .order_by(score.desc(), hits.desc(), Power.code)
        .limit(limit)
    )
    return [r[0] for r in rows]
