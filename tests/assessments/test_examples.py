"""The worked examples in ``assessments/``: each file validates, imports through the real services into
the test database, and its summary (read over the HTTP API) matches figures computed by hand.

How the golden figures were computed (the method is docs/method.md): a cell is the mean of the known
scores of one perspective × target, zeros included and unknowns left out; a profile is the plain mean
(weights 1) of a target's cells over the relevant perspectives; the delta is proposal profile − zero
profile. Significance is |score| × likelihood weight (unlikely 0.25, possible 0.5, likely 0.75,
certain 1.0); ties are ordered by perspective id, criterion id, target, effect. Each figure below is
written as the arithmetic done by hand from the ratings in the file, so a reader can check it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support import Api, make_token

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "assessments"
FILES = sorted(p for p in EXAMPLES.iterdir() if p.suffix in (".yaml", ".yml", ".json"))
TARGETS = ("organisation", "firms", "residents")

Impact = tuple[str, int, float]
"""(criterion id, effect, significance) of a ranked impact."""


def _import(path: Path, registry: Any) -> str:
    """Import one example as `livskraft seed` does: own unit of work, the real services."""
    from app.assessments.documents import import_document, read_document
    from app.auth.actor import system_actor
    from app.db.session import unit_of_work
    from app.municipalities.service import get_or_create

    doc = read_document(path)
    with unit_of_work() as session:
        m = get_or_create(session, doc.municipality)
        assessment = import_document(session, system_actor(m.id, m.code, "test"), registry, doc)
        return str(assessment.id)


# --- every file --------------------------------------------------------------------------------


def test_the_folder_holds_the_promised_examples() -> None:
    from app.assessments.documents import read_document

    docs = [read_document(p) for p in FILES]
    assert len(docs) >= 6
    assert sum(d.municipality == "905" for d in docs) >= 3
    statuses = [d.status for d in docs]
    assert statuses.count("submitted") == 1 and statuses.count("draft") == 1
    assert statuses.count("approved") == len(docs) - 2
    real = {d.decision.case_number: d for d in docs if d.decision.source is not None}
    assert {"HEL 2021-012111", "MliDno-2017-1220"} <= set(real)
    assert all(d.decision.source and d.decision.source.get("licence") for d in real.values())
    assert sum(len(d.alternatives) > 2 for d in docs) >= 2
    ratings = [r for d in docs for a in d.alternatives for r in a.ratings]
    assert any(r.score == "unknown" for r in ratings)
    assert any(r.effect == 2 for r in ratings)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_example_is_complete(path: Path, registry: Any) -> None:
    from app.assessments.documents import read_document

    doc = read_document(path)
    rubric = registry.get(doc.rubric_id, doc.rubric_version)
    assert rubric is not None
    assert path.read_text(encoding="utf-8").startswith("#"), "header comment: what it shows, sources"
    assert doc.sources
    assert doc.text_language, "the language of its texts is stated (lang in pages, PDFs and Word copies)"
    assert {s.perspective_id for s in doc.screening} == {p.id for p in rubric.perspectives}
    assert all(s.relevant or s.reason.strip() for s in doc.screening)
    assert [a.key for a in doc.alternatives][:2] == ["proposal", "zero"]
    assert doc.decision.summary and doc.decision.planned_date
    for alt in doc.alternatives:
        for r in alt.ratings:
            if r.score == "unknown" or r.score != 0:
                assert r.rationale.strip(), (alt.key, r.criterion_id)
            if isinstance(r.score, int) and r.score != 0:
                assert r.likelihood and r.horizon and r.certainty, (alt.key, r.criterion_id)
            if isinstance(r.score, int) and r.score < 0:
                assert r.mitigation.strip(), (alt.key, r.criterion_id)
    if doc.status == "approved":
        assert doc.author and doc.reviewer and doc.review_date and doc.review and doc.review[0].comment
    else:
        assert doc.author and not doc.reviewer


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_example_imports_through_the_services(path: Path, registry: Any, client: Any) -> None:
    from app.assessments.documents import read_document

    doc = read_document(path)
    assessment_id = _import(path, registry)
    api = Api(client, make_token(doc.municipality, ("read",)))
    a = api.get(f"/api/v1/assessments/{assessment_id}").json()
    assert a["status"] == doc.status
    assert a["rubric_id"] == doc.rubric_id and a["rubric_version"] == doc.rubric_version
    assert a["author"] == doc.author and (a["reviewer"] or "") == doc.reviewer
    assert a["sources"] == doc.sources and a["sources"], "the citations are kept, not dropped"
    assert a["text_language"] == doc.text_language
    assert [x["key"] for x in a["alternatives"]] == [x.key for x in doc.alternatives]
    assert {x["key"]: x["title"] for x in a["alternatives"]} == {x.key: x.title for x in doc.alternatives}
    assert {(s["perspective_id"], s["relevant"]) for s in a["screening"]} == {
        (s.perspective_id, s.relevant) for s in doc.screening
    }
    stored = api.get(f"/api/v1/assessments/{assessment_id}/ratings").json()
    expected = {
        (alt.key, r.criterion_id, r.target.value, r.effect, r.score) for alt in doc.alternatives for r in alt.ratings
    }
    assert {(r["alternative"], r["criterion_id"], r["target"], r["effect"], r["score"]) for r in stored} == expected
    decision = api.get(f"/api/v1/decisions/{a['decision_id']}").json()
    assert decision["case_number"] == doc.decision.case_number
    assert decision["source"] == doc.decision.source


def test_seed_loads_the_folder_once(registry: Any) -> None:
    from app.cli.seed import seed_examples

    assert seed_examples(EXAMPLES) == (len(FILES), 0)
    assert seed_examples(EXAMPLES) == (0, len(FILES))


# --- golden summaries --------------------------------------------------------------------------


@dataclass(frozen=True)
class Golden:
    profiles: dict[str, tuple[float, float, float]]
    """Per alternative: (organisation, firms, residents) profile."""
    negatives: list[Impact]
    """The proposal's three most significant negative impacts, in order."""
    positives: list[Impact]
    unknown: int = 0
    """Unknown ratings of the proposal."""
    unrated: dict[str, int] = field(default_factory=dict)
    """Per alternative: criteria of relevant perspectives not rated (missing: 0)."""


