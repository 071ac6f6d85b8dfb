# Two commands do everything on a fresh machine: `make run` and `make test`.
# Each creates .venv (the default Python: 3.11, else 3.12, else 3.13) and installs what it needs;
# `make test` also checks the project on Python 3.13 in .venv-py313 (see test-py313).

SHELL := /bin/bash
# A Python that runs (pyenv's shims print an error for a version that is installed but not selected).
runs = $(shell for p in $(1); do if $$p -c 'import sys; sys.exit(not ($(2)))' >/dev/null 2>&1; then command -v $$p || echo $$p; break; fi; done)
PYENV_VERSIONS := $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions
PYTHON ?= $(call runs,python3.11 python3.12 python3 python3.13,(3, 11) <= sys.version_info[:2] < (3, 14))
PYTHON313 ?= $(call runs,python3.13 $(lastword $(sort $(wildcard $(PYENV_VERSIONS)/3.13*/bin/python3.13))),sys.version_info[:2] == (3, 13))
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VENV313 := .venv-py313
STAMP313 := $(VENV313)/.installed
# `python -m pytest`, not the pytest script: the audit's workers (multiprocessing spawn) re-run
# the parent's main script, which for the script means importing pytest again in every worker.
PYTEST := PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pytest

.PHONY: run test venv lint types pytest pytest-not-slow pytest-slow slow-then-py313 test-py313 venv-py313 docs golden readme generated screenshots bench bench-http clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "Python 3.11, 3.12 or 3.13 is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# The web service under gunicorn (settings: PREFLIGHT_* variables, see README "Web service");
# it prints its URL once it accepts connections.
run: venv
	$(BIN)/gunicorn --config python:preflight.web.gunicorn_conf app:app

# Everything CI runs: ruff and mypy (while .venv-py313 is built), then the suite in two lanes,
# one per core: the tests not marked slow; beside them the slow ones, then the suite on Python
# 3.13 (a lane runs one pytest at a time, so timing-sensitive tests share the machine with one
# other process at most). Each one's output is shown whole when it ends (--output-sync).
test:
	@$(MAKE) --no-print-directory -j2 --output-sync=target lint types venv-py313
	@$(MAKE) --no-print-directory -j2 --output-sync=target pytest-not-slow slow-then-py313

pytest-not-slow: venv
	scripts/ensure-chromium.sh
	$(PYTEST) -m "not slow"

pytest-slow: venv
	$(PYTEST) -m slow

slow-then-py313: pytest-slow
	@$(MAKE) --no-print-directory test-py313

lint: venv
	$(BIN)/ruff check

types: venv
	$(BIN)/mypy --strict src

# The browser test drives Debian's Chromium; scripts/ensure-chromium.sh installs it when missing.
# Playwright never downloads a browser of its own.
pytest: venv
	scripts/ensure-chromium.sh
	$(PYTEST)

# Python 3.13: durable-rules does not install there, so its engine is unavailable (it says so)
# and its tests skip; everything else runs, except the slowest tests, whose subject does not
# depend on the Python version: the browser tests (Chromium drives the same page) and those
# marked slow (the audit's memory soak, schemathesis against the API).
# Without a Python 3.13 this fails on CI and is skipped, with a warning, elsewhere.
test-py313:
	@if [ -z "$(PYTHON313)" ]; then \
	  echo "test-py313: no Python 3.13 found (python3.13 or pyenv's $(PYENV_VERSIONS)/3.13*)" >&2; \
	  if [ -n "$$CI" ]; then exit 1; fi; echo "test-py313: skipped" >&2; exit 0; fi
	@$(MAKE) --no-print-directory $(STAMP313) PYTHON313=$(PYTHON313)
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(VENV313)/bin/python -m pytest -q -p no:cacheprovider -m "not browser and not slow"

# Built beside .venv, ruff and mypy when make test starts (nothing when there is no Python 3.13:
# test-py313 says so).
venv-py313:
	@if [ -n "$(PYTHON313)" ]; then $(MAKE) --no-print-directory $(STAMP313) PYTHON313=$(PYTHON313); fi

$(STAMP313): pyproject.toml
	$(PYTHON313) -m venv $(VENV313)
	$(VENV313)/bin/pip install --quiet --upgrade pip
	$(VENV313)/bin/pip install --quiet -e '.[test]'
	touch $(STAMP313)

# Generated files (a test fails, naming the target, when one is stale): review the diff, commit.
docs: venv        # docs/rules.md, from rules/
	$(BIN)/python -m tests.regenerate docs

golden: venv      # tests/golden/*.json, the reports of examples/
	$(BIN)/python -m tests.regenerate golden

readme: venv      # the outputs shown in README.md, replayed
	$(BIN)/python -m tests.regenerate readme

generated: docs golden readme

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
	rm -rf $(VENV) $(VENV313) build *.egg-info src/*.egg-info .pytest_cache .hypothesis .mypy_cache .ruff_cache
