"""A real server process for the scenarios: uvicorn with the container's settings, on loopback.

Peak memory is sampled per worker from /proc (VmRSS every 100 ms while a scenario runs), so each
scenario reports its own peak rather than the process's lifetime high-water mark.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType

import httpx

ROOT = Path(__file__).resolve().parent.parent
UVICORN = str(ROOT / ".venv" / "bin" / "uvicorn")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int, reaped_children: bool = False) -> float:
    """User + system CPU time of a process so far; with ``reaped_children`` also that of its children
    that have exited and been waited for (``cutime`` + ``cstime``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])
    if reaped_children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(p) for p in text]
    return out


class Server:
    """``uvicorn <factory> --factory --workers N`` with the flags of docker/entrypoint.sh, no access log."""

    def __init__(self, factory: str, workers: int, env: dict[str, str], health: str, log: Path) -> None:
        self.factory = factory
        self.workers = workers
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.health = health
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        cmd = [
            UVICORN, self.factory, "--factory", "--host", "127.0.0.1", "--port", str(self.port),
            "--workers", str(self.workers), "--no-server-header", "--no-access-log", "--log-level", "warning",
        ]  # fmt: skip
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log}")
            try:
                if httpx.get(self.base + self.health, timeout=2).status_code == 200 and self._all_up():
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server did not start; see {self.log}")

    def _all_up(self) -> bool:
        return self.workers == 1 or len(self.worker_pids()) == self.workers

    def worker_pids(self) -> list[int]:
        assert self.proc is not None
        if self.workers == 1:
            return [self.proc.pid]
        # uvicorn's supervisor → (multiprocessing resource tracker and) the workers: those serving the app
        return [p for p in children(self.proc.pid) if rss_kb(p) > 40_000]

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def postgres_cpu_seconds() -> float | None:
    """User + system CPU of every process named postgres on this machine, and of those that have exited
    (the postmaster waits for its backends, so their time is in its ``cutime``; counted only since
    3 Dec evening: before, a backend that exited during a scenario was left out). None: not visible."""
    pids = [int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit() and _comm(entry) == "postgres"]
    return sum(cpu_seconds(pid, reaped_children=True) for pid in pids) if pids else None


def _comm(proc: Path) -> str:
    try:
        return (proc / "comm").read_text().strip()
    except OSError:
        return ""


class RssSampler:
    """Peak RSS (MB) of each worker and their CPU seconds while the ``with`` block runs, and the CPU
    seconds of the PostgreSQL server's processes over the same time (None: not on this machine)."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.peak = dict.fromkeys(pids, 0)
        self.cpu = {p: cpu_seconds(p) for p in pids}
        self.postgres_cpu = postgres_cpu_seconds()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            for p in self.pids:
                self.peak[p] = max(self.peak[p], rss_kb(p))
            self._stop.wait(0.1)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.cpu = {p: cpu_seconds(p) - c for p, c in self.cpu.items()}
        after = postgres_cpu_seconds()
        self.postgres_cpu = None if after is None or self.postgres_cpu is None else after - self.postgres_cpu

    def peaks_mb(self) -> list[float]:
        return [round(self.peak[p] / 1024, 1) for p in self.pids]


def app_env(database_url: str, data_dir: Path) -> dict[str, str]:
    """Production settings (insecure defaults refused) with a throw-away secret and data folder."""
    return {
        "LIVSKRAFT_ENV": "production",
        "LIVSKRAFT_DATABASE_URL": database_url,
        "LIVSKRAFT_SECRET_KEY": secrets.token_urlsafe(48),
        "LIVSKRAFT_DATA_DIR": str(data_dir),
        "LIVSKRAFT_DEMO": "false",
        # as the container (Dockerfile): glibc's arenas per thread cost a worker about 20 MB of RSS
        "MALLOC_ARENA_MAX": "2",
    }
