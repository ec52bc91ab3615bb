"""The container's entrypoint script, run directly (no Docker engine here): migrate, then serve."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from tests.server import ROOT, VENV_BIN, free_port, running_server

ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
pytestmark = [pytest.mark.slow, pytest.mark.database_independent]  # a SQLite file of its own: run once


def _env(tmp_path: Path, port: int) -> dict[str, str]:
    return {
        "LIVSKRAFT_ENV": "production",
        "LIVSKRAFT_SECRET_KEY": "x" * 48,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "LIVSKRAFT_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "LIVSKRAFT_PORT": str(port),
        "LIVSKRAFT_HOST": "127.0.0.1",
        "LIVSKRAFT_WORKERS": "1",
        "LIVSKRAFT_DEMO": "false",
        "LIVSKRAFT_WEBHOOK_ALLOW_PRIVATE": "false",
    }


def test_entrypoint_migrates_then_serves(tmp_path: Path) -> None:
    port = free_port()
    with running_server(_env(tmp_path, port), [str(ENTRYPOINT)], port=port) as (url, _):
        import urllib.request

        with urllib.request.urlopen(url + "/healthz") as r:
            assert r.status == 200
    tables = inspect(create_engine(f"sqlite:///{tmp_path / 'prod.sqlite3'}")).get_table_names()
    assert {"alembic_version", "decision", "assessment", "rating", "audit_event"} <= set(tables)


def test_entrypoint_refuses_insecure_secret(tmp_path: Path) -> None:
    env = {
        **os.environ,
        **_env(tmp_path, free_port()),
        "LIVSKRAFT_SECRET_KEY": "short",
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
    }
    proc = subprocess.run([str(ENTRYPOINT)], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0
    assert "LIVSKRAFT_SECRET_KEY" in proc.stderr


def test_entrypoint_runs_other_commands(tmp_path: Path) -> None:
    env = {**os.environ, **_env(tmp_path, free_port()), "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
    proc = subprocess.run(
        [str(ENTRYPOINT), "livskraft", "rubrics", "check"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "kuntaliitto-vitality@1.0.0" in proc.stdout


def test_entrypoint_worker_mode_runs_the_job_worker_without_migrating(tmp_path: Path) -> None:
    """`worker` starts `livskraft worker` (no migration, no server); on SQLite it refuses, naming why."""
    env = {**os.environ, **_env(tmp_path, free_port()), "PATH": f"{VENV_BIN}:{os.environ['PATH']}"}
    proc = subprocess.run(
        [str(ENTRYPOINT), "worker", "--once"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 1
    assert "starting the background job worker" in proc.stderr and "needs PostgreSQL" in proc.stderr
    assert not (tmp_path / "prod.sqlite3").exists()  # nothing migrated


def test_dockerfile_lints_clean() -> None:
    proc = subprocess.run([str(VENV_BIN / "hadolint"), str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
