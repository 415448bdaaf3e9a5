# Two commands: `make run` (demo dashboard on http://127.0.0.1:8501) and `make test` (every test).
PYTHON   ?= python3
VENV     := .venv
PY       := $(VENV)/bin/python
DB       ?= data/iop.duckdb
PORT     ?= 8501
IOP_HOST ?= 127.0.0.1

.PHONY: run test lint format bench demo setup clean-db

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

setup: $(VENV)/.installed

data/demo/attendance.csv: | $(VENV)/.installed
	$(PY) -m etl demo --out data/demo

$(DB): | $(VENV)/.installed data/demo/attendance.csv
	$(PY) -m etl load data/demo --db $(DB)

demo: $(DB)

run: $(VENV)/.installed $(DB)
	$(PY) -m dashboard accounts demo --credentials data/demo-credentials.txt
	IOP_DB=$(DB) $(VENV)/bin/streamlit run server.py --server.address $(IOP_HOST) --server.port $(PORT)

# lint first (seconds): style, then the import contracts, then every test (pytest.ini: three
# workers, the slowest 15 printed at the end)
# the store's own tests once more with the application state in PostgreSQL (several servers share it)
STORE_TESTS := tests/test_sessions.py tests/test_access.py tests/test_accounts_cli.py tests/test_alert_reviews.py \
	tests/test_stay_review.py tests/test_load_jobs.py tests/test_inbox.py tests/test_data_page.py

test: lint
	$(PY) -m pytest -q
	IOP_TEST_STATE=postgres $(PY) -m pytest -q -m "not sqlite_store" $(STORE_TESTS)

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	PYTHONPATH=. $(VENV)/bin/lint-imports --no-cache

format: $(VENV)/.installed-test
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: $(VENV)/.installed-test
	$(PY) bench/bench_load.py
	$(PY) bench/bench_daily.py
	$(PY) bench/bench_inbox.py
	$(PY) bench/bench_marts.py
	$(PY) bench/bench_pages.py
	$(PY) bench/bench_scale.py
	$(PY) bench/bench_users.py

clean-db:
	rm -f $(DB) data/.$(notdir $(DB)).*
