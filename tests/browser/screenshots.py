"""Regenerate docs/screenshots/web-<page>.png: every page of the web interface in Swedish, taken
from a fresh demo database served by a real server process. Run through ``scripts/screenshots-web``."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "screenshots"
MAX_HEIGHT = 2200


def main() -> int:
    data_dir = tempfile.mkdtemp(prefix="livskraft-shots-")
    os.environ.update(
        {
            "LIVSKRAFT_DATA_DIR": data_dir,
            "LIVSKRAFT_DATABASE_URL": "",
            "LIVSKRAFT_ENV": "development",
            "DATABASE_URL": "",
        }
    )
    from app.db.migrate import upgrade
    from app.settings import get_settings
    from tests.browser.support import launch, seed_demo, server_process
    from tests.browser.walk import walk

    get_settings.cache_clear()
    upgrade()
    seed_demo()
    OUT.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    written: list[str] = []
    with server_process() as base, sync_playwright() as p:
        browser = launch(p)
        page = browser.new_context(viewport={"width": 1200, "height": 900}, locale="sv-SE").new_page()

        def visit(name: str, html: str) -> None:
            height = min(MAX_HEIGHT, int(page.evaluate("document.documentElement.scrollHeight")))
            path = OUT / f"web-{name}.png"
            page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": 0, "width": 1200, "height": height})
            written.append(path.name)

        walk(page, base, "sv", visit)
        browser.close()
    for stale in OUT.glob("web-*.png"):
        if stale.name not in written:
            stale.unlink()
    print(f"{len(written)} screenshots in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
