# Two commands: `make run` (demo dashboard on http://localhost:8501) and `make test` (every test).
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DB     ?= data/iop.duckdb
PORT   ?= 8501

.PHONY: run test bench demo setup clean-db

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
	$(PY) -m dashboard.accounts demo --users data/users.toml --credentials data/demo-credentials.txt
	IOP_DB=$(DB) IOP_USERS=data/users.toml $(VENV)/bin/streamlit run streamlit_app.py --server.headless true \
	  --server.port $(PORT) --browser.gatherUsageStats false --client.toolbarMode viewer

test: $(VENV)/.installed-test
	$(PY) -m pytest -q

bench: $(VENV)/.installed-test
	$(PY) bench/bench_load.py
	$(PY) bench/bench_marts.py
	$(PY) bench/bench_pages.py
	$(PY) bench/bench_scale.py

clean-db:
	rm -f $(DB) data/.$(notdir $(DB)).*
