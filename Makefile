# Dangjian (党建云). `make run` and `make test` work on a fresh machine with
# Python 3.11, make and git.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP_FLAGS := --disable-pip-version-check --progress-bar off -q
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 2
PG_URL ?= postgres://postgres@127.0.0.1:5432/dangjian_ci_$(shell date +%s)_$$$$
PG_REDIS_URL ?= redis://127.0.0.1:6379/9

.PHONY: run serve venv migrate demo test test-pg lint typecheck format bench clean

$(VENV)/.installed: pyproject.toml
	@echo "==> Installing Python packages into $(VENV) (first run: about a minute)..."
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install $(PIP_FLAGS) --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	@$(PY) -m pip install $(PIP_FLAGS) -e ".[dev]" 2>&1 | grep -v -e "^WARNING: Location" -e "^  " -e "^$$" || true
	@$(PY) -c "import django, wagtail, granian, pytest_django" || (echo "installation failed" && exit 1)
	@touch $@
	@echo "==> Packages installed."

venv: $(VENV)/.installed

migrate: venv
	@echo "==> Applying database migrations..."
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	@echo "==> Loading the demo city (first run: about a minute)..."
	$(PY) manage.py load_demo

run: demo
	@echo "==> Collecting static files..."
	@$(PY) manage.py collectstatic --noinput -v0
	@echo ""
	@echo "党建云 is serving on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	@echo "Log in with any demo account above, password: dangjian-demo (e.g. admin / dangjian-demo)"
	@echo ""
	$(VENV)/bin/granian --interface wsgi --host $(HOST) --port $(PORT) --workers $(WORKERS) \
		--blocking-threads 4 --respawn-failed-workers \
		--static-path-route /static --static-path-mount var/static \
		dangjian.wsgi:application

test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

# The same suite against real PostgreSQL and Redis (a fresh database each run).
test-pg: venv
	DATABASE_URL=$(PG_URL) REDIS_URL=$(PG_REDIS_URL) $(PY) -m pytest --create-db $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check dangjian bench
	$(VENV)/bin/ruff format --check dangjian bench

# mypy with django-stubs (mypy.ini: the foundation strict, the rest checked).
# Offline; its cache lives in .venv/mypy_cache.
typecheck: venv
	$(VENV)/bin/mypy dangjian

format: venv
	$(VENV)/bin/ruff check --fix dangjian bench
	$(VENV)/bin/ruff format dangjian bench

bench: venv
	@set -e; for f in bench/*.py; do \
		case $$f in */_*) continue;; esac; \
		echo "== $$f"; $(PY) $$f; done

clean:
	rm -rf $(VENV) var db.sqlite3
