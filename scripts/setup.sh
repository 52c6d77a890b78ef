#!/usr/bin/env bash
# Fresh-machine setup: system packages (PostgreSQL for the database engine, promtool for alert-rule
# tests) and the project venv with every Python dependency, including the OpenBao server (`bao`).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v promtool >/dev/null 2>&1 || need_apt+=(prometheus)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || need_apt+=(postgresql)
if ((${#need_apt[@]})); then
  if [ "$(id -u)" = 0 ]; then
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
.venv/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[test,dev]'
echo "setup: done. Activate with: source .venv/bin/activate"
