# Bianmin — the two commands that matter are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: venv fonts run test test-unit test-integration test-e2e proto proto-check lint bench k8s clean

venv: $(STAMP) fonts
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

## the CJK fonts printed notices embed (Debian packages; see services/notify/README.md)
fonts:
	@bash tests/support/ensure_fonts.sh

## the all-in-one platform on 127.0.0.1:$${BIANMIN_HTTP_PORT:-8080}, data under $${BIANMIN_DATA_DIR:-./var}
run: venv
	exec $(BIN)/bianmin run

## the whole suite: unit, integration (real PostgreSQL), e2e (processes, gRPC, RabbitMQ)
test: venv
	bash tests/support/ensure_rabbitmq.sh
	bash tests/support/ensure_promtool.sh
	bash tests/support/ensure_chromium.sh
	$(BIN)/python -m pytest -q tests

test-unit: venv
	$(BIN)/python -m pytest -q tests/unit tests/contract

test-integration: venv
	$(BIN)/python -m pytest -q tests/integration

test-e2e: venv
	bash tests/support/ensure_rabbitmq.sh
	$(BIN)/python -m pytest -q tests/e2e

## regenerate the gRPC code from proto/ (committed under libs/common/gen)
proto: venv
	$(BIN)/python -m libs.common.protogen

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy libs services cli
	$(BIN)/lint-imports
	npx --yes @bufbuild/buf@1.75.0 lint proto

bench: venv
	$(BIN)/python -m bench

k8s: venv
	$(BIN)/python -m deploy.k8s.render --validate

clean:
	rm -rf $(VENV) .pytest_cache .test-data
