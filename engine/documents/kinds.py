"""The kinds of legal documents the platform issues, each with its number series (许 / 罚 …)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentKind:
    """``series`` goes into the number: 示范市监管 + 许 + 字〔2026〕第 15 号."""

    code: str
    title: str
    series: str
    #: The English name (the title is Chinese in every language: it is printed on the document).
    english: str
    #: Which cases it belongs to: "application" (licences and other applications), "penalty", or "any".
    cases: str = "any"


KINDS: dict[str, DocumentKind] = {k.code: k for k in (
    DocumentKind("acceptance", "受理通知书", "许受", "notice of acceptance", "application"),
    DocumentKind("supplement", "补正材料通知书", "许补", "notice to supplement materials", "application"),
    DocumentKind("non_acceptance", "不予受理通知书", "许不受", "notice of non-acceptance", "application"),
    DocumentKind("licence_grant", "准予行政许可决定书", "许", "decision granting the licence", "application"),
    DocumentKind("licence_refusal", "不予行政许可决定书", "许不", "decision refusing the licence", "application"),
    DocumentKind("penalty_notice", "行政处罚告知书", "罚告", "advance notice of an administrative penalty",
                 "penalty"),
    DocumentKind("penalty_decision", "行政处罚决定书", "罚", "decision on an administrative penalty", "penalty"),
    DocumentKind("delivery_receipt", "送达回证", "送", "proof of delivery"),
)}


def kind_of(code: str) -> DocumentKind | None:
    return KINDS.get(code)


def kinds_for(intake_kind: str) -> list[DocumentKind]:
    """The kinds offered for a case that began as ``intake_kind`` ("application" or "penalty": ``engine.access``)."""
    return [k for k in KINDS.values() if k.cases in ("any", intake_kind)]
