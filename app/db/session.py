"""One unit of work: the request (or CLI command) commits on success and rolls back on error.

Services and repositories never commit; they flush when they need generated values.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import anyio
import anyio.to_thread
from sqlmodel import Session

from app.db.engine import get_engine


def new_session(write: bool = True) -> Session:
    """A session on the write or the read engine; it does no I/O until first used."""
    return Session(get_engine(write), expire_on_commit=False)


def end_session(session: Session, commit: bool) -> None:
    """Commit (or roll back) and close: the end of a unit of work, in one call."""
    try:
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def unit_of_work(write: bool = True) -> Iterator[Session]:
    session = new_session(write)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@asynccontextmanager
async def request_unit_of_work(write: bool) -> AsyncIterator[Session]:
    """The unit of work of an HTTP request, for async dependencies: opening a session does no I/O (it
    connects on first use), so it happens on the event loop; the commit (or rollback) and close run
    together in the thread pool, shielded from cancellation so a dropped client still releases its
    database connection. Against a plain generator dependency (entered and left in the thread pool)
    this saves two thread hand-offs per request (docs/benchmarks.md)."""
    session = new_session(write)
    try:
        yield session
    except BaseException:
        await _end(session, commit=False)
        raise
    await _end(session, commit=True)


async def _end(session: Session, commit: bool) -> None:
    if not session.in_transaction():  # never used (e.g. a read served from cache): nothing to send
        session.close()
        return
    with anyio.CancelScope(shield=True):
        await anyio.to_thread.run_sync(end_session, session, commit)
