# Two commands: `make run` and `make test`. Everything else is what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test browser test-sqlite test-postgres bench assets icons translations extract-messages install clean

## make run: install everything, create and fill the demo database on first run, serve it
run: install
	$(FLASK) init-db
	$(FLASK) seed-demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

## make test: the whole suite on SQLite (and on PostgreSQL when DATABASE_URL says so)
test: install browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Headless Chromium for the browser tests: installed where we can (root with
# apt, as on Debian/Ubuntu servers); elsewhere the suite leaves those tests
# out with one line saying why (REQUIRE_BROWSER_TESTS=1 makes that a failure).
browser:
	@if ! command -v chromium >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Chromium for the browser tests (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	fi

## make bench: the figures the issues ask for (see docs/benchmarks.md)
bench: install
	$(BIN)/python -m bench

install: $(VENV)/.installed assets translations

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# htmx (copied), plotly.js (built from its sources with esbuild: core, scatter
# and bar, scripts/build_plotly.js) and plotly's zh-CN locale are pinned npm
# packages, served by the app itself, each precompressed as .br (brotli) and .gz.
assets: static/vendor/.copied

static/vendor/.copied: package.json package-lock.json scripts/build_plotly.js $(VENV)/.installed
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf static/vendor
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
	node scripts/build_plotly.js static/vendor/plotly.min.js
	node -e 'const l = require("plotly.js/lib/locales/zh-cn"); process.stdout.write("/* plotly.js zh-cn locale, wrapped for the browser by make assets */\n(window.PlotlyLocales = window.PlotlyLocales || []).push(" + JSON.stringify(l) + ");\n")' > static/vendor/plotly-locale-zh-cn.js
	$(BIN)/python -m whitenoise.compress --quiet static/vendor
	touch $@

# The manifest's PNG icons, drawn from static/icons/icon.svg by headless
# Chromium (committed; run this after changing the SVG).
icons: $(VENV)/.installed
	$(BIN)/python scripts/render_icons.py

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -f -d translations 2>&1 | grep -v "^compiling" || true

## make extract-messages: refresh the catalogs after adding or changing strings
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs ".* node_modules __pycache__" -k lazy_gettext -k _l -k lazy_pgettext:1c,2 --no-location --sort-output -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) node_modules static/vendor
