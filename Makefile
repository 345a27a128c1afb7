PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test chat lint bench clean chromium postgresql

# Packages are installed again whenever their requirements file changes.
$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt requirements-wechaty.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt -r requirements-wechaty.txt
	touch $@

# The demo shop is for trying kefu out: a shop's own server starts without it (KEFU_DEMO=0).
KEFU_DEMO ?= 1

run: $(VENV)/.runtime
	KEFU_DEMO=$(KEFU_DEMO) $(PY) -m bot run

chat: $(VENV)/.runtime
	KEFU_DEMO=$(KEFU_DEMO) $(PY) -m bot chat

# Test processes side by side (pytest-xdist): one per CPU by default; 0 runs the suite in one.
# Work stealing keeps both busy when a few long browser tests land on one.
TEST_WORKERS ?= auto
PYTEST := $(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal

# The whole suite runs twice: on SQLite, then on a throwaway PostgreSQL server.
test: $(VENV)/.dev chromium postgresql
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PYTEST)
	$(PY) tests/postgres_server.py $(PYTEST)

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used).
chromium:
	@command -v chromium >/dev/null || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Debian's PostgreSQL server, for the tests' second run (tests/postgres_server.py starts it).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; }

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.runtime postgresql
	$(PY) bench/pipeline_bench.py
	$(PY) bench/console_bench.py
	$(PY) bench/scheduler_bench.py
	$(PY) bench/faq_bench.py
	$(PY) bench/product_bench.py
	$(PY) bench/load_bench.py
	$(PY) bench/long_message_bench.py

clean:
	rm -rf $(VENV)
