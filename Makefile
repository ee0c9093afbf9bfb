# Every target sets up its own virtual environment from the requirement files.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: venv demo test unit lint typecheck fuzz bench package clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP) lint typecheck
	$(PY) -m pytest -q

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit tests/property

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

demo: $(STAMP)
	$(PY) examples/demo.py

# CONFIG=path/to/whitelist.yml ships that configuration (default: examples/whitelist.yml).
package: $(STAMP)
	$(PY) tools/package.py $(if $(CONFIG),--example $(CONFIG))

# Benchmarks (not part of `make test`): prints a table and writes BENCHMARKS.md.
bench: $(STAMP)
	$(PY) bench/run.py

FUZZ_RUNS ?= 200000

fuzz: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check atheris
	mkdir -p .fuzz
	$(PY) fuzz/fuzz_events.py -atheris_runs=$(FUZZ_RUNS) -artifact_prefix=.fuzz/
	$(PY) fuzz/fuzz_webhook.py -atheris_runs=$(FUZZ_RUNS) -artifact_prefix=.fuzz/
	$(PY) fuzz/fuzz_config.py -atheris_runs=$(FUZZ_RUNS) -artifact_prefix=.fuzz/

clean:
	rm -rf $(VENV) dist .pytest_cache .mypy_cache .ruff_cache .hypothesis .fuzz
