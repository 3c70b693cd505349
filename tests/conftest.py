"""One Prefect test server for the whole session, on a temporary PREFECT_HOME, telemetry off.

The suite runs on every Prefect leg (`make test`, `make test-matrix`: noxfile.py). A test that only
makes sense on one major is marked `prefect3_only(reason=...)` or `prefect2_only(reason=...)`;
on the other major it is skipped with that reason, which the summary shows (`-rfEs` in pyproject).
"""

from __future__ import annotations

import os
import tempfile

# Set before anything imports prefect: its settings are read once, at import.
os.environ["PREFECT_HOME"] = tempfile.mkdtemp(prefix="prefect-secretblocks-tests-")
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.pop("PREFECT_API_URL", None)

from collections.abc import Iterator

import pytest

from prefect_secretblocks._compat import PREFECT_2, PREFECT_VERSION
from tests.helpers.http_recorder import HttpRecorder, http_recorder
from tests.helpers.prefect_server import prefect_test_server

# The marker a test of the other major carries, and what its skip reason starts with.
_OTHER_MAJOR_MARKER, _OTHER_MAJOR_ONLY = (
    ("prefect3_only", "Prefect 3 only") if PREFECT_2 else ("prefect2_only", "Prefect 2 only")
)


def pytest_report_header() -> str:
    return f"prefect {PREFECT_VERSION} (the Prefect {PREFECT_VERSION.major} leg)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip, with the marker's reason, each test marked for the other Prefect major."""
    for item in items:
        marker = item.get_closest_marker(_OTHER_MAJOR_MARKER)
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=f"{_OTHER_MAJOR_ONLY}: {marker.kwargs['reason']}"))


@pytest.fixture(autouse=True, scope="session")
def prefect_server(request: pytest.FixtureRequest) -> Iterator[None]:
    """The session's Prefect API: a temporary server on SQLite, started once (~12 s).

    Not started when the session runs only the fresh-venv install tests: they start Prefect in their venvs.
    """
    if all(item.get_closest_marker("install") for item in request.session.items):
        yield
        return
    with prefect_test_server(startup_timeout=120):
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
