"""Saving ratings in two round trips on the event loop (PostgreSQL; the fast write path).

``PUT /assessments/{id}/ratings`` through the ordinary path costs about a dozen statements through the
ORM, each a thread hand-off (docs/benchmarks.md: 73–77 writes/s at 64 connections). This module does the
same change with the same domain rules (``service.ratings_problems``, ``service.merge_ratings``,
``service.has_significant_negative``, ``audit.new_event``) over the event-loop pool
(``app/db/loop_db.py``), in one transaction of two pipelined round trips:

1. claim the version (compare-and-set of ``lock_version``, only for a draft of the actor's municipality)
   and read the alternatives, the screening, the ratings and the audit chain's head (row-locked, in the
   same order as the ordinary path: assessment, then municipality);
2. upsert the ratings, update the flag, append the audit event, move the chain's head, read the
   ratings back in the ordinary order, and commit.

Like the fast reads it only ever *does the ordinary thing faster*: a stale version, another
municipality's or a non-draft assessment, a pinned rubric extension or any invalid rating answers
``None`` before anything is written (the transaction rolls back), and the ordinary route then decides
the proper 404, 409, 412 or 422 itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from psycopg import AsyncConnection, AsyncCursor
from psycopg.rows import dict_row, namedtuple_row
from psycopg.types.json import Jsonb
from sqlalchemy import BindParameter, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlmodel import col

from app.assessments import repository as repo
from app.assessments import service
from app.assessments.models import Assessment, Rating, Status
from app.assessments.schemas import RatingIn
from app.assessments.views import rating_public_values
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.auth.actor import Actor
from app.db.base import utcnow
from app.db.loop_db import for_psycopg
from app.municipalities.models import Municipality
from app.rubrics.extensions import pins_of
from app.rubrics.registry import RubricRegistry

Compiled = tuple[str, dict[str, Any]]
RATING_KEY = ("alternative_id", "criterion_id", "target", "effect")


@dataclass(frozen=True)
class Statements:
    claim: Compiled
    alternatives: Compiled
    screening: Compiled
    ratings: Compiled
    chain_head: Compiled
    upsert: Compiled
    flag: Compiled
    audit_event: Compiled
    move_head: Compiled


@lru_cache(maxsize=1)
def statements() -> Statements:
    """Built from the models and the repositories' own queries, compiled once."""
    aid: BindParameter[uuid.UUID] = bindparam("assessment_id")
    mid: BindParameter[uuid.UUID] = bindparam("municipality_id")
    claim = (
        update(Assessment)
        .where(
            col(Assessment.id) == aid,
            col(Assessment.municipality_id) == mid,
            col(Assessment.lock_version) == bindparam("expected"),
            col(Assessment.status) == Status.draft.value,
        )
        .values(lock_version=col(Assessment.lock_version) + 1, updated_at=bindparam("now"))
        .returning(*Assessment.__table__.columns)  # type: ignore[attr-defined]
    )
    head = (
        select(col(Municipality.audit_seq), col(Municipality.audit_head))
        .where(col(Municipality.id) == mid)
        .with_for_update(key_share=True)  # as audit.repository.lock_chain
    )
    rating_columns = [c.name for c in Rating.__table__.columns]  # type: ignore[attr-defined]
    upsert = pg_insert(Rating).values({name: bindparam(name) for name in rating_columns})
    fixed = {"id", "assessment_id", *RATING_KEY}
    upsert = upsert.on_conflict_do_update(
        index_elements=list(RATING_KEY),
        set_={name: upsert.excluded[name] for name in rating_columns if name not in fixed},
    )
    event_columns = [c.name for c in AuditEvent.__table__.columns if c.name != "id"]  # type: ignore[attr-defined]
    return Statements(
        claim=for_psycopg(claim),
        alternatives=for_psycopg(repo.alternatives_query()),
        screening=for_psycopg(repo.screening_query()),
        ratings=for_psycopg(repo.ratings_query()),
        chain_head=for_psycopg(head),
        upsert=for_psycopg(upsert),
        flag=for_psycopg(
            update(Assessment).where(col(Assessment.id) == aid).values(significant_negative=bindparam("flag"))
        ),
        audit_event=for_psycopg(insert(AuditEvent).values({name: bindparam(name) for name in event_columns})),
        move_head=for_psycopg(
            update(Municipality)
            .where(col(Municipality.id) == mid)
            .values(audit_seq=bindparam("seq"), audit_head=bindparam("hash"))
        ),
    )


