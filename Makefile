# Two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8080
export FLASK_APP := run.py
# A quiet terminal for people (the logins and the address); production logging (gunicorn) stays at INFO.
export KKMP_LOG_LEVEL ?= WARNING

.PHONY: run test install db demo translations translations-extract serve clean mutate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	@echo "Installing the Python packages (the first time takes a few minutes)..."
	@$(BIN)/pip install -q --upgrade pip >/dev/null
	@$(BIN)/pip install -q -r requirements.txt
	@touch $@

install: $(VENV)/.installed translations

# Compiled only when a catalogue changed, so two `make test` running side by side (.ci/run) do not rewrite the .mo
# file one of them is reading.
MO_FILES := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))
translations: $(MO_FILES)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	@$(BIN)/pybabel -q compile -f -d translations -l $*

# Pull new strings out of the code into the catalogue (then translate the new entries in translations/id/).
translations-extract: $(VENV)/.installed
	$(BIN)/python translations/update_catalogue.py

db: install
	@$(BIN)/flask db upgrade
	@$(BIN)/flask kkmp init >/dev/null
	@$(BIN)/flask kkmp load-regions

demo: db
	@$(BIN)/flask kkmp seed-demo

# `PORT=9000 make run` serves on another port.
run:
	@$(MAKE) --no-print-directory -s install
	@echo "Preparing the database and the demo data..."
	@$(MAKE) --no-print-directory -s demo >/dev/null
	@echo
	@$(BIN)/flask kkmp demo-logins
	@echo
	@echo "Open http://127.0.0.1:$(PORT)/ in your browser (Ctrl-C stops the server and the job worker)."
	@# The job worker (big exports, bill runs) beside the web server, on the SQLite queue in instance/; its log
	@# goes to instance/worker.log, and it stops with the server (Ctrl-C, or the terminal closing).
	@mkdir -p instance; $(BIN)/huey_consumer app.jobs.tasks.huey --workers 2 --max-delay 1 --quiet >instance/worker.log 2>&1 & \
	 worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	 $(BIN)/flask run --host 127.0.0.1 --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Mutation testing of the core modules (tests/README.md); slow, not in CI. MODULES="nik scope" picks some, JOBS=2
# runs two mutants at a time. Report: instance/mutation/REPORT.md.
mutate: install
	$(BIN)/pip install -q -r requirements-dev.txt
	$(BIN)/python tools/mutation/run.py --jobs $(or $(JOBS),1) $(MODULES)

clean:
	rm -rf $(VENV) instance .pytest_cache
