"""The service's webhook dispatcher while its database is away (``app/webhooks/delivery.py``).

With PostgreSQL down, `livskraft serve` logged a full SQLAlchemy/psycopg traceback (some 60 lines) every
5 s for as long as the database stayed away, burying everything else in the log. Now: one warning line
per failed attempt naming the reason, attempts further apart while it lasts, and one line when the
database is back — the dispatcher keeps running and delivers again without a restart. The database
goes away for real: PostgreSQL behind a TCP proxy that is stopped (the shared server is never touched),
SQLite by its folder being renamed away.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.faults.support import TcpProxy
from tests.support import reset_caches, run_coroutine


@contextmanager
def database_switch() -> Iterator[tuple[Callable[[], None], Callable[[], None]]]:
    """(take_away, bring_back) for the test database, which the settings name meanwhile."""
    url = os.environ["LIVSKRAFT_DATABASE_URL"]
    if url.startswith("sqlite"):
        folder = Path(make_url(url).database or "").parent
        aside = folder.with_name(folder.name + ".away")
        try:
            yield (lambda: folder.rename(aside)), (lambda: aside.rename(folder))
        finally:
            if aside.exists():
                aside.rename(folder)
        return
    real = make_url(url)
    proxy = TcpProxy((real.host or "127.0.0.1", real.port or 5432))
    proxy.start()
    os.environ["LIVSKRAFT_DATABASE_URL"] = real.set(host="127.0.0.1", port=proxy.port).render_as_string(
        hide_password=False
    )
    reset_caches()
    try:
        yield proxy.stop, proxy.start
    finally:
        proxy.stop()
        os.environ["LIVSKRAFT_DATABASE_URL"] = url
        reset_caches()


def test_dispatcher_logs_one_line_per_failure_backs_off_and_recovers(caplog: pytest.LogCaptureFixture) -> None:
    from app.settings import get_settings
    from app.webhooks.delivery import BackgroundDispatcher, background

    caplog.set_level(logging.INFO, logger="livskraft.webhooks")

    def lines(part: str) -> list[logging.LogRecord]:
        return [r for r in caplog.records if part in r.getMessage()]

    with database_switch() as (take_away, bring_back):

        async def scenario() -> BackgroundDispatcher:
            async with background(get_settings(), enabled=True) as running:
                assert running is not None
                running.interval = 0.05
                await asyncio.sleep(0.3)  # a few rounds with the database there: nothing logged
                assert caplog.records == []
                take_away()
                await asyncio.sleep(2.0)
                bring_back()
                for _ in range(100):
                    if lines("reachable again"):
                        break
                    await asyncio.sleep(0.1)
            return running

        assert not run_coroutine(scenario()).running  # stopped cleanly at the end
    away = lines("the database is not reachable")
    assert 3 <= len(away) <= 8, [r.getMessage() for r in caplog.records]  # backed off: 0.05, 0.1, 0.2 … s
    assert all(r.levelno == logging.WARNING and r.exc_info is None and "\n" not in r.getMessage() for r in away)
    assert not [r for r in caplog.records if r.exc_info], "no traceback for a database that is away"
    message = away[0].getMessage()
    assert message.startswith("webhook dispatch: the database is not reachable (OperationalError: "), message
    waits = [float(r.getMessage().rsplit("retrying in ", 1)[1].split()[0]) for r in away]
    assert waits == sorted(waits) and waits[-1] > waits[0], waits
    assert len(lines("reachable again")) == 1
