# Two commands matter: `make run` and `make test` (see README.md).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := run.py

.PHONY: run test install db demo translations translations-extract serve clean mutate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --upgrade pip >/dev/null
	$(BIN)/pip install -r requirements.txt
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	$(BIN)/pybabel compile -f -d translations

# Pull new strings out of the code into the catalogue (then translate the new entries in translations/id/).
translations-extract: $(VENV)/.installed
	$(BIN)/python translations/update_catalogue.py

db: install
	$(BIN)/flask db upgrade
	$(BIN)/flask kkmp init
	$(BIN)/flask kkmp load-regions

demo: db
	$(BIN)/flask kkmp seed-demo

run: demo
	@echo
	@$(BIN)/flask kkmp demo-logins
	@echo "Serving on http://127.0.0.1:8080  (Ctrl-C to stop)"
	$(BIN)/flask run --host 127.0.0.1 --port 8080

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Mutation testing of the core modules (tests/README.md); slow, not in CI. MODULES="nik scope" picks some, JOBS=2
# runs two mutants at a time. Report: instance/mutation/REPORT.md.
mutate: install
	$(BIN)/pip install -q -r requirements-dev.txt
	$(BIN)/python tools/mutation/run.py --jobs $(or $(JOBS),1) $(MODULES)

clean:
	rm -rf $(VENV) instance .pytest_cache
