"""A user's first `migrate` on a fresh PREFECT_HOME, offline, with telemetry not turned off: stderr stays ours.

Without PREFECT_API_URL the CLI starts Prefect's embedded server itself. On Prefect 3 that server ran
its telemetry service, which offline logged `Failed to send telemetry` at ERROR on every run, and on
a fresh database sometimes a `sqlite3.OperationalError: database is locked` traceback; the CLI now
starts it without the services a migration does not need (`_compat.prefect3.QUIET_EMBEDDED_SERVER`).
Prefect 2 serves the embedded API in-process and starts no service there.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests import canaries
from tests.helpers.cli import run_cli

#: The user's path: nothing of the test session's telemetry opt-outs, and no server to talk to.
USER_UNSET = ("PREFECT_SERVER_ANALYTICS_ENABLED", "DO_NOT_TRACK", "PREFECT_API_URL")
#: Offline: every outbound HTTP(S) request goes to a closed port; the embedded server is on loopback.
OFFLINE = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "ALL_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost",
}


def first_run(tmp_path: Path, *args: str) -> tuple[int, str]:
    tmp_path.mkdir(exist_ok=True)
    config = tmp_path / "config.toml"
    config.write_text(f'[context.secrets]\nGITHUB_ACCESS_TOKEN = "{canaries.GITHUB_TOKEN}"\nDB_PASSWORD = ""\n')
    environment = {"HOME": str(tmp_path), "PREFECT_HOME": str(tmp_path / "prefect-home"), "COLUMNS": "80", **OFFLINE}
    result = run_cli("migrate", "--config", str(config), *args, env=environment, unset=USER_UNSET, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.returncode, result.stderr


def test_first_dry_runs_on_fresh_prefect_homes_offline_print_nothing_on_stderr(tmp_path: Path) -> None:
    # Two at a time, one per core: each run's first start of the embedded server is most of its time.
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = pool.map(lambda index: first_run(tmp_path / f"home{index}", "--dry-run"), range(5))
        stderr = [output for _, output in runs]
    assert stderr == [""] * 5


def test_a_first_real_run_on_a_fresh_prefect_home_offline_prints_nothing_on_stderr(tmp_path: Path) -> None:
    assert first_run(tmp_path, "--prefix", "first-run-") == (0, "")
