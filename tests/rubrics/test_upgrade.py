"""Carry a draft over to a newer rubric version: kept ratings stay, merged and renamed ones move,
removed ones come back in full (and stay in the audit trail); only drafts, If-Match required."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.rubrics.flows import assessment, rate, rating
from tests.support import Api, make_token

ROOT = Path(__file__).resolve().parents[2] / "rubrics"
RID = "kuntaliitto-vitality"
PLACE = "cross-sector.residents.place-attachment"


def _upgrade(api: Api, a: dict[str, Any], to: str, etag: str | None = None) -> Any:
    return api.post(f"/api/v1/assessments/{a['id']}/rubric-upgrade", {"to_version": to}, etag or api.etag(a["id"]))


def _ratings(api: Api, a: dict[str, Any]) -> dict[tuple[str, str, int], dict[str, Any]]:
    rows = api.get(f"/api/v1/assessments/{a['id']}/ratings").json()
    return {(r["alternative"], r["criterion_id"], r["effect"]): r for r in rows}


@pytest.fixture
def old_draft(api: Api) -> dict[str, Any]:
    a = assessment(api, rubric_id=RID, rubric_version="1.0.0")
    rate(
        api,
        a["id"],
        [
            rating("policy.organisation.follow-up", "organisation", 2),
            rating("policy.organisation.strategy-fit", "organisation", 1),
            rating("cross-sector.residents.attractiveness", "residents", 1),
            rating("cross-sector.residents.culture-community", "residents", -1),
            rating(
                "logistics.residents.service-access",
                "residents",
                -2,
                evidence=["Tillgänglighetsanalys 2026"],
                affected_groups="Hushåll utan bil i byarna",
            ),
            rating("cross-sector.residents.culture-community", "residents", 0, alternative="zero"),
        ],
    )
    return a


def test_a_draft_moves_to_the_new_version(api: Api, old_draft: dict[str, Any]) -> None:
    a = old_draft
    before = api.etag(a["id"])
    r = _upgrade(api, a, "1.1.0", before)
    assert r.status_code == 200, r.text
    body = r.json()
    moved = body["assessment"]
    assert moved["rubric_version"] == "1.1.0" and moved["rubric_hash"] == body["report"]["current"]["content_hash"]
    assert r.headers["ETag"] == moved["etag"] != before
    report = body["report"]
    assert report["previous"]["version"] == "1.0.0" and report["current"]["version"] == "1.1.0"
    carried = {c["criterion_id"]: c["reworded"] for c in report["carried"]}
    assert carried == {"policy.organisation.follow-up": True, "policy.organisation.strategy-fit": False}
    renamed = sorted(
        (m["alternative"], m["old_criterion_id"], m["criterion_id"], m["effect"]) for m in report["renamed"]
    )
    assert renamed == [
        ("proposal", "cross-sector.residents.attractiveness", PLACE, 1),
        ("proposal", "cross-sector.residents.culture-community", PLACE, 2),
        ("zero", "cross-sector.residents.culture-community", PLACE, 1),
    ]
    assert all(m["fate"] == "merged" for m in report["renamed"])
    [removed] = report["removed"]
    assert removed["criterion_id"] == "logistics.residents.service-access" and removed["alternative"] == "proposal"
    assert removed["score"] == -2 and removed["mitigation"] == "Lindrande åtgärd"
    assert removed["evidence"] == ["Tillgänglighetsanalys 2026"]
    assert removed["affected_groups"] == "Hushåll utan bil i byarna"
    assert removed["question"]["sv"].startswith("Hur påverkar beslutet invånarnas tillgång till service")
    assert removed["reason"]["en"].startswith("The question overlapped") and removed["local"] is False
    assert removed["see"] == ["infrastructure.residents.accessibility", "rural-services.residents.access"]
    assert "policy.firms.renewal" in report["new_criteria"] and PLACE in report["new_criteria"]
    # the ratings themselves
    rows = _ratings(api, a)
    assert rows[("proposal", PLACE, 1)]["score"] == 1 and rows[("proposal", PLACE, 2)]["score"] == -1
    assert rows[("proposal", PLACE, 2)]["perspective_id"] == "cross-sector"
    assert ("zero", PLACE, 1) in rows
    assert not any(cid == "logistics.residents.service-access" for _, cid, _ in rows)
    assert len(rows) == 5
    # nothing lost: the removed rating is in the audit trail in full
    events = api.get(f"/api/v1/assessments/{a['id']}/history").json()
    event = next(e for e in events if e["action"] == "assessment.rubric_upgraded")
    assert event["before"]["rubric"]["version"] == "1.0.0"
    assert event["after"]["removed"][0]["rationale"] == removed["rationale"]
    # the draft goes on with the new version's criteria
    rate(api, a["id"], [rating("policy.firms.renewal", "firms", 1)])
    again = _upgrade(api, a, "1.1.0")
    assert again.status_code == 409 and "already uses" in again.json()["detail"]


def test_if_match_and_versions_are_checked(api: Api, old_draft: dict[str, Any]) -> None:
    a = old_draft
    url = f"/api/v1/assessments/{a['id']}/rubric-upgrade"
    assert api.post(url, {"to_version": "1.1.0"}).status_code == 428
    assert api.post(url, {"to_version": "1.1.0"}, '"v1"').status_code == 412
    unknown = _upgrade(api, a, "9.9.9")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "to_version"
    assert api.post(url, {"to_version": "latest"}, api.etag(a["id"])).status_code == 422
    assert api.post(url, {"to_version": "1.1.0", "x": 1}, api.etag(a["id"])).status_code == 422
    assert api.get(f"/api/v1/assessments/{a['id']}").json()["rubric_version"] == "1.0.0"
    newer = assessment(api, "KS 2026/8")
    older = _upgrade(api, newer, "1.0.0")
    assert older.status_code == 422 and "newer" in older.json()["detail"]
    read_only = Api(api.client, make_token("091", ("read",)))
    assert _upgrade(read_only, a, "1.1.0", api.etag(a["id"])).status_code == 403


def test_only_drafts_move(api: Api) -> None:
    a = assessment(api, rubric_id=RID, rubric_version="1.0.0")
    rate(api, a["id"], [rating("policy.organisation.strategy-fit", "organisation", 1)])
    assert api.post(f"/api/v1/assessments/{a['id']}/submit", {"comment": ""}, api.etag(a["id"])).status_code == 200
    r = _upgrade(api, a, "1.1.0")
    assert r.status_code == 409 and "only a draft" in r.json()["detail"]


def _registry_with_1_2_0(tmp_path: Path) -> Any:
    """1.2.0 renames one criterion and merges another into an existing one."""
    from app.rubrics.registry import load_registry

    root = tmp_path / "rubrics"
    shutil.copytree(ROOT, root)
    v2 = root / RID / "1.2.0"
    shutil.copytree(root / RID / "1.1.0", v2)
    (v2 / "rubric.yaml").write_text(
        (v2 / "rubric.yaml").read_text(encoding="utf-8").replace("version: 1.1.0", "version: 1.2.0"), encoding="utf-8"
    )
    mergers = v2 / "perspectives/mergers.yaml"
    text = mergers.read_text(encoding="utf-8").replace(
        "mergers.residents.periphery", "mergers.residents.outlying-areas"
    )
    start = text.index("  - id: mergers.residents.tax-fees\n")
    end = text.find("\n  - id: ", start + 1)
    mergers.write_text(text[:start] + (text[end + 1 :] if end != -1 else ""), encoding="utf-8")
    (v2 / "migration.yaml").write_text(
        "from_version: 1.1.0\n"
        "renamed:\n  mergers.residents.periphery: mergers.residents.outlying-areas\n"
        "merged:\n  mergers.residents.tax-fees: mergers.residents.service-network\n",
        encoding="utf-8",
    )
    return load_registry(root)


def test_two_steps_at_once_with_rename_and_merge_into_an_existing_criterion(tmp_path: Path, app: Any) -> None:
    from app.main import create_app

    with TestClient(create_app(_registry_with_1_2_0(tmp_path))) as client:
        api = Api(client, make_token("091"))
        a = assessment(api, rubric_id=RID, rubric_version="1.0.0")
        rate(
            api,
            a["id"],
            [
                rating("mergers.residents.periphery", "residents", -1),
                rating("mergers.residents.service-network", "residents", 1),
                rating("mergers.residents.service-network", "residents", 2, effect=2),
                rating("mergers.residents.tax-fees", "residents", -2),
                rating("cross-sector.residents.culture-community", "residents", 1),
            ],
        )
        r = _upgrade(api, a, "1.2.0")
        assert r.status_code == 200, r.text
        report = r.json()["report"]
        moves = {
            (m["old_criterion_id"], m["fate"], m["criterion_id"], m["old_effect"], m["effect"])
            for m in report["renamed"]
        }
        assert moves == {
            ("mergers.residents.periphery", "renamed", "mergers.residents.outlying-areas", 1, 1),
            ("mergers.residents.tax-fees", "merged", "mergers.residents.service-network", 1, 3),
            ("cross-sector.residents.culture-community", "merged", PLACE, 1, 1),
        }
        rows = _ratings(api, a)
        network = sorted(
            (e, r["score"]) for (_, cid, e), r in rows.items() if cid == "mergers.residents.service-network"
        )
        assert network == [(1, 1), (2, 2), (3, -2)]
