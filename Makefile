# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= portal.settings.dev

.PHONY: run test lint format venv venv-dev migrate demo worker scheduler chaos backup browser-test check clean quality tools messages compilemessages bench

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

## make messages: extract every marked string into locale/<lang>/LC_MESSAGES/django.po and djangojs.po (needs gettext)
MESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=tests --ignore=var --ignore=static_collected --ignore=bench --ignore=scripts --ignore=docs
messages: venv
	$(BIN)/python manage.py makemessages -a --no-obsolete $(MESSAGES_IGNORE)
	$(BIN)/python manage.py makemessages -a -d djangojs --no-obsolete $(MESSAGES_IGNORE)

## make compilemessages: the .mo files Django reads (not committed; make run and make test build them)
compilemessages: venv
	@if [ ! -d locale ]; then true; \
	elif command -v msgfmt >/dev/null 2>&1; then $(BIN)/python manage.py compilemessages --ignore=.venv -v0; \
	else echo "gettext (msgfmt) is not installed: pages stay in English (apt-get install gettext)"; fi

migrate: venv compilemessages
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v0

demo: migrate
	$(BIN)/python manage.py seed_demo --quiet-logins

## make run: install, migrate, load the demo, start the site and the task worker on http://127.0.0.1:$(PORT)
run: demo
	PORT=$(PORT) BIN=$(BIN) ./scripts/run_dev.sh

## make test: the whole suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL), one pytest-xdist worker
## per core, each with its own test database (TEST_WORKERS=0 runs it in one process)
TEST_WORKERS ?= auto
test: venv-dev compilemessages
	DJANGO_SETTINGS_MODULE=portal.settings.test $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

## make lint: ruff's linter and formatter check (configured in pyproject.toml); make format applies the formatter
lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

browser-test: venv-dev compilemessages
	DJANGO_SETTINGS_MODULE=portal.settings.test REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/e2e $(PYTEST_ARGS)

## make quality: Lighthouse (accessibility and best practices 100) and the Nu HTML checker (no errors) on the demo's
## pages, on a throwaway seeded site (needs `make tools`: `npm ci --prefix tools`; Java; Chromium at CHROME_PATH, default /usr/bin/chromium)
quality: venv
	$(BIN)/python scripts/quality_pages.py $(QUALITY_ARGS)

tools:
	npm ci --prefix tools --no-audit --no-fund --ignore-scripts

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
