"""The names a PDF downloads under follow the decision its pages show: an approved (later superseded)
version is named by the case number it was approved with, not the one the decision got for a new draft
version; the draft by the case number as it is now. Checked through HTTP: the web's PDF download
(``Content-Disposition``) and, on PostgreSQL, the file names inside a report batch's ZIP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_review_flow import act
from tests.reports.factories import pdf_text
from tests.reports.test_batches import BATCHES, empty_queue, on_postgresql, run_worker, zip_files
from tests.reports.test_decision_snapshot import NEW, OLD, approved_assessment, people
from tests.support import Api
from tests.web.support import Web

__all__ = ["empty_queue", "people"]  # fixtures


def changed_for_a_new_version(official: Api, reviewer: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    """An approved version (the decision as OLD) and its new draft, for which the decision became NEW."""
    v1 = approved_assessment(official, reviewer)
    r = official.post(f"/api/v1/assessments/{v1['id']}/versions")
    assert r.status_code == 201, r.text
    v2 = dict(r.json())
    decision = official.get(f"/api/v1/decisions/{v1['decision_id']}")
    r = official.patch(f"/api/v1/decisions/{v1['decision_id']}", NEW, decision.headers["ETag"])
    assert r.status_code == 200, r.text
    return v1, v2


def disposition(web: Web, assessment_id: str, **params: str) -> str:
    r = web.get(f"/assessments/{assessment_id}/report.pdf", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    return str(r.headers["content-disposition"])


def test_the_web_download_is_named_by_the_case_number_as_approved(people: dict[str, Api], app: Any) -> None:
    official, reviewer = people["official"], people["reviewer"]
    v1, v2 = changed_for_a_new_version(official, reviewer)
    web = Web.signed_in(app, "vera@hel.fi", "official", "091")
    old, new = "KS-2026-77", "KS-2026-78"  # OLD's and NEW's case numbers in a file name
    assert OLD["case_number"] == "KS 2026/77" and NEW["case_number"] == "KS 2026/78"

    name = disposition(web, v1["id"])
    assert f'filename="livskraft-{old}-v1-sv.pdf"' in name and new not in name
    assert f'filename="livskraft-{old}-v1-sv-a3.pdf"' in disposition(web, v1["id"], variant="a3")
    name = disposition(web, v2["id"])
    assert f'filename="livskraft-{new}-v2-sv.pdf"' in name and old not in name

    # approved in turn: the first is superseded and keeps its name, the second has the new one
    assert act(official, v2, "submit").status_code == 200
    assert act(reviewer, v2, "approve").status_code == 200
    assert f'filename="livskraft-{old}-v1-sv.pdf"' in disposition(web, v1["id"])
    assert f'filename="livskraft-{new}-v2-sv.pdf"' in disposition(web, v2["id"])


@on_postgresql
@pytest.mark.usefixtures("empty_queue")
def test_a_batch_names_each_pdf_by_the_case_number_it_shows(people: dict[str, Api]) -> None:
    official, reviewer = people["official"], people["reviewer"]
    v1, v2 = changed_for_a_new_version(official, reviewer)
    r = official.post(BATCHES, {"assessment_ids": [v1["id"], v2["id"]], "lang": "sv"})
    assert r.status_code == 202, r.text
    run_worker()
    status = official.get(r.headers["Location"]).json()
    assert status["status"] == "done", status
    z = official.get(status["download"])
    assert z.status_code == 200, z.text
    files = zip_files(z.content)
    assert list(files) == ["KS-2026-77.pdf", "KS-2026-78.pdf"]
    assert OLD["title"] in pdf_text(files["KS-2026-77.pdf"]) and NEW["title"] in pdf_text(files["KS-2026-78.pdf"])
