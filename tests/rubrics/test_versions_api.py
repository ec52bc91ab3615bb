"""Versions through the API: list them, read one in a language, and an assessment pinned to an older
version keeps its text after a newer version appears."""

from __future__ import annotations

from tests.rubrics.flows import assessment, rate, rating
from tests.support import Api

RID = "kuntaliitto-vitality"
OLD_FOLLOW_UP_EN = "Are there measurable goals, clear responsibility and a plan to follow up"
NEW_FOLLOW_UP_EN = "Does the decision have measurable result and process goals"


def test_versions_are_listed_oldest_first_with_the_latest_marked(api: Api) -> None:
    r = api.get(f"/api/v1/rubrics/{RID}/versions")
    assert r.status_code == 200
    versions = r.json()
    assert [v["version"] for v in versions][:2] == ["1.0.0", "1.1.0"]
    assert [v["latest"] for v in versions].count(True) == 1 and versions[-1]["latest"]
    assert versions[0]["criteria"] == 111 and versions[1]["criteria"] == 110
    assert versions[1]["migrates_from"] == "1.0.0" and versions[0]["migrates_from"] is None
    assert all(len(v["content_hash"]) == 64 for v in versions)
    assert api.get("/api/v1/rubrics").json() == versions
    assert api.get("/api/v1/rubrics/no-such-rubric/versions").status_code == 404


def test_one_version_in_one_language(api: Api) -> None:
    url = f"/api/v1/rubrics/{RID}/versions/1.0.0"
    sv = api.get(url)
    assert sv.status_code == 200
    assert sv.headers["content-language"] == "sv" and "Accept-Language" in sv.headers["vary"]
    body = sv.json()
    assert body["lang"] == "sv" and body["version"] == "1.0.0"
    policy = body["perspectives"][0]
    assert policy["title"] == "Livskraftspolitikens dimensioner och organiseringen av näringspolitiken"
    assert isinstance(policy["criteria"][0]["question"], str) and policy["criteria"][0]["local"] is False
    assert [s["value"] for s in body["scale"]["scores"]] == [-3, -2, -1, 0, 1, 2, 3]
    fi = api.get(url, headers={"Accept-Language": "en;q=0.5, fi-FI, sv;q=0.8"}).json()
    assert fi["lang"] == "fi" and fi["perspectives"][0]["title"].startswith("Elinvoimapolitiikan")
    en = api.get(url, params={"lang": "en"}, headers={"Accept-Language": "fi"}).json()
    assert en["lang"] == "en" and en["perspectives"][0]["title"].startswith("Dimensions of vitality policy")
    assert api.get(url, headers={"Accept-Language": "de"}).json()["lang"] == "sv"


def test_lang_all_returns_every_language(api: Api) -> None:
    full = api.get(f"/api/v1/rubrics/{RID}/versions/1.1.0", params={"lang": "all"})
    assert full.status_code == 200 and "content-language" not in full.headers
    title = full.json()["perspectives"][0]["title"]
    assert set(title) == {"sv", "fi", "en"}
    assert full.json()["content_hash"] == api.get(f"/api/v1/rubrics/{RID}/versions").json()[1]["content_hash"]


def test_unknown_versions_and_languages(api: Api) -> None:
    assert api.get(f"/api/v1/rubrics/{RID}/versions/9.9.9").status_code == 404
    r = api.get(f"/api/v1/rubrics/{RID}/versions/1.0.0", params={"lang": "de"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert api.client.get(f"/api/v1/rubrics/{RID}/versions/1.0.0").status_code == 401


def test_new_assessments_use_the_latest_version(api: Api) -> None:
    a = assessment(api)
    assert a["rubric_version"] == "1.1.0" and a["extensions"] == []


def test_a_pinned_assessment_keeps_its_text_after_a_newer_version(api: Api) -> None:
    a = assessment(api, rubric_id=RID, rubric_version="1.0.0")
    assert a["rubric_version"] == "1.0.0"
    rate(
        api,
        a["id"],
        [
            rating("policy.organisation.follow-up", "organisation", 2),
            rating("logistics.residents.service-access", "residents", -1),  # not in 1.1.0
        ],
    )
    rubric = api.get(f"/api/v1/assessments/{a['id']}/rubric", params={"lang": "en"}).json()
    assert rubric["version"] == "1.0.0"
    questions = {c["id"]: c["question"] for p in rubric["perspectives"] for c in p["criteria"]}
    assert questions["policy.organisation.follow-up"].startswith(OLD_FOLLOW_UP_EN)
    assert "logistics.residents.service-access" in questions
    summary = api.get(f"/api/v1/assessments/{a['id']}/summary")
    assert summary.status_code == 200, summary.text
    # the newer version really has other wording
    latest = api.get(f"/api/v1/rubrics/{RID}/versions/1.1.0", params={"lang": "en"}).json()
    newer = {c["id"]: c["question"] for p in latest["perspectives"] for c in p["criteria"]}
    assert newer["policy.organisation.follow-up"].startswith(NEW_FOLLOW_UP_EN)


def test_the_pdf_of_a_pinned_assessment_shows_the_old_wording(api: Api) -> None:
    from tests.reports.factories import pdf_text

    a = assessment(api, rubric_id=RID, rubric_version="1.0.0")
    rate(api, a["id"], [rating("policy.organisation.follow-up", "organisation", 2)])
    r = api.get(f"/api/v1/assessments/{a['id']}/report", params={"lang": "en"})
    assert r.status_code == 200
    text = " ".join(pdf_text(r.content).split())
    assert OLD_FOLLOW_UP_EN in text and NEW_FOLLOW_UP_EN not in text
    assert "1.0.0" in text
