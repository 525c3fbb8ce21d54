# govscan - two commands on a fresh Debian machine (as root):
#   make demo   set everything up, then scan the embedded loopback farm and write the report
#   make test   set everything up, then run the test suite (.ci/run calls exactly this)
# Setup is idempotent: the second time it only checks stamps (a few seconds).

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages: the browser for the browser probes, Java 17 for the Nu HTML Checker,
# fonts so screenshots have glyphs for Uzbek/Russian text, Node.js + npm for `npm ci`
# (axe-core, vnu-jar), python3-venv for the virtualenv.
APT_PACKAGES := chromium openjdk-17-jre-headless fonts-dejavu-core nodejs npm python3-venv
PYTEST_ARGS ?= -n 2

.PHONY: setup system python node demo test bench clean help

help:
	@sed -n '1,6p' Makefile

setup: system python node

# --- Debian packages (skipped when already present) ---
system: $(VENV)/.system-stamp
$(VENV)/.system-stamp:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v java >/dev/null || missing="$$missing openjdk-17-jre-headless"; \
	[ -d /usr/share/fonts/truetype/dejavu ] || missing="$$missing fonts-dejavu-core"; \
	command -v node >/dev/null || missing="$$missing nodejs"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "setup (system): installing Debian packages:$$missing"; \
	  command -v apt-get >/dev/null || { echo "setup (system) failed: no apt-get here;" \
	    "install$$missing by hand (see README.md, 'On other machines')" >&2; exit 1; }; \
	  $(SUDO) apt-get update -qq || { echo "setup (system) failed: apt-get update" \
	    "(no network to the Debian mirror?)" >&2; exit 1; }; \
	  for pkg in $$missing; do \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends \
	      $$pkg >/dev/null || { echo "setup (system) failed: the Debian package '$$pkg'" \
	      "cannot be installed (apt-get install $$pkg)" >&2; exit 1; }; \
	  done; \
	fi
	@mkdir -p $(VENV) && touch $@

# --- Python: a venv with govscan installed editable (re-done when pyproject.toml changes) ---
python: $(VENV)/.python-stamp
$(VENV)/.python-stamp: pyproject.toml
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV) || { echo "setup (python) failed:" \
	  "$(PYTHON) -m venv $(VENV)" >&2; exit 1; }
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]' || { echo \
	  "setup (python) failed: pip install -e '.[dev]' (a PyPI package could not be had;" \
	  "see the pip error above)" >&2; exit 1; }
	@touch $@

# --- npm: axe-core and vnu-jar, pinned by package-lock.json ---
node: node_modules/.npm-stamp
node_modules/.npm-stamp: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error || { echo "setup (node) failed: npm ci" \
	  "(axe-core and vnu-jar from the npm registry; see the npm error above)" >&2; exit 1; }
	@touch $@

# the demo farm has failing sites on purpose: exit code 1 ("completed with failures") is
# the expected outcome here, not an error of make
demo: setup
	@$(BIN)/govscan demo; rc=$$?; [ $$rc -eq 0 ] || [ $$rc -eq 1 ]

test: setup
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	@echo "see bench/README.md for the benchmark commands"

clean:
	rm -rf $(VENV) node_modules govscan-demo reports-out .pytest_cache
