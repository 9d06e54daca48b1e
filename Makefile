# baomi — make targets. Quick start: `make run` (main job) and `make test` (tests).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(abspath $(VENV))
export UV_PYTHON := $(PYTHON)
RUN_DIR ?= var/demo-run
HOST ?= 127.0.0.1
PORT ?= 8000
# the suites on every core (pytest-xdist; a module's tests stay on one worker); XDIST= runs them in one process
XDIST ?= -n auto --dist loadscope

.PHONY: setup run demo test test-slow test-evening test-db test-scan-db test-postgres lint format fuzz bench model model-fast-distilled model-neural clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet --compile-bytecode
	$(VENV)/bin/python -m baomi.engine.prose.warm  # the first scan need not compile the model's kernels
	touch $@

setup: $(VENV)/.synced ## install the locked environment

run: setup ## the main job: the data room on the demo deal (home ./var/dataroom, key ./var/keys/master.key)
	$(BIN)/baomi serve --demo --host $(HOST) --port $(PORT)

demo: setup ## the command-line demo: demo seller data -> scan -> summary and reports
	$(BIN)/baomi demo $(RUN_DIR)/seller --force
	$(BIN)/baomi scan $(RUN_DIR)/seller --out $(RUN_DIR)/scan --format table

test: setup ## the test suite (embedded SQLite), without the slow end-to-end tests
	$(BIN)/pytest -q $(XDIST) -m "not slow"

test-slow: setup ## the slow end-to-end tests: browsers, the README's commands, API fuzzing (CI runs them)
	$(BIN)/pytest -q $(XDIST) -m slow

# China's date is a day after UTC's from 16:00 to 24:00 UTC: the services that keep dates (due
# dates, deadlines, retention) and their pages are tested at 17:30 UTC too, whenever CI runs (libfaketime;
# Debian's faketime)
EVENING := $(shell date -u +%F) 17:30:00
EVENING_TESTS := tests/services/govern tests/services/respond tests/services/comply \
	tests/web/test_govern*.py tests/web/test_incidents.py tests/web/test_requests*.py \
	tests/web/test_comply_pia.py tests/web/test_comply_notices.py tests/web/test_audit_page.py
test-evening: setup ## the date-keeping services' and pages' tests at 17:30 UTC (01:30 the next day in China), with faketime
	faketime -f "@$(EVENING)" $(BIN)/pytest -q $(XDIST) -m "not slow" -p no:cacheprovider $(EVENING_TESTS)

test-db: setup ## the fast tests that use the database (services, storage, the web's sessions, rooms, documents, several processes), e.g. on PostgreSQL
	$(BIN)/pytest -q $(XDIST) -m "not slow" tests/services tests/storage tests/web/test_accounts.py tests/web/test_rooms_api.py tests/web/test_documents_api.py tests/web/test_several_processes.py

test-scan-db: setup ## database scans on servers (BAOMI_TEST_PG_URL, BAOMI_TEST_MYSQL_URL; .ci/run)
	$(BIN)/pytest -q -m db

test-postgres: setup ## storage and service tests against PostgreSQL (BAOMI_TEST_DATABASE_URL)
	$(BIN)/pytest -q -m postgres

lint: setup ## ruff and mypy
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

FUZZ_CASES ?= 1000
FUZZ_SEED ?= 1
fuzz: setup ## damaged files of every format through scan and protect; crashes kept in fuzz-crashes/
	$(BIN)/python -m tests.fuzz_inputs --cases $(FUZZ_CASES) --seed $(FUZZ_SEED)
	$(BIN)/python -m tests.fuzz_inputs --cases $(FUZZ_CASES) --seed $(FUZZ_SEED) --protect

bench: setup ## speed and accuracy against the peers (see bench/RESULTS.md)
	$(MAKE) -C bench all

# The accurate and fast-mixed prose models' annotated corpora (CC BY-SA, see docs/models.md), pinned commits;
# set CORPORA to a folder that already holds the checkouts to train offline.
CORPORA ?= var/corpora
UNER_COMMIT := 1f0307599dece7b83f4cba90ce9b63ef37a7b162
WEIBO_COMMIT := 7a73c08e45ed94312af4ef2d97cc35a47d029e99
PUD_COMMIT := 647ba53747e1aa1818541965db99a0196440b7d2
# Tatoeba's English-Chinese pairs (cmn.txt from manythings.org, CC BY 2.0 FR), as a repository carries them
TATOEBA_COMMIT := aa43963320ccfacebd1d3542deae559bbca58d03

