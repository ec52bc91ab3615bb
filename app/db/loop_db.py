"""One round trip on the event loop for the hottest reads (PostgreSQL only).

An API read normally costs several thread hand-offs and a SQLAlchemy session around its queries; on
this kind of machine that floor alone is about a quarter of the bare framework's throughput
(docs/benchmarks.md). For ``GET /assessments/{id}`` and its summary the answer usually exists already,
serialised, for the assessment's current version (``app/assessments/representation_cache.py``); all a
request must still learn from the database is whether its token may read that assessment and which
version is current. This module asks exactly that, in one statement, over an asynchronous psycopg pool
on the event loop: no thread, no ORM session.

It only ever *confirms*: any doubt (no such token, revoked, another municipality's assessment, the
database slow or away) answers ``None`` and the request takes the ordinary path, which gives the
proper 401, 404 or 503. After an error the fast path rests for a few seconds.

The pool is opened in the application's lifespan (``app/main.py``), one per worker process.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, TypeVar

from psycopg import AsyncConnection, pq
from psycopg.rows import dict_row, namedtuple_row
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy import and_, bindparam, case, exists, func, null, select
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.engine import make_url
from sqlmodel import col

from app.assessments.models import Assessment, FormDraft
from app.auth.models import ApiToken, User, WebSession
from app.auth.repository import token_principal_query
from app.municipalities.models import Municipality
from app.portfolio.models import PortfolioState

log = logging.getLogger(__name__)

_BUSY: ContextVar[bool] = ContextVar("loop_db_busy", default=False)
"""Set in a request's task once the pool was found full (load): the request's later attempts take the
ordinary path at once instead of waiting the pool's timeout again (a save asks for the caller, then
saves: it waited 2 s twice). Each request runs in a task of its own, so the flag ends with it."""

POOL_MAX = 4
"""Connections per worker process; each holds a statement for well under a millisecond."""
REST_SECONDS = 5.0


@dataclass(frozen=True)
class AssessmentAccess:
    """What a token is and which version of one assessment of its municipality is current."""

    scopes: str
    revoked: bool
    user_id: uuid.UUID | None
    user_role: str | None
    user_active: bool | None
    lock_version: int | None
    """None: no such assessment in the token's municipality."""
    updated_at: datetime | None
    weights: Any
    """The weights its summary is scored with: frozen at approval, else the municipality's."""


@lru_cache(maxsize=2)
def _principal_statement(national: bool) -> tuple[str, dict[str, Any]]:
    """``token_principal_query``, whether the assessment is one of the token's municipality, the head
    of the municipality's audit chain (it moves with every change in the municipality) and, for the
    ``national`` statement, the token of the portfolio summary tables (``PortfolioState``: it moves
    with every change of them).

    Two statements rather than one with ``CASE WHEN :national``: PostgreSQL folds that CASE away in a
    plan made for the values at hand, so the generic plan of a prepared statement, which kept the
    subquery, looked costlier and every execution was planned afresh (with the digest of 598 chains read
    before 3 Dec: 0.15 ms of PostgreSQL's CPU per request against 0.04 ms; docs/benchmarks.md)."""
    assessment_match = and_(
        col(Assessment.id) == bindparam("assessment_id"),
        col(Assessment.municipality_id) == col(ApiToken.municipality_id),
    )
    if national:
        # The summary tables behind the country's portfolio change only together with this token (one
        # primary-key read), where a digest of every municipality's chain read 598 rows: 0.13 ms of
        # PostgreSQL's CPU per request against 0.05 for a municipality's portfolio (docs/benchmarks.md).
        national_head: Any = (
            select(col(PortfolioState.epoch)).where(col(PortfolioState.id) == 1).correlate(None).scalar_subquery()
        )
    else:
        national_head = null()
    stmt = (
        token_principal_query()
        .add_columns(
            col(Assessment.id).is_not(None).label("assessment_found"),
            col(Municipality.audit_head).label("municipality_head"),
            national_head.label("national_head"),
        )
        .outerjoin(Assessment, assessment_match)
    )
    return for_psycopg(stmt)


@dataclass(frozen=True)
class WebPageAccess:
    """A web session's user, whether one assessment is of the user's municipality, the head of that
    municipality's audit chain and whether the user has an unsaved draft of one form."""

    user_id: uuid.UUID
    role: str
    csrf_token: str
    usable: bool
    """The session has not expired and its user is active."""
    assessment_found: bool
    municipality_head: str
    draft_found: bool


