"""Prefect API servers for tests: the session's test server, and standalone ones a test may kill."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx

from prefect_secretblocks._compat import PREFECT_2

# Services for deployments and runs that the tests do not have; their periodic writes only
# lock SQLite against the tests' own.
_IDLE_SERVICES = (
    "SCHEDULER",
    "LATE_RUNS",
    "FLOW_RUN_NOTIFICATIONS",
    "PAUSE_EXPIRATIONS",
    "CANCELLATION_CLEANUP",
    "FOREMAN",
)


def idle_services_off() -> dict[str, str]:
    """Settings that turn the idle services off (Prefect 2's names, which Prefect 3 reads too)."""
    return {f"PREFECT_API_SERVICES_{service}_ENABLED": "false" for service in _IDLE_SERVICES}


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def standalone_api(
    environment: Mapping[str, str], port: int, startup_timeout: float = 120, **popen: Any
) -> Iterator[subprocess.Popen[bytes]]:
    """
    Prefect's API app served by uvicorn in one process on loopback, healthy on entry, killed on exit.

    One process on Prefect 2 and 3 alike, so that killing it stops the server (Prefect 2's
    `prefect server start` runs uvicorn as a child).
    """
    command = [sys.executable, "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app"]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=dict(environment), **popen
    )
    try:
        deadline = time.monotonic() + startup_timeout
        while not api_is_healthy(f"http://127.0.0.1:{port}/api"):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the Prefect server on port {port} did not start within {startup_timeout} s")
            time.sleep(0.2)
        yield server
    finally:
        if server.poll() is None:
            server.kill()
        server.wait()


def api_is_healthy(api_url: str) -> bool:
    """Whether the Prefect API at `api_url` answers its health check."""
    try:
        return httpx.get(f"{api_url}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


@contextmanager
def prefect_test_server(startup_timeout: int) -> Iterator[None]:
    """
    A temporary Prefect server on loopback and SQLite that this process and its CLIs use.

    Prefect 3's `prefect_test_harness` starts one. Prefect 2's serves the API in-process only,
    which the CLIs that tests run in subprocesses (`prefect block register`,
    `prefect-secretblocks migrate`) cannot reach, so there a standalone server stands in.
    """
    if not PREFECT_2:
        from prefect.testing.utilities import prefect_test_harness

        with prefect_test_harness(server_startup_timeout=startup_timeout):
            yield
        return

    from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL, PREFECT_API_URL, temporary_settings

    with tempfile.TemporaryDirectory(prefix="prefect2-test-server-") as directory:
        database = f"sqlite+aiosqlite:///{directory}/prefect.db"
        environment = {key: value for key, value in os.environ.items() if key != "PREFECT_API_URL"}
        environment["PREFECT_API_DATABASE_CONNECTION_URL"] = database
        environment.update(idle_services_off())
        port = free_port()
        with standalone_api(environment, port, startup_timeout):
            api_url = f"http://127.0.0.1:{port}/api"
            with temporary_settings(updates={PREFECT_API_URL: api_url, PREFECT_API_DATABASE_CONNECTION_URL: database}):
                yield
