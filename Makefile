# sdgmap: `make demo` serves the ITU example; `make test` runs the whole test suite.
# Both create .venv and install everything they need on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEMO_DB ?= demo.db
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install demo test bench lint model clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[ml,dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/sdgmap --db $(DEMO_DB) demo --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest -q

bench: install
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

lint: install
	$(BIN)/ruff check src tests benchmarks scripts

model: install
	$(BIN)/python -m sdgmap.classify.build

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
