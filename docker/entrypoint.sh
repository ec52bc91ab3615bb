#!/bin/sh
# Container entrypoint: apply migrations, then serve. Fails fast (and visibly) if either step fails.
#   LIVSKRAFT_PORT (8000), LIVSKRAFT_WORKERS (2), LIVSKRAFT_HOST (0.0.0.0); all settings: app/settings.py
# `worker [--once]`: the background job worker (report batches; PostgreSQL) instead of the web service;
# it does not migrate: the web container does (a worker started first exits and is restarted).
set -eu
host="${LIVSKRAFT_HOST:-0.0.0.0}"
port="${LIVSKRAFT_PORT:-8000}"
workers="${LIVSKRAFT_WORKERS:-2}"

if [ "${1:-}" = "worker" ]; then
  shift
  echo "entrypoint: starting the background job worker" >&2
  exec livskraft worker "$@"
fi

if [ "$#" -gt 0 ]; then
  # Any other command (e.g. `livskraft tokens create ...`) runs as given.
  exec "$@"
fi

echo "entrypoint: applying database migrations" >&2
livskraft migrate
livskraft rubrics check >/dev/null
echo "entrypoint: starting uvicorn on ${host}:${port} with ${workers} worker(s)" >&2
exec uvicorn app.main:create_app --factory --host "$host" --port "$port" --workers "$workers" \
  --proxy-headers --forwarded-allow-ips "${LIVSKRAFT_FORWARDED_ALLOW_IPS:-127.0.0.1}" --no-server-header
