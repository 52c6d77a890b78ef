"""hvac clients and raw health probes for the local servers (always verifying TLS with our CA)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import hvac
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

T = TypeVar("T")


def _backing_off_session(ca_cert: Path) -> requests.Session:
    # A 429 from a rate-limit quota means the request was refused, not processed, so any method may be
    # sent again after a short wait; the local stack's own `global` quota is hit by bulk reads (the
    # disaster-recovery inventory walks every KV version). Health probes don't use this session:
    # there a 429 means "unsealed standby".
    retry = Retry(
        total=6, status_forcelist=[429], allowed_methods=None, backoff_factor=0.1, raise_on_status=False
    )
    session = requests.Session()
    session.verify = str(ca_cert)  # hvac applies verify= only to a session it creates itself
    session.mount("https://", HTTPAdapter(max_retries=retry))
    return session


def client(address: str, ca_cert: Path, token: str | None = None, timeout: float = 10) -> hvac.Client:
    # verify= the CA file: never VAULT_SKIP_VERIFY, not even on loopback.
    return hvac.Client(
        url=address, verify=str(ca_cert), token=token, timeout=timeout, session=_backing_off_session(ca_cert)
    )


def health(address: str, ca_cert: Path, timeout: float = 2.0) -> tuple[int, dict[str, Any]]:
    """`sys/health` status code (200 active, 429 standby, 501 uninitialized, 503 sealed) and body;
    (0, {}) when nothing answers."""
    try:
        response = requests.get(f"{address}/v1/sys/health", verify=str(ca_cert), timeout=timeout)
    except requests.RequestException:
        return 0, {}
    try:
        body = response.json()
    except ValueError:
        body = {}
    return response.status_code, body


def wait_for(what: str, probe: Callable[[], T | None], timeout: float = 30.0, interval: float = 0.2) -> T:
    """Poll `probe` until it returns something truthy; exceptions count as "not yet"."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = probe()
        except Exception as err:  # a server that is still starting answers with all sorts of errors
            last, value = err, None
        if value:
            return value
        time.sleep(interval)
    detail = f" (last error: {last})" if last else ""
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}{detail}")
