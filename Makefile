# The README's commands: `make run` to chat with the assistant, `make test` to run every test;
# `make check` is the fast loop (lint and the tests that need no model).
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONWARNINGS := ignore::DeprecationWarning

.PHONY: setup train run serve check test bench clean

$(STAMP): requirements.txt requirements.lock scripts/setup-venv
	scripts/setup-venv
	touch $(STAMP)

setup: $(STAMP)

train: setup
	$(PY) -m bot train

run: train
	$(PY) -m bot run

serve: train
	$(PY) -m bot serve

check: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest -q -m "not conversation"

test: train
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

bench: train
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) models var .rasa .pytest_cache
