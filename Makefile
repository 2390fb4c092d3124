# Two commands do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

.PHONY: install demo run test lint check bench
install: $(STAMP)

demo: $(STAMP)  ## the whole system offline, with a web page to try it
	$(BIN)/rise-bot demo

run: $(STAMP)  ## real Telegram (needs TELEGRAM_BOT_TOKEN)
	$(BIN)/rise-bot run

test: $(STAMP)  ## lint, content check and the whole test suite
	$(BIN)/ruff check .
	$(BIN)/rise-bot content check
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python bench/detector.py
	$(BIN)/python bench/checkins.py
