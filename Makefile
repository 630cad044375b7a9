# Two entry points for a fresh machine: `make run` (serve) and `make test` (every test).
# Both set up what they need first: a venv with the package, and the page's npm libraries.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
SERVE_ARGS ?= --work-dir work --output-dir output

.PHONY: setup run test clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: setup.cfg setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

run: setup
	$(BIN)/visualizer-server $(SERVE_ARGS)

# pytest exits 5 when it collects no test: make treats that as a failure, as it should.
test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) node_modules work output .pytest_cache