@lru_cache(maxsize=1)
def _web_page_statement() -> tuple[str, dict[str, Any]]:
    """The session (by its token's hash), its user and municipality, the assessment if it is of that
    municipality, and whether the user has a draft of the form (``form_key``) of that assessment."""
    draft = exists().where(
        col(FormDraft.assessment_id) == bindparam("assessment_id"),
        col(FormDraft.user_id) == col(User.id),
        col(FormDraft.form_key) == bindparam("form_key"),
    )
    stmt: Any = (
        select(
            col(User.id).label("user_id"),
            col(User.role),
            col(User.active),
            col(WebSession.csrf_token),
            col(WebSession.expires_at),
            col(Assessment.id).is_not(None).label("assessment_found"),
            col(Municipality.audit_head).label("municipality_head"),
            draft.label("draft_found"),
        )
        .select_from(WebSession)
        .join(User, col(User.id) == col(WebSession.user_id))
        .join(Municipality, col(Municipality.id) == col(User.municipality_id))
        .outerjoin(
            Assessment,
            and_(
                col(Assessment.id) == bindparam("assessment_id"),
                col(Assessment.municipality_id) == col(User.municipality_id),
            ),
        )
        .where(col(WebSession.id) == bindparam("session_hash"))
    )
    return for_psycopg(stmt)


@lru_cache(maxsize=1)
def _access_statement() -> tuple[str, dict[str, Any]]:
    """The statement, built from the models (so it follows the schema) and compiled once for psycopg,
    with the values of its constant parameters."""
    municipality_weights = col(Municipality.settings)["weights"]
    assessment_match = and_(
        col(Assessment.id) == bindparam("assessment_id"),
        col(Assessment.municipality_id) == col(ApiToken.municipality_id),
    )
    stmt: Any = (
        select(
            col(ApiToken.scopes),
            col(ApiToken.revoked_at).is_not(None).label("revoked"),
            col(ApiToken.user_id),
            col(User.role).label("user_role"),
            col(User.active).label("user_active"),
            col(Assessment.lock_version),
            col(Assessment.updated_at),
            # as views.weights_raw: the assessment's own weights unless they are null (SQL NULL or the
            # JSON null that SQLAlchemy stores for None), else the municipality's
            case(
                (func.coalesce(func.jsonb_typeof(col(Assessment.weights)), "null") == "null", municipality_weights),
                else_=col(Assessment.weights),
            ).label("weights"),
        )
        .select_from(ApiToken)
        .outerjoin(User, col(User.id) == col(ApiToken.user_id))
        .outerjoin(Assessment, assessment_match)
        .outerjoin(Municipality, col(Municipality.id) == col(Assessment.municipality_id))
        .where(col(ApiToken.token_hash) == bindparam("token_hash"))
    )
    return for_psycopg(stmt)


def for_psycopg(stmt: Any) -> tuple[str, dict[str, Any]]:
    """A SQLAlchemy statement as psycopg's SQL (named ``%(…)s`` parameters) and its constant values.
    Built from the models, so the SQL follows the schema; compile once (``lru_cache``) and reuse."""
    compiled = stmt.compile(dialect=psycopg_dialect())  # type: ignore[no-untyped-call]
    return str(compiled), dict(compiled.params)


def _utc(value: datetime) -> datetime:
    """A timestamp as read through the pool (the session's time zone is UTC) as an aware UTC datetime."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)


def libpq_url(sqlalchemy_url: str) -> str:
    """``postgresql+psycopg://…`` as libpq understands it."""
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


