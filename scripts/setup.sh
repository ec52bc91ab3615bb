#!/usr/bin/env bash
# Installs everything Livskraft needs on a fresh Debian/Ubuntu machine (idempotent).
#   scripts/setup.sh            runtime: system libraries for WeasyPrint, .venv with the app
#   scripts/setup.sh --dev      also test tools: chromium, qpdf, poppler, wrk, a Java runtime (for the
#                               Nu Html Checker) when none is installed, npm test tools, dev packages
# Python packages are installed with the pinned versions in constraints.txt (reproducible).
set -euo pipefail
cd "$(dirname "$0")/.."
DEV=0
[ "${1:-}" = "--dev" ] && DEV=1

RUNTIME_DEBS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libharfbuzz0b fontconfig fonts-dejavu-core)
DEV_DEBS=(chromium qpdf poppler-utils wrk)  # wrk: load generator of bench/
# the Nu Html Checker (vnu.jar, from npm) needs Java 17+ (Debian 12 default-jre-headless is 17)
command -v java >/dev/null 2>&1 || DEV_DEBS+=(default-jre-headless)

missing=()
for pkg in "${RUNTIME_DEBS[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
if [ "$DEV" = 1 ]; then
  for pkg in "${DEV_DEBS[@]}"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing system packages: ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 \
      || { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
  else
    echo "setup: these system packages are missing: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

PY=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    PY=$candidate; break
  fi
done
[ -n "$PY" ] || { echo "setup: Python 3.11 or newer is required" >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $PY" >&2
  "$PY" -m venv .venv
fi
extra=""
[ "$DEV" = 1 ] && extra="[dev]"
stamp=".venv/.installed$extra"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  echo "setup: installing Python packages (pinned by constraints.txt)" >&2
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".$extra" 2>&1 \
    | grep -v "is ignored: it is neither a file nor a directory" || true
  .venv/bin/python -c "import app, weasyprint, fastapi" || { echo "setup: Python install failed" >&2; exit 1; }
  touch "$stamp"
fi

if [ "$DEV" = 1 ] && [ -f package.json ]; then
  if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
    echo "setup: installing test tools from npm (axe-core, vnu-jar)" >&2
    npm ci --silent --no-audit --no-fund --ignore-scripts >/dev/null
  fi
fi