GOLDEN: dict[str, Golden] = {
    # Infrastructure, green economy, logistics. Proposal cells: infrastructure org (−2+1+3+0)/4,
    # firms (0+3−1)/3 (one unknown), residents 0; green org (0+1+0+2)/4, firms (0+1+0)/3 (one unknown),
    # residents (0+2−2+0)/4; logistics org (0−1+2+1)/4, firms (0+2+1+0)/4, residents (0+0−1+1+0)/5.
    # Zero: infrastructure org −2/4, firms −2/4; green org (−1−1)/4, residents +1/4; logistics org −1/4,
    # firms −1/4. Option 1: infrastructure org (−1+1+2)/4, firms (0+1−1)/3; green org 1/4,
    # residents (1−2)/4; logistics org 1/4, firms 1/4, residents −2/4.
    "905-industriomrade-med-stickspar": Golden(
        profiles={
            "proposal": ((0.5 + 0.75 + 0.5) / 3, (2 / 3 + 1 / 3 + 0.75) / 3, 0.0),
            "zero": ((-0.5 - 0.5 - 0.25) / 3, (-0.5 + 0 - 0.25) / 3, (0 + 0.25 + 0) / 3),
            "option-1": ((0.5 + 0.25 + 0.25) / 3, (0 + 0 + 0.25) / 3, (0 - 0.25 - 0.5) / 3),
        },
        # −2 certain = 2.0, −2 likely = 1.5, −1 certain = 1.0 (then −1 likely 0.75 twice, left out)
        negatives=[
            ("green-economy.residents.living-environment", 1, 2.0),
            ("infrastructure.organisation.life-cycle-cost", 1, 1.5),
            ("logistics.organisation.infrastructure-liabilities", 1, 1.0),
        ],
        # +3 certain = 3.0, +3 likely = 2.25, then three +2 likely = 1.5: green-economy sorts first
        positives=[
            ("infrastructure.organisation.land-readiness", 1, 3.0),
            ("infrastructure.firms.establishment", 1, 2.25),
            ("green-economy.organisation.investment-readiness", 1, 1.5),
        ],
        unknown=2,
    ),
    # Infrastructure, cross-sector, rural services. Proposal: infrastructure org (2+2)/4, residents −1/4;
    # cross-sector org (−1+1+0+1)/4, residents (0+2−1−1+0)/5 (education has two effects);
    # rural org (2+1+1−1)/4, firms (0−1+1+0)/4, residents (−2−1+1)/3 (settlement unknown).
    # Zero: infrastructure org (−2−1)/4; cross-sector org −1/4, residents −1/4; rural org (−1−1)/4.
    # Option 1: infrastructure org (1+1)/4, residents −1/4; cross org (−1+1)/4, residents 1/4;
    # rural org (1+1)/4, firms 1/4, residents −1/3.
    "905-skolnat-byskolor": Golden(
        profiles={
            "proposal": ((1.0 + 0.25 + 0.75) / 3, 0.0, (-0.25 + 0 - 2 / 3) / 3),
            "zero": ((-0.75 - 0.25 - 0.5) / 3, 0.0, (0 - 0.25 + 0) / 3),
            "option-1": ((0.5 + 0 + 0.5) / 3, (0 + 0 + 0.25) / 3, (-0.25 + 0.25 - 1 / 3) / 3),
        },
        # −2 certain = 2.0; then five at −1 likely = 0.75: cross-sector sorts before infrastructure and
        # rural-services, and "cross-sector.organisation…" before "cross-sector.residents…"
        negatives=[
            ("rural-services.residents.access", 1, 2.0),
            ("cross-sector.organisation.cost-shifts", 1, 0.75),
            ("cross-sector.residents.education-employment", 2, 0.75),
        ],
        # +2 certain = 2.0; then +2 likely = 1.5 three times: cross-sector, infrastructure, rural-services
        positives=[
            ("infrastructure.organisation.capacity-use", 1, 2.0),
            ("cross-sector.residents.education-employment", 1, 1.5),
            ("infrastructure.organisation.life-cycle-cost", 1, 1.5),
        ],
        unknown=1,
    ),
    # Policy, procurement. Proposal: policy org (2+1+0+1)/4, firms (0+1+0+2+1)/5, residents 1/4;
    # procurement org (2+2+0−1)/4 (life-cycle cost unknown), firms (0+2+2+1+2−1)/6 (market effects has
    # two effects), residents 1/4. Zero: policy org −1/4, firms (−1−1)/5; procurement firms (−1−1)/5.
    "905-upphandlingsriktlinjer-smaforetag": Golden(
        profiles={
            "proposal": ((1.0 + 0.75) / 2, (0.8 + 1.0) / 2, (0.25 + 0.25) / 2),
            "zero": ((-0.25 + 0) / 2, (-0.4 - 0.4) / 2, 0.0),
        },
        # only two negatives: −1 likely = 0.75, −1 possible = 0.5
        negatives=[
            ("procurement.organisation.contract-management", 1, 0.75),
            ("procurement.firms.market-effects", 2, 0.5),
        ],
        # four at +2 certain = 2.0: "policy" sorts before "procurement", "…firms…" before "…organisation…"
        positives=[
            ("policy.firms.think-small-first", 1, 2.0),
            ("policy.organisation.strategy-fit", 1, 2.0),
            ("procurement.firms.lots", 1, 2.0),
        ],
        unknown=1,
    ),
    # A draft: procurement is relevant but not rated; infrastructure partly. Proposal: infrastructure org
    # (−1+0+1−1)/4 (capacity unknown; security of supply has two effects), residents 0; green org
    # (2+3+0+1)/4, firms (0+0+1+0)/4, residents (0+1+1+0)/4; procurement has no cells. Zero: infrastructure
    # org −1, green org (−2−2)/2, firms 0, residents 0.
    "905-fjarrvarme-konvertering": Golden(
        profiles={
            "proposal": ((-0.25 + 1.5) / 2, 0.25, (0 + 0.5) / 2),
            "zero": ((-1 - 2) / 2, 0.0, 0.0),
        },
        negatives=[
            ("infrastructure.organisation.life-cycle-cost", 1, 0.75),
            ("infrastructure.organisation.security-of-supply", 2, 0.5),
        ],
        # +3 certain = 3.0, +2 likely = 1.5, then three at +1 likely = 0.75: green-economy firms first
        positives=[
            ("green-economy.organisation.climate-goals", 1, 3.0),
            ("green-economy.organisation.energy-costs-security", 1, 1.5),
            ("green-economy.firms.new-markets", 1, 0.75),
        ],
        unknown=1,
        # proposal: 7 of 12 infrastructure criteria + all 14 procurement criteria;
        # zero: 11 infrastructure + 8 green-economy + 14 procurement
        unrated={"proposal": 7 + 14, "zero": 11 + 8 + 14},
    ),
    # Policy, green economy, logistics (a real Helsinki decision). Proposal: policy org (2+0+1+1)/4,
    # firms (0+0+0+1)/4 (cost types unknown), residents (0+1+0+1)/4; green org 0/3 (climate unknown),
    # firms 1/4, residents −1/4; logistics org (0−1+0+1)/4, firms (0+2+1+0)/4, residents (0+0−2+1+0)/5.
    # Zero: policy org −1/4, firms −1/5; logistics firms −1/4.
    "091-helsingin-satama-kehittamisohjelma": Golden(
        profiles={
            "proposal": ((1.0 + 0 + 0) / 3, (0.25 + 0.25 + 0.75) / 3, (0.5 - 0.25 - 0.2) / 3),
            "zero": ((-0.25 + 0 + 0) / 3, (-0.2 + 0 - 0.25) / 3, 0.0),
        },
        # −2 likely = 1.5; then two at −1 possible = 0.5: green-economy before logistics
        negatives=[
            ("logistics.residents.traffic-nuisance", 1, 1.5),
            ("green-economy.residents.living-environment", 1, 0.5),
            ("logistics.organisation.infrastructure-liabilities", 1, 0.5),
        ],
        # two at +2 likely = 1.5: logistics before policy; then +1 certain = 1.0
        positives=[
            ("logistics.firms.transport-costs", 1, 1.5),
            ("policy.organisation.strategy-fit", 1, 1.5),
            ("policy.organisation.follow-up", 1, 1.0),
        ],
        unknown=2,
    ),
    # Policy, cross-sector (a real Mikkeli decision). Proposal: policy org (1+2+0)/3 (follow-up unknown),
    # firms 1/5, residents 0; cross-sector org (−1+1−1+0+0)/5 (joint preparation has two effects).
    # Zero: policy org −1/4. Option 1 as the proposal, plus policy residents 1/4.
    "491-konserni-ja-elinvoimajaosto": Golden(
        profiles={
            "proposal": ((1.0 - 0.2) / 2, (0.2 + 0) / 2, 0.0),
            "zero": ((-0.25 + 0) / 2, 0.0, 0.0),
            "option-1": ((1.0 - 0.2) / 2, (0.2 + 0) / 2, (0.25 + 0) / 2),
        },
        negatives=[
            ("cross-sector.organisation.cost-shifts", 1, 1.0),
            ("cross-sector.organisation.joint-preparation", 2, 0.5),
        ],
        # +2 likely = 1.5; two at +1 likely = 0.75: cross-sector before policy
        positives=[
            ("policy.organisation.business-function", 1, 1.5),
            ("cross-sector.organisation.joint-preparation", 1, 0.75),
            ("policy.organisation.strategy-fit", 1, 0.75),
        ],
        unknown=1,
    ),
    # Policy, information. Proposal: policy org (1+0+1+1)/4, firms 1/5, residents (1+0+1+0)/4;
    # information org (2+2−1−1)/4, firms (0+0+2+2−1)/5 (open data has two effects), residents (0+2+1)/3
    # (privacy unknown). Zero: information org −1/4, firms (−1−1)/4.
    "2480-oppna-data-program": Golden(
        profiles={
            "proposal": ((0.75 + 0.5) / 2, (0.2 + 0.6) / 2, (0.5 + 1.0) / 2),
            "zero": ((0 - 0.25) / 2, (0 - 0.5) / 2, 0.0),
        },
        # −1 certain = 1.0; two at −1 possible = 0.5: "information.firms…" before "information.organisation…"
        negatives=[
            ("information.organisation.costs-dependency", 1, 1.0),
            ("information.firms.open-data", 2, 0.5),
            ("information.organisation.data-protection", 1, 0.5),
        ],
        # five at +2 likely = 1.5, ordered by criterion id
        positives=[
            ("information.firms.business-information", 1, 1.5),
            ("information.firms.open-data", 1, 1.5),
            ("information.organisation.data-quality", 1, 1.5),
        ],
        unknown=1,
    ),
    # Policy, rural services, mergers. Proposal: policy org (1+1+2+0)/4, firms −1/5, residents 1/4;
    # rural org (0+1+0−1)/4, firms 0, residents 0; mergers org (1−1+1+0)/4, firms (0+1−1)/3 (fees
    # unknown), residents (−1−2−1+1)/4 (periphery has two effects; tax unknown).
    # Zero: policy org −1/4; mergers org −1/4.
    "097-kuntaliitosselvitys": Golden(
        profiles={
            "proposal": ((1.0 + 0 + 0.25) / 3, (-0.2 + 0 + 0) / 3, (0.25 + 0 - 0.75) / 3),
            "zero": ((-0.25 + 0 - 0.25) / 3, 0.0, 0.0),
        },
        # −2 likely = 1.5, −1 likely = 0.75, then five at 0.5: mergers first, "…firms…" first
        negatives=[
            ("mergers.residents.identity-influence", 1, 1.5),
            ("mergers.organisation.staff", 1, 0.75),
            ("mergers.firms.procurement-market", 1, 0.5),
        ],
        # +2 likely = 1.5; then three at +1 likely = 0.75: policy before rural-services
        positives=[
            ("policy.organisation.regional-links", 1, 1.5),
            ("policy.organisation.strategy-fit", 1, 0.75),
            ("policy.residents.participation", 1, 0.75),
        ],
        unknown=2,
    ),
}


