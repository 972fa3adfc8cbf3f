# The two commands: `make run` (the platform on its embedded default) and `make test`
# (the whole suite). Each sets up its own virtual environment from constraints.txt.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; assert sys.version_info >= (3, 11)' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 5000
export FLASK_APP := wsgi

NPM_DIRS := tools/anvil tools/ipfs contracts

.PHONY: run test lint unit integration install lock worker clean node-tools

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON)" || { echo "Python >= 3.11 is required"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask seed
	$(BIN)/flask serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# Test peers from the npm registry (anvil, an IPFS daemon, solc), installed once before
# the parallel test workers need them; without npm their tests skip (fail under CI=true).
node-tools:
	@if command -v npm >/dev/null 2>&1; then for d in $(NPM_DIRS); do \
		[ -d $$d/node_modules ] || (cd $$d && npm ci --no-audit --no-fund --loglevel=error) || exit 1; \
	done; fi

test: lint node-tools
	$(BIN)/pytest -n 2

unit: $(STAMP)
	$(BIN)/pytest -m unit

integration: $(STAMP)
	$(BIN)/pytest -m integration

worker: $(STAMP)
	$(BIN)/dramatiq app.main.worker --processes 2 --threads 4

lock:
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/python -m pip install -q --upgrade pip && .lockenv/bin/python -m pip install -q -e '.[dev]'
	{ echo "# Exact versions the two README commands install (pip -c). Regenerate with: make lock"; \
	  .lockenv/bin/python -m pip freeze --exclude-editable; } > constraints.txt
	rm -rf .lockenv

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
