"""One unit of work: the request (or CLI command) commits on success and rolls back on error.

Services and repositories never commit; they flush when they need generated values.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session

from app.db.engine import get_engine


@contextmanager
def unit_of_work(write: bool = True) -> Iterator[Session]:
    session = Session(get_engine(write), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
