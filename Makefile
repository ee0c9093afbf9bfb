# Every target sets up its own virtual environment from the requirement files.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: venv demo test test310 unit spec lint typecheck fuzz bench mutate package clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

test: $(STAMP) lint typecheck
	$(PY) -m pytest -q

# The suite again on CPython 3.10, the FC runtime's version, when one is installed
# (python3.10 on PATH or under pyenv); skipped with a message otherwise.
VENV310 := .venv310

test310:
	@py=""; for c in $$(command -v python3.10) $(HOME)/.pyenv/versions/3.10*/bin/python3.10; do \
		if [ -x "$$c" ] && "$$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then py="$$c"; break; fi; \
	done; \
	if [ -z "$$py" ]; then echo "test310: no CPython 3.10 here, skipped"; exit 0; fi; \
	echo "test310: $$py"; \
	[ -x $(VENV310)/bin/python ] || "$$py" -m venv $(VENV310); \
	$(VENV310)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt && \
	$(VENV310)/bin/python -m pytest -q -p no:cacheprovider

unit: $(STAMP)
	$(PY) -m pytest -q tests/unit tests/property

# The deployment files against Alibaba Cloud's own definitions (part of `make test` too):
# every ROS template resource against the ROS CDK's resource specifications, every trigger
# configuration against FC's API models, s.yaml against template.yml.
spec: $(STAMP)
	$(PY) -m pytest -q tests/deploy/test_ros_spec.py tests/deploy/test_trigger_configs.py \
		tests/deploy/test_serverless_devs.py

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

typecheck: $(STAMP)
	$(PY) -m mypy

demo: $(STAMP)
	$(PY) examples/demo.py

# CONFIG=path/to/whitelist.yml ships that configuration as whitelist.yml, in
# dist/redis-whitelist-sync-<version>-<configuration digest>.zip; EXAMPLE=1 ships the demo
# examples/whitelist.yml instead; neither is refused. An invalid configuration is refused
# with every problem named, and no zip is built. PACKAGE_OUT=dir writes the zip there.
package: $(STAMP)
	$(PY) tools/package.py $(if $(CONFIG),--config $(CONFIG)) $(if $(EXAMPLE),--use-example) $(if $(PACKAGE_OUT),--out $(PACKAGE_OUT))

# Benchmarks (not part of `make test`): prints a table and writes BENCHMARKS.md.
bench: $(STAMP)
	$(PY) bench/run.py

# Deliberate breaks of each guarantee (tools/mutations.py), each against the tests
# docs/guarantees.md cites for it, in a scratch copy of the tree; not part of `make test`.
# MUTATE_ARGS="-k recheck --fallback" selects breaks and checks survivors against the suite.
mutate: $(STAMP)
	$(PY) tools/mutate.py $(MUTATE_ARGS)

FUZZ_RUNS ?= 200000

fuzz: $(STAMP)
	$(PY) -m pip install --quiet --disable-pip-version-check atheris
	mkdir -p .fuzz
	$(PY) fuzz/fuzz_events.py -atheris_runs=$(FUZZ_RUNS) -artifact_prefix=.fuzz/
	$(PY) fuzz/fuzz_webhook.py -atheris_runs=$(FUZZ_RUNS) -artifact_prefix=.fuzz/
	$(PY) fuzz/fuzz_config.py -atheris_runs=$(FUZZ_RUNS) -artifact_prefix=.fuzz/

clean:
	rm -rf $(VENV) $(VENV310) dist .pytest_cache .mypy_cache .ruff_cache .hypothesis .fuzz
