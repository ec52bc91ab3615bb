"""Export → import into an empty database → export is identical; ratings CSV for spreadsheets."""

from __future__ import annotations

import csv
import io

from typer.testing import CliRunner

from app.cli.main import app as cli
from app.db.migrate import truncate_all
from tests.api.test_review_flow import act, screened_and_rated
from tests.support import Api, make_token, make_user


def _populate(client) -> Api:
    official = Api(client, make_token("091", ("read", "write"), make_user("091", "o@hel.fi", "official").id))
    reviewer = Api(client, make_token("091", ("read", "write"), make_user("091", "r@hel.fi", "reviewer").id))
    a = screened_and_rated(official)
    act(official, a, "submit")
    act(reviewer, a, "approve", "Godkänd – åäö")
    official.create_assessment("KS 2026/2")
    return Api(client, make_token("091", ("read", "write", "admin")))


def test_export_import_export_is_identical(client, tmp_path) -> None:
    admin = _populate(client)
    r = admin.get("/api/v1/export")
    assert r.status_code == 200
    first = r.content
    assert b'"livskraft.export/1"' in first and b"password_hash" not in first
    path = tmp_path / "export.json"
    path.write_bytes(first)
    truncate_all()  # an empty database
    runner = CliRunner()
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 0, result.output
    again = tmp_path / "again.json"
    result = runner.invoke(cli, ["export", "--municipality", "091", "-o", str(again)])
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == first
    assert runner.invoke(cli, ["audit", "verify"]).exit_code == 0
    # importing twice is refused with a clear message
    result = runner.invoke(cli, ["import", str(path)])
    assert result.exit_code == 1 and "already exists" in result.stderr


def test_export_needs_admin(api: Api) -> None:
    assert api.get("/api/v1/export").status_code == 403


def test_ratings_csv_has_bom_and_reads_in_a_spreadsheet(client) -> None:
    admin = _populate(client)
    r = admin.get("/api/v1/ratings.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert {row["score"] for row in rows} == {"-2", "3"}
    assert all(row["case_number"] == "KS 2026/1" for row in rows)
    neg = next(row for row in rows if row["score"] == "-2")
    assert neg["mitigation"] == "Digital lots"


def test_csv_neutralises_formulas(api: Api) -> None:
    a = api.create_assessment()
    api.put_ratings(
        a["id"],
        [
            {
                "criterion_id": "policy.organisation.strategy-fit",
                "target": "organisation",
                "score": 1,
                "rationale": '=HYPERLINK("http://evil")',
            }
        ],
    )
    text = api.get(f"/api/v1/assessments/{a['id']}/ratings.csv").content.decode("utf-8-sig")
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["rationale"].startswith("'=")
    assert row["score"] == "1"
    [rating] = api.get(f"/api/v1/assessments/{a['id']}/ratings").json()
    assert row["updated_at"] == rating["updated_at"], "a time is written as the JSON writes it"
    assert row["updated_at"].endswith("Z") and "T" in row["updated_at"]
