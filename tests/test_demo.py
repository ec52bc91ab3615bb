"""The README's run command in effect: `livskraft serve --demo` on a fresh SQLite file migrates, loads
the example assessments and the demo users, and serves them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.server import ROOT, VENV_BIN, free_port, running_server

pytestmark = [pytest.mark.slow, pytest.mark.database_independent]  # a SQLite file of its own: run once
EXAMPLES = sorted((ROOT / "assessments").glob("*.yaml"))


def test_demo_serves_the_examples_and_the_demo_users(tmp_path: Path) -> None:
    port = free_port()
    env = {
        "LIVSKRAFT_DATA_DIR": str(tmp_path),
        "LIVSKRAFT_DATABASE_URL": "",
        "DATABASE_URL": "",
        "LIVSKRAFT_ENV": "development",
        "LIVSKRAFT_WEBHOOK_ALLOW_PRIVATE": "false",
    }
    command = [str(VENV_BIN / "livskraft"), "serve", "--demo", "--port", str(port)]
    with running_server(env, command, port=port, timeout=180) as (url, _):  # seeding comes first
        full_env = {**os.environ, **env}
        token = subprocess.run(
            [str(VENV_BIN / "livskraft"), "tokens", "create", "--municipality", "905", "--scopes", "read"],
            env=full_env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        r = httpx.get(f"{url}/api/v1/assessments", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200
        vaasa = [p for p in EXAMPLES if p.name.startswith("905-")]
        assert r.json()["total"] == len(vaasa) >= 3
        login = httpx.get(f"{url}/login")
        assert login.status_code == 200 and "Livskraft" in login.text
    assert (tmp_path / "livskraft.sqlite3").exists()
