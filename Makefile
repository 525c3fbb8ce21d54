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
# fonts so screenshots have glyphs for Uzbek/Russian text.
APT_PACKAGES := chromium openjdk-17-jre-headless fonts-dejavu-core
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
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@mkdir -p $(VENV) && touch $@

# --- Python: a venv with govscan installed editable (re-done when pyproject.toml changes) ---
python: $(VENV)/.python-stamp
$(VENV)/.python-stamp: pyproject.toml
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $@

# --- npm: axe-core and vnu-jar, pinned by package-lock.json ---
node: node_modules/.npm-stamp
node_modules/.npm-stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
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
