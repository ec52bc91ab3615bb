"""``livskraft webhooks deliver [--loop]``: send due webhook deliveries.

The app processes already run a dispatcher; this command is for a separate worker, cron, or to flush
the outbox by hand. Any number of them can run beside the app: rows are claimed, never sent twice at once.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from app.cli.common import Typer, err

webhooks_app = Typer(help="Webhook deliveries.", no_args_is_help=True)


@webhooks_app.command("deliver")
def deliver(
    loop: Annotated[bool, typer.Option("--loop", help="Keep delivering until stopped (Ctrl-C or SIGTERM)")] = False,
    interval: Annotated[float, typer.Option(min=0.1, help="Seconds between runs with --loop")] = 5.0,
    batch: Annotated[int, typer.Option(min=1, max=1000, help="Deliveries per run")] = 50,
) -> None:
    """Deliver the webhook events that are due (new ones and retries whose backoff has passed)."""
    from app.webhooks.delivery import Dispatcher

    dispatcher = Dispatcher(batch=batch)
    stop = threading.Event()

    def _stop(signum: int, _frame: FrameType | None) -> None:
        stop.set()
        dispatcher.stopping.set()

    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop) if in_main else None
    try:
        while not stop.is_set():
            stats = dispatcher.run_once()
            if stats.handled or not loop:
                err.print(
                    f"webhooks: {stats.delivered} delivered, {stats.retrying} to retry, "
                    f"{stats.failed} failed, {stats.cancelled} cancelled"
                )
            if not loop and stats.handled < batch:
                break
            if loop:
                stop.wait(interval)
    except KeyboardInterrupt:
        pass
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        dispatcher.close()


def register(app: typer.Typer) -> None:
    app.add_typer(webhooks_app, name="webhooks")
