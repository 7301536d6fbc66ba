# The two Quickstart commands: `make demo` and `make test`. Both bootstrap a
# local .venv from the project's own files, so a fresh clone needs only
# Python >= 3.11 and git. The packages install with uv (itself installed into .venv
# by pip; about 10 s here where pip alone takes about 2 minutes), or with pip where uv cannot.
# Then the installed modules are compiled to bytecode: uv does not compile them, and where
# PYTHONDONTWRITEBYTECODE is set (as in many containers) every process the tests start
# would otherwise compile Snakemake, pydantic and click from source again (0.57 s of CPU
# for `smttask --help` against 0.18 s compiled; the quick tests took 724 CPU seconds, 335 compiled).
# A file that does not compile (some packages ship templates) is left to Python.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
EDITABLES := -e 'packages/smttask-core[numpy,stats]' -e packages/smttask-cli -e 'packages/smttask-sumatra[dataframe,postgresql,export]' \
             -e packages/smttask-viz -e packages/smttask-snakemake -e packages/smttask-fsspec -e packages/smttask-dask

.PHONY: setup bytecode demo test test-quick test-pythons bench docs lint clean

$(STAMP): Makefile pyproject.toml $(wildcard packages/*/pyproject.toml)
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "smttask needs Python >= 3.11"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q 'uv>=0.5' && $(BIN)/uv pip install -q -p $(BIN)/python $(EDITABLES) --group dev \
	  || { echo "== make setup: uv could not install; installing with pip"; \
	       $(BIN)/python -m pip install -q --upgrade 'pip>=25.1' && $(BIN)/python -m pip install -q $(EDITABLES) --group dev; }
	-$(BIN)/python -m compileall -qq -j 0 $(VENV)/lib
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/python examples/readme_demo.py

# The tests' temporary directories go to RAM (/dev/shm) where it has 4 GB free, and only
# those of failed tests are kept: the tests create tens of thousands of files (results,
# claims, git repositories, record stores), and creating one costs 0.01-0.04 ms there
# against 0.15-0.7 ms on this machine's disk (core's tests: 58 s wall -> 33-47 s, the same
# load). `make test TEST_TMPDIR=` keeps the system's temporary directory.
TEST_TMPDIR ?= $(shell df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 && $$4 > 4194304 {print "/dev/shm"}')
PYTEST := $(if $(TEST_TMPDIR),TMPDIR=$(TEST_TMPDIR) $(BIN)/python -m pytest -o tmp_path_retention_policy=failed,$(BIN)/python -m pytest)

# pytest rewrites the asserts of each test module it imports, and caches the rewritten code
# beside it, but not where PYTHONDONTWRITEBYTECODE is set: then every test process rewrote
# all of them again (2.2 of the 4.4 CPU seconds each pytest-xdist worker spent collecting).
# One collection without it writes the cache, which is read with it set too.
TEST_SOURCES := $(wildcard conftest.py tests/*.py tests/*/*.py packages/*/tests/*.py packages/*/tests/*/*.py)
REWRITTEN := $(VENV)/.tests-rewritten-stamp
$(REWRITTEN): $(STAMP) $(TEST_SOURCES)
	-env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest --collect-only -q -p no:cacheprovider > /dev/null
	touch $@

# smttask's own modules are installed editable: compile them before the tests start
# smttask processes (a no-op when they are up to date)
bytecode: setup $(REWRITTEN)
	-$(BIN)/python -m compileall -qq packages/*/src

# every test, spread over the machine's cores (pytest-xdist)
test: bytecode
	$(PYTEST) -q -n auto

# every test that needs no running service (database, SSH server, cluster, kernel, browser)
test-quick: bytecode
	$(PYTEST) -q -n auto -m "not service"

# core, cli, sumatra and the original's suite on the other Pythons installed (3.12, 3.13, 3.14)
test-pythons:
	scripts/test-other-pythons

bench: setup
	$(BIN)/python bench/run_core.py
	$(BIN)/python bench/run_cli.py
	$(BIN)/python bench/run_sumatra.py
	$(BIN)/python bench/run_labbook.py
	$(BIN)/python bench/run_startup.py
	$(BIN)/python bench/run_workers.py
	$(BIN)/python bench/run_snakemake.py
	$(BIN)/python bench/run_fsspec.py
	$(BIN)/python bench/run_dask.py

docs: setup
	$(BIN)/python -m sphinx -W -q -b html docs docs/_build/html

lint: setup
	$(BIN)/ruff check conftest.py packages tests bench examples

clean:
	rm -rf $(VENV) .venv-3.* docs/_build
