# Gugus — two commands: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: install run test lint bench loadtest clean

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

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

loadtest: $(STAMP)
	$(BIN)/python -m bench.loadtest $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/*