class OneLinePoolWarnings(logging.Filter):
    """psycopg_pool reports what goes wrong through the ``psycopg.pool`` logger (its documented way to
    follow the pool): while PostgreSQL is away, one warning per attempt to reconnect (the pool backs off
    by itself: 1 s, 2 s, 4 s … until its ``reconnect_timeout``), with libpq's message over two lines
    ("… Connection refused" and a tab-indented "Is the server running …?"). The pool's
    ``reconnect_failed`` callback comes only when it gives up, so it cannot shorten these. A log reader
    wants one line per attempt, as the webhook dispatcher writes (``app/webhooks/delivery.py``): this
    filter, on that logger, rewrites each warning or error to one line, an exception as its kind and
    message instead of a traceback. Records below WARNING are left as they are (and cost nothing: the
    logger does not make them)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            message += f" ({type(exc).__name__}: {str(exc).strip()})"
        if "\n" in message or record.exc_info or record.exc_text or record.stack_info:
            record.msg = "; ".join(line.strip() for line in message.splitlines() if line.strip())
            record.args = None
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


POOL_LOG_FILTER = OneLinePoolWarnings()


T = TypeVar("T")


@asynccontextmanager
async def pipelined_transaction(conn: AsyncConnection[Any]) -> AsyncIterator[None]:
    """A transaction whose ``BEGIN`` and ``COMMIT`` travel in the pipeline with its statements (the
    pool's connections are in autocommit). psycopg's ``conn.transaction()`` costs about 0.2 ms of CPU
    more per transaction, a twentieth of a fast rating write. Any exception rolls back."""
    try:
        async with conn.pipeline():
            await conn.execute("BEGIN")
            yield
            await conn.execute("COMMIT")
    except BaseException:
        if not conn.closed and conn.info.transaction_status != pq.TransactionStatus.IDLE:
            await conn.execute("ROLLBACK")
        raise


class LoopDatabase:
    """An asynchronous psycopg pool on the event loop, for the fast paths (reads and rating writes)."""

    def __init__(self, sqlalchemy_url: str, reads: bool = True, writes: bool = True, max_size: int = POOL_MAX) -> None:
        self.reads, self.writes = reads, writes
        logging.getLogger("psycopg.pool").addFilter(POOL_LOG_FILTER)  # once: the same filter is not added twice
        self.pool = AsyncConnectionPool(
            libpq_url(sqlalchemy_url),
            min_size=1,
            max_size=max_size,
            open=False,
            timeout=2.0,
            # UTC, as the ORM's UTCDateTime hands out every timestamp
            kwargs={"autocommit": True, "connect_timeout": 2, "options": "-c TimeZone=UTC"},
            name="loop-db",
        )
        self._resting_until = 0.0

    async def open(self) -> None:
        await self.pool.open(wait=False)

    async def close(self) -> None:
        await self.pool.close()

    async def attempt(self, work: Callable[[AsyncConnection[Any]], Awaitable[T]]) -> T | None:
        """``work`` on a pooled connection, or None when the pool is resting or anything fails (then
        the caller takes the ordinary path). An open transaction is rolled back when ``work`` raises.
        After a failure (other than a full pool, which is load) the pool rests for a few seconds."""
        if time.monotonic() < self._resting_until or _BUSY.get():
            return None
        try:
            async with self.pool.connection() as conn:
                return await work(conn)
        except PoolTimeout:
            _BUSY.set(True)
            stats = self.pool.get_stats()
            if stats.get("pool_size", 0) < stats.get("pool_max", 0):
                # under load the pool grows to its maximum within the timeout, every connection taken; one
                # that stayed below could not make connections (PostgreSQL away): rest, or every request
                # would wait the pool's whole timeout before the ordinary path answers
                self._resting_until = time.monotonic() + REST_SECONDS
                log.warning("fast paths rest for %.0f s: no connection to PostgreSQL could be made", REST_SECONDS)
            else:
                log.info("the event-loop pool is busy: this request takes the ordinary path")
            return None
        except Exception as exc:  # any failure means: take the ordinary path
            self._resting_until = time.monotonic() + REST_SECONDS
            log.warning("fast paths rest for %.0f s after %s: %s", REST_SECONDS, type(exc).__name__, exc)
            return None

    async def principal(self, token_hash: str, assessment_id: uuid.UUID | None = None, national: bool = False) -> Any:
        """The row of ``app.auth.repository.token_principal`` for a token, with ``assessment_found``
        (whether the assessment belongs to the token's municipality), ``municipality_head`` and, with
        ``national``, ``national_head`` (None: no such token, or the fast path is not available; the
        caller then checks the ordinary way)."""
        params = {"token_hash": token_hash, "assessment_id": assessment_id}
        return await self.one_row(_principal_statement(national), params)

    async def one_row(
        self, statement: tuple[str, dict[str, Any]], params: dict[str, Any], row_factory: Any = None
    ) -> Any:
        """The first row of a compiled statement (``for_psycopg``) with ``params`` added to its constants,
        as a named tuple unless another ``row_factory`` is given; None when there is no row or the fast
        path is not available (:meth:`attempt`)."""
        sql, constants = statement

        async def read(conn: AsyncConnection[Any]) -> Any:
            cur = conn.cursor(row_factory=row_factory or namedtuple_row)
            await cur.execute(sql, {**constants, **params})
            return await cur.fetchone()

        return await self.attempt(read)

    async def assessment_access(self, token_hash: str, assessment_id: uuid.UUID) -> AssessmentAccess | None:
        """The token and the assessment's current version, or None (unknown token, or any error)."""
        params = {"token_hash": token_hash, "assessment_id": assessment_id}
        row = await self.one_row(_access_statement(), params, dict_row)
        if row is None:
            return None
        return AssessmentAccess(
            scopes=row["scopes"],
            revoked=bool(row["revoked"]),
            user_id=row["user_id"],
            user_role=row["user_role"],
            user_active=row["user_active"],
            lock_version=row["lock_version"],
            updated_at=_utc(row["updated_at"]) if row["updated_at"] is not None else None,
            weights=row["weights"],
        )

    async def web_page(self, session_hash: str, assessment_id: uuid.UUID, form_key: str) -> WebPageAccess | None:
        """What a kept web page of an assessment depends on, for one session (None: no such session,
        or the fast path is not available; the page is then built the ordinary way)."""
        params = {"session_hash": session_hash, "assessment_id": assessment_id, "form_key": form_key}
        row = await self.one_row(_web_page_statement(), params)
        if row is None:
            return None
        return WebPageAccess(
            user_id=row.user_id,
            role=row.role,
            csrf_token=row.csrf_token,
            usable=bool(row.active) and _utc(row.expires_at) > datetime.now(UTC),
            assessment_found=bool(row.assessment_found),
            municipality_head=row.municipality_head,
            draft_found=bool(row.draft_found),
        )
