# Quick start: `make run` serves the demo on http://127.0.0.1:5000; `make test` runs the suite.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app gie
PACKAGES := gie accounting billing commercial training financial_close programme

.PHONY: run install translations extract-messages migrate demo test test-fast test-bench lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed translations

# Catalogs are kept as .po sources; the binary .mo files are built here, never committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -d gie/translations

# Refresh the catalogs after adding or changing user-facing text.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -k _l -k lazy_gettext --no-location --sort-output -F babel.cfg -o gie/translations/messages.pot $(PACKAGES)
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i gie/translations/messages.pot -d gie/translations

migrate: install
	$(FLASK) db upgrade

demo: migrate
	$(FLASK) demo load

run: demo
	@echo "Serving on http://127.0.0.1:5000 (Ctrl+C to stop)"
	$(FLASK) run --host 127.0.0.1 --port 5000

# The tests outside the browser spread over every core, each worker on a database of its own;
# the browser tests share one live server and one Chromium, in one process.
PYTEST_PARALLEL := $(BIN)/pytest -n auto -m "not browser and not bench"
PYTEST_BROWSER := $(BIN)/pytest tests/browser -m browser

test: install
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(PYTEST_PARALLEL)
	$(PYTEST_BROWSER)
	@if [ -n "$$GIE_TEST_DATABASE_URL" ]; then \
		echo "== the suite again on PostgreSQL =="; \
		GIE_TEST_BACKEND=postgresql $(PYTEST_PARALLEL); \
	fi

# SQLite, no browser: the quick loop while working.
test-fast: install
	$(PYTEST_PARALLEL)

# The benchmark code at tiny size (tests/bench/), on each backend `make test` covers; CI runs it.
test-bench: install
	$(BIN)/pytest tests/bench -m bench
	@if [ -n "$$GIE_TEST_DATABASE_URL" ]; then \
		GIE_TEST_BACKEND=postgresql $(BIN)/pytest tests/bench -m bench; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Benchmarks of the books (minutes, not part of `make test`): BENCH_ARGS="--backend sqlite --lines 200000"
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(BIN)/python -m bench.billing $(BENCH_BILLING_ARGS)

clean:
	rm -rf $(VENV) instance test-artifacts .pytest_cache
