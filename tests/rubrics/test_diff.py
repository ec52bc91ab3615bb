"""`livskraft rubrics diff` and GET /api/v1/rubrics/{id}/diff: added, removed and changed criteria,
texts per language, perspectives and the scale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from app.cli.main import app as cli
from app.rubrics.diff import diff_rubrics
from app.rubrics.registry import load_registry
from tests.support import Api

ROOT = Path(__file__).resolve().parents[2] / "rubrics"
RID = "kuntaliitto-vitality"
runner = CliRunner()


def test_diff_of_the_shipped_versions(registry) -> None:
    old, new = registry.get(RID, "1.0.0"), registry.get(RID, "1.1.0")
    diff = diff_rubrics(old, new, registry.criterion_map(RID, "1.0.0", "1.1.0"))
    added = {a.id: a.replaces for a in diff.added}
    assert added == {
        "policy.firms.renewal": [],
        "cross-sector.residents.place-attachment": [
            "cross-sector.residents.attractiveness",
            "cross-sector.residents.culture-community",
        ],
    }
    removed = {r.id: (r.fate, r.new_id) for r in diff.removed}
    assert removed == {
        "cross-sector.residents.attractiveness": ("merged", "cross-sector.residents.place-attachment"),
        "cross-sector.residents.culture-community": ("merged", "cross-sector.residents.place-attachment"),
        "logistics.residents.service-access": ("removed", None),
    }
    dropped = next(r for r in diff.removed if r.fate == "removed")
    assert dropped.reason is not None and dropped.see == [
        "infrastructure.residents.accessibility",
        "rural-services.residents.access",
    ]
    changed = {c.id: {(ch.field, ch.lang) for ch in c.changes} for c in diff.changed}
    assert set(changed) == {"policy.organisation.follow-up", "infrastructure.residents.accessibility"}
    assert {("question", lang) for lang in ("sv", "fi", "en")} <= changed["policy.organisation.follow-up"]
    assert not diff.scale and not diff.perspectives_changed and not diff.empty


def test_a_version_compared_with_itself_is_empty(registry) -> None:
    rubric = registry.get(RID, "1.1.0")
    assert diff_rubrics(rubric, rubric, registry.criterion_map(RID, "1.1.0", "1.1.0")).empty


def test_scale_perspective_and_rename_changes(tmp_path: Path) -> None:
    root = tmp_path / "rubrics"
    shutil.copytree(ROOT, root)
    v2 = root / RID / "1.2.0"
    shutil.copytree(root / RID / "1.1.0", v2)
    header = (v2 / "rubric.yaml").read_text(encoding="utf-8")
    header = header.replace("version: 1.1.0", "version: 1.2.0").replace("Stor negativ effekt", "Mycket negativ effekt")
    (v2 / "rubric.yaml").write_text(header, encoding="utf-8")
    mergers = v2 / "perspectives/mergers.yaml"
    text = mergers.read_text(encoding="utf-8").replace(
        "mergers.residents.periphery", "mergers.residents.outlying-areas"
    )
    text = text.replace("Livskraften vid kommunsammanslagningar", "Livskraften när kommuner går samman", 1)
    mergers.write_text(text, encoding="utf-8")
    (v2 / "migration.yaml").write_text(
        "from_version: 1.1.0\nrenamed:\n  mergers.residents.periphery: mergers.residents.outlying-areas\n",
        encoding="utf-8",
    )
    registry = load_registry(root)
    mapping = registry.criterion_map(RID, "1.0.0", "1.2.0")  # two steps composed
    assert mapping["mergers.residents.periphery"].fate == "renamed"
    assert mapping["mergers.residents.periphery"].new_id == "mergers.residents.outlying-areas"
    assert mapping["cross-sector.residents.attractiveness"].fate == "merged"
    assert mapping["logistics.residents.service-access"].fate == "removed"
    diff = diff_rubrics(
        registry.get(RID, "1.1.0"), registry.get(RID, "1.2.0"), registry.criterion_map(RID, "1.1.0", "1.2.0")
    )
    assert [(a.id, a.replaces) for a in diff.added] == [
        ("mergers.residents.outlying-areas", ["mergers.residents.periphery"])
    ]
    assert [(r.id, r.fate) for r in diff.removed] == [("mergers.residents.periphery", "renamed")]
    assert [(c.field, c.lang, c.new) for c in diff.scale] == [("scores.-3.label", "sv", "Mycket negativ effekt")]
    assert [(p.id, [(c.field, c.lang) for c in p.changes]) for p in diff.perspectives_changed] == [
        ("mergers", [("title", "sv")])
    ]
    result = runner.invoke(cli, ["rubrics", "diff", f"{RID}@1.0.0", "1.2.0", "--dir", str(root), "--lang", "sv"])
    assert result.exit_code == 0, result.output
    assert "mergers.residents.periphery  [renamed -> mergers.residents.outlying-areas]" in result.stdout
    assert "scores.-3.label [sv]:" in result.stdout and "+ Mycket negativ effekt" in result.stdout
    assert "[en]" not in result.stdout


def test_the_api_diff(api: Api) -> None:
    r = api.get(f"/api/v1/rubrics/{RID}/diff", params={"from": "1.0.0", "to": "1.1.0"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["from_version"] == "1.0.0" and body["to_version"] == "1.1.0"
    assert {a["id"] for a in body["added"]} == {"policy.firms.renewal", "cross-sector.residents.place-attachment"}
    assert len(body["removed"]) == 3 and len(body["changed"]) == 2
    follow_up = next(c for c in body["changed"] if c["id"] == "policy.organisation.follow-up")
    question_fi = next(ch for ch in follow_up["changes"] if ch["field"] == "question" and ch["lang"] == "fi")
    assert question_fi["old"].startswith("Onko päätökselle asetettu") and question_fi["new"].startswith(
        "Onko päätöksellä"
    )
    latest = api.get(f"/api/v1/rubrics/{RID}/diff", params={"from": "1.0.0"}).json()
    assert latest == body  # 'to' defaults to the latest version
    assert api.get(f"/api/v1/rubrics/{RID}/diff", params={"from": "1.1.0", "to": "1.0.0"}).status_code == 422
    assert api.get(f"/api/v1/rubrics/{RID}/diff", params={"from": "0.1.0"}).status_code == 404
    assert api.get(f"/api/v1/rubrics/{RID}/diff").status_code == 422


def test_the_cli_diff_as_text_and_json() -> None:
    result = runner.invoke(cli, ["rubrics", "diff", f"{RID}@1.0.0", f"{RID}@1.1.0"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith(f"{RID} 1.0.0 -> 1.1.0")
    assert "Added criteria (2)" in out and "+ policy.firms.renewal  [policy/firms]" in out
    assert "Removed criteria (3)" in out and "- logistics.residents.service-access  [removed]" in out
    assert "see: infrastructure.residents.accessibility, rural-services.residents.access" in out
    assert "Changed criteria (2)" in out and "question [fi]:" in out and "question [en]:" in out
    as_json = runner.invoke(cli, ["rubrics", "diff", f"{RID}@1.0.0", f"{RID}@1.1.0", "--json"])
    assert as_json.exit_code == 0
    assert json.loads(as_json.stdout)["to_hash"] == load_registry(ROOT).get(RID, "1.1.0").content_hash


def test_the_cli_refuses_unknown_or_reversed_versions() -> None:
    unknown = runner.invoke(cli, ["rubrics", "diff", f"{RID}@1.0.0", f"{RID}@7.0.0"])
    assert unknown.exit_code == 1 and "is not installed" in unknown.stderr and f"{RID}@1.1.0" in unknown.stderr
    reversed_ = runner.invoke(cli, ["rubrics", "diff", f"{RID}@1.1.0", f"{RID}@1.0.0"])
    assert reversed_.exit_code == 1 and "must not be newer" in reversed_.stderr
    bare = runner.invoke(cli, ["rubrics", "diff", "1.0.0", "1.1.0"])
    assert bare.exit_code == 1 and "id@version" in bare.stderr
    schema = runner.invoke(cli, ["rubrics", "schema"])
    assert schema.exit_code == 0 and "RubricExtension" in json.loads(schema.stdout)["$defs"]
