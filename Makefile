# Two commands do everything: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-$(shell cat requirements/dev.txt | md5sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate seed serve lint typecheck check messages clean bench kernel

$(STAMP): requirements/dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements/dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Development-only JavaScript (axe-core for the accessibility tests); skipped without npm.
node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --silent && touch $@; \
	else echo "npm not found: the accessibility tests will be skipped"; fi

# The tally engine's optional compiled kernel, a CPython extension module
# (voting/tally/_kernel.py); without a C compiler or Python's headers the engine
# computes the same outcomes with NumPy alone.
PY_EXT := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_config_var("EXT_SUFFIX") or ".so")')
PY_INCLUDE := $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_paths()["include"])')
KERNEL := voting/tally/_kernel_lib$(PY_EXT)
$(KERNEL): voting/tally/_kernel.c
	@if command -v $(CC) >/dev/null 2>&1 && test -f "$(PY_INCLUDE)/Python.h"; then \
	  $(CC) -O2 -ffp-contract=off -fPIC -shared -I"$(PY_INCLUDE)" -o $@ $< -lm \
	    -DSOURCE_SHA256=\"$$(sha256sum $< | cut -c1-64)\" \
	  || echo "the tally kernel did not build: the engine runs with NumPy alone"; \
	else echo "no C compiler ($(CC)) or Python headers: the tally engine runs with NumPy alone"; fi

kernel: $(KERNEL)

# (and the tally engine's bytecode, as an installed package has it: with
# PYTHONDONTWRITEBYTECODE set, every `python -m voting.tally` would compile it
# again, 40-80 ms of a command that takes 0.2 s on Łódź)
install: $(STAMP) node_modules/.installed $(KERNEL)
	@$(PY) -m compileall -q voting/tally

migrate: install
	mkdir -p var
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# seed_demo prints the sign-in details (accounts, demo CNP, TOTP secret) and the address last.
run: migrate
	$(PY) manage.py seed_demo --address http://$(HOST):$(PORT)/
	$(PY) manage.py runserver $(HOST):$(PORT)

# The suite runs on every core (pytest-xdist); PYTEST_ARGS="-n 0" runs it in one process.
# worksteal: a worker that runs out of tests takes queued ones from the other, so the
# long browser journeys do not end the run on one core while the other waits
# (PostgreSQL run on two cores: 683 -> 575 s, worksteal alone).
PYTEST_ARGS ?= -n auto --dist worksteal
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .

typecheck: install
	$(VENV)/bin/mypy voting/tally ciic/accounts ciic/admin_site.py ciic/middleware.py ciic/audit ciic/eligibility ciic/notifications ciic/jobs ciic/cache.py ciic/redis_cache.py ciic/sql.py ciic/links.py ciic/money.py ciic/charts.py ciic/exports.py ciic/personal_data.py geo proposals/services.py proposals/selectors.py proposals/predicates.py proposals/maps proposals/places.py cms/demo.py proposals/rules.py proposals/search.py ciic/public_pages.py proposals/assessment/services.py proposals/assessment/selectors.py proposals/assessment/predicates.py proposals/assessment/workdays.py proposals/assessment/views.py proposals/assessment/forms.py voting/services.py voting/selectors.py voting/predicates.py voting/tasks.py voting/views.py voting/forms.py voting/models.py workshops/services.py workshops/selectors.py workshops/predicates.py workshops/tasks.py workshops/calendar.py workshops/views.py ciic/formatting.py ciic/translated.py ciic/desk.py proposals/journey.py proposals/fields.py proposals/personal_data.py proposals/calls ciic/forms.py

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Compiled catalogues (.mo) are committed, so `make run` needs no gettext tools.
messages: install
	$(PY) manage.py makemessages -l ro -l en --no-obsolete --ignore=.venv --ignore=var --ignore=node_modules --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv

bench: install
	$(PY) bench/tally.py
	$(PY) bench/geo.py --write
	$(PY) bench/geo_streets.py --write
	$(PY) bench/proposals_list.py
	$(PY) bench/voting.py --write

clean:
	rm -rf $(VENV) var $(KERNEL)
