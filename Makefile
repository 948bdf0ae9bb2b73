# vpbx developer entry points. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/vpbx_test

.PHONY: install demo test test-sqlite test-postgres lint bench clean

$(BIN)/vpbx: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/vpbx

demo: install
	$(BIN)/vpbx demo

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src

test-sqlite: install
	$(BIN)/pytest -q
	@tmp=$$(mktemp -d) && VPBX_DATABASE_URL="sqlite:///$$tmp/check.db" $(BIN)/vpbx db upgrade && \
		VPBX_DATABASE_URL="sqlite:///$$tmp/check.db" $(BIN)/vpbx db check && rm -rf "$$tmp"

# PostgreSQL leg: skipped with a message when no server answers, unless
# VPBX_REQUIRE_POSTGRES=1 (CI), where a missing server is a failure.
test-postgres: install
	@if $(BIN)/python scripts/pg_ready.py "$(PG_TEST_URL)"; then \
		VPBX_TEST_DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest -q && \
		VPBX_DATABASE_URL="$(PG_TEST_URL)" $(BIN)/vpbx db check; \
	elif [ "$$VPBX_REQUIRE_POSTGRES" = "1" ]; then \
		echo "PostgreSQL at $(PG_TEST_URL) is required but not reachable" >&2; exit 1; \
	else \
		echo "SKIPPED: PostgreSQL leg (no server at $(PG_TEST_URL))"; \
	fi

test: lint test-sqlite test-postgres

bench: install
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) *.egg-info .mypy_cache .ruff_cache .pytest_cache
