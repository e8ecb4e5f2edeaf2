# Harbor: `make run` serves a development instance, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEV := HARBOR_ENV=development

.PHONY: run test test-postgres bench lint scan deploy-check install clean-dev messages

$(VENV)/.installed: requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { echo "Harbor needs Python 3.12 or newer (found $$($(PYTHON) --version)). With pyenv, .python-version asks for 3.13."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $@

install: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --silent --no-audit --no-fund && touch $@; else echo "npm not found: accessibility checks (axe-core) will be skipped."; fi

run: install
	$(DEV) $(PY) manage.py migrate --verbosity 0
	$(DEV) $(PY) manage.py demo
	@echo
	@echo "Harbor is starting on http://127.0.0.1:$(PORT)/"
	@echo "  Reporter form:   http://127.0.0.1:$(PORT)/report/"
	@echo "  Staff dashboard: http://127.0.0.1:$(PORT)/staff/  (log in with a demo account above)"
	@echo "  Background tasks run in a worker started alongside (log: var/worker.log); a scheduler"
	@echo "  enqueues the periodic ones, such as the audit head export to var/audit-head.jsonl (log: var/scheduler.log)."
	@echo "Press Ctrl-C to stop."
	@trap 'kill 0' EXIT INT TERM; \
	  $(DEV) $(PY) manage.py db_worker --queue-name '*' > var/worker.log 2>&1 & \
	  $(DEV) $(PY) manage.py harbor_scheduler > var/scheduler.log 2>&1 & \
	  $(DEV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install node_modules/.installed
	@if ! command -v chromium >/dev/null && [ ! -x /usr/bin/chromium ]; then \
	  echo "Chromium is not installed: browser tests will be skipped. Install it with: sudo apt-get install chromium"; fi
	$(PY) -m pytest -p no:cacheprovider -n 2 --dist loadgroup $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi; exit $$status

test-postgres: install node_modules/.installed
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(MAKE) test

bench: install
	$(PY) bench/run.py

# Black-box scan (wapiti, its own venv) of a production-settings Harbor on 127.0.0.1 only,
# plus the OWASP header checks; docs/security.md. HARBOR_SCAN_SECONDS sets wapiti's budget.
scan: install
	$(PY) scripts/scan.py

# The production files of deploy/ checked with nginx -t, systemd-analyze and tor --verify-config,
# then run on 127.0.0.1 behind nginx with throwaway PostgreSQL and Redis databases and used end to
# end (docs/operations.md). Installs nginx and tor when missing (as root). Run it on the server too.
deploy-check: install
	$(PY) -m deploy.check

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	HARBOR_ENV=test $(VENV)/bin/mypy

# Spanish covers every page (staff pages are English and Spanish); the other reporter languages
# cover what a reporter reads (docs/translations.md), so their catalogues leave the staff apps out;
# of referrals/ they take readers.py alone: the safety alerts' words, which workers read.
MSG_IGNORE := --ignore=.venv --ignore=node_modules --ignore=var --ignore=tests --ignore=bench
STAFF_ONLY := --ignore='vault/hashers.py' --ignore='casework/*' --ignore='templates/casework/*' --ignore='referrals/[!r]*' --ignore='audit/*' \
	--ignore='periodic/*' --ignore='deploy/*' --ignore='scripts/*' --ignore='resources/forms.py' --ignore='resources/models.py' --ignore='resources/views.py'
REPORTER_LOCALES := zh_Hant zh_Hans tl vi ko th

messages: install
	$(DEV) $(PY) manage.py makemessages -l es $(MSG_IGNORE)
	$(DEV) $(PY) manage.py makemessages $(foreach l,$(REPORTER_LOCALES),-l $(l)) $(MSG_IGNORE) $(STAFF_ONLY)
	$(DEV) $(PY) manage.py compilemessages --ignore=.venv

clean-dev:
	rm -rf var/harbor.sqlite3* var/dev-secrets.json
