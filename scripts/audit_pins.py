"""Fallback audit when PyPI's per-version JSON is not reachable (pip-audit then skips every package).

For each pin in constraints.txt, read the project's JSON from PyPI (reachable here), whose
``vulnerabilities`` list describes the *latest* release. A pin equal to the latest release with a known
vulnerability fails; a pin older than the latest release is listed so it can be reviewed.
Exit: 0 ok, 1 vulnerable pin found, 2 registry unreachable.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def pins(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            out.append((name.strip(), version.split(";")[0].strip()))
    return out


def check(pin: tuple[str, str]) -> tuple[str, str, str | None, list[str]]:
    name, version = pin
    try:
        with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=20) as r:
            data = json.load(r)
    except OSError:
        return name, version, None, []
    latest = data["info"]["version"]
    vulns = [v.get("id", "?") for v in data.get("vulnerabilities") or [] if not v.get("withdrawn")]
    return name, version, latest, vulns


def main() -> int:
    results = list(
        ThreadPoolExecutor(8).map(check, pins(Path(sys.argv[1] if len(sys.argv) > 1 else "constraints.txt")))
    )
    if all(latest is None for _, _, latest, _ in results):
        print("audit-pins: PyPI is not reachable", file=sys.stderr)
        return 2
    bad = [(n, v, vulns) for n, v, latest, vulns in results if latest == v and vulns]
    older = [(n, v, latest) for n, v, latest, _ in results if latest and latest != v]
    for n, v, latest in older:
        print(f"audit-pins: {n}=={v} is older than the latest release {latest}: review before release")
    for n, v, vulns in bad:
        print(f"audit-pins: {n}=={v} has known vulnerabilities: {', '.join(vulns)}")
    print(f"audit-pins: {len(results)} pins checked, {len(older)} behind the latest release, {len(bad)} vulnerable")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