def test_every_example_has_a_golden_summary() -> None:
    assert set(GOLDEN) == {p.stem for p in FILES}


def _impacts(items: list[dict[str, Any]]) -> list[Impact]:
    return [(i["criterion_id"], i["effect"], i["significance"]) for i in items]


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_summary(name: str, registry: Any, client: Any) -> None:
    golden = GOLDEN[name]
    path = EXAMPLES / f"{name}.yaml"
    from app.assessments.documents import read_document

    code = read_document(path).municipality
    assessment_id = _import(path, registry)
    api = Api(client, make_token(code, ("read",)))
    r = api.get(f"/api/v1/assessments/{assessment_id}/summary")
    assert r.status_code == 200, r.text
    summary = r.json()
    alts = {a["key"]: a for a in summary["alternatives"]}
    assert set(alts) == set(golden.profiles)
    for key, expected in golden.profiles.items():
        got = tuple(alts[key]["profile"][t] for t in TARGETS)
        assert got == pytest.approx(expected, abs=5e-4), key
        assert len(alts[key]["unrated"]) == golden.unrated.get(key, 0), key
    proposal, zero = golden.profiles["proposal"], golden.profiles["zero"]
    delta = tuple(p - z for p, z in zip(proposal, zero, strict=True))
    assert tuple(summary["delta"]["profile"][t] for t in TARGETS) == pytest.approx(delta, abs=5e-4)
    assert summary["delta"]["overall"] == pytest.approx(sum(proposal) / 3 - sum(zero) / 3, abs=5e-4)
    assert _impacts(alts["proposal"]["most_negative"]) == golden.negatives
    assert _impacts(alts["proposal"]["most_positive"]) == golden.positives
    assert all(i["score"] < 0 for i in alts["proposal"]["most_negative"])
    assert alts["proposal"]["unknown"] == golden.unknown
    assert summary["weights"] == {"perspectives": {}, "targets": {}}


