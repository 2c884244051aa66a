# make run   install, migrate, load the demo data, compute and publish its ratings, serve on http://127.0.0.1:8000
#            (with the background worker that runs recalculations asked for in the admin);
#            make run PORT=8100 serves on another port
# make test  install, run the whole test suite on SQLite
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# make run serves with production settings (DEBUG off) on a local, generated secret key.
RUN_ENV = SECRET_KEY="$$(cat .secret_key)" ALLOWED_HOSTS=127.0.0.1,localhost SECURE_COOKIES=False

.PHONY: install run test test-postgres demo bench vendor clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

.secret_key: | $(STAMP)
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

run: install .secret_key
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py load_demo fixtures/demo
	for year in 1997-98 1998-99 1999-00 2000-01; do \
	  $(RUN_ENV) $(BIN)/python manage.py recalculate_ratings --year $$year --publish --unless-published || exit 1; \
	done
	$(RUN_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
# The background worker (recalculations asked for in the admin) runs beside the web server and stops with it.
	$(RUN_ENV) $(BIN)/python manage.py db_worker --verbosity 1 & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	  $(RUN_ENV) $(BIN)/gunicorn trafficlights.wsgi --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile -

test: install
	scripts/ensure_chromium.sh
	$(BIN)/pytest

# The same suite against PostgreSQL (127.0.0.1:5432, user postgres, trust auth).
test-postgres: install
	scripts/ensure_chromium.sh
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/trafficlights} $(BIN)/pytest

# Rewrite fixtures/demo from the generator (deterministic).
demo: install
	DEBUG=True $(BIN)/python manage.py generate_demo --output fixtures/demo

# Re-vendor the NHS.UK design system into static/nhsuk/ and axe-core for the browser tests (needs npm; committed).
vendor:
	scripts/vendor_nhsuk_frontend.sh
	scripts/vendor_axe.sh

bench: install
	$(BIN)/python bench/import_returns.py
	$(BIN)/python bench/recalculate.py
	$(BIN)/python bench/upload.py
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .hypothesis db.sqlite3
