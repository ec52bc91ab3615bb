"""Browser test support: a real uvicorn server process, Debian's chromium through Playwright,
keyboard helpers, axe-core injection and the Nu Html Checker. Nothing is downloaded."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = ROOT / "node_modules/axe-core/axe.min.js"
VNU = ROOT / "node_modules/vnu-jar/build/dist/vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DEMO_PASSWORD = "norrsken-demo-2026"
OFFICIAL = "tjansteperson@demo.livskraft.fi"
REVIEWER = "granskare@demo.livskraft.fi"
ADMIN = "admin@demo.livskraft.fi"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server_process(env: dict[str, str] | None = None) -> Iterator[str]:
    """Run ``uvicorn app.main:create_app`` as a real process on a free port; yields its base URL."""
    port = free_port()
    log = open(os.devnull, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start (exit code {proc.poll()})")
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def chromium_available() -> bool:
    return Path(CHROMIUM).exists()


def seed_demo() -> None:
    from app.cli.seed import seed_examples
    from app.settings import get_settings

    seed_examples(get_settings().assessments_dir, demo_users=True)


# --- keyboard ------------------------------------------------------------------------------------


def focused(page: Any, selector: str) -> bool:
    return bool(page.evaluate("(sel) => { const a = document.activeElement; return !!a && a.matches(sel); }", selector))


def tab_to(page: Any, selector: str, limit: int = 600) -> None:
    """Press Tab until the focused element matches ``selector`` (keyboard only, like a person would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page, selector):
            return
    raise AssertionError(f"could not reach {selector} with the Tab key")


# --- checkers ------------------------------------------------------------------------------------


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core (from the npm package, evaluated through the DevTools protocol, so the page's
    strict CSP need not be relaxed) for the WCAG 2.0/2.1 A and AA tags."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        "async (tags) => { const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}}); "
        "return r.violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.html.slice(0, 200))})); }",
        AXE_TAGS,
    )
    return list(result)


def vnu_errors(files: list[Path]) -> dict[str, list[str]]:
    """Check saved HTML files with the Nu Html Checker in one JVM run; errors by file name."""
    java = shutil.which("java")
    assert java, "java (17+) is needed for the Nu Html Checker"
    proc = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", "--errors-only", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    data = json.loads(proc.stderr or proc.stdout or "{}")
    out: dict[str, list[str]] = {}
    for m in data.get("messages", []):
        name = Path(m.get("url", "").removeprefix("file:")).name
        out.setdefault(name, []).append(f"line {m.get('lastLine')}: {m.get('message')}")
    return out
