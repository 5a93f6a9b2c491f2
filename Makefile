# A fresh clone needs two commands: `make run` and `make test`. Both install what they need into .venv.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run demo test test-postgres migrate lint bench lock clean screenshot

SPECTRAL := tools/spectral/node_modules/.installed
# The client generator has its own venv: it pins httpx and python-dateutil below the project's versions.
CLIENTGEN := tools/openapi-python-client/.venv/.installed

$(STAMP): pyproject.toml requirements/dev.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The versions pinned in requirements/dev.lock (`make lock` renews it), then the project itself.
	$(PY) -m pip install --quiet -r requirements/dev.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Spectral, pinned in tools/spectral (Node.js and npm from the machine): the tests lint the API description.
$(SPECTRAL): tools/spectral/package-lock.json
	npm ci --prefix tools/spectral --silent --no-audit --no-fund
	touch $(SPECTRAL)

$(CLIENTGEN): tools/openapi-python-client/requirements.lock
	$(PYTHON) -m venv tools/openapi-python-client/.venv
	tools/openapi-python-client/.venv/bin/pip install --quiet -r tools/openapi-python-client/requirements.lock
	touch $(CLIENTGEN)

# Chromium and ChromeDriver from Debian's packages: the dashboard's browser tests and `make screenshot` drive them.
BROWSER := /usr/bin/chromedriver
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
$(BROWSER):
	$(SUDO) apt-get install -y -q chromium chromium-driver \
	  || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium chromium-driver; }

install: $(STAMP) $(SPECTRAL) $(CLIENTGEN) $(BROWSER)

run: $(STAMP)  ## start broker, mail and push sinks, the five services and the gateway (Ctrl-C stops them all)
	$(PY) -m deploy.local

demo: $(STAMP)  ## load the demo dataset through the gateway that `make run` serves (DEMO_ARGS="--scale 0.2 ...")
	$(PY) -m deploy.demo $(DEMO_ARGS)

test: $(STAMP) $(SPECTRAL) $(CLIENTGEN) $(BROWSER)  ## the whole suite on SQLite (TEST_DATABASE=postgres for PostgreSQL)
	$(PY) -m pytest

test-postgres: $(STAMP) $(SPECTRAL) $(CLIENTGEN) $(BROWSER)
	TEST_DATABASE=postgres $(PY) -m pytest

screenshot: $(STAMP) $(BROWSER)  ## docs/dashboard.png: the dashboard of the suite `make run` serves (after `make demo`)
	$(PY) -m deploy.screenshot $(SCREENSHOT_ARGS)

migrate: $(STAMP)
	APP_ENV=$${APP_ENV:-dev} $(PY) -m deploy.migrate

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)  ## start the suite and run the benchmarks in bench/ (TEST_DATABASE=postgres for PostgreSQL)
	$(PY) -m bench

# Pins what pyproject.toml asks for and keeps every other pin; `make lock UPGRADE=--upgrade` takes the newest of all.
lock: $(STAMP)  ## pin versions from pyproject.toml: requirements/runtime.lock (the image), dev.lock (make, CI)
	$(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11 $(UPGRADE) --quiet -o requirements/runtime.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 $(UPGRADE) --quiet -o requirements/dev.lock
	$(VENV)/bin/uv pip compile tools/openapi-python-client/requirements.in --universal --python-version 3.11 $(UPGRADE) --quiet -o tools/openapi-python-client/requirements.lock

clean:
	rm -rf var .pytest_cache
