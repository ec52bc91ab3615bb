"""What the scenarios need in the database, made through the app's own services (in this process).

API tokens and a web user of the benchmark municipalities, and a pool of draft assessments spread over
several municipalities for the write scenario (each screened, so ratings can be saved). Every change goes
through the services, so these rows have their audit events like any other.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text

PASSWORD = "bench-" + secrets.token_urlsafe(12)
WRITE_CRITERIA = (
    ("policy.organisation.strategy-fit", "organisation"),
    ("policy.firms.business-climate", "firms"),
    ("policy.residents.employment", "residents"),
    ("policy.firms.renewal", "firms"),
)


@dataclass(frozen=True)
class Principals:
    tokens: dict[str, str]
    """Municipality code → a read/write system token."""
    email: str
    password: str


def principals(codes: list[str], web_code: str, run: str) -> Principals:
    from app.auth.actor import system_actor
    from app.auth.tokens import create_token
    from app.auth.users import create_user
    from app.db.session import unit_of_work
    from app.municipalities.service import get_or_create

    tokens = {}
    email = f"bench.{run}@{web_code}.example.fi"
    with unit_of_work() as s:
        for code in codes:
            m = get_or_create(s, code)
            _, plain = create_token(s, system_actor(m.id, m.code, "bench"), f"bench {run}", ["read", "write"])
            tokens[code] = plain
        m = get_or_create(s, web_code)
        create_user(s, m, email=email, name="Bench Official", role="official", password=PASSWORD)
    return Principals(tokens, email, PASSWORD)


def approved_ids(code: str, count: int) -> list[str]:
    """``count`` approved assessments of a municipality, spread over its data (ids are random)."""
    from app.db.session import unit_of_work

    with unit_of_work(write=False) as s:
        rows = s.execute(
            text(
                "SELECT a.id FROM assessment a JOIN municipality m ON m.id = a.municipality_id "
                "WHERE m.code = :code AND a.status = 'approved' ORDER BY a.id LIMIT :n"
            ),
            {"code": code, "n": count},
        ).all()
    return [str(uuid.UUID(str(r[0]))) for r in rows]


def draft_pool(codes: list[str], per_code: int, run: str) -> list[tuple[str, str]]:
    """Draft assessments screened with the policy perspective relevant: [(assessment id, code)]."""
    from app.assessments import service
    from app.assessments.schemas import AssessmentCreate, DecisionCreate, ScreeningItem, ScreeningUpdate
    from app.auth.actor import system_actor
    from app.db.session import unit_of_work
    from app.municipalities.service import get_or_create
    from app.rubrics.registry import load_registry
    from app.settings import get_settings

    registry = load_registry(get_settings().rubrics_dir)
    rubric = registry.default()
    items = [
        ScreeningItem(perspective_id=p.id, relevant=p.id == "policy", reason="" if p.id == "policy" else "Ej berört")
        for p in rubric.perspectives
    ]
    pool = []
    for code in codes:
        with unit_of_work() as s:
            m = get_or_create(s, code)
            actor = system_actor(m.id, m.code, "bench")
            for i in range(per_code):
                decision = service.create_decision(
                    s,
                    actor,
                    DecisionCreate(
                        case_number=f"BENCH {run}/{i + 1}",
                        title=f"Benchmark draft {i + 1}",
                        deciding_body="Kommunstyrelsen",
                        planned_date=date(2026, 12, 15),
                    ),
                )
                a = service.create_assessment(s, actor, registry, decision, AssessmentCreate())
                service.set_screening(s, actor, registry, a, ScreeningUpdate(items=items), a.lock_version)
                pool.append((str(a.id), code))
    return pool


def versions(ids: list[str]) -> dict[str, int]:
    """The current ETag version of each assessment."""
    from sqlmodel import col, select

    from app.assessments.models import Assessment
    from app.db.session import unit_of_work

    with unit_of_work(write=False) as s:
        rows = s.exec(
            select(Assessment.id, Assessment.lock_version).where(col(Assessment.id).in_([uuid.UUID(i) for i in ids]))
        ).all()
    return {str(i): int(v) for i, v in rows}


def rating_bodies(n: int = 2 * len(WRITE_CRITERIA), run: str = "") -> list[str]:
    """Request bodies saving one rating of the proposal; each differs from the one before. Sent in turn,
    each also differs from what its criterion holds (written by the body half a turn before): the API
    writes nothing for a save of the values stored, which keeps the version a benchmark counts on. A
    new ``run`` for each run of a scenario: its first bodies then differ from what an earlier run (the
    same scenario with one worker, then two) left stored too."""
    out = []
    for i in range(n):
        criterion, target = WRITE_CRITERIA[i % len(WRITE_CRITERIA)]
        score = (-2, 1, 2, -1)[i % 4]
        rating: dict[str, Any] = {
            "criterion_id": criterion,
            "target": target,
            "score": score,
            "likelihood": "likely",
            "horizon": "medium",
            "rationale": f"Benchmark rating {i}{run}: the effect follows from the proposal's business plan.",
        }
        if score < 0:
            rating["mitigation"] = "Phased introduction and advice for small firms."
        out.append(json.dumps({"ratings": [rating]}, separators=(",", ":")))
    return out


def forget_pdfs(ids: list[str]) -> None:
    from app.db.session import unit_of_work
    from app.reports.repository import forget_assessment

    with unit_of_work() as s:
        for i in ids:
            forget_assessment(s, uuid.UUID(i))
