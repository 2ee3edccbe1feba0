# The two commands of the README. Both create the environment (.venv) on first use.
#   make demo   run the round on sample_inputs/ (Sơn La, 2025-Y) into outputs/demo, with its own database
#               (the sample's made-up figures must never become the "previous period" of a real round)
#   make test   run the whole test suite (starts local PostgreSQL if it is installed but stopped)
#   make quick  run the quick tier only (pytest -m quick: no Prefect server, no PostgreSQL), before every commit,
#               on every core (pytest-xdist: its tests share nothing but read-only session fixtures)
VENV   ?= .venv
PY     := $(VENV)/bin/python
PERIOD ?= 2025-Y
DEMO   := outputs/demo

.PHONY: demo test quick env compiled clean-outputs
env: $(VENV)/.ready

$(VENV)/.ready: pyproject.toml dev/pyproject.toml
	bash scripts/bootstrap.sh $(VENV)
	@touch $@

# tonghop's own modules compiled ahead (cheap when current): CI sets PYTHONDONTWRITEBYTECODE
compiled: $(VENV)/.ready
	@$(PY) -m compileall -q tonghop flows schemas tonghop_dev bench > /dev/null || true

demo: compiled
	$(VENV)/bin/tonghop run --period $(PERIOD) --inbox sample_inputs/$(PERIOD) --out $(DEMO) --db sqlite:///$(DEMO)/tonghop.db

test: compiled
	bash scripts/services.sh
	$(PY) -m pytest -q --durations=20

quick: compiled
	$(PY) -m pytest -q -m quick -n auto

clean-outputs:
	find outputs -mindepth 1 ! -name README.md -exec rm -rf {} +
