# Infrakaart — two commands: `make run` and `make test`. Setup is implied by both.
VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.installed
ASSETS  := static/leaflet/leaflet.js
PORT    ?= 8501

.PHONY: setup run test bench browser lint clean

setup: $(STAMP) $(ASSETS)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@$(PY) -m pip install --quiet --upgrade pip
	@$(PY) -m pip install --quiet -e '.[test,bench]'
	@touch $(STAMP)

$(ASSETS): $(STAMP) geo/output/assets.py
	@$(PY) -m geo.output.assets static
	@touch $(ASSETS)

run: setup
	@$(VENV)/bin/infrakaart voorbeeld --alleen-als-leeg
	@$(VENV)/bin/streamlit run serve.py --server.port $(PORT)

# Debian's Chromium for the browser tests (Playwright cannot download browsers here).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Chromium installeren (apt-get)…"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: setup
	@$(VENV)/bin/ruff check .

test: setup browser lint
	@$(VENV)/bin/pytest

bench: setup
	@$(PY) -m bench

clean:
	rm -rf $(VENV) static build .pytest_cache
