# syntax=docker/dockerfile:1
# Livskraft service image: multi-stage build, non-root user, migrations run at start.
# Build: docker build -t livskraft .   Run: docker run -e DATABASE_URL=... -e LIVSKRAFT_SECRET_KEY=... -p 8000:8000 livskraft

FROM python:3.11-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
RUN python -m venv /opt/venv
COPY pyproject.toml constraints.txt README.md ./
COPY app ./app
RUN /opt/venv/bin/pip install -c constraints.txt .

FROM python:3.11-slim-bookworm AS runtime
# WeasyPrint's system libraries; libharfbuzz-subset0 keeps font subsetting (and renders) fast.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0=1.50.* libpangoft2-1.0-0=1.50.* libharfbuzz-subset0=6.0.* libharfbuzz0b=6.0.* \
       fontconfig=2.14.* fonts-dejavu-core=2.37-* \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 livskraft \
    && useradd --system --uid 10001 --gid livskraft --home-dir /srv/livskraft --shell /usr/sbin/nologin livskraft
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=2 \
    LIVSKRAFT_ENV=production \
    LIVSKRAFT_DATA_DIR=/srv/livskraft/var
WORKDIR /srv/livskraft
COPY --from=build /opt/venv /opt/venv
# The reports' fontconfig (app/reports/assets/fonts.conf: the bundled fonts, none of the host): its cache
# is built here, as root, into /var/cache/fontconfig, so the renders of the unprivileged user find it.
RUN FONTCONFIG_FILE="$(python -c 'import app, pathlib; print(pathlib.Path(app.__file__).parent / "reports/assets/fonts.conf")')" \
    fc-cache
COPY --chown=livskraft:livskraft alembic.ini ./
COPY --chown=livskraft:livskraft alembic ./alembic
COPY --chown=livskraft:livskraft rubrics ./rubrics
COPY --chown=livskraft:livskraft assessments ./assessments
COPY --chown=livskraft:livskraft docker/entrypoint.sh /usr/local/bin/livskraft-entrypoint
RUN mkdir -p /srv/livskraft/var && chown livskraft:livskraft /srv/livskraft/var
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]
ENTRYPOINT ["/usr/local/bin/livskraft-entrypoint"]
