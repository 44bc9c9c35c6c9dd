# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= portal.settings.dev

.PHONY: run test lint format venv venv-dev migrate demo worker scheduler chaos backup browser-test check clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

migrate: venv
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v0

demo: migrate
	$(BIN)/python manage.py seed_demo --quiet-logins

## make run: install, migrate, load the demo, start the site and the task worker on http://127.0.0.1:$(PORT)
run: demo
	PORT=$(PORT) BIN=$(BIN) ./scripts/run_dev.sh

## make test: the whole suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)
test: venv-dev
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python -m pytest $(PYTEST_ARGS)

## make lint: ruff's linter and formatter check (configured in pyproject.toml); make format applies the formatter
lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

browser-test: venv-dev
	DJANGO_SETTINGS_MODULE=portal.settings.test REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

worker: venv
	$(BIN)/python manage.py run_worker

scheduler: venv
	$(BIN)/python manage.py run_scheduler

## make bench: list the benchmarks in bench/ (each runs alone: `.venv/bin/python bench/<name>.py`; docs/benchmarks.md)
bench: venv-dev
	@for f in bench/*.py; do printf '%-28s %s\n' "$$f" "$$($(BIN)/python -c "import ast,sys; print((ast.get_docstring(ast.parse(open(sys.argv[1]).read())) or '').splitlines()[0])" $$f)"; done

## make chaos: the fault drill (own PostgreSQL and Redis; two web servers, workers and consumers, a scheduler)
chaos: venv-dev
	$(BIN)/python scripts/chaos.py --short

backup: venv
	$(BIN)/python manage.py backup

check: venv
	$(BIN)/python manage.py check

clean:
	rm -rf $(VENV) var static_collected