@dataclass(frozen=True)
class Saved:
    lock_version: int
    ratings: list[dict[str, Any]]
    """Every rating of the assessment after the change, in the ordinary order, as ``RatingPublic``'s
    fields."""


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
        async with conn.pipeline(), conn.transaction():
            reads: list[AsyncCursor[Any]] = [conn.cursor(row_factory=namedtuple_row) for _ in range(5)]  # rows by name
            claim_cur, alts_cur, screening_cur, ratings_cur, head_cur = reads
            now = utcnow()
            await claim_cur.execute(st.claim[0], {**st.claim[1], **ids, "expected": expected, "now": now})
            queries = (st.alternatives, st.screening, st.ratings, st.chain_head)
            for cur, (sql, constants) in zip(reads[1:], queries, strict=True):
                await cur.execute(sql, {**constants, **ids})
            claimed = await claim_cur.fetchone()  # the first round trip ends here
            if claimed is None:  # stale, not a draft, or not the actor's municipality
                raise _Decline
            if pins_of(claimed):  # the merged rubric is read through the ORM session
                raise _Decline
            rubric = service.rubric_of(registry, claimed)
            alternatives = {a.key: a for a in await alts_cur.fetchall()}
            relevance = {r.perspective_id: r.relevant for r in await screening_cur.fetchall()}
            if service.ratings_problems(ratings, rubric, alternatives, relevance):
                raise _Decline
            rows = {service.rating_key(r): r for r in await ratings_cur.fetchall()}
            wanted = {service.requested_key(alternatives, r) for r in ratings}
            existing = {k: Rating(**rows[k]._asdict()) for k in wanted if k in rows}
            head = await head_cur.fetchone()
            assert head is not None  # the assessment's municipality exists (foreign key)
            merged = service.merge_ratings(assessment_id, rubric, alternatives, existing, ratings, now)
            rows.update((service.rating_key(r), r) for r in merged.saved)
            flag = service.has_significant_negative(alternatives.values(), rows.values())
            event = audit.new_event(
                actor,
                "ratings.saved",
                "assessment",
                assessment_id,
                None,
                merged.audit_after,
                head.audit_seq,
                head.audit_head,
            )
            await conn.cursor().executemany(st.upsert[0], [_rating_params(st.upsert[1], r) for r in merged.saved])
            await conn.execute(st.flag[0], {**st.flag[1], **ids, "flag": flag})
            await conn.execute(st.audit_event[0], {**st.audit_event[1], **_event_params(event)})
            await conn.execute(st.move_head[0], {**st.move_head[1], **ids, "seq": event.seq, "hash": event.hash})
            after = conn.cursor(row_factory=dict_row)
            await after.execute(st.ratings[0], {**st.ratings[1], **ids})
        saved = await after.fetchall()  # committed
    except _Decline:
        return None
    keys = {a.id: a.key for a in alternatives.values()}
    return Saved(claimed.lock_version, [rating_public_values(r, keys[r["alternative_id"]]) for r in saved])


def _rating_params(constants: dict[str, Any], row: Rating) -> dict[str, Any]:
    values = row.model_dump()
    values["evidence"] = Jsonb(values["evidence"])
    return {**constants, **values}


def _event_params(event: AuditEvent) -> dict[str, Any]:
    values = event.model_dump(exclude={"id"})
    values["before"], values["after"] = Jsonb(values["before"]), Jsonb(values["after"])
    return values