def test_the_worked_example_in_method_md(registry: Any, client: Any) -> None:
    """docs/method.md works through this file by hand; these are its figures, as the API returns them."""
    name = "905-upphandlingsriktlinjer-smaforetag"
    assessment_id = _import(EXAMPLES / f"{name}.yaml", registry)
    summary = Api(client, make_token("905", ("read",))).get(f"/api/v1/assessments/{assessment_id}/summary").json()
    alts = {a["key"]: a for a in summary["alternatives"]}
    cells = {(c["perspective_id"], c["target"]): c for c in alts["proposal"]["cells"]}
    assert (cells[("procurement", "firms")]["mean"], cells[("procurement", "firms")]["symbol"]) == (1.0, "±")
    assert cells[("procurement", "firms")]["effects"] == 6
    org = cells[("procurement", "organisation")]
    assert (org["mean"], org["effects"], org["unknown"]) == (0.75, 4, 1)
    assert cells[("policy", "firms")]["mean"] == 0.8
    assert alts["proposal"]["profile"] == {"organisation": 0.875, "firms": 0.9, "residents": 0.25}
    assert (alts["proposal"]["overall"], alts["zero"]["overall"]) == (0.675, -0.175)
    assert alts["zero"]["profile"] == {"organisation": -0.125, "firms": -0.4, "residents": 0.0}
    assert summary["delta"]["profile"] == {"organisation": 1.0, "firms": 1.3, "residents": 0.25}
    assert summary["delta"]["overall"] == 0.85
    assert (alts["proposal"]["effects"], alts["zero"]["effects"]) == (28, 27)
    assert alts["proposal"]["uncertain_share"] == 0.107
    assert [i["significance"] for i in alts["proposal"]["most_negative"]] == [0.75, 0.5]
