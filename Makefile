# Set-up is part of every target: a fresh machine needs only Python 3.11+ and make.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: report test data baselines bench clean-reports axe

# axe-core, the accessibility checker the browser test runs in the page (WCAG 2.2 AA), from the npm registry
AXE_CORE := axe-core@4.14.1
AXE := $(VENV)/node_modules/axe-core/axe.min.js

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## make report: the quarterly batch on the embedded data -> reports/<period>/,
## and, where the published DfE files are beside the project (../shared), the
## benchmark report of every local authority -> reports/benchmarks-<year>/
report: $(STAMP)
	$(BIN)/perfkit batch
	@if [ -d ../shared/dfe ] || [ -n "$$PERFKIT_SHARED" ]; then $(BIN)/perfkit batch --benchmark; \
	else echo "no published DfE files in ../shared/dfe: benchmark reports skipped"; fi

## make test: the whole test suite
test: $(STAMP) axe
	$(BIN)/python -m pytest

## make axe: axe-core into .venv/node_modules, where npm is installed (else the accessibility test says why it is skipped)
axe: $(STAMP)
	@if [ -f $(AXE) ] && grep -q '"version": "$(subst axe-core@,,$(AXE_CORE))"' $(VENV)/node_modules/axe-core/package.json; then :; \
	elif command -v npm >/dev/null 2>&1; then npm install --silent --no-audit --no-fund --prefix $(VENV) $(AXE_CORE); \
	else echo "npm not found: the accessibility test will be skipped (in CI it fails)"; fi

## make bench: speed, memory and size figures as ratios against references in the same run
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'  # DuckDB, for the SQL peer (bench/sql_peer.py)
	$(BIN)/python bench/run.py
	$(BIN)/python bench/explorer_timing.py  # the analyst explorer: 95th percentile per change, bound 150 ms
	$(BIN)/python bench/packs_chain.py  # packs read together: disclosure control related to every earlier pack, against the last quarter's alone
	$(BIN)/python bench/member_tables.py  # the member report's tables drawn by great-tables: printed pages, size (docs/tables.md)

## make data: regenerate the embedded synthetic dataset in data/
data: $(STAMP)
	$(BIN)/perfkit synth --out data

## make baselines: re-run the notebooks into tests/notebooks/, the stored outputs nbval compares
baselines: $(STAMP)
	$(BIN)/papermill --log-level ERROR -k python3 notebooks/authority_report.ipynb tests/notebooks/authority_report.ipynb
	$(BIN)/papermill --log-level ERROR -k python3 notebooks/explorer.ipynb tests/notebooks/explorer.ipynb
	# the widgets' state (the records grid's script, 0.6 MB) is the front end's, not an output nbval compares
	$(BIN)/python -c "import nbformat as n; p = 'tests/notebooks/explorer.ipynb'; b = n.read(p, 4); b.metadata.pop('widgets', None); n.write(b, p)"

clean-reports:
	rm -rf reports
