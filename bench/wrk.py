"""Drive wrk (Debian's ``wrk``) with a generated Lua script and read its figures back as JSON.

``wrk -t1`` keeps one core for the server on a two-core machine. The script cycles through a list of
requests (paths, headers, bodies); for writes it keeps each assessment's version and sends it as
``If-Match``, taking the assessments round-robin from a pool larger than the number of connections, so
one assessment is never written by two requests at once and a 412 means a real lost race.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DONE = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"socket_errors":%d,"non2xx":%d,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""

CYCLE = r"""
local i = 0
request = function()
  i = i % #reqs + 1
  local r = reqs[i]
  return wrk.format(r[1], r[2], r[3], r[4])
end
"""

WRITES = r"""
-- wrk calls request() once before the run to check the script (script_verify_request, thread 0
-- only) and never sends that request: the first call must not use up an assessment's version, or
-- that assessment's writes all fail with 412. One thread only (wrk -t1), as run() starts it.
local i, checked = 0, false
request = function()
  local j = i % #pool + 1
  local a = pool[j]
  local headers = {["Authorization"] = a[2], ["Content-Type"] = "application/json",
                   ["If-Match"] = '"v' .. a[3] .. '"'}
  local n = a[5] % #a[4] + 1
  if checked then
    i = j
    a[3] = a[3] + 1
    a[5] = n
  end
  checked = true
  return wrk.format("PUT", a[1], headers, a[4][n])
end
"""


@dataclass(frozen=True)
class Result:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    non2xx: int

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def lua(value: Any) -> str:
    """A Lua literal for JSON-like data (strings as long brackets: no escaping needed)."""
    if isinstance(value, str):
        return "[==[" + value + "]==]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if value is None:
        return "nil"
    if isinstance(value, dict):
        return "{" + ", ".join(f"[ {lua(k)} ] = {lua(v)}" for k, v in value.items()) + "}"
    return "{" + ", ".join(lua(v) for v in value) + "}"


def cycle_script(requests: list[tuple[str, str, dict[str, str], str | None]]) -> str:
    """Requests as (method, path, headers, body), sent in turn."""
    return f"reqs = {lua([list(r) for r in requests])}\n{CYCLE}{DONE}"


def writes_script(pool: list[tuple[str, str, int, list[str]]]) -> str:
    """Assessments as (path, authorization, current version, bodies to send in turn)."""
    return f"pool = {lua([[p, a, v, bodies, 0] for p, a, v, bodies in pool])}\n{WRITES}{DONE}"


def available() -> bool:
    return shutil.which("wrk") is not None


def run(base: str, script: str, connections: int, seconds: float, timeout_s: int = 10) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = Path(f.name)
    try:
        cmd = [
            "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", f"--timeout={timeout_s}s",
            "-s", str(path), base,
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 120)
        if "error" in proc.stderr.lower() or "error" in proc.stdout.splitlines()[0].lower():
            raise RuntimeError(f"wrk could not run the script:\n{proc.stdout}\n{proc.stderr}")
    finally:
        path.unlink(missing_ok=True)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{proc.stdout}\n{proc.stderr}")
    data = json.loads(line.removeprefix("WRKJSON "))
    secs = data["duration_us"] / 1e6
    return Result(
        requests=data["requests"],
        seconds=round(secs, 2),
        rps=round(data["requests"] / secs, 1) if secs else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        socket_errors=data["socket_errors"],
        non2xx=data["non2xx"],
    )
