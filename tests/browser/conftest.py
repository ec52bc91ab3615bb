"""Browser tests: a real uvicorn process on the test database, driven by Debian's chromium."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.support import chromium_available, launch, server_process


@pytest.fixture(scope="session")
def server(environment: dict[str, str]) -> Iterator[str]:
    with server_process() as base:
        yield base


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not chromium_available():
        pytest.fail("chromium is not installed: run scripts/setup.sh --dev")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="sv-SE")
    context.set_default_timeout(20_000)
    pg = context.new_page()
    yield pg
    context.close()
