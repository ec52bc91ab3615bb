"""An approved version keeps the decision's details as approved (``assessment.decision_snapshot``).

The decision may be changed again once a new draft version of its assessment exists; the approved
(later superseded) version's PDF, its archival JSON and its web pages still show the decision as it
was approved, the new draft the decision as it is now. Migration 0013 fills the snapshot of the
approved and superseded assessments that existed before it, and keeps it across a downgrade.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.cli.seed import seed_examples
from app.db.migrate import downgrade, upgrade
from app.db.types import JSONType
from tests.api.test_review_flow import PERSPECTIVES, act
from tests.faults.support import fault_database
from tests.reports.factories import pdf_text
from tests.reports.pdfcheck import open_pdf
from tests.server import ROOT
from tests.support import Api, official_and_reviewer
from tests.web.support import Web

OLD = {
    "case_number": "KS 2026/77",
    "title": "Stickspår till Norra bangården",
    "summary": "Planen möjliggör ett stickspår till industriområdet.",
    "deciding_body": "Tekniska nämnden",
    "planned_date": "2026-03-16",
}
NEW = {
    "case_number": "KS 2026/78",
    "title": "Godsterminal vid Södra hamnen",
    "summary": "Terminalen flyttas till hamnen i stället.",
    "deciding_body": "Stadsstyrelsen",
    "planned_date": "2027-01-25",
}
OLD_TEXTS = (OLD["case_number"], OLD["title"], OLD["summary"], OLD["deciding_body"], "16 mars 2026")
OLD_ONLY = (OLD["case_number"], OLD["deciding_body"], "16 mars 2026")
"""What of the old details only the decision shows (the proposal alternative was named after it)."""
NEW_TEXTS = (NEW["case_number"], NEW["title"], NEW["summary"], NEW["deciding_body"], "25 januari 2027")


@pytest.fixture
def people(client: Any) -> dict[str, Api]:
    return official_and_reviewer(client)


def approved_assessment(official: Api, reviewer: Api) -> dict[str, Any]:
    decision = official.create_decision(**OLD)
    r = official.post(f"/api/v1/decisions/{decision['id']}/assessments", {})
    assert r.status_code == 201, r.text
    a = dict(r.json())
    items = [
        {"perspective_id": p, "relevant": p == "policy", "reason": "" if p == "policy" else "Berör inte"}
        for p in PERSPECTIVES
    ]
    r = official.put(f"/api/v1/assessments/{a['id']}/screening", {"items": items}, official.etag(a["id"]))
    assert r.status_code == 200, r.text
    rating = {"criterion_id": "policy.firms.business-climate", "target": "firms", "score": 2, "rationale": "Mark"}
    assert official.put_ratings(a["id"], [rating]).status_code == 200
    assert act(official, a, "submit").status_code == 200
    r = act(reviewer, a, "approve")
    assert r.status_code == 200, r.text
    return a


def pdf(api: Api, assessment_id: str, variant: str = "ua") -> bytes:
    r = api.get(f"/api/v1/assessments/{assessment_id}/report", params={"lang": "sv", "variant": variant})
    assert r.status_code == 200, r.text
    return bytes(r.content)


def embedded_decision(data: bytes) -> dict[str, Any]:
    with open_pdf(data) as doc:
        embedded: dict[str, Any] = json.loads(doc.attachments["livskraft-assessment.json"].get_file().read_bytes())
    return dict(embedded["decision"])


def shows(content: str, texts: tuple[str, ...]) -> list[str]:
    """Which of ``texts`` are missing from ``content``."""
    return [t for t in texts if t not in content]


def test_an_approved_version_keeps_the_decision_as_approved(people: dict[str, Api], app: Any) -> None:
    official, reviewer = people["official"], people["reviewer"]
    v1 = approved_assessment(official, reviewer)
    before = pdf(official, v1["id"])  # rendered and cached before the decision changes
    assert shows(pdf_text(before), OLD_TEXTS) == []

    r = official.post(f"/api/v1/assessments/{v1['id']}/versions")
    assert r.status_code == 201, r.text
    v2 = r.json()
    decision = official.get(f"/api/v1/decisions/{v1['decision_id']}")
    r = official.patch(f"/api/v1/decisions/{v1['decision_id']}", NEW, decision.headers["ETag"])
    assert r.status_code == 200, r.text

    # the approved version: the decision as approved; the new draft: the decision as it is now
    old_text, new_text = pdf_text(pdf(official, v1["id"])), pdf_text(pdf(official, v2["id"]))
    assert shows(old_text, OLD_TEXTS) == [] and shows(old_text, NEW_TEXTS) == list(NEW_TEXTS)
    # (the draft's proposal alternative keeps the title and description it was given: the decision's then)
    assert shows(new_text, NEW_TEXTS) == [] and shows(new_text, OLD_ONLY) == list(OLD_ONLY)

    # the new version approved: the first is superseded and still shows what was approved with it
    assert act(official, v2, "submit").status_code == 200
    assert act(reviewer, v2, "approve").status_code == 200
    assert official.get(f"/api/v1/assessments/{v1['id']}").json()["status"] == "superseded"
    old_text, new_text = pdf_text(pdf(official, v1["id"])), pdf_text(pdf(official, v2["id"]))
    assert shows(old_text, OLD_TEXTS) == [] and shows(old_text, NEW_TEXTS) == list(NEW_TEXTS)
    assert shows(new_text, NEW_TEXTS) == [] and shows(new_text, OLD_ONLY) == list(OLD_ONLY)

    # the archival variant's JSON carries the same details as its pages
    old_json = embedded_decision(pdf(official, v1["id"], "a3"))
    new_json = embedded_decision(pdf(official, v2["id"], "a3"))
    assert {k: old_json[k] for k in OLD} == OLD
    assert {k: new_json[k] for k in NEW} == NEW

    # the web summary page of each version shows the same decision as its PDF
    web = Web.signed_in(app, "vera@hel.fi", "official", "091")
    old_page, new_page = web.get(f"/assessments/{v1['id']}/summary"), web.get(f"/assessments/{v2['id']}/summary")
    assert old_page.status_code == 200 and new_page.status_code == 200
    for page, shown, other in ((old_page, OLD, NEW), (new_page, NEW, OLD)):
        for field in ("case_number", "deciding_body"):
            assert shown[field] in page.text and other[field] not in page.text, field
        assert f'<span class="caption">{shown["title"]}</span>' in page.text


ASSESSMENT = sa.table(
    "assessment",
    sa.column("id", sa.Uuid()),
    sa.column("decision_id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("decision_snapshot", JSONType),
)
DECISION = sa.table(
    "decision",
    *(sa.column(name, sa.String()) for name in ("case_number", "title", "summary", "deciding_body")),
    sa.column("id", sa.Uuid()),
    sa.column("planned_date", sa.Date()),
    sa.column("version", sa.Integer()),
)


def _snapshots(engine: Any) -> dict[uuid.UUID, tuple[str, Any, dict[str, Any]]]:
    """Per assessment id: (status, decision_snapshot, the decision's details now)."""
    a, d = ASSESSMENT.c, DECISION.c
    query = sa.select(
        a.id,
        a.status,
        a.decision_snapshot,
        d.case_number,
        d.title,
        d.summary,
        d.deciding_body,
        d.planned_date,
        d.version,
    ).select_from(ASSESSMENT.join(DECISION, d.id == a.decision_id))
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    engine.dispose()
    return {
        r.id: (
            r.status,
            r.decision_snapshot,
            {
                "case_number": r.case_number,
                "title": r.title,
                "summary": r.summary,
                "deciding_body": r.deciding_body,
                "planned_date": r.planned_date.isoformat() if r.planned_date else None,
                "version": r.version,
            },
        )
        for r in rows
    }


def test_migration_0013_fills_the_approved_and_keeps_them_across_a_downgrade(tmp_path: Path) -> None:
    with fault_database(tmp_path) as db:
        loaded, _ = seed_examples(ROOT / "assessments")
        assert loaded >= 8
        downgrade("0012")
        engine = db.engine()
        with engine.begin() as conn:  # a database that was at 0012 before 0013 existed: no stash
            conn.execute(sa.text("DROP TABLE downgrade_stash_decision_snapshot"))
        engine.dispose()
        upgrade("head")
        rows = _snapshots(db.engine())
        statuses = {status for status, _, _ in rows.values()}
        assert "approved" in statuses and statuses - {"approved", "superseded"}, statuses
        for status, snap, now in rows.values():
            if status in ("approved", "superseded"):
                assert snap == now
            else:
                assert snap is None

        # a snapshot that differs from the decision now survives a downgrade and the upgrade's backfill
        approved_id = next(aid for aid, (status, _, _) in rows.items() if status == "approved")
        kept = {**rows[approved_id][2], "title": "Som det godkändes"}
        engine = db.engine()
        with engine.begin() as conn:
            conn.execute(sa.update(ASSESSMENT).where(ASSESSMENT.c.id == approved_id).values(decision_snapshot=kept))
        engine.dispose()
        downgrade("0012")
        upgrade("head")
        after = _snapshots(db.engine())
        assert after[approved_id][1] == kept
        assert {k: v for k, v in after.items() if k != approved_id} == {
            k: v for k, v in rows.items() if k != approved_id
        }


def test_an_imported_approved_assessment_keeps_its_decision_as_approved(tmp_path: Path) -> None:
    """The examples (and any imported document) are approved without a live review: they keep the
    snapshot all the same, so their PDFs do not follow a later change of the decision."""
    with fault_database(tmp_path) as db:
        seed_examples(ROOT / "assessments")
        rows = _snapshots(db.engine())
        approved = [(snap, now) for status, snap, now in rows.values() if status == "approved"]
        assert approved
        assert all(snap == now for snap, now in approved)
