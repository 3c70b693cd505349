"""One Prefect test server for the whole session, on a temporary PREFECT_HOME, telemetry off."""

from __future__ import annotations

import os
import tempfile

# Set before anything imports prefect: its settings are read once, at import.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="prefect-secretblocks-tests-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.pop("PREFECT_API_URL", None)

from collections.abc import Iterator  # noqa: E402

import pytest  # noqa: E402
from prefect.testing.utilities import prefect_test_harness  # noqa: E402

from tests.helpers.http_recorder import HttpRecorder, http_recorder  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def prefect_server() -> Iterator[None]:
    """The session's Prefect API: a temporary server on SQLite, started once (~12 s)."""
    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def slack_stand_in() -> Iterator[HttpRecorder]:
    """A loopback HTTP server standing in for Slack (see tests/helpers/http_recorder.py)."""
    with http_recorder() as recorder:
        yield recorder


@pytest.fixture(scope="session")
def http_recorder_url(slack_stand_in: HttpRecorder) -> str:
    """The Slack stand-in's base URL."""
    return slack_stand_in.url
