# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# Debian packages the portal needs at run time (PDFs in Chinese) and the tests need (browser).
RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
TEST_DEBS := chromium docker-compose nginx-light
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/fundportal
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
# One pytest-xdist worker per core; a test file stays on one worker (its module fixtures load once).
TEST_WORKERS ?= auto
# Run in one process after the others: schemathesis gives all its generated tests one node id, which
# xdist would run once (tests/fixtures/environment.py refuses that, and any other repeated id).
SERIAL_TESTS := tests/disclosure/test_schema.py
# pytest's "no tests collected" (5) is no failure when PYTEST_ARGS selects none of them.
NONE_SELECTED_OK := || [ $$? -eq 5 ]

.PHONY: install system-deps test-deps bench-deps services demo test test-quick check-compose clean messages

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e ".[test]"
	touch $@

# Installs missing Debian packages only (dpkg -s tells); needs root or sudo the first time.
system-deps:
	@scripts/apt-ensure $(RUNTIME_DEBS)

test-deps: system-deps
	@scripts/apt-ensure $(TEST_DEBS)

# benchmarks/disclosure.py serves the public pages with Debian's nginx and measures them with wrk.
bench-deps: install services
	@scripts/apt-ensure nginx-light wrk

services:
	@scripts/services-ensure

demo: install system-deps
	$(PY) manage.py migrate --noinput
	export TLOG_WITNESSES="$$($(PY) manage.py demo_witnesses)" && $(PY) manage.py load_demo && \
	  $(PY) manage.py runserver 127.0.0.1:8000

# Every test, the browser and slow ones included.
test: install test-deps services check-compose
	$(PY) manage.py makemigrations --check --dry-run
	DATABASE_URL=$(PG_TEST_URL) REDIS_URL=$(REDIS_TEST_URL) $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --ignore=$(SERIAL_TESTS) $(PYTEST_ARGS)
	DATABASE_URL=$(PG_TEST_URL) REDIS_URL=$(REDIS_TEST_URL) $(VENV)/bin/pytest $(SERIAL_TESTS) $(PYTEST_ARGS) $(NONE_SELECTED_OK)

# The everyday run: all but the browser tests and those marked slow (markers in pyproject.toml).
test-quick: install system-deps services
	$(PY) manage.py makemigrations --check --dry-run
	DATABASE_URL=$(PG_TEST_URL) REDIS_URL=$(REDIS_TEST_URL) $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --ignore=$(SERIAL_TESTS) -m "not slow and not browser" $(PYTEST_ARGS)
	DATABASE_URL=$(PG_TEST_URL) REDIS_URL=$(REDIS_TEST_URL) $(VENV)/bin/pytest $(SERIAL_TESTS) -m "not slow and not browser" $(PYTEST_ARGS) $(NONE_SELECTED_OK)

check-compose:
	docker-compose -f docker-compose.yml config -q


clean:
	rm -rf $(VENV) var staticfiles

# Translators: refresh and compile the English catalogue (needs Debian's gettext). The .mo is committed.
messages: install
	@scripts/apt-ensure gettext
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=tests --ignore=staticfiles --ignore=var
	$(PY) manage.py compilemessages -l en --ignore=.venv --ignore=staticfiles --ignore=var --ignore=tests
