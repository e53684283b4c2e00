# veche: `make run` sets up and serves the demo; `make test` sets up and runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONSTRAINTS := constraints.txt

NODE_MODULES := node_modules/.package-lock.json

.PHONY: run test install install-dev install-web install-fonts install-chromium lint typecheck pytest lock clean

run: install
	$(BIN)/veche serve

test: install-dev install-chromium
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -n auto --dist worksteal

install: $(VENV)/.installed-run install-web install-fonts
install-dev: $(VENV)/.installed-dev install-web install-fonts
install-web: $(NODE_MODULES)

# The pages' htmx and the browser tests' axe-core, pinned by package-lock.json; `npm ci`
# copies the pages' scripts into src/veche/web/static/vendor/ (see package.json).
$(NODE_MODULES): package.json package-lock.json
	command -v npm >/dev/null || (apt-get update && apt-get install -y nodejs npm)
	npm ci --no-audit --no-fund
	touch $@

# The PDF reports are set in Debian's Noto fonts, for names in every script (Arabic, Hebrew,
# Chinese, Japanese, Korean …) and emoji; veche.reports.render reads them from these folders
# alone.
install-fonts:
	test -e /usr/share/fonts/truetype/noto/NotoNaskhArabic-Regular.ttf \
		&& test -e /usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc \
		&& test -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf \
		|| (apt-get update && apt-get install -y fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji)

# The browser tests drive Debian's Chromium; they fail rather than skip without it.
install-chromium:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

$(VENV)/.installed-run: pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -c $(CONSTRAINTS) -e '.[dev]'
	touch $@ $(VENV)/.installed-run

# Re-pin every dependency after changing pyproject.toml (needs the dev environment).
lock: install-dev
	$(BIN)/pip freeze --exclude-editable | grep -v '^veche' > $(CONSTRAINTS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache node_modules src/veche/web/static/vendor test-artifacts
