#!/usr/bin/env bash
# Re-resolve the lock, constraints.txt: every Python dependency of pyproject.toml (runtime, `test` and
# `dev` extras, transitive ones included) at one exact version, for CPython 3.11 on any platform.
# Pins already in the file are kept unless pyproject.toml no longer allows them, so a re-run changes
# nothing by itself; pass `--upgrade` or `--upgrade-package NAME` to move pins on purpose.
#
#   scripts/lock.sh [--upgrade | --upgrade-package NAME ...]
#
# The resolver is uv's `pip compile`, installed (pinned) into a throwaway venv: nothing else needs uv.
# The lock holds names and versions only, no download addresses: installs go through pip and the
# index it is configured with. requirements.txt (what `pulumi install` reads) constrains itself to it.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9

tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
python3 -m venv "$tools"
"$tools/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION"
"$tools/bin/uv" pip compile pyproject.toml \
  --all-extras --universal --python-version 3.11 \
  --custom-compile-command "scripts/lock.sh" \
  --output-file constraints.txt --quiet "$@"
echo "lock: constraints.txt pins $(grep -cE '^[A-Za-z0-9_.-]+==' constraints.txt) packages"
