# Set-up from a fresh clone: `make run` serves the system, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
VENDOR := chengxin/static/vendor

.PHONY: run test lint format assets install install-test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Front-end libraries come from npm (package-lock.json); only copies land in the (git-ignored) vendor folder.
# china.json: province outlines for the dashboard's schematic map (示意图), from the china-geojson package.
# axe.min.js: the accessibility checker the browser tests run on each page (no page of the site loads it).
$(VENDOR)/.stamp: node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js
	cp node_modules/china-geojson/src/geojson/china.json $(VENDOR)/china.json
	cp node_modules/axe-core/axe.min.js $(VENDOR)/axe.min.js
	touch $@

install: $(VENV)/.installed $(VENDOR)/.stamp
install-test: $(VENV)/.installed-test $(VENDOR)/.stamp
assets: $(VENDOR)/.stamp

run: install
	$(BIN)/chengxin serve

# The suite on SQLite; and on the database of DATABASE_URL too when it is set (CI sets it to PostgreSQL).
test: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo
	@command -v $${CHROMIUM:-chromium} >/dev/null 2>&1 || echo "NOTE: chromium not found: the browser tests will be SKIPPED (apt-get install chromium fonts-noto-cjk to run them)."
	@command -v nginx >/dev/null 2>&1 || echo "NOTE: nginx not found: the production-stack tests will be SKIPPED (apt-get install nginx to run them)."
	@command -v soffice >/dev/null 2>&1 || echo "NOTE: soffice not found: the tests that print the national table's print sheet, the summary and the case book will be SKIPPED (apt-get install libreoffice-calc libreoffice-writer poppler-utils to run them)."
	@! command -v soffice >/dev/null 2>&1 || [ -e /usr/lib/libreoffice/program/swriter ] || echo "NOTE: LibreOffice Writer not found: the tests that print the summary and the case book as PDF will be SKIPPED (apt-get install libreoffice-writer to run them)."
	@[ -n "$$DATABASE_URL" ] || echo "NOTE: DATABASE_URL not set: the production-stack tests (PostgreSQL + Redis) will be SKIPPED."
	@# With DATABASE_URL the two runs go side by side (two cores: most of the second database's time is spent
	@# waiting on its server), the SQLite run's output kept in a file and printed when both have ended.
	@if [ -z "$$DATABASE_URL" ]; then \
	  echo "== test suite on SQLite =="; env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest; \
	else \
	  log=$$(mktemp); \
	  echo "== test suite on SQLite (in the background; its output follows the other run's) and on $${DATABASE_URL%%://*} =="; \
	  ( env -u DATABASE_URL -u REDIS_URL $(BIN)/pytest >"$$log" 2>&1; echo $$? >"$$log.rc" ) & \
	  $(BIN)/pytest; other=$$?; wait; \
	  echo "== test suite on SQLite =="; cat "$$log"; sqlite=$$(cat "$$log.rc"); rm -f "$$log" "$$log.rc"; \
	  echo "== SQLite: exit $$sqlite; $${DATABASE_URL%%://*}: exit $$other =="; \
	  [ "$$sqlite" = 0 ] && [ "$$other" = 0 ]; \
	fi

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache --no-logo
	$(BIN)/lint-imports --no-cache --no-logo

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) node_modules $(VENDOR) var
