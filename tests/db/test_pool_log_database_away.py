"""The event-loop pool's log while PostgreSQL is away (``app/db/loop_db.py``).

psycopg_pool logs a warning per failed attempt to reconnect, with libpq's message over two lines
("… Connection refused" and a tab-indented "Is the server running on that host …?"): with the database
down, the service's log filled with pairs of lines. Now one line per attempt, as the webhook dispatcher
writes (tests/db/test_dispatcher_database_away.py), and never a traceback. A real pool, pointed at a port
where nothing listens (the shared server is never touched). PostgreSQL only: on SQLite there is no pool.
"""

from __future__ import annotations

import asyncio
import logging
import os

import psycopg
import pytest

from tests.server import free_port
from tests.support import run_coroutine

pytestmark = pytest.mark.skipif(
    not os.environ.get("LIVSKRAFT_TEST_DATABASE_URL", "").startswith("postgresql"),
    reason="the event-loop pool is PostgreSQL's",
)


def test_the_pool_logs_one_line_per_failed_reconnect_without_a_traceback(caplog: pytest.LogCaptureFixture) -> None:
    from app.db.loop_db import LoopDatabase

    away = f"postgresql+psycopg://livskraft@127.0.0.1:{free_port()}/livskraft"  # nothing listens there
    with pytest.raises(psycopg.OperationalError) as refused:
        psycopg.connect(away.replace("+psycopg", ""), connect_timeout=2)
    assert "\n" in str(refused.value).strip(), "libpq's own message runs over two lines"

    caplog.set_level(logging.WARNING, logger="psycopg.pool")

    async def scenario() -> None:
        db = LoopDatabase(away)
        await db.open()
        await asyncio.sleep(3.6)  # attempts at about 0, 1 and 3 s (the pool's own back-off)
        await db.close()

    run_coroutine(scenario())
    attempts = [r for r in caplog.records if r.name == "psycopg.pool" and "error connecting" in r.getMessage()]
    assert 2 <= len(attempts) <= 4, [r.getMessage() for r in caplog.records]
    for record in attempts:
        message = record.getMessage()
        assert record.levelno == logging.WARNING and record.exc_info is None
        assert "\n" not in message and "\t" not in message, message
        assert message.startswith("error connecting in 'loop-db': connection failed: "), message
        assert "Connection refused; Is the server running" in message, message
    assert "Traceback" not in caplog.text
    assert len(caplog.text.strip().splitlines()) == len(caplog.records), caplog.text


def test_a_pool_warning_with_a_traceback_becomes_one_line(caplog: pytest.LogCaptureFixture) -> None:
    """Should the pool log a warning with its exception (``exc_info``), the line names the exception
    instead of a traceback under it."""
    from app.db.loop_db import LoopDatabase

    LoopDatabase(f"postgresql+psycopg://livskraft@127.0.0.1:{free_port()}/livskraft")  # not opened
    caplog.set_level(logging.INFO, logger="psycopg.pool")
    pool_log = logging.getLogger("psycopg.pool")
    try:
        raise psycopg.OperationalError("server closed the connection unexpectedly\n\tThis probably means …")
    except psycopg.OperationalError:
        pool_log.warning("task run %s failed", "AddConnection", exc_info=True)
    pool_log.info("growing pool %r to %s", "loop-db", 2)  # below WARNING: untouched
    warning, info = caplog.records
    assert warning.getMessage() == (
        "task run AddConnection failed (OperationalError: server closed the connection unexpectedly; "
        "This probably means …)"
    )
    assert warning.exc_info is None and "Traceback" not in caplog.text
    assert info.getMessage() == "growing pool 'loop-db' to 2"
    assert len(caplog.text.strip().splitlines()) == 2, caplog.text


def test_with_postgresql_away_the_fast_paths_rest_instead_of_waiting(caplog: pytest.LogCaptureFixture) -> None:
    """A pool that cannot make one connection times out (2 s): that is not load but the database away,
    so the fast paths rest as after any failure, and the next requests go straight to the ordinary path
    (which answers 503) instead of each waiting the pool's timeout first: only the first asks the pool."""
    from app.db.loop_db import LoopDatabase

    caplog.set_level(logging.INFO, logger="app.db.loop_db")
    ran: list[int] = []

    async def work(conn: object) -> int:
        ran.append(1)
        return 1

    async def scenario() -> dict[str, int]:
        db = LoopDatabase(f"postgresql+psycopg://livskraft@127.0.0.1:{free_port()}/livskraft")
        await db.open()
        for _ in range(3):
            assert await db.attempt(work) is None
        stats = db.pool.get_stats()
        await db.close()
        return stats

    stats = run_coroutine(scenario())
    assert ran == [], "nothing ran without a connection"
    assert stats.get("requests_num") == 1 and stats.get("requests_errors") == 1, stats
    messages = [r.getMessage() for r in caplog.records if r.name == "app.db.loop_db"]
    assert messages == ["fast paths rest for 5 s: no connection to PostgreSQL could be made"], messages


def test_a_full_pool_is_load_and_does_not_rest_the_fast_paths(caplog: pytest.LogCaptureFixture) -> None:
    """Every connection taken (the pool at its maximum) is load: the request takes the ordinary path (and
    the rest of that request too, without waiting again), and the next one tries the fast path again as
    soon as a connection is free. Each request runs in a task of its own, as the server runs them."""
    from app.db.loop_db import LoopDatabase

    caplog.set_level(logging.INFO, logger="app.db.loop_db")
    url = os.environ["LIVSKRAFT_TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)

    async def one(conn: object) -> int:
        return 1

    async def scenario() -> tuple[object, object, object]:
        db = LoopDatabase(url, max_size=1)
        await db.open()

        async def request() -> tuple[object, object]:
            return await db.attempt(one), await db.attempt(one)

        async with db.pool.connection():  # the only connection, taken
            busy, later_in_it = await asyncio.create_task(request())
        again = await asyncio.create_task(db.attempt(one))
        await db.close()
        return busy, later_in_it, again

    busy, later_in_it, again = run_coroutine(scenario())
    assert busy is None and later_in_it is None and again == 1, (busy, later_in_it, again)
    messages = [r.getMessage() for r in caplog.records if r.name == "app.db.loop_db"]
    assert messages == ["the event-loop pool is busy: this request takes the ordinary path"], messages
