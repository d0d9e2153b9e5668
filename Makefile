# The template's own entry points. `make test` is what CI runs (.ci/run).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
ASL_VALIDATOR = .cache/node/node_modules/.bin/asl-validator
# checkov pins packaging<24, which pytest 9 cannot use: it gets an environment of its own.
CHECKOV = .cache/checkov/bin/checkov

.PHONY: test test-fast lint benchmark snapshot clean

$(BIN)/pytest: requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

$(ASL_VALIDATOR):
	npm install --silent --no-audit --no-fund --prefix .cache/node asl-validator@4

$(CHECKOV):
	$(PYTHON) -m venv .cache/checkov
	.cache/checkov/bin/python -m pip install --quiet "checkov>=3,<4"

test: $(BIN)/pytest $(ASL_VALIDATOR) $(CHECKOV) lint  ## every test of the template, baked projects included
	$(BIN)/python -m pytest

test-fast: $(BIN)/pytest $(ASL_VALIDATOR) $(CHECKOV)  ## everything but installing and testing baked projects
	$(BIN)/python -m pytest -m "not slow"

lint: $(BIN)/pytest
	$(BIN)/python -m ruff check --no-cache .
	$(BIN)/python -m ruff format --no-cache --check .

benchmark: $(BIN)/pytest
	$(BIN)/python benchmarks/bake.py
	$(BIN)/python benchmarks/local_run.py
	$(BIN)/python benchmarks/deploy_rehearsal.py
	$(BIN)/python benchmarks/project_suite.py
	$(BIN)/python benchmarks/serve_load.py
	$(BIN)/python benchmarks/comparison.py

snapshot: $(BIN)/pytest  ## after changing workflow/definition.py or workflow/graph.py
	$(BIN)/python scripts/snapshot_workflow.py

clean:
	rm -rf $(VENV) .cache
