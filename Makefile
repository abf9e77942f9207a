# Gridwork developer commands. `make run` and `make test` are all most people need;
# `make help` lists the rest. A second run skips apt, pip and initdb when nothing changed.
#
# DATABASE_URL set in the environment: use that server, install no PostgreSQL packages and
# start no private cluster. Otherwise scripts/pgcluster.py runs one on 127.0.0.1:54329.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run
MAKEFLAGS += --no-print-directory

# Python 3.11 that makes the virtualenv.
PYTHON ?= python3
# Plain system python for scripts/pgcluster.py (stdlib only; avoids version-manager shims).
SYSPY := $(or $(wildcard /usr/bin/python3),python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PGCLUSTER := $(SYSPY) scripts/pgcluster.py
HACLUSTER := $(SYSPY) scripts/hacluster.py
# The high-availability set of `make cluster` (scripts/hacluster.py): command, Debian package.
HA_COMMANDS := /usr/bin/patroni:patroni /usr/bin/etcd:etcd-server /usr/sbin/haproxy:haproxy \
  /usr/bin/redis-server:redis-server
# Through HAProxy's write port (GRIDWORK_HA_PORT_BASE moves every port of the set; see
# scripts/hacluster.py). Computed on first use only.
HA_WRITE_URL = $(eval HA_WRITE_URL := $(shell $(HACLUSTER) url write gridwork))$(HA_WRITE_URL)
PORT ?= 8000
TLS ?= on
PYTEST_ARGS ?=
BENCH_ARGS ?=
APT_PACKAGES := postgresql postgis postgresql-postgis
PG_LIB ?= /usr/lib/postgresql
PG_SHARE ?= /usr/share/postgresql
DEMO_USERS := admin judge1 officer1 assistant1 mediator1 deputy1
DEMO_PASSWORD := gridwork-demo

ifeq ($(strip $(DATABASE_URL)),)
PRIVATE_DB := 1
# Computed on first use only, then cached (`make help` never calls Python).
DB_URL = $(eval DB_URL := $(shell $(PGCLUSTER) url gridwork))$(DB_URL)
else
PRIVATE_DB :=
DB_URL := $(DATABASE_URL)
endif
WITH_DB = DATABASE_URL='$(DB_URL)'

.PHONY: cluster cluster-stop cluster-seed cluster-test ha-deps
.PHONY: help run serve test bench wrk browser watermelon-js client-js console app app-screenshots setup system-deps venv db-server db migrate seed lint typecheck config-docs messages translations stop clean-db

help: ## list the targets
	@echo "Gridwork: make <target>"
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "} {printf "  %-12s %s\n", $$1, $$2}'

run: console app translations seed ## set up, load the demo county, serve on http://127.0.0.1:8000 (PORT=...)
	@echo
	@echo "Demo logins (password: $(DEMO_PASSWORD)): $(DEMO_USERS)"
	@echo "Console: http://127.0.0.1:$(PORT)/console   Field app: http://127.0.0.1:$(PORT)/app   API: http://127.0.0.1:$(PORT)/api/v1   docs: http://127.0.0.1:$(PORT)/api/v1/docs"
	@echo
	@echo "A demo applicant's case query code (a new one each run; docs/public.md):"
	@$(WITH_DB) PUBLIC_BASE_URL=http://127.0.0.1:$(PORT) $(BIN)/flask --app wsgi public code
	@echo
	$(WITH_DB) $(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

serve: console app translations seed ## production-style serving: gunicorn over HTTPS (TLS=off for plain HTTP behind a proxy; see docs/app.md)
	@echo "Serving with gunicorn on $(if $(filter on,$(TLS)),https,http)://127.0.0.1:$(PORT) (SIGTERM finishes requests in flight)"
	@if [ "$(TLS)" = on ] && [ -z "$$TLS_CERT_FILE" ]; then echo "Phones trust the court's authority: .data/tls/ca.crt (docs/app.md, HTTPS)"; fi
	$(WITH_DB) PORT=$(PORT) TLS=$(TLS) $(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

test: venv db-server browser watermelon-js client-js console app translations ## lint, type-check, then the whole test suite on 2 cores (extra args: PYTEST_ARGS=...)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(WITH_DB) $(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)

bench: venv db-server wrk ## benchmark suite of issue #9 vs Kinto and raw SQL -> bench/results.md (BENCH_ARGS=--quick)
	$(WITH_DB) $(BIN)/python -m bench.run $(BENCH_ARGS)

# Debian packages a target needs, installed (as root) unless `check` succeeds:
# $(call apt_need,check,packages,what needs them)
define apt_need
	@if $(1); then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "error: $(3) need: apt-get install -y $(2)" >&2; \
	  exit 1; \
	fi; \
	echo "Installing $(2) for $(3)"; \
	apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(2) >/dev/null
endef

# wrk drives the poll rows' ramps (bench/poll.py), as issue #28 measured them.
wrk:
	$(call apt_need,command -v wrk >/dev/null,wrk,the poll rows of the bench)

# Debian's Chromium and a CJK font for the browser tests (no browser download from the internet).
browser:
	$(call apt_need,[ -x /usr/bin/chromium ] && [ -d /usr/share/fonts/truetype/wqy ],chromium fonts-wqy-microhei,the browser tests)

# `npm ci` in a test folder when node_modules is missing or was installed from another
# lock; a no-op otherwise. $(call npm_ci,folder,what it is for)
define npm_ci
	@want=$$(sha256sum $(1)/package-lock.json | cut -d' ' -f1); \
	stamp=$(1)/node_modules/.gridwork-lock-sha256; \
	if [ -f "$$stamp" ] && [ "$$(cat "$$stamp")" = "$$want" ]; then exit 0; fi; \
	if ! command -v npm >/dev/null; then \
	  echo "error: $(2): this needs Node.js 20 and npm (apt-get install -y nodejs npm)" >&2; \
	  exit 1; \
	fi; \
	echo "Installing $(2) (npm ci in $(1))"; \
	(cd $(1) && npm ci --no-audit --no-fund --loglevel=error); \
	echo "$$want" > "$$stamp"
endef

# The pinned WatermelonDB (tests/watermelon), for the real phones' sync tests.
watermelon-js:
	$(call npm_ci,tests/watermelon,the WatermelonDB phones)

# The OpenAPI client check (tests/client): openapi-typescript, openapi-fetch and tsc.
client-js:
	$(call npm_ci,tests/client,the OpenAPI client check)

# The web console (console/, served at /console): Node.js and npm from apt when missing (as
# root), `npm ci` only when package-lock.json changed (stamp as for watermelon-js), and the
# esbuild bundle in console/dist only when a source file changed.
CONSOLE_DIR := console
CONSOLE_SOURCES := $(wildcard $(CONSOLE_DIR)/src/*) $(CONSOLE_DIR)/build.mjs
CONSOLE_STAMP := $(CONSOLE_DIR)/node_modules/.gridwork-lock-sha256
console: $(CONSOLE_DIR)/dist/index.html ## build the web console (npm ci + esbuild), only what changed

$(CONSOLE_DIR)/dist/index.html: $(CONSOLE_SOURCES) $(CONSOLE_DIR)/package-lock.json
	@want=$$(sha256sum $(CONSOLE_DIR)/package-lock.json | cut -d' ' -f1); \
	if [ ! -f "$(CONSOLE_STAMP)" ] || [ "$$(cat "$(CONSOLE_STAMP)")" != "$$want" ]; then \
	  if ! command -v npm >/dev/null; then \
	    if [ "$$(id -u)" != 0 ]; then \
	      echo "error: the web console needs Node.js and npm (apt-get install -y nodejs npm)" >&2; \
	      exit 1; \
	    fi; \
	    echo "Installing nodejs and npm for the web console"; \
	    apt-get update -qq; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null; \
	  fi; \
	  echo "Installing the web console's packages (npm ci in $(CONSOLE_DIR))"; \
	  (cd $(CONSOLE_DIR) && npm ci --no-audit --no-fund --loglevel=error); \
	  echo "$$want" > "$(CONSOLE_STAMP)"; \
	fi
	@echo "Building the web console into $(CONSOLE_DIR)/dist"
	@cd $(CONSOLE_DIR) && node build.mjs

# The field app (app/, served at /app): after `console` (which brings Node.js and npm),
# `npm ci` when its lock changed and the esbuild bundle in app/dist when a source changed.
APP_DIR := app
APP_SOURCES := $(wildcard $(APP_DIR)/src/* $(APP_DIR)/src/*/*) $(APP_DIR)/build.mjs
app: console $(APP_DIR)/dist/index.html ## build the field app (npm ci + esbuild), only what changed

$(APP_DIR)/dist/index.html: $(APP_SOURCES) $(APP_DIR)/package-lock.json
	$(call npm_ci,$(APP_DIR),the field app's packages)
	@echo "Building the field app into $(APP_DIR)/dist"
	@cd $(APP_DIR) && node build.mjs

# The assistant's screens for docs/app.md (docs/img/app-*.png), taken by the browser test
# that checks them in every run (there into a temporary folder).
app-screenshots: venv db-server browser app ## retake the field app's screenshots in docs/img
	GRIDWORK_APP_SCREENSHOTS=docs/img $(WITH_DB) $(BIN)/python -m pytest -q -p no:randomly \
	  -p no:cacheprovider tests/browser/field_app/test_screenshots.py

setup: migrate ## system packages, virtualenv, database, migrations

# PostgreSQL server + PostGIS from apt when missing (as root), unless DATABASE_URL is set.
# python3-venv too when the interpreter cannot make a virtualenv yet; as root, the Chinese
# font that PDF visit sheets embed (fonts-wqy-microhei; else GET …/sheet.pdf answers 503)
# and nginx, which tests/security/test_proxy.py starts on loopback in front of the app.
system-deps:
	@need=""; \
	if [ -n "$(PRIVATE_DB)" ]; then \
	  have_pg=""; \
	  for control in $(PG_SHARE)/*/extension/postgis.control; do \
	    ver="$${control#$(PG_SHARE)/}"; ver="$${ver%%/*}"; \
	    if [ -x "$(PG_LIB)/$$ver/bin/postgres" ]; then have_pg=1; fi; \
	  done; \
	  [ -n "$$have_pg" ] || need="$(APT_PACKAGES)"; \
	fi; \
	if [ ! -x $(BIN)/python ] && ! $(PYTHON) -c 'import ensurepip, venv' 2>/dev/null; then \
	  need="$$need python3-venv"; \
	fi; \
	if [ "$$(id -u)" = 0 ] && [ ! -d /usr/share/fonts/truetype/wqy ]; then \
	  need="$$need fonts-wqy-microhei"; \
	fi; \
	if [ "$$(id -u)" = 0 ] && [ ! -x /usr/sbin/nginx ]; then \
	  need="$$need nginx"; \
	fi; \
	if [ -z "$$need" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "error: missing system packages:$$need" >&2; \
	  echo "  install them as root:  apt-get install -y $$need" >&2; \
	  echo "  (or set DATABASE_URL to use an existing PostgreSQL with PostGIS)" >&2; \
	  exit 1; \
	fi; \
	echo "Installing system packages:$$need"; \
	apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null

venv: $(STAMP) ## the virtualenv, reinstalled only when pyproject.toml changes

$(STAMP): pyproject.toml | system-deps
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	@echo "Installing Python packages into $(VENV) ..."
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

db-server: system-deps ## start the private PostgreSQL cluster (no-op with DATABASE_URL)
ifneq ($(PRIVATE_DB),)
	@$(PGCLUSTER) start
endif

db: db-server
ifneq ($(PRIVATE_DB),)
	@$(PGCLUSTER) ensure-db gridwork
endif

migrate: venv db ## alembic upgrade head on DATABASE_URL
	@$(WITH_DB) $(BIN)/alembic upgrade head 2>&1 | { grep -v '^INFO  \[alembic.runtime.migration\] \(Context impl\|Will assume\)' || true; }

seed: setup ## load the demo county (idempotent)
	$(WITH_DB) $(BIN)/flask --app wsgi seed demo

lint: venv ## ruff
	$(BIN)/ruff check .

typecheck: venv ## mypy on sync/, geo/, enforcement/ and api/ (settings in pyproject.toml)
	$(BIN)/mypy

config-docs: venv ## regenerate docs/configuration.md's settings table from api/config.py
	$(BIN)/python -m api.config_reference

# The server's words live in gettext catalogs (api/i18n.py, translations/). After adding or
# changing a string in the code, `make messages` extracts translations/messages.pot and
# updates the zh_CN and en catalogs (English entries take the source text); then translate
# the new zh_CN entries, in Poedit, Weblate or an editor. The keywords are api/i18n.py's
# EXTRACT_KEYWORDS. The .mo files are built, never committed.
BABEL_KEYWORDS := -k _l -k lazy_pgettext:1c,2
messages: venv ## extract the server's strings into translations/ and update the catalogs
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --no-location --sort-output -w 100 \
	  --project=Gridwork --copyright-holder=Gridwork -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching \
	  --ignore-obsolete -w 100
	$(BIN)/python -c 'from api.i18n import fill_english; fill_english()'

translations: venv ## compile translations/*/messages.po into .mo files
	@$(BIN)/pybabel compile -d translations 2>&1 | { grep -v '^compiling catalog' || true; }

# Patroni, etcd, HAProxy and Redis from Debian, as root, when one is missing; Patroni's
# etcd client library (python3-etcd) is only one of its alternatives, so asked for by name.
ha-deps: system-deps
	@need=""; \
	for pair in $(HA_COMMANDS); do \
	  [ -x "$${pair%%:*}" ] || need="$$need $${pair#*:}"; \
	done; \
	/usr/bin/python3 -c 'import etcd' 2>/dev/null || need="$$need python3-etcd"; \
	if [ -z "$$need" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "error: make cluster needs: apt-get install -y$$need" >&2; exit 1; \
	fi; \
	echo "Installing for the high-availability cluster:$$need"; \
	apt-get update -qq; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null

cluster: venv ha-deps translations ## high availability on loopback: etcd, Patroni + PostgreSQL x2, HAProxy, Redis, 2 API hosts (docs/deploy.md)
	@$(HACLUSTER) start
	@$(HACLUSTER) ensure-db gridwork
	@DATABASE_URL='$(HA_WRITE_URL)' $(BIN)/alembic upgrade head 2>&1 | { grep -v '^INFO  \[alembic.runtime.migration\] \(Context impl\|Will assume\)' || true; }
	@$(HACLUSTER) api gridwork
	@$(HACLUSTER) status

cluster-seed: cluster ## the demo county on the high-availability cluster's leader
	DATABASE_URL='$(HA_WRITE_URL)' $(BIN)/flask --app wsgi seed demo

cluster-stop: ## stop everything `make cluster` started
	@$(HACLUSTER) stop

# Its own suite, never collected by `make test` (tests/conftest.py): it kills nodes.
cluster-test: venv ha-deps translations ## failover tests on the high-availability cluster (a few minutes)
	@$(HACLUSTER) start
	GRIDWORK_CLUSTER_TEST=1 $(BIN)/python -m pytest -p no:cacheprovider -p no:randomly tests/cluster $(PYTEST_ARGS)

stop: ## stop the private PostgreSQL cluster
ifneq ($(PRIVATE_DB),)
	@$(PGCLUSTER) stop
else
	@echo "DATABASE_URL is set: no private cluster to stop"
endif

clean-db: ## delete the private cluster and all its data (next `make run` starts afresh)
ifneq ($(PRIVATE_DB),)
	@$(PGCLUSTER) destroy
else
	@echo "DATABASE_URL is set: refusing to touch that server" >&2; exit 1
endif
