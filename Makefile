# wsinterop: one entry point. `make report` is the main job; `make test` is what CI runs.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup browser node test lint pytest report report-full bench clean docker-build docker-report conformance-peers autobahn-compare catalogue schema interop

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

setup: $(STAMP)  ## create .venv and install the project with its dev dependencies (quick when nothing changed)

lint: setup  ## ruff and mypy --strict
	$(VENV)/bin/ruff check wire harness server tests bench cases peers interop
	$(VENV)/bin/ruff format --check wire harness server tests bench cases peers interop
	$(VENV)/bin/mypy wire harness server bench peers interop

pytest: setup browser node  ## the unit tests, then the catalogue against the reference server (pytest cases/)
	$(VENV)/bin/pytest -q

test: lint pytest  ## setup, lint, then the whole test suite

AGENTS   ?= python,chromium,firefox
JOBS     ?= 4
# a browser's binary and the Debian package that installs it (WebKit: WebKitGTK's WebDriver, and an X server)
BROWSERS := /usr/lib/chromium/chromium:chromium /usr/lib/firefox-esr/firefox-esr:firefox-esr \
            /usr/bin/WebKitWebDriver:webkit2gtk-driver /usr/bin/Xvfb:xvfb

node:  ## install the Node clients under test (ws, websocket-driver, websocket) into interop/node_modules when missing
	@test -d interop/node_modules || { command -v npm >/dev/null \
	  && (cd interop && npm ci --no-audit --no-fund --loglevel=error) \
	  || echo "no npm, or npm ci failed: the Node testees' tests will skip"; }

browser:  ## install Debian's Chromium, Firefox ESR and WebKitGTK when missing (never a downloaded browser)
	@missing=""; for pair in $(BROWSERS); do test -x $${pair%%:*} || missing="$$missing $${pair#*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian's$$missing for the browser agents"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# make report leaves out the long compression cases, for the server runs and the clients under test alike:
# 12.x.5-18 and 13.x.5-18 (4 KiB to 128 KiB messages, 1,000 each: some 2 minutes more against the reference
# server, and some 10 minutes more for the browsers as clients: Chromium 562 s, Firefox 404 s, quiet,
# docs/clients.md); 12.x.1-4 and 13.x.1-4 stay. make report-full runs them all.
LONG_CASES := '1[23].*.[5-9]' '1[23].*.1?'
# Clients under test (reports/clients/): the server-side catalogue on rfc6455 against each subject
# (harness/subjects; `python -m harness clients --list`), run beside the server matrix: most of its time is
# the browsers' own waits. Its FAILED verdicts are findings on those browsers, not on wsinterop: they do not
# change make report's exit status; a testee that cannot run does. CLIENTS= leaves the section out.
CLIENTS ?= chromium,firefox

# the server matrix in every draft (reports/), a TLS pass on rfc6455 (reports/tls/) and the clients under
# test (reports/clients/, its log in reports/clients.log); $(1): more options for the server runs.
define REPORT
	mkdir -p reports; clients=""; \
	if [ -n "$(CLIENTS)" ]; then \
	  $(PY) -m harness clients --subjects $(CLIENTS) --drafts rfc6455 --jobs 2 $(1) --out reports/clients \
	    > reports/clients.log 2>&1 & clients=$$!; fi; \
	$(PY) -m harness run --drafts all --agents $(AGENTS) --jobs $(JOBS) $(1) --out reports; rc=$$?; \
	$(PY) -m harness run --tls --drafts rfc6455 --agents $(AGENTS) --jobs $(JOBS) $(1) --out reports/tls; tls=$$?; \
	[ $$rc != 0 ] || rc=$$tls; \
	if [ -n "$$clients" ]; then wait $$clients; cl=$$?; echo "clients under test ($(CLIENTS), findings):"; \
	  tail -n 2 reports/clients.log; [ $$cl -le 1 ] || [ $$rc != 0 ] || rc=$$cl; fi; \
	echo "make report: $$([ $$rc = 0 ] && echo PASSED || echo FAILED) (exit $$rc: the server runs, and whether every testee ran)"; \
	exit $$rc
endef

report: setup browser  ## the catalogue in every draft against the reference server (reports/; the long 12/13 cases left out), over TLS on rfc6455 (reports/tls/), and the clients under test (reports/clients/)
	$(call REPORT,--exclude $(LONG_CASES))

report-full: setup browser  ## as report, with every compression case (12.*, 13.*: about 2 minutes more)
	$(call REPORT,)

bench: setup browser  ## benchmarks: print figures (never part of make test)
	$(PY) bench/wire_throughput.py
	$(PY) bench/server_echo.py
	$(PY) bench/browsers.py
	$(PY) bench/clients.py --subjects wire
	$(PY) bench/clients.py --subjects chromium --drafts rfc6455
	$(PY) bench/harness_vs_autobahn.py
	$(PY) bench/deflate.py

conformance-peers: setup  ## the RFC 6455 catalogue against websockets and aiohttp echo servers: reports/peers/<name>
	$(PY) peers/conformance.py websockets aiohttp --out reports/peers

autobahn-compare: setup  ## Autobahn|Testsuite and wsinterop on the websockets and aiohttp echo servers: agreement per peer
	$(PY) peers/autobahn.py websockets aiohttp --out reports/autobahn

interop: setup browser  ## real WebSocket servers and clients, draft by draft: reports/interop/ (index.html, summary.md)
	$(PY) -m interop

catalogue: setup  ## regenerate docs/catalogue.md from cases/ (a test checks it is current)
	$(PY) -m harness catalogue > docs/catalogue.md

schema: setup  ## regenerate harness/cases/case.schema.json from the model (a test checks it is current)
	$(PY) -m harness schema > harness/cases/case.schema.json

COMPOSE ?= docker compose

docker-build:  ## build the images localhost/wsinterop:server and :harness (COMPOSE=... for another engine)
	$(COMPOSE) build

# `down -v` before and after: the certs volume is made afresh for each run. A named volume that outlives
# its run keeps the lock number podman gave it; on a machine whose /dev/shm was reset since (a new CI
# runner from a snapshot), the next container can get the same number, and podman 4.3 refuses to start it
# ("would cause a deadlock"). The first `down` clears what an earlier or interrupted run left (podman's
# compose names what is not there; that is harmless).
docker-report:  ## server + harness containers; the harness writes reports/; exit status = the harness's
	-$(COMPOSE) down -v
	$(COMPOSE) up --build --abort-on-container-exit --exit-code-from harness; rc=$$?; \
	$(COMPOSE) down -v; exit $$rc

clean:  ## remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
