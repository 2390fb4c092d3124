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

TRAIN := .venv-train
TRAIN_STAMP := $(TRAIN)/.installed

# the training environment: a CPU build of torch from the machine's disk (never a bare `torch`)
$(TRAIN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(TRAIN)
	$(TRAIN)/bin/pip install --quiet --upgrade pip
	$(TRAIN)/bin/pip install --quiet torch==2.13.0
	$(TRAIN)/bin/pip install --quiet -e '.[train]'
	touch $(TRAIN_STAMP)

.PHONY: install demo run test lint check bench model model-check
install: $(STAMP)

demo: $(STAMP)  ## the whole system offline, with a web page to try it (PORT=8081 for another port)
	$(BIN)/rise-bot demo $(if $(PORT),--port $(PORT))

run: $(STAMP)  ## real Telegram (needs TELEGRAM_BOT_TOKEN)
	$(BIN)/rise-bot run

test: $(STAMP)  ## lint, content check, the whole suite on SQLite, then again on PostgreSQL
	$(BIN)/ruff check .
	$(BIN)/rise-bot content check
	$(BIN)/pytest -q
	@case "$$($(BIN)/python -m tests.pg_available)" in \
	  yes) echo "--- the whole suite again on PostgreSQL ($${RISE_TEST_POSTGRES_URL:-127.0.0.1:5432/test})"; \
	       RISE_TEST_DATABASE=postgres RISE_FUZZ_EXAMPLES=300 $(BIN)/pytest -q ;; \
	  *) echo "PostgreSQL is not answering: the PostgreSQL run was skipped"; \
	     test -z "$$RISE_TEST_REQUIRE_POSTGRES" ;; \
	esac

model: $(TRAIN_STAMP)  ## rebuild content/safety/model from the corpus (train split, then dev thresholds)
	$(TRAIN)/bin/python -m bot.safety.train
	$(TRAIN)/bin/python -m bot.safety.tune

model-check: $(TRAIN_STAMP)  ## two short training runs must write the same bytes (rebuilds are exact)
	@dir=$$(mktemp -d); for run in 1 2; do \
	  $(TRAIN)/bin/python -m bot.safety.train --out $$dir/$$run --limit 160 --epochs 1 >/dev/null 2>&1 || exit 1; \
	done; sha256sum $$dir/1/model.onnx $$dir/2/model.onnx; \
	cmp -s $$dir/1/model.onnx $$dir/2/model.onnx && echo "same bytes" || { echo "the two runs differ"; exit 1; }

bench: $(STAMP)
	$(BIN)/python bench/detector.py
	$(BIN)/python bench/checkins.py
	$(BIN)/python bench/router.py
	$(BIN)/python bench/load.py
