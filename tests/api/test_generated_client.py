"""A client generated from /openapi.json by a third-party generator runs the whole flow over HTTP.

openapi-python-client writes the client into a temporary folder; the flow runs against a real server
process: create decision, assess, screen, rate, submit, approve (a reviewer), fetch the PDF.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from app.rubrics.models import PERSPECTIVE_IDS
from tests.server import VENV_BIN, running_server
from tests.support import make_token, make_user

pytestmark = pytest.mark.slow
PERSPECTIVES = list(PERSPECTIVE_IDS)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory, app: Any) -> Any:
    out = tmp_path_factory.mktemp("client")
    (out / "openapi.json").write_text(json.dumps(app.openapi()))
    env = {**os.environ, "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
    proc = subprocess.run(
        [
            str(VENV_BIN / "openapi-python-client"),
            "generate",
            "--path",
            "openapi.json",
            "--meta",
            "none",
            "--output-path",
            "livskraft_client",
        ],
        cwd=out,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (out / "livskraft_client" / "client.py").exists(), proc.stdout + proc.stderr
    sys.path.insert(0, str(out))
    try:
        yield importlib.import_module("livskraft_client")
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.startswith("livskraft_client")]:
            del sys.modules[name]


def test_generated_client_runs_the_whole_flow(generated: Any) -> None:
    c = generated
    create_decision = importlib.import_module("livskraft_client.api.decisions.create_decision")
    create_assessment = importlib.import_module("livskraft_client.api.decisions.create_assessment")
    put_screening = importlib.import_module("livskraft_client.api.assessments.put_screening")
    put_ratings = importlib.import_module("livskraft_client.api.assessments.put_ratings")
    submit = importlib.import_module("livskraft_client.api.assessments.submit")
    approve = importlib.import_module("livskraft_client.api.assessments.approve")
    get_summary = importlib.import_module("livskraft_client.api.assessments.get_summary")
    report = importlib.import_module("livskraft_client.api.reports.assessment_report")
    models = importlib.import_module("livskraft_client.models")

    official = make_token("905", ("read", "write"), make_user("905", "handlaggare@vasa.fi", "official").id)
    reviewer = make_token("905", ("read", "write"), make_user("905", "granskare@vasa.fi", "reviewer").id)
    with running_server() as (url, _):
        oc = c.AuthenticatedClient(base_url=url, token=official, raise_on_unexpected_status=True)
        rc = c.AuthenticatedClient(base_url=url, token=reviewer, raise_on_unexpected_status=True)
        decision = create_decision.sync(
            client=oc,
            body=models.DecisionCreate(
                case_number="KST 2026/55", title="Fjärrvärmekonvertering i Sundom", deciding_body="Kommunstyrelsen"
            ),
        )
        assert decision.case_number == "KST 2026/55"
        a = create_assessment.sync(decision_id=decision.id, client=oc, body=models.AssessmentCreate())
        items = [
            models.ScreeningItem(
                perspective_id=p, relevant=p == "green-economy", reason="" if p == "green-economy" else "Ingen påverkan"
            )
            for p in PERSPECTIVES
        ]
        a = put_screening.sync(assessment_id=a.id, client=oc, body=models.ScreeningUpdate(items=items), if_match=a.etag)
        rating = models.RatingIn.from_dict(
            {
                "criterion_id": "green-economy.residents.energy-housing-costs",
                "target": "residents",
                "score": 2,
                "likelihood": "likely",
                "rationale": "Lägre och stabilare värmekostnad",
            }
        )
        resp = put_ratings.sync_detailed(
            assessment_id=a.id, client=oc, body=models.RatingsUpdate(ratings=[rating]), if_match=a.etag
        )
        assert resp.status_code == 200, resp.content
        etag = resp.headers["etag"]
        a = submit.sync(assessment_id=a.id, client=oc, body=models.ReviewAction(comment="Klar"), if_match=etag)
        assert a.status == "submitted"
        a = approve.sync(assessment_id=a.id, client=rc, body=models.ReviewAction(comment="OK"), if_match=a.etag)
        assert a.status == "approved"
        summary = get_summary.sync(assessment_id=a.id, client=oc)
        assert summary.alternatives[0].profile["residents"] == 2.0
        # the generator leaves binary (application/pdf) bodies unparsed: read the raw response
        raw = c.AuthenticatedClient(base_url=url, token=official)
        pdf = report.sync_detailed(assessment_id=a.id, client=raw)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        # errors are documented as application/problem+json with the Problem schema, as they are sent,
        # so the client parses them: status, detail and the field-level errors
        invalid = create_decision.sync_detailed(
            client=raw, body=models.DecisionCreate(case_number="", title="Utan nummer", deciding_body="KS")
        )
        assert invalid.status_code == 422 and isinstance(invalid.parsed, models.Problem), invalid.content
        assert invalid.parsed.status == 422
        assert [(e.field, e.code) for e in invalid.parsed.errors] == [("case_number", "string_too_short")]
        duplicate = create_decision.sync(
            client=raw,
            body=models.DecisionCreate(case_number="KST 2026/55", title="Igen", deciding_body="Kommunstyrelsen"),
        )
        assert isinstance(duplicate, models.Problem) and duplicate.status == 409
        assert [(e.field, e.code) for e in duplicate.errors] == [("case_number", "duplicate")]
        stale = submit.sync(assessment_id=a.id, client=raw, body=models.ReviewAction(), if_match='"v1"')
        assert isinstance(stale, models.Problem) and stale.status in (409, 412), stale
