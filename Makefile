# The two commands of the README's quick start. Both run the idempotent setup first, so on a fresh
# machine each is the only command to type. CI (.ci/run) runs `make test`.
.PHONY: up test setup

up: setup
	.venv/bin/vaultctl local up

# Exactly what CI checks: lint, format, types, workflow lint, secret scan, then every test.
test: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/python -m infra.ops.workflow_lint
	.venv/bin/python -m infra.ops.secret_scan
	.venv/bin/pytest

setup:
	@bash scripts/setup.sh
