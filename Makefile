# A fresh clone needs two commands: `make run` and `make test`. Both install what they need into .venv.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run demo test test-postgres migrate lint bench clean

$(STAMP): pyproject.toml tools/spectral/package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	# Spectral, pinned in tools/spectral (Node.js and npm from the machine): the tests lint the API description.
	npm ci --prefix tools/spectral --silent --no-audit --no-fund
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## start broker, the four services and the gateway (Ctrl-C stops them all)
	$(PY) -m deploy.local

demo: $(STAMP)  ## load the demo dataset through the gateway that `make run` serves (DEMO_ARGS="--scale 0.2 ...")
	$(PY) -m deploy.demo $(DEMO_ARGS)

test: $(STAMP)  ## the whole suite on SQLite (TEST_DATABASE=postgres for PostgreSQL)
	$(PY) -m pytest

test-postgres: $(STAMP)
	TEST_DATABASE=postgres $(PY) -m pytest

migrate: $(STAMP)
	APP_ENV=$${APP_ENV:-dev} $(PY) -m deploy.migrate

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)  ## start the suite and run the benchmarks in bench/ (TEST_DATABASE=postgres for PostgreSQL)
	$(PY) -m bench

clean:
	rm -rf var .pytest_cache
