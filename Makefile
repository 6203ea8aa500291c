# sharedsky: `make demo` runs the mechanism with its demo scenario, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
ASSETS := src/sharedsky/api/console_assets/BUILT
WEB_SOURCES := $(wildcard web/src/*) web/build.mjs web/apidocs.mjs web/package.json web/package-lock.json

.PHONY: demo test lint typecheck unit thorough mutation postgres chromium assets bench openapi clean

# the virtualenv; traffic==2.13 only for its recorded ADS-B samples (sim/traffic.py reads the
# files, never imports it), --no-deps because its dependencies are heavy and break with pandas 3
$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps traffic==2.13
	$(BIN)/python -c 'from sharedsky.detect.tactical import warm; warm()'  # Numba's cache
	touch $(STAMP)

# the web console (web/ → src/sharedsky/api/console_assets/), rebuilt when a source is newer
assets: $(ASSETS)

$(ASSETS): $(WEB_SOURCES)
	cd web && npm ci --no-audit --no-fund && npm run build

demo: $(STAMP) assets
	$(BIN)/sharedsky demo

postgres:
	./scripts/ensure-postgres.sh

chromium:
	./scripts/ensure-chromium.sh

lint: $(STAMP)
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

# two workers (pytest-xdist), each test file kept on one worker: the machines have two cores;
# the 25 slowest tests are listed at the end, to keep the whole run under 10 minutes
unit: $(STAMP) postgres assets chromium
	$(BIN)/pytest -n 2 --dist loadfile --no-loadscope-reorder --durations=25

test: lint typecheck unit

# the property tests with random examples, ten times as many as `make test` draws (tests/_hypothesis.py)
thorough: $(STAMP) postgres
	HYPOTHESIS_PROFILE=thorough $(BIN)/pytest -m hypothesis --ignore=tests/api/test_schemathesis.py

# mutation testing of the safety core (tests/mutation/README.md): hours, so not part of `make test`;
# mutmut forks each mutant's run from a process that has run Numba kernels, which GNU OpenMP's
# pool refuses (it terminates the child): the workqueue layer survives a fork
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,mutation]'
	rm -rf mutants
	NUMBA_THREADING_LAYER=workqueue $(BIN)/mutmut run
	$(BIN)/python tests/mutation/report.py

bench: $(STAMP) postgres
	$(BIN)/python benchmarks/strategic.py

openapi: $(STAMP)
	$(BIN)/python -m sharedsky.api.openapi > docs/openapi.json
	$(BIN)/python -c 'import json; from sharedsky.wire.v1.events import console_types; print(json.dumps(console_types(), indent=2))' > web/src/event-types.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
