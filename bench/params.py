"""How long FastAPI takes to validate the parameters of the busiest routes (in process; not a test).

    .venv/bin/python bench/params.py

The hot routes with several parameters take them as one model validated in one pydantic call
(``app/api/param_models.py``). This times one request through a bare FastAPI app (no middleware, no
database) whose only route takes the same model three ways: through ``parsed`` (ours), as FastAPI's own
``Annotated[Model, Query()]`` (FastAPI validates each field on its own, as it did the route's
parameters before), and not at all (the baseline in the same run: what the request costs without any
parameters). Medians of ``--repeat`` rounds of ``--number`` requests (CPU time), the three interleaved.
"""

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOME_ID = "6f1c1a3e-2b7e-4d8e-9a55-0d4b8f1e2a11"


def cases() -> list[tuple[str, type[Any], Literal["query", "path"], str, bytes]]:
    """(name, model, where, path, query) as the bench's clients send them, for each route with a model."""
    from app.api.assessments import ListQuery
    from app.api.portfolio import PortfolioQuery
    from app.api.reports import ReportQuery
    from app.web.routes_assessments import RateFormPath

    lists = b"status=approved&from=2025-01-01&to=2025-12-31&limit=50&cursor=WyIyMDI1LTA1LTEwIiwgIngiXQ"
    return [
        ("assessment list (12 parameters)", ListQuery, "query", "/r", lists),
        ("portfolio (2)", PortfolioQuery, "query", "/r", b"year=2025&scope=country"),
        ("decision PDF (2)", ReportQuery, "query", "/r", b"lang=fi&variant=ua"),
        ("web rating form's path (4)", RateFormPath, "path", f"/r/{SOME_ID}/proposal/policy/firms", b""),
    ]


def app_for(model: type[Any], where: Literal["query", "path"], how: str) -> Any:
    """A bare app whose one route takes ``model`` ``how``: "parsed" (ours), "fastapi" (field by field)
    or "none" (takes nothing: the baseline)."""
    from fastapi import Depends, FastAPI, Query
    from fastapi.responses import Response

    from app.api.param_models import parsed

    app = FastAPI()
    route = "/r" if where == "query" else "/r/{assessment_id}/{alt_key}/{perspective_id}/{target}"
    answer = b"{}"

    async def ours(params: Annotated[model, Depends(parsed(model, where))]) -> Response:  # type: ignore[valid-type]
        return Response(answer, media_type="application/json")

    async def fields(params: Annotated[model, Query()]) -> Response:  # type: ignore[valid-type]
        return Response(answer, media_type="application/json")

    async def path_fields(assessment_id: uuid.UUID, alt_key: str, perspective_id: str, target: str) -> Response:
        """FastAPI has no models for path parameters: the form's four, as the route declared them."""
        return Response(answer, media_type="application/json")

    async def none() -> Response:
        return Response(answer, media_type="application/json")

    theirs = fields if where == "query" else path_fields
    app.get(route)({"parsed": ours, "fastapi": theirs, "none": none}[how])
    return app


def caller(app: Any, path: str, query: bytes) -> Callable[[], Any]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def call() -> None:
        sent: list[dict[str, Any]] = []

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app(dict(scope, app=app), receive, send)
        if sent[0]["status"] != 200:
            raise SystemExit(f"{path}?{query.decode()}: {sent[0]['status']} {sent[-1].get('body', b'')[:300]!r}")

    return call


async def medians_us(calls: dict[str, Callable[[], Any]], number: int, repeat: int) -> dict[str, float]:
    """Median CPU µs per call of each, the rounds interleaved so a noisy moment hits all alike."""
    for call in calls.values():
        for _ in range(max(number // 10, 1)):
            await call()
    runs: dict[str, list[float]] = {how: [] for how in calls}
    for _ in range(repeat):
        for how, call in calls.items():
            started = time.process_time()
            for _ in range(number):
                await call()
            runs[how].append((time.process_time() - started) / number * 1e6)
    return {how: statistics.median(times) for how, times in runs.items()}


async def run(number: int, repeat: int) -> None:
    print(f"{'route':34s} {'ours':>9s} {'FastAPI':>9s} {'none':>9s}   ours/FastAPI  parameters: ours / FastAPI")
    for name, model, where, path, query in cases():
        hows = ("parsed", "fastapi", "none")
        times = await medians_us({how: caller(app_for(model, where, how), path, query) for how in hows}, number, repeat)
        ours, theirs, none = times["parsed"], times["fastapi"], times["none"]
        print(
            f"{name:34s} {ours:6.1f} µs {theirs:6.1f} µs {none:6.1f} µs   {ours / theirs:10.2f}"
            f"  {ours - none:6.1f} / {theirs - none:6.1f} µs"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--number", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("LIVSKRAFT_DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/livskraft-params.sqlite3")
    asyncio.run(run(args.number, args.repeat))
    return 0


if __name__ == "__main__":
    sys.exit(main())
