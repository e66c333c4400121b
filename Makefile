# The two commands a newcomer needs: `make run` and `make test`. Both install first.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: install run test bench chromium browser-js lint typecheck format

install: $(VENV)/.installed

# Reinstalls only when the lock file changes; the lock pins every package by hash.
$(VENV)/.installed: requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	@touch $@

# Links and certificates point at the port this demo serves on, in the web server
# and the worker alike, unless DJANGO_BASE_URL says otherwise.
run: export DJANGO_BASE_URL ?= http://127.0.0.1:$(PORT)
run: install
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=1 $(BIN)/python manage.py createcachetable
	DJANGO_DEBUG=1 $(BIN)/python manage.py seed_demo
	@echo "Serving http://127.0.0.1:$(PORT)/ (with a background worker). Ctrl-C stops both."
	@trap 'kill 0' EXIT; \
	  DJANGO_DEBUG=1 $(BIN)/python manage.py db_worker & \
	  DJANGO_DEBUG=1 $(BIN)/python manage.py charge_premiums --every 30 & \
	  DJANGO_DEBUG=1 $(BIN)/python manage.py expire_sessions --every 60 & \
	  DJANGO_DEBUG=1 $(BIN)/python manage.py send_notices --every 60 & \
	  DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: install chromium browser-js
	$(BIN)/python scripts/run_tests.py $(PYTEST_ARGS)

bench: install
	$(BIN)/python scripts/run_tests.py --bench $(PYTEST_ARGS)

# The browser tests inject axe-core (accessibility checks) from npm, pinned by
# tests/browser/js/package-lock.json, into a gitignored node_modules; never from a CDN.
browser-js: tests/browser/js/node_modules/.installed
tests/browser/js/node_modules/.installed: tests/browser/js/package-lock.json
	cd tests/browser/js && npm ci --no-audit --no-fund --ignore-scripts --silent
	@touch $@

# Browser tests drive Debian's chromium; never a downloaded browser.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is missing and this user cannot install it (sudo apt-get install chromium)."; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# mypy with django-stubs over the apps and scripts (the files listed in pyproject.toml).
typecheck: install
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
