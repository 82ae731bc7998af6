# Two commands: `make run` and `make test`. Both work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DB     := data/supplywatch.duckdb
PORT   ?= 8501

.PHONY: run test demo sysdeps browser axe bench clean

$(BIN)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
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

demo: $(BIN)/.installed
	$(BIN)/python -m etl demo --db $(DB)

# app.py = dashboard.py plus the public files (feeds, CAP, SMS, posters, static board) at /public/ on the same port.
# With SUPPLYWATCH_SUBSCRIBER_KEY and SUPPLYWATCH_SMTP_HOST set, the mail worker runs beside the server
# (docs/subscriptions.md) and stops with it.
run: $(BIN)/.installed sysdeps $(DB)
	@if [ -n "$$SUPPLYWATCH_SUBSCRIBER_KEY" ] && [ -n "$$SUPPLYWATCH_SMTP_HOST" ]; then \
	  $(BIN)/python -m supplywatch deliver & trap "kill $$! 2>/dev/null" EXIT INT TERM; \
	else echo "Alert mail worker not started: set SUPPLYWATCH_SUBSCRIBER_KEY and SUPPLYWATCH_SMTP_HOST"; fi; \
	SUPPLYWATCH_BASE_URL="$${SUPPLYWATCH_BASE_URL:-http://localhost:$(PORT)}" \
	  $(BIN)/streamlit run app.py --server.port $(PORT) --server.address localhost

test: $(BIN)/.installed browser axe $(DB)
	$(BIN)/python -m pytest

bench: $(BIN)/.installed
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DB) data/supplywatch-app.duckdb public/ .pytest_cache .axe
