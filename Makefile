# Two entry points for a fresh machine: `make run` (serve) and `make test` (every test).
# Both set up what they need first: a venv with the package, and the page's npm libraries.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
SERVE_ARGS ?= --work-dir work --output-dir output

.PHONY: setup browser run test benchmark clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: setup.cfg setup.py
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Debian's chromium for the browser tests (Playwright drives /usr/bin/chromium; its own browser
# download is not available). Installed only when missing; needs root, as on this project's machines.
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: setup
	$(BIN)/visualizer-server $(SERVE_ARGS)

# pytest exits 5 when it collects no test: make treats that as a failure, as it should.
test: setup browser
	$(BIN)/python -m pytest

benchmark: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) node_modules work output .pytest_cache
