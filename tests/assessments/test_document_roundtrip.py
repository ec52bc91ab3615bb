"""The exchange document keeps approval dates, review comments and follow-ups through import/export."""

from __future__ import annotations

from pathlib import Path

from app.assessments.documents import export_document, import_document, read_document
from app.assessments.schemas import AssessmentDocument
from app.assessments.scoring import RatingInput, significant
from app.auth.actor import system_actor
from app.db.session import unit_of_work
from app.municipalities.service import get_or_create

EXAMPLES = Path(__file__).resolve().parents[2] / "assessments"


def _significant_key(doc: AssessmentDocument) -> tuple[str, str, int]:
    proposal = next(a for a in doc.alternatives if a.key == "proposal")
    for r in proposal.ratings:
        score = r.score if isinstance(r.score, int) else None
        if significant(RatingInput("proposal", "", r.criterion_id, r.target.value, score, r.effect, r.likelihood)):
            return r.criterion_id, r.target.value, r.effect
    raise AssertionError("the example has no significant rating")


def test_import_then_export_keeps_dates_comments_and_follow_ups(registry) -> None:
    path = next(p for p in sorted(EXAMPLES.glob("*.yaml")) if "\nstatus: approved" in p.read_text(encoding="utf-8"))
    data = read_document(path).model_dump(mode="json")
    data["approved_at"] = "2026-03-02T09:30:00+00:00"
    key = _significant_key(AssessmentDocument.model_validate(data))
    for alt in data["alternatives"]:
        for r in alt["ratings"]:
            if alt["key"] == "proposal" and (r["criterion_id"], r["target"], r["effect"]) == key:
                r["follow_up"] = {"outcome": "as_predicted", "note": "Uppföljt 2027"}
    doc = AssessmentDocument.model_validate(data)
    with unit_of_work() as session:
        m = get_or_create(session, doc.municipality)
        a = import_document(session, system_actor(m.id, m.code, "test"), registry, doc)
        out = export_document(session, a, m.code)
    assert out["approved_at"].startswith("2026-03-02T09:30:00")
    assert out["review"] == [c for c in data["review"] if c["comment"]]
    assert out["sources"] == data["sources"] and out["sources"]
    followed = [r for alt in out["alternatives"] for r in alt["ratings"] if r.get("follow_up")]
    assert [r["follow_up"] for r in followed] == [{"outcome": "as_predicted", "note": "Uppföljt 2027"}]


def test_an_option_keeps_its_key_from_the_document(registry) -> None:
    """An assessment whose option-1 was removed exports only option-2; importing that document keeps the
    key its ratings name (it was re-created as option-1, and its ratings then named no option)."""
    path = next(p for p in sorted(EXAMPLES.glob("*.yaml")) if "key: option-1" in p.read_text(encoding="utf-8"))
    data = read_document(path).model_dump(mode="json")
    for alt in data["alternatives"]:
        if alt["key"] == "option-1":
            alt["key"] = "option-2"
    doc = AssessmentDocument.model_validate(data)
    with unit_of_work() as session:
        m = get_or_create(session, doc.municipality)
        a = import_document(session, system_actor(m.id, m.code, "test"), registry, doc)
        out = export_document(session, a, m.code)
    keys = [alt["key"] for alt in out["alternatives"]]
    assert "option-2" in keys and "option-1" not in keys
    option = next(alt for alt in out["alternatives"] if alt["key"] == "option-2")
    source = next(alt for alt in data["alternatives"] if alt["key"] == "option-2")
    assert len(option["ratings"]) == len(source["ratings"]) > 0
