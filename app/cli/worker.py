"""``livskraft worker [--once]``: run the background jobs (report batches) from the PostgreSQL queue.

Run it as a process of its own beside the web service (systemd unit, or the container with the argument
``worker``): procrastinate's worker waits for jobs (``LISTEN/NOTIFY``, polling as a fallback) and
runs one at a time; SIGTERM or Ctrl-C lets the running job finish, then stops. Start as many as the CPU
allows: each job is claimed by one worker only.
"""

from __future__ import annotations

import logging
from typing import Annotated

import typer

from app.cli.common import err, fail


def register(app: typer.Typer) -> None:
    app.command("worker")(worker)


def worker(
    once: Annotated[
        bool, typer.Option("--once", help="Run the jobs queued now, then exit (cron, tests) instead of waiting")
    ] = False,
    name: Annotated[str, typer.Option(help="The worker's name in procrastinate's tables and the logs")] = "livskraft",
) -> None:
    """Run the background job worker (report batches); PostgreSQL only."""
    from app.reports import batches, jobs

    if not batches.supported():
        raise fail("the job queue needs PostgreSQL (LIVSKRAFT_DATABASE_URL); on SQLite there are no background jobs")
    from app.cli.main import schema_problem  # checked here, after the database kind (WITHOUT_SCHEMA_CHECK)

    problem = schema_problem()
    if problem:
        raise fail(problem)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    err.print(f"worker {name}: queue '{jobs.QUEUE}'{' (until empty)' if once else ''}")
    jobs.worker_app().run_worker(queues=[jobs.QUEUE], name=name, wait=not once, delete_jobs="successful")
