"""What a server process does once when it starts (``app.main``)."""

from __future__ import annotations

import gc
from typing import Any

from fastapi.testclient import TestClient

from app import main


def test_start_up_objects_are_frozen_out_of_the_collectors_reach_once_per_process(client: Any) -> None:
    """A full collection would otherwise walk everything start-up built (about 100 ms per collection
    under load, measured in docs/benchmarks.md); the freeze happens in the first app's lifespan only."""
    assert main.freeze_startup_objects.cache_info().currsize == 1
    frozen = gc.get_freeze_count()
    assert frozen > 50_000  # modules, the app, the rubrics: far more than anything a request builds
    with TestClient(main.create_app()):  # a second app in the same process freezes nothing more
        # a second freeze would add the new app's objects; frozen ones may still be freed by refcount
        assert gc.get_freeze_count() <= frozen
    assert main.freeze_startup_objects.cache_info().currsize == 1
