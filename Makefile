# Two entry points for a fresh machine: `make run` (serve) and `make test` (every test).
# Both set up what they need first. Serving needs only the venv: the pages' browser
# libraries are vendored inside the package. Node.js (npm ci) is for the tests and the
# benchmark: the vendored copies are checked against node_modules/, and the benchmark runs
# a Node socket.io server; `make vendor` refreshes the copies after a version bump.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
SERVE_ARGS ?= --work-dir work --output-dir output

.PHONY: setup browser cluster-parts run test benchmark vendor clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: setup.cfg setup.py pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Debian's chromium for the browser tests (Playwright drives /usr/bin/chromium; its own browser
# download is not available), and Xvfb for the one test that needs a windowed Chromium (a tab hidden
# behind another). Installed only when missing; needs root, as on this project's machines.
browser:
	@{ command -v chromium && command -v Xvfb; } >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium xvfb >/dev/null; }

# Debian's redis-server and nginx for the cluster tests, which start their own on free ports,
# and systemd's systemd-analyze, which checks deploy/visualizer-server.service (no systemd runs).
# Installed only when missing; needs root, like the browser.
cluster-parts:
	@{ command -v redis-server && command -v nginx && command -v systemd-analyze; } >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server nginx systemd >/dev/null; }

run: $(VENV)/.installed
	$(BIN)/visualizer-server $(SERVE_ARGS)

# pytest exits 5 when it collects no test: make treats that as a failure, as it should.
# Two workers (pytest-xdist), one per core of this project's machines: most tests wait on a real
# ffmpeg, Chromium or socket, so two at once take 11 minutes instead of 17; more workers than cores
# would make the tests that bound a time compete for the CPU. Each test keys its ports, folders
# and /proc scans to itself; a test file goes to one worker whole (--dist loadfile), so a module's
# shared fixture (one server, one Chromium, the one wheel built in the source tree) is made once.
TEST_WORKERS ?= 2
test: setup browser cluster-parts
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

benchmark: setup
	$(BIN)/python benchmarks/run.py

# Copy the page's libraries from node_modules/ (pinned by package-lock.json) into the package.
vendor: node_modules/.installed
	$(PYTHON) scripts/refresh_vendor.py

clean:
	rm -rf $(VENV) node_modules work output .pytest_cache build dist
