.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-12s %s\n", $$1, $$2}'

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q -e '.[test]'

install: $(PY) ## Create the virtualenv and install the project with test dependencies

serve: $(PY) ## Run the server on stdio with the default SQLite store
	$(VENV)/bin/fractal-rmo serve

test: ## Install everything needed and run the whole test suite
	bash scripts/test

lint: $(PY) ## Lint and check formatting
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(PY) ## Format the code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(PY) ## Run every benchmark and write bench/results/latest.md
	$(PY) -m bench.run_all

.PHONY: help install serve test lint format bench
