# Two commands do everything on a fresh machine: `make run` and `make test`.
# Each creates .venv (Python 3.11 or 3.12: durable-rules does not import on 3.13) and installs
# what it needs.

SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.11 python3.12 python3; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 13)))' 2>/dev/null; then echo $$p; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test venv bench bench-http screenshots clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11 or 3.12 is needed (durable-rules does not import on 3.13)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# The web service under gunicorn (settings: PREFLIGHT_* variables, see README "Web service");
# it prints its URL once it accepts connections.
run: venv
	$(BIN)/gunicorn --config python:preflight.web.gunicorn_conf app:app

# The browser test drives Debian's Chromium; scripts/ensure-chromium.sh installs it when missing.
# Playwright never downloads a browser of its own.
test: venv
	scripts/ensure-chromium.sh
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/pytest

# The README's screenshots of the report page and the audit page (docs/images/*.png), in Debian's
# Chromium; tests/web/test_screenshots.py says when one no longer matches its page.
screenshots: venv
	scripts/ensure-chromium.sh
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python scripts/screenshots.py

bench: venv
	$(BIN)/python bench/check.py

bench-http: venv
	$(BIN)/python bench/http.py

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .hypothesis
