# Two commands on a fresh machine: `make run` and `make test`. Everything installs into .venv
# from the pinned lock (uv.lock), with uv itself pinned and installed by pip, and compiled to
# bytecode once (each app process would otherwise compile its dependencies on every start).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.8
VENV := .venv
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.synced

.PHONY: install run test fuzz lint format bench clean

install: $(STAMP)

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --inexact --quiet --compile-bytecode --python $(VENV)/bin/python
	@touch $(STAMP)

run: install
	$(VENV)/bin/kvf up

# The tests run on as many workers as there are cores (pytest-xdist); tests sharing one
# `kvf up` stay on one worker (xdist_group). PYTEST_WORKERS=0 runs them in this process.
PYTEST_WORKERS ?= auto
test: install
	$(VENV)/bin/python -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The contract fuzzer of `make test` with many more examples and a random seed, on demand.
fuzz: install
	KVF_FUZZ_EXAMPLES=$${KVF_FUZZ_EXAMPLES:-200} KVF_FUZZ_SEED=random \
		$(VENV)/bin/python -m pytest tests/gateway/test_fuzz.py $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(VENV)/bin/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
