# Soho Solo — everyday commands. GNU make; needs only python3.11 (and apt-get for `test`/`bench`).
#   make run     install, prepare the database and serve http://$(HOST):$(PORT)/
#   make test    the whole test suite (browser tests included)
#   make quality lint, migrations, deployment checks, translations, vendored files
#   make help    every target

SHELL := /bin/bash
.DEFAULT_GOAL := help
# One pip at a time in the virtualenv, even under `make -j`.
.NOTPARALLEL:

HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
BENCH_ARGS ?=
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null || echo python3)
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Root installs system packages directly; anyone else through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends
# Folders makemessages skips (keep in step with SOURCE_IGNORE in core/management/commands/check_translations.py).
MESSAGES_IGNORE := .venv staticfiles media node_modules tests scripts docs data
# A value for `check --deploy` only: long and varied enough for Django's check, never used to sign anything.
CHECK_SECRET_KEY := check-deploy-only-7Qm2vX9pLr4tZ8wK3nB6yF1hJ5dS0cGuE-not-a-real-secret

.PHONY: help run test quality quality-lint quality-migrations quality-deploy quality-translations \
	quality-vendor messages translations bench constraints clean

help:
	@echo "make run        install, migrate, load the Gers communes and sample data, serve on $(HOST):$(PORT)"
	@echo "make test       run the whole test suite (PYTEST_ARGS='...' to pass options to pytest)"
	@echo "make quality    ruff, missing migrations, check --deploy, translations, vendored files"
	@echo "make messages   extract translatable strings into locale/{en,es,pt}/LC_MESSAGES/django.po"
	@echo "make bench      throughput of public pages, the map, the API and the pipeline against a bare Django view (BENCH_ARGS='--rounds 3')"
	@echo "make constraints  re-pin constraints.txt from the virtualenv (after changing requirements)"
	@echo ".ci/run         what CI runs: quality, tests on SQLite, then on a throwaway PostgreSQL"

# --- Virtualenv and dependencies (reinstalled only when a requirements file changes) -----------------

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Soho Solo needs Python 3.11; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); echo "python -m venv failed: on Debian/Ubuntu, apt-get install python3.11-venv"; exit 1; }

$(VENV)/.installed: requirements.txt constraints.txt | $(PY)
	$(PY) -m pip install --quiet --progress-bar off -r requirements.txt -c constraints.txt
	@touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt constraints.txt | $(PY)
	$(PY) -m pip install --quiet --progress-bar off -r requirements-dev.txt -c constraints.txt
	@touch $@ $(VENV)/.installed

translations: $(VENV)/.installed
	$(MANAGE) compile_translations

# --- Run -----------------------------------------------------------------------------------------------

# Every step is idempotent: running `make run` again changes nothing and duplicates nothing.
# scripts/run_all.py runs the processes together (a task worker and a scheduler join the web server
# later); one Ctrl-C stops them all.
run: translations
	$(MANAGE) migrate --noinput
	$(MANAGE) import_communes
	$(MANAGE) load_sample_data
	$(MANAGE) load_sample_accounts
	$(MANAGE) load_sample_villages
	$(MANAGE) load_sample_prospects
	$(MANAGE) load_sample_partners
	$(MANAGE) load_sample_events
	@echo "Soho Solo: http://$(HOST):$(PORT)/fr/  (territories: http://gers.localhost:$(PORT)/fr/, http://landes.localhost:$(PORT)/fr/)"
	@echo "E-mails sent in development are written to var/mail/. Ctrl-C stops the web server, the worker and the scheduler."
	$(PY) scripts/run_all.py 'web=$(MANAGE) runserver $(HOST):$(PORT)' \
		'worker=$(MANAGE) db_worker --interval 1' 'scheduler=$(MANAGE) scheduler'

# --- Tests ---------------------------------------------------------------------------------------------

/usr/bin/chromium:
	@command -v apt-get >/dev/null || { echo "Browser tests need Chromium at /usr/bin/chromium (Debian package 'chromium')."; exit 1; }
	$(SUDO) apt-get update
	$(APT_INSTALL) chromium

test: $(VENV)/.installed-dev /usr/bin/chromium translations
	$(VENV)/bin/pytest $(PYTEST_ARGS)

# --- Quality (every check runs; the target fails if any failed) --------------------------------------

quality: $(VENV)/.installed-dev
	@$(MAKE) --no-print-directory --keep-going quality-lint quality-migrations quality-deploy \
		quality-translations quality-vendor

quality-lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

quality-migrations: $(VENV)/.installed-dev
	$(MANAGE) makemigrations --check --dry-run

quality-deploy: $(VENV)/.installed-dev
	DJANGO_SETTINGS_MODULE=config.settings.production SECRET_KEY='$(CHECK_SECRET_KEY)' ALLOWED_HOSTS=example.org \
		$(MANAGE) check --deploy --fail-level WARNING

quality-translations: $(VENV)/.installed-dev
	$(MANAGE) check_translations

quality-vendor: $(VENV)/.installed-dev
	$(PY) scripts/vendor_manifest.py

# --- Translations --------------------------------------------------------------------------------------

messages: $(VENV)/.installed
	@command -v xgettext >/dev/null || { echo "makemessages needs GNU gettext (apt-get install gettext / brew install gettext)."; exit 1; }
	$(MANAGE) makemessages -l en -l es -l pt -l fr --no-obsolete $(addprefix --ignore=,$(MESSAGES_IGNORE))
	$(PY) scripts/french_plurals.py

# --- Benchmark -----------------------------------------------------------------------------------------

bench: $(VENV)/.installed-dev
	$(PY) scripts/bench.py $(BENCH_ARGS)
	$(PY) scripts/bench_prospects.py $(BENCH_ARGS)

# --- Maintenance ---------------------------------------------------------------------------------------

# After editing a pin in requirements*.txt: install without the old constraints, then pin every
# installed package again, transitive ones included (pip refuses extras in a constraints file).
constraints: | $(PY)
	$(PY) -m pip install --quiet --progress-bar off -r requirements-dev.txt
	{ echo "# Every package of the virtualenv, pinned (generated by \`make constraints\`; used with pip -c)."; \
		$(PY) -m pip freeze --exclude-editable; } > constraints.txt
	@touch $(VENV)/.installed $(VENV)/.installed-dev

clean:
	rm -rf staticfiles .bench .test-db.sqlite3*
