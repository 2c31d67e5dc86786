# Two commands on a fresh clone: `make extract` and `make test` (both set up .venv themselves).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
RAW       ?= raw/
PROCESSED ?= processed/
SOURCES   ?= sources.toml

.PHONY: extract fetch run test eval coverage bench report compact clean distclean help

help:
	@echo "make extract  - process raw/ into Parquet tables under processed/ (sets up .venv first)"
	@echo "make fetch    - crawl the publishers of SOURCES (default sources.toml; see sources.example.toml) into raw/"
	@echo "make run      - the nightly job: fetch, then extract"
	@echo "make test     - run the test suite (sets up .venv first)"
	@echo "make eval     - score the extractors on the gold file and the labelled sets"
	@echo "make coverage - numerals and date words no date/number mention covers, by pattern"
	@echo "make bench    - speed, memory and scaling benchmark"
	@echo "make report   - HTML report of processed/ under processed/report/"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]"
	@touch $(STAMP)

extract: $(STAMP)
	$(BIN)/pipeline extract $(RAW) $(PROCESSED)

fetch: $(STAMP)
	$(BIN)/pipeline fetch $(SOURCES) $(RAW)

run: $(STAMP)
	$(BIN)/pipeline run $(SOURCES) $(RAW) $(PROCESSED)

test: $(STAMP)
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/python -m pipeline.quality.evaluate

coverage: $(STAMP)
	$(BIN)/python -m pipeline.quality.coverage

bench: $(STAMP)
	$(BIN)/python -m pipeline.quality.bench

report: $(STAMP)
	$(BIN)/pipeline report $(PROCESSED) --out $(PROCESSED)report/

compact: $(STAMP)
	$(BIN)/pipeline compact $(PROCESSED)

clean:
	find $(PROCESSED) -mindepth 1 ! -name .gitkeep ! -name README.md -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