$(CORPORA)/uner/.pinned:
	rm -rf $(CORPORA)/uner && git clone --quiet https://github.com/UniversalNER/UNER_Chinese-GSDSIMP $(CORPORA)/uner
	git -C $(CORPORA)/uner checkout --quiet $(UNER_COMMIT) && touch $@

$(CORPORA)/weibo/.pinned:
	rm -rf $(CORPORA)/weibo && git clone --quiet https://github.com/hltcoe/golden-horse $(CORPORA)/weibo
	git -C $(CORPORA)/weibo checkout --quiet $(WEIBO_COMMIT) && touch $@

$(CORPORA)/pud/.pinned:
	rm -rf $(CORPORA)/pud && git clone --quiet https://github.com/UniversalNER/UNER_Chinese-PUD $(CORPORA)/pud
	git -C $(CORPORA)/pud checkout --quiet $(PUD_COMMIT) && touch $@

$(CORPORA)/tatoeba/.pinned:
	rm -rf $(CORPORA)/tatoeba && git clone --quiet https://github.com/13luoyu/Transformer-machine-translation $(CORPORA)/tatoeba
	git -C $(CORPORA)/tatoeba checkout --quiet $(TATOEBA_COMMIT) && touch $@

model: setup $(CORPORA)/uner/.pinned $(CORPORA)/weibo/.pinned ## retrain the shipped prose models (docs/models.md)
	$(BIN)/python -m baomi.engine.prose.train
	$(BIN)/python -m baomi.engine.prose.train_accurate \
		--uner $(CORPORA)/uner/zh_gsdsimp-ud-train.iob2 --uner-dev $(CORPORA)/uner/zh_gsdsimp-ud-dev.iob2 \
		--weibo $(CORPORA)/weibo/data/weiboNER_2nd_conll.train
	$(BIN)/python -m baomi.engine.prose.train_mixed \
		--uner $(CORPORA)/uner/zh_gsdsimp-ud-train.iob2 --uner-dev $(CORPORA)/uner/zh_gsdsimp-ud-dev.iob2 \
		--weibo $(CORPORA)/weibo/data/weiboNER_2nd_conll.train

# The fast model with UNER PUD and Tatoeba tagged by the accurate model (issue 18, session 4;
# not shipped: docs/models.md) — written to var/, after `make model` has built the teacher.
model-fast-distilled: setup $(CORPORA)/uner/.pinned $(CORPORA)/weibo/.pinned $(CORPORA)/pud/.pinned $(CORPORA)/tatoeba/.pinned
	$(BIN)/python -m baomi.engine.prose.train_mixed \
		--uner $(CORPORA)/uner/zh_gsdsimp-ud-train.iob2 --uner-dev $(CORPORA)/uner/zh_gsdsimp-ud-dev.iob2 \
		--weibo $(CORPORA)/weibo/data/weiboNER_2nd_conll.train \
		--pud $(CORPORA)/pud/zh_pud-ud-test.iob2 --distill $(CORPORA)/tatoeba/cmn.txt \
		--out var/zh_ner_fast_distilled.crfsuite

# The neural prose model (issue 18, session 5): training needs PyTorch (CPU build) and onnx,
# installed into the venv here only (not locked: the runtime needs onnxruntime + numpy).
# Offline, point TORCH_SOURCE at a folder of wheels: TORCH_SOURCE="--find-links /opt/wheels".
TORCH_SOURCE ?= --extra-index-url https://download.pytorch.org/whl/cpu --index-strategy unsafe-best-match
model-neural: setup $(CORPORA)/uner/.pinned $(CORPORA)/weibo/.pinned
	$(UV) pip install --python $(BIN)/python $(TORCH_SOURCE) torch==2.13.0+cpu onnx==1.23.2
	$(BIN)/python -m baomi.engine.prose.train_neural --int8 \
		--uner $(CORPORA)/uner/zh_gsdsimp-ud-train.iob2 --uner-dev $(CORPORA)/uner/zh_gsdsimp-ud-dev.iob2 \
		--weibo $(CORPORA)/weibo/data/weiboNER_2nd_conll.train

clean:
	rm -rf $(VENV) $(TOOLS) var .pytest_cache .mypy_cache .ruff_cache
