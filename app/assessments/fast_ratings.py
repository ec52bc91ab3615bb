"""Saving ratings in two round trips on the event loop (PostgreSQL; the fast write path).

``PUT /assessments/{id}/ratings`` through the ordinary path costs about a dozen statements through the
ORM, each a thread hand-off (docs/benchmarks.md: 73–77 writes/s at 64 connections). This module does the
same change with the same domain rules (``service.ratings_problems``, ``service.merge_ratings``,
``service.has_significant_negative``, ``audit.new_event``) over the event-loop pool
(``app/db/loop_db.py``), in one transaction of two pipelined round trips and four statements (each
statement costs the driver more CPU than PostgreSQL spends on it here):

1. claim the version (compare-and-set of ``lock_version``, only for a draft of the actor's municipality),
   lock and read the audit chain's head (in the same order as the ordinary path: assessment, then
   municipality) and read the alternatives and the screening as arrays, in one statement; read the
   ratings;
2. upsert the ratings; update the flag, append the audit event, move the chain's head and read the
   ratings' order (their ids in the ordinary order: the rows are known already), in one statement;
   commit (``BEGIN`` and ``COMMIT`` travel in the pipeline too).

Like the fast reads it only ever *does the ordinary thing faster*: a stale version, another
municipality's or a non-draft assessment, local extensions not yet merged in this process or any
invalid rating answers ``None`` before anything is written (the transaction rolls back), and the
ordinary route then decides the proper 404, 409, 412 or 422 itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from psycopg import AsyncConnection, AsyncCursor
from psycopg.rows import dict_row, namedtuple_row
from psycopg.types.json import Jsonb
from sqlalchemy import BindParameter, bindparam, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col

from app.assessments import repository as repo
from app.assessments import service
from app.assessments.models import Alternative, Assessment, Rating, ScreeningAnswer, Status
from app.assessments.schemas import RatingIn
from app.assessments.views import rating_public_values
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.auth.actor import Actor
from app.db.base import utcnow
from app.db.loop_db import for_psycopg, pipelined_transaction
from app.municipalities.models import Municipality
from app.rubrics.extensions import cached_merged_rubric, pins_of
from app.rubrics.models import Rubric
from app.rubrics.registry import RubricRegistry

Compiled = tuple[str, dict[str, Any]]
RATING_KEY = ("alternative_id", "criterion_id", "target", "effect")


@dataclass(frozen=True)
class Statements:
    claim: Compiled
    """Claim the version, lock the audit chain's head (the assessment first, as the ordinary path), and
    read the alternatives and the screening as arrays."""
    ratings: Compiled
    upsert: Compiled
    record: Compiled
    """Set the flag, append the audit event, move the chain's head, and read the ratings' order."""
    record_kept_order: Compiled
    """The same changes, for a save that only updates ratings: their order is the one read already (no
    key column changes), so nothing is read back."""


@lru_cache(maxsize=1)
def statements() -> Statements:
    """Built from the models and the repositories' own queries, compiled once. Every statement costs
    CPU in the driver (about 0.05–0.1 ms each, more than the work it asks of PostgreSQL here), so the
    change travels as four: the claim with what the rules read of the assessment, the ratings, the
    upsert, and one statement for the rest."""
    aid: BindParameter[uuid.UUID] = bindparam("assessment_id")
    mid: BindParameter[uuid.UUID] = bindparam("municipality_id")
    claimed = (
        update(Assessment)
        .where(
            col(Assessment.id) == aid,
            col(Assessment.municipality_id) == mid,
            col(Assessment.lock_version) == bindparam("expected"),
            col(Assessment.status) == Status.draft.value,
        )
        .values(lock_version=col(Assessment.lock_version) + 1, updated_at=bindparam("now"))
        .returning(*Assessment.__table__.columns)  # type: ignore[attr-defined]
        .cte("claimed")
    )

    # The UPDATE locks the assessment before its row reaches the join, and the chain's head is locked
    # only for a claimed row, as audit.repository.lock_chain does (FOR NO KEY UPDATE).
    def array_of(column: Any, assessment_of: Any, order: Any) -> Any:
        """One column of the assessment's rows as an array in ``order`` (NULL without rows)."""
        agg = func.array_agg(aggregate_order_by(column, order))
        return select(agg).where(assessment_of == aid).scalar_subquery().label(f"{column.table.name}_{column.name}")

    alternative_of, screening_of = col(Alternative.assessment_id), col(ScreeningAnswer.assessment_id)
    arrays = [
        *(
            array_of(col(c), alternative_of, col(Alternative.position))
            for c in (Alternative.id, Alternative.key, Alternative.kind)
        ),
        *(
            array_of(col(c), screening_of, col(ScreeningAnswer.perspective_id))
            for c in (ScreeningAnswer.perspective_id, ScreeningAnswer.relevant)
        ),
    ]
    claim = (
        select(claimed, col(Municipality.audit_seq), col(Municipality.audit_head), *arrays)
        .join_from(claimed, Municipality, col(Municipality.id) == claimed.c.municipality_id)
        .with_for_update(of=Municipality.__table__, key_share=True)  # type: ignore[attr-defined]
    )
    rating_columns = [c.name for c in Rating.__table__.columns]  # type: ignore[attr-defined]
    upsert = pg_insert(Rating).values({name: bindparam(name) for name in rating_columns})
    fixed = {"id", "assessment_id", *RATING_KEY}
    upsert = upsert.on_conflict_do_update(
        index_elements=list(RATING_KEY),
        set_={name: upsert.excluded[name] for name in rating_columns if name not in fixed},
    )
    event_columns = [c.name for c in AuditEvent.__table__.columns if c.name != "id"]  # type: ignore[attr-defined]
    changes = [
        update(Assessment)  # only when it changes: one row version per save, not two, as the ORM does
        .where(col(Assessment.id) == aid, col(Assessment.significant_negative).is_distinct_from(bindparam("flag")))
        .values(significant_negative=bindparam("flag"))
        .cte("flag"),
        insert(AuditEvent).values({name: bindparam(name) for name in event_columns}).cte("event"),
        update(Municipality)
        .where(col(Municipality.id) == mid)
        .values(audit_seq=bindparam("seq"), audit_head=bindparam("hash"))
        .cte("head"),
    ]
    # the order of the ratings, as the ordinary path reads them (the database's collation); it sees the
    # upsert, a statement of its own before this one. The rows themselves are known already.
    record = repo.ratings_query().with_only_columns(col(Rating.id)).add_cte(*changes)
    # PostgreSQL runs a data-modifying CTE whether or not the statement reads it
    record_kept_order = select(literal(True)).add_cte(*changes)
    return Statements(
        claim=for_psycopg(claim),
        ratings=for_psycopg(repo.ratings_query()),
        upsert=for_psycopg(upsert),
        record=for_psycopg(record),
        record_kept_order=for_psycopg(record_kept_order),
    )


