# Kansen. `make run` serves the marketplace with demo data; `make test` runs every test.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
BENCH_ARGS ?=

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed-run

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

static/vendor/.built: node_modules/.installed scripts/build-assets
	scripts/build-assets
	@touch $@

.PHONY: assets
assets: static/vendor/.built ## Install the front-end packages (npm) and copy them into static/vendor/

.PHONY: help
help: ## Show this help
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: install
install: $(VENV)/.installed-dev ## Create .venv/ and install everything (also for tests)

.PHONY: setup
setup: $(VENV)/.installed-run static/vendor/.built ## Migrate, load reference data and demo data (safe to repeat)
	$(BIN)/python manage.py migrate --verbosity 0
	$(BIN)/python manage.py load_reference_data
	$(BIN)/python manage.py seed_demo

.PHONY: run
run: setup ## Serve the marketplace with demo data on http://127.0.0.1:$(PORT)
	@echo ""
	@echo "Kansen is starting on http://127.0.0.1:$(PORT)/"
	@echo "  sign in as buyer@amsterdam.example or founder@datastartup.example, password kansen-demo"
	@echo "  emails are saved in var/mail/; stop with Ctrl-C"
	@echo ""
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

.PHONY: test
test: $(VENV)/.installed-dev static/vendor/.built ## Run the whole test suite, on SQLite and on PostgreSQL
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/test

# Folders makemessages skips; tests/i18n reads this line too.
LOCALE_IGNORE := .venv node_modules static var tests bench scripts docs data test_kansen kansen.egg-info

.PHONY: messages
messages: $(VENV)/.installed-dev ## Update locale/nl/ from the marked strings and compile it (needs GNU gettext)
	$(BIN)/python manage.py makemessages --locale nl --no-obsolete $(addprefix --ignore ,$(LOCALE_IGNORE))
	$(BIN)/python manage.py compilemessages --locale nl $(addprefix --ignore ,$(LOCALE_IGNORE))

.PHONY: lint
lint: $(VENV)/.installed-dev ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

.PHONY: format
format: $(VENV)/.installed-dev ## Format the code with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

.PHONY: bench
bench: $(VENV)/.installed-dev ## Run the benchmarks in bench/ (BENCH_ARGS="--smoke" for a quick run)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m bench $(BENCH_ARGS)

.PHONY: elasticsearch
elasticsearch: ## Start a local Elasticsearch 8 node on port 9200 (jars cached after the first run)
	scripts/elasticsearch/run --port 9200

.PHONY: clean
clean: ## Remove var/ (database, mail, uploads) but keep .venv/
	rm -rf var/
