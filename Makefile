# 安居 Anju. `make demo` and `make test` work on a fresh machine with Python 3.11+ and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Installs never resolve: every package comes from a hash lock with --no-deps, so a release
# published upstream tomorrow cannot change what is installed; `pip check` and tests/lock_check.py
# prove the locked set complete. The demo needs the runtime lock only; tests, lint and bench add
# the dev lock.
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps
RUNTIME := $(VENV)/.runtime-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.dev-$(shell cat requirements.lock requirements-dev.lock pyproject.toml | cksum | cut -d' ' -f1)
PYTEST_ARGS ?=

.PHONY: venv demo test test-fast test-browser bench lint format check-deploy clean

$(RUNTIME): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "安居需要 Python 3.11 或更高版本")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps \
		--no-build-isolation -e .
	$(BIN)/python -m pip check
	rm -f $(VENV)/.runtime-* $(VENV)/.dev-*
	touch $(RUNTIME)

$(STAMP): $(RUNTIME) requirements-dev.lock
	$(PIP) -r requirements.lock -r requirements-dev.lock
	$(BIN)/python -m pip check
	$(BIN)/python -m tests.lock_check
	rm -f $(VENV)/.dev-*
	touch $(STAMP)

venv: $(STAMP)

demo: $(RUNTIME)
	$(BIN)/anju demo --size $(or $(SIZE),small) $(DEMO_ARGS)

test: $(STAMP)
	$(BIN)/python -m tests.lock_check
	$(BIN)/python -m tests.browser_check
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/pytest -m "not browser" -x -q $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check-deploy: $(STAMP)
	ANJU_DATA_DIR=$$(mktemp -d) $(BIN)/anju manage check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var .pytest_cache
