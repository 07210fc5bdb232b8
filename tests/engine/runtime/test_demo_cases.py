"""The demo's cases are registered the way a clerk would have to: every applicant passes the window's checks."""

from __future__ import annotations

from sqlalchemy import select

from engine.platform import build_runtime
from engine.runtime.cases import Applicant, registration_problems
from engine.store import Case, Power
from tests.settings import make_settings


def test_every_demo_applicant_passes_the_registration_checks(demo_db):
    rt = build_runtime(demo_db.sessions, make_settings(database_url=demo_db.url))
    with rt.reader() as s:
        # Applicants' cases: the platform's own review cases have a department, not an applicant, as party.
        cases = s.execute(select(Case).join(Power, Power.id == Case.power_id)
                          .where(Power.status == "published")).scalars().all()
    assert len(cases) == 5  # four in the city, one in the county (engine/supervision/demo_levels.py)
    for case in cases:
        applicant = Applicant(case.applicant_name, case.applicant_id_type, case.applicant_id_number,
                              case.applicant_contact)
        assert registration_problems(applicant, case.subject) == {}, (case.serial, case.applicant_id_number)
