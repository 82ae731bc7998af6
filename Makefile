# Two commands: `make run` and `make test`. Both work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     := data/supplywatch.duckdb
PORT   ?= 8501

.PHONY: run test demo sysdeps browser postgres axe bench clean

# The project itself is installed editable after its pinned requirements (no other download: --no-deps, and
# --no-build-isolation builds with the venv's setuptools and wheel), so $(BIN)/supplywatch exists (docs/cli.md).
$(BIN)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# Fonts for the printable poster (accents, dashes). Installed with apt when missing.
sysdeps:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || \
	  { echo "Installing fonts-dejavu-core with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null; }

# Debian chromium for the browser tests (playwright's own browser download does not work offline), and nginx for
# the test that runs deploy/nginx/ in front of the app.
browser: sysdeps
	@command -v chromium >/dev/null || \
	  { echo "Installing chromium with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	@test -x /usr/sbin/nginx || \
	  { echo "Installing nginx-light with apt-get (the reverse-proxy test, tests/security/test_proxy_headers.py)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null; }

# Debian's PostgreSQL server for the scale-out backend tests (tests/postgres_cluster.py starts a throwaway cluster on
# a loopback port and stops it). The package's own cluster is not needed and is not started by the tests.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { echo "Installing postgresql with apt-get (scale-out backend tests)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

# axe-core, the accessibility engine the browser tests inject into every page (tests/browser/axe.py), from npm into
# the git-ignored .axe/ (pinned; installed here once, never fetched by a test).
AXE_VERSION := 4.14.1
AXE_JS := .axe/node_modules/axe-core/axe.min.js
axe: $(AXE_JS)
$(AXE_JS):
	@command -v npm >/dev/null || \
	  { echo "Installing npm with apt-get"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null; }
	npm install --silent --no-audit --no-fund --prefix .axe axe-core@$(AXE_VERSION)
	@test -f $@

$(DB): | $(BIN)/.installed
	$(BIN)/python -m etl demo --db $(DB)

# The demo warehouse, and the demo help directory (invented services, 555 numbers) in the app file.
demo: $(BIN)/.installed
	$(BIN)/python -m etl demo --db $(DB)
	$(BIN)/python -m supplywatch help-directory load data/help_directory.csv

# app.py = dashboard.py plus the public files (feeds, CAP, SMS, posters, static board) at /public/ on the same port.
# With SUPPLYWATCH_SUBSCRIBER_KEY set, the delivery worker runs beside the server (docs/subscriptions.md) and stops
# with it: webhooks always, mail too when SUPPLYWATCH_SMTP_HOST names a mail server.
run: $(BIN)/.installed sysdeps $(DB)
	@if [ -n "$$SUPPLYWATCH_SUBSCRIBER_KEY" ]; then \
	  $(BIN)/python -m supplywatch deliver & trap "kill $$! 2>/dev/null" EXIT INT TERM; \
	else echo "Alert delivery worker not started: set SUPPLYWATCH_SUBSCRIBER_KEY"; fi; \
	SUPPLYWATCH_BASE_URL="$${SUPPLYWATCH_BASE_URL:-http://localhost:$(PORT)}" \
	  $(BIN)/streamlit run app.py --server.port $(PORT) --server.address localhost

test: $(BIN)/.installed browser postgres axe $(DB)
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DB) data/supplywatch-app.duckdb public/ .pytest_cache .axe
