# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SYSTAMP := $(VENV)/.system-ok

export SDL_NO_SIGNAL_HANDLERS := 1
export KIVY_NO_ARGS := 1
export KIVY_LOG_MODE := PYTHON
export KIVY_NO_CONSOLELOG := 1

.PHONY: run test lint bench clean setup fonts bytecode

setup: $(STAMP) $(SYSTAMP) fonts bytecode

# The flat CJK faces (kiosk/fonts.py): about a minute the first time, then nothing to do.
fonts: $(STAMP) $(SYSTAMP)
	@$(BIN)/python -m app fonts --shared --quiet

# Byte-code for the project's modules, as an installed package has it: a kiosk whose code is
# read-only (the hardened service) cannot write it when it starts, and compiling ~80 modules from
# source cost every start ~50 ms before its first frame (bench/README.md, start-up). Only what
# changed is compiled again; it is written even where PYTHONDONTWRITEBYTECODE is set.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q -j 0 app bench contract devices kiosk screens simulators

$(SYSTAMP): scripts/setup-system.sh
	@bash scripts/setup-system.sh
	@mkdir -p $(VENV) && touch $@

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@# compile the message catalogues now, while the tree is writable (a kiosk user may not be)
	$(BIN)/python -c 'from kiosk import i18n, settings; [i18n.load_messages(l) for l in settings.LANGUAGES]'
	@touch $@

run: setup
	$(BIN)/kiosk run

# Two workers, each taking whole test files (module fixtures and counts stay as when run alone);
# then the tests marked timing alone. TEST_WORKERS= runs the first pass in one process.
TEST_WORKERS ?= -n 2 --dist loadfile

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q $(TEST_WORKERS) -m 'not timing'
	$(BIN)/python -m pytest -q -m timing

lint: setup
	$(BIN)/ruff check .

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var build *.egg-info
