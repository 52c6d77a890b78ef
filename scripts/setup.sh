#!/usr/bin/env bash
# Fresh-machine setup, idempotent (`make up` and `make test` run it every time; a second run takes
# about a second): system packages (PostgreSQL for the database engine, promtool for alert-rule
# tests; with --bench also wrk for bench/serving.py) and the project venv with every Python
# dependency, including the OpenBao server (`bao`). Only what is missing is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

bench=0
[ "${1:-}" = "--bench" ] && bench=1

need_apt=()
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
# The TLS probe test runs the exporter; the recovery-share test makes PGP keys. In CI (env CI set) a
# server-backed test that would skip fails (tests/ci_skips.py), so setup provides them.
command -v prometheus-blackbox-exporter >/dev/null 2>&1 || need_apt+=(prometheus-blackbox-exporter)
command -v gpg >/dev/null 2>&1 || need_apt+=(gnupg)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# Debian's python3 lacks venv/ensurepip until python3-venv is installed.
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || need_apt+=(python3-venv)
if ((bench)); then
  command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)       # the serving benchmark's load generator
  command -v taskset >/dev/null 2>&1 || need_apt+=(util-linux)
fi
if ((${#need_apt[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: apt-get install ${need_apt[*]}"
    apt-get update -qq
    # Debian starts services on install; the project runs its own instances on free ports instead.
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
    rm -f /usr/sbin/policy-rc.d
  else
    echo "setup: please install: sudo apt-get install -y ${need_apt[*]}" >&2
  fi
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
# Every dependency at the version the lock pins (constraints.txt; scripts/lock.sh re-resolves it).
# pip runs only when the declared or pinned dependencies changed since the last successful install.
stamp=.venv/.vault-platform-setup
want="$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1) $(.venv/bin/python -V 2>&1)"
if [ ! -x .venv/bin/vaultctl ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[test,dev]'
  echo "$want" > "$stamp"
fi
echo "setup: ok (.venv ready; \`source .venv/bin/activate\` puts vaultctl, bao and pytest on PATH)"
