# Two commands: `make run` sets everything up and serves the platform; `make test` runs the whole suite.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
PYTHON ?= python3

.PHONY: run test setup translations lint bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

translations: $(STAMP)
	$(BIN)/pybabel compile -d app/translations

setup: $(STAMP) translations

# On a developer's machine keys are generated once into instance/ (engine/keys.py); production sets them.
run: export SUNSHINE_ENV ?= development
run: setup
	$(BIN)/sunshine db upgrade
	$(BIN)/sunshine demo
	$(BIN)/sunshine run

# The suite runs in one worker per core (pytest-xdist): each test has a database of its own, and each worker builds
# its own templates once.
test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -n auto

# Every benchmark prints its ratios (``<name> ratio: X``) against references measured in the same run; see bench/README.md.
# PostgreSQL benches use SUNSHINE_BENCH_PG (default: the local test server). `make bench` takes about a quarter of an hour
# on 2 cores; the memory bench runs 20,000 steps here (`.venv/bin/python bench/memory.py` runs the full 100,000).
bench: setup
	$(PY) bench/engine.py
	$(PY) bench/concurrency.py
	$(PY) bench/inbox.py
	$(PY) bench/http.py
	$(PY) bench/fire.py
	$(PY) bench/supervisor.py
	$(PY) bench/memory.py --steps 20000

clean:
	rm -rf $(VENV) instance *.egg-info
