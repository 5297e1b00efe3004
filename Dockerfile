# wsinterop: one image, two targets (docs/docker.md).
#   server   the reference server on :8080 (no browser)
#   harness  the case runner with Debian's Chromium, Firefox ESR, WebKitGTK and Playwright; writes /reports/<run-id>/
#
#   docker build --target server  -t localhost/wsinterop:server  .
#   docker build --target harness -t localhost/wsinterop:harness .
#
# Only debian:bookworm-slim, Debian's packages and PyPI: Python comes from apt, packages from pip in a venv.
# No heredocs or BuildKit-only syntax (podman 4.3 / buildah 1.28 build this file too).

FROM debian:bookworm-slim AS base

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PYTHONPATH=/app

RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && python3 -m venv /opt/venv \
 && groupadd --gid 1000 wsinterop \
 && useradd --uid 1000 --gid wsinterop --create-home --shell /usr/sbin/nologin wsinterop

# Dependencies first, from pyproject.toml alone, so these layers stay cached while the source changes.
# Playwright (with its bundled driver) is for the harness target only. Both images take the `accel`
# extra: wire masks at C speed with it (the server's 1 MiB echo, the harness's large frames).
COPY pyproject.toml docker/deps.py /opt/wsinterop-build/
RUN python3 /opt/wsinterop-build/deps.py /opt/wsinterop-build/pyproject.toml --without playwright --extra accel \
      > /opt/wsinterop-build/requirements.txt \
 && pip install -r /opt/wsinterop-build/requirements.txt

WORKDIR /app


FROM base AS server

# The server imports nothing of the harness: only the sans-I/O wire library, which both share.
COPY wire wire/
COPY server server/
RUN python -m compileall -q wire server

# /certs: where --tls-self-signed writes the CA (ca.pem) and the server's certificate at every start; a
# named volume mounted there starts as a copy of this directory, owned by wsinterop, so the server can write it.
RUN mkdir /certs && chown wsinterop:wsinterop /certs

# wsinterop (numeric, so that runtimes can check it is not root)
USER 1000:1000
# 8080: http and ws; 8443: https and wss, with a certificate signed by the CA in /certs/ca.pem
EXPOSE 8080 8443
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["python3", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/health', timeout=2).status == 200 else 1)"]
CMD ["python", "-m", "server", "--host", "0.0.0.0", "--port", "8443", "--plain-port", "8080", "--tls-self-signed", "/certs"]


FROM base AS harness

# Debian's Chromium (/usr/lib/chromium/chromium, launched with --no-sandbox by the browser agent), Firefox
# ESR (/usr/lib/firefox-esr/firefox-esr, driven over WebDriver BiDi), WebKitGTK's WebDriver with the X
# server it needs (the webkit agent) and minimal fonts; never `playwright install`: the pip package drives
# Chromium and Firefox. libatomic1: the node binary bundled in Playwright's wheel needs it, and nothing
# else pulls it in.
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium firefox-esr webkit2gtk-driver xvfb fonts-liberation \
      libatomic1 \
 && rm -rf /var/lib/apt/lists/*
RUN python3 /opt/wsinterop-build/deps.py /opt/wsinterop-build/pyproject.toml --only playwright \
      > /opt/wsinterop-build/requirements-browser.txt \
 && pip install -r /opt/wsinterop-build/requirements-browser.txt

COPY docker/harness-entry.sh /usr/local/bin/wsinterop-harness
COPY wire wire/
COPY harness harness/
COPY server server/
COPY cases cases/
RUN python -m compileall -q wire harness server \
 && mkdir -p /reports \
 && chown wsinterop:wsinterop /reports

# wsinterop by default; docker-compose.yml starts it as 0:0 so that the entry script can drop to the
# owner of the bind-mounted ./reports (see docker/harness-entry.sh and docs/docker.md).
USER 1000:1000
ENTRYPOINT ["/usr/local/bin/wsinterop-harness"]
