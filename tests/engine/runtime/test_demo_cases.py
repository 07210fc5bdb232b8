"""The demo's cases are registered the way a clerk would have to: every applicant passes the window's checks."""

from __future__ import annotations

from sqlalchemy import select

from engine.config import Settings
from engine.demo import load_demo
from engine.platform import build_runtime
from engine.runtime.cases import Applicant, registration_problems
from engine.store import Case, Power


def test_every_demo_applicant_passes_the_registration_checks(db):
    rt = build_runtime(db.sessions, Settings(database_url=db.url))
    load_demo(rt)
    with rt.reader() as s:
        # Applicants' cases: the platform's own review cases have a department, not an applicant, as party.
        cases = s.execute(select(Case).join(Power, Power.id == Case.power_id)
                          .where(Power.status == "published")).scalars().all()
    assert len(cases) == 4
    for case in cases:
        applicant = Applicant(case.applicant_name, case.applicant_id_type, case.applicant_id_number,
                              case.applicant_contact)
        assert registration_problems(applicant, case.subject) == {}, (case.serial, case.applicant_id_number)
