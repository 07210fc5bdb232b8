"""The legal grounds on which staff pause (暂停) a whole case, and how long each pause may last.

The time a hearing, an appraisal, testing, a public announcement or an expert review takes is not counted in a
licence's time limit (行政许可法 第四十五条; for penalties 行政处罚法 第六十条 and the rules on 案件中止).
Each ground has a maximum length in working days after which supervision rule P9 raises a red alert
(the pause is not stopped: the department must resume it or explain).
The defaults below can be changed per ground with the environment variable ``SUNSHINE_PAUSE_LIMITS``,
e.g. ``hearing=30,testing=60`` (0: no maximum).
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Ground:
    code: str
    zh: str
    en: str
    #: Working days after which the pause alerts (P9); 0 for none.
    max_workdays: int
    #: Whether the ground needs a written reason (the free "other" ground does; a named one may add details).
    needs_reason: bool = False

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


_DEFAULTS = (
    Ground("hearing", "听证", "Hearing", 20),
    Ground("appraisal", "鉴定", "Appraisal", 30),
    Ground("testing", "检验检测", "Inspection and testing", 30),
    Ground("announcement", "公告", "Public announcement", 20),
    Ground("expert_review", "专家评审", "Expert review", 20),
    Ground("site_check", "现场核查", "On-site verification", 10),
    Ground("other", "其他法定事由", "Another legal ground", 10, needs_reason=True),
)
VARIABLE = "SUNSHINE_PAUSE_LIMITS"


def _overrides(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in text.split(","):
        code, _, days = part.partition("=")
        if code.strip() and days.strip().isdigit():
            out[code.strip()] = int(days.strip())
    return out


def grounds() -> dict[str, Ground]:
    """Every ground by code, with the maximum lengths ``SUNSHINE_PAUSE_LIMITS`` sets."""
    limits = _overrides(os.environ.get(VARIABLE, ""))
    return {g.code: Ground(g.code, g.zh, g.en, limits.get(g.code, g.max_workdays), g.needs_reason)
            for g in _DEFAULTS}