@dataclass(frozen=True)
class Saved:
    lock_version: int
    ratings: list[dict[str, Any]]
    """Every rating of the assessment after the change, in the ordinary order, as ``RatingPublic``'s
    fields."""


class _Alternative(NamedTuple):
    id: uuid.UUID
    key: str
    kind: str


class _Decline(Exception):
    """Not for the fast path: roll back, and let the ordinary route decide."""


async def save(
    conn: AsyncConnection[Any],
    actor: Actor,
    registry: RubricRegistry,
    assessment_id: uuid.UUID,
    expected: int,
    ratings: Sequence[RatingIn],
) -> Saved | None:
    """Save ``ratings`` as ``service.put_ratings`` would, or None (nothing written) when the ordinary
    route must answer. The caller has checked that ``actor`` may write. Rows are read as plain tuples
    (an ORM object costs about 50 µs to build): only the ratings the request changes become models."""
    st = statements()
    ids = {"assessment_id": assessment_id, "municipality_id": actor.municipality_id}
    try:
        async with pipelined_transaction(conn):
            # rows by name, typed loosely: the claim's row also carries the chain's head and the arrays
            claim_cur: AsyncCursor[Any] = conn.cursor(row_factory=namedtuple_row)
            ratings_cur: AsyncCursor[Any] = conn.cursor(row_factory=namedtuple_row)
            now = utcnow()
            await claim_cur.execute(st.claim[0], {**st.claim[1], **ids, "expected": expected, "now": now})
            await ratings_cur.execute(st.ratings[0], {**st.ratings[1], **ids})
            claimed = await claim_cur.fetchone()  # the first round trip ends here
            if claimed is None:  # stale, not a draft, or not the actor's municipality
                raise _Decline
            rubric = _rubric(registry, claimed)
            if rubric is None:  # local extensions not merged in this process yet: the ORM session reads them
                raise _Decline
            alternatives = {
                key: _Alternative(id, key, kind)
                for id, key, kind in zip(
                    claimed.alternative_id or (),
                    claimed.alternative_key or (),
                    claimed.alternative_kind or (),
                    strict=True,
                )
            }
            relevance = dict(
                zip(claimed.screening_answer_perspective_id or (), claimed.screening_answer_relevant or (), strict=True)
            )
            if service.ratings_problems(ratings, rubric, alternatives, relevance):
                raise _Decline
            rows = {service.rating_key(r): r for r in await ratings_cur.fetchall()}
            if service.ratings_unchanged(alternatives, rows, ratings):  # the ordinary route writes nothing
                raise _Decline
            wanted = {service.requested_key(alternatives, r) for r in ratings}
            existing = {k: Rating(**rows[k]._asdict()) for k in wanted if k in rows}
            merged = service.merge_ratings(assessment_id, rubric, alternatives, existing, ratings, now)
            rows.update((service.rating_key(r), r) for r in merged.saved)
            flag = service.has_significant_negative(alternatives.values(), rows.values(), relevance)
            event = audit.new_event(
                actor,
                "ratings.saved",
                "assessment",
                assessment_id,
                None,
                merged.audit_after,
                claimed.audit_seq,
                claimed.audit_head,
            )
            await conn.cursor().executemany(st.upsert[0], [_rating_params(st.upsert[1], r) for r in merged.saved])
            after = conn.cursor()
            changes = {"flag": flag, "seq": event.seq, "hash": event.hash, **_event_params(event)}
            # only updates (the rows' keys and ids stay, so their order stays): nothing to read back
            kept_order = len(existing) == len(merged.saved)
            record = st.record_kept_order if kept_order else st.record
            await after.execute(record[0], {**record[1], **ids, **changes})
        # committed
        order = [r.id for r in rows.values()] if kept_order else [i for (i,) in await after.fetchall()]
    except _Decline:
        return None
    keys = {a.id: a.key for a in alternatives.values()}
    out = {pid for pid, relevant in relevance.items() if not relevant}  # as views.screened_out
    by_id = {r.id: r for r in rows.values()}
    if set(order) != by_id.keys():  # cannot happen while the claim holds the assessment: read them
        cur = conn.cursor(row_factory=dict_row)
        await cur.execute(st.ratings[0], {**st.ratings[1], **ids})
        return Saved(
            claimed.lock_version,
            [rating_public_values(r, keys[r["alternative_id"]], out) for r in await cur.fetchall()],
        )
    values = [by_id[i].model_dump() if isinstance(by_id[i], Rating) else by_id[i]._asdict() for i in order]
    return Saved(claimed.lock_version, [rating_public_values(v, keys[v["alternative_id"]], out) for v in values])


def _rubric(registry: RubricRegistry, claimed: Any) -> Rubric | None:
    """The rubric the assessment is rated on (its pinned base version merged with its pinned local
    extensions, if that merge is cached), or None for the ordinary path."""
    pins = pins_of(claimed)
    if not pins:
        return service.rubric_of(registry, claimed)
    base = registry.get(claimed.rubric_id, claimed.rubric_version)
    return cached_merged_rubric(registry, base, pins) if base is not None else None


def _rating_params(constants: dict[str, Any], row: Rating) -> dict[str, Any]:
    values = row.model_dump()
    values["evidence"] = Jsonb(values["evidence"])
    return {**constants, **values}


def _event_params(event: AuditEvent) -> dict[str, Any]:
    values = event.model_dump(exclude={"id"})
    values["before"], values["after"] = Jsonb(values["before"]), Jsonb(values["after"])
    return values
