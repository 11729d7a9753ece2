# Gugus — two commands: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run test lint bench bench-pg loadtest clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

var/.setup-done: $(STAMP)
	@mkdir -p var
	$(BIN)/gugus migrate --noinput
	$(BIN)/gugus load_reference
	$(BIN)/gugus demo --seed 1 --victims 400
	@touch var/.setup-done

run: $(STAMP) var/.setup-done
	@$(BIN)/gugus migrate --noinput -v 0
	@$(BIN)/gugus demo_logins
	@# The background worker (imports, reports, indicator refresh) runs beside the server.
	@$(BIN)/gugus db_worker --no-reload --queue-name '*' > var/worker.log 2>&1 & echo $$! > var/worker.pid
	@trap 'kill $$(cat var/worker.pid) 2>/dev/null' EXIT INT TERM; $(BIN)/gugus runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

# Benchmarks (docs/performance.md): SQLite always; PostgreSQL too when DATABASE_URL names a
# postgres database (its own, used only for benchmarks). Both run even if the first misses a
# target; the exit status is non-zero when any benchmark failed. Each run: about 20 minutes at
# full scale once the data set exists. `make bench-pg` runs PostgreSQL only (BENCH_PG_URL).
# BENCH_SQLITE_URL=sqlite:////abs/path.sqlite3 points the SQLite run at a given data-set file
# (default: the cached one in var/bench/).
BENCH_PG_URL ?= postgres://postgres@127.0.0.1:5432/gugus_bench
BENCH_SQLITE := $(if $(BENCH_SQLITE_URL),env DATABASE_URL=$(BENCH_SQLITE_URL),env -u DATABASE_URL)

bench: $(STAMP)
	@rc=0; case "$${DATABASE_URL:-}" in \
	  postgres*) \
	    $(BENCH_SQLITE) $(BIN)/python -m bench $(BENCH_ARGS) || rc=1; \
	    $(BIN)/python -m bench $(BENCH_ARGS) || rc=1 ;; \
	  *) $(if $(BENCH_SQLITE_URL),$(BENCH_SQLITE),) $(BIN)/python -m bench $(BENCH_ARGS) || rc=1 ;; \
	esac; exit $$rc

bench-pg: $(STAMP)
	DATABASE_URL="$${DATABASE_URL:-$(BENCH_PG_URL)}" $(BIN)/python -m bench $(BENCH_ARGS)

# Load test: gunicorn + PostgreSQL (its own database, gugus_loadtest), 50 users, 60 s measured.
loadtest: $(STAMP)
	$(BIN)/python -m bench.loadtest $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) var/*
