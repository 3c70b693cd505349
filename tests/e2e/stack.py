"""The real parts of an end-to-end run, each a context manager that tears itself down.

PostgreSQL (tests/e2e/setup_postgres.sh), a standalone `prefect server start` on it, background
processes (a worker) and one-shot commands, all on 127.0.0.1, with a clean environment: telemetry
off, no prompts, and none of the caller's PREFECT_* settings (the session's test server included).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, TypeVar

from tests.helpers.prefect_server import api_is_healthy, free_port

T = TypeVar("T")
SETUP_POSTGRES = Path(__file__).with_name("setup_postgres.sh")
VENV_BIN = Path(sys.executable).parent


class CannotInstallPostgres(RuntimeError):
    """setup_postgres.sh could not find or install PostgreSQL (its exit code 3)."""


def clean_environment(home: Path, **extra: str) -> dict[str, str]:
    """os.environ without PREFECT_* (nor 1.x PREFECT__*), with telemetry, prompts and colours off."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_")}
    environment.update(
        PREFECT_HOME=str(home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        DO_NOT_TRACK="1",
        PREFECT_CLI_PROMPT="false",
        PREFECT_CLI_COLORS="false",
        PREFECT_CLI_WRAP_LINES="false",
        GIT_TERMINAL_PROMPT="0",
        COLUMNS="200",
        PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
    )
    environment.update(extra)
    return environment


def command(name: str, bin_dir: Path = VENV_BIN) -> str:
    """A console script of this venv (prefect, prefect-secretblocks), or of the venv of `bin_dir`."""
    found = shutil.which(name, path=str(bin_dir))
    assert found, f"{name} is not installed in {bin_dir}"
    return found


@contextmanager
def postgres() -> Iterator[str]:
    """A private PostgreSQL cluster on a free loopback port; yields its SQLAlchemy (asyncpg) URL."""
    installed = subprocess.run([str(SETUP_POSTGRES), "install"], capture_output=True, text=True, timeout=600)
    if installed.returncode == 3:
        raise CannotInstallPostgres(installed.stderr.strip())
    assert installed.returncode == 0, installed.stderr
    # Not under pytest's tmp_path: its parents are private to root, and postgres must enter the directory.
    directory = Path(tempfile.mkdtemp(prefix="prefect-secretblocks-pg-"))
    try:
        start = [str(SETUP_POSTGRES), "start", str(directory), str(free_port())]
        started = subprocess.run(start, capture_output=True, text=True, timeout=120)
        assert started.returncode == 0, f"PostgreSQL did not start: {started.stderr[-2000:]}"
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(SETUP_POSTGRES), "stop", str(directory)], capture_output=True, timeout=60)
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class Background:
    """A process started in its own session, its output in files."""

    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path

    def output(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")

    def running(self) -> bool:
        return self.process.poll() is None


@contextmanager
def background(
    args: list[str], environment: Mapping[str, str], cwd: Path, logs: Path, name: str
) -> Iterator[Background]:
    """Run `args` until the block exits, then SIGTERM its process group (SIGKILL after 15 s)."""
    stdout, stderr = logs / f"{name}.stdout", logs / f"{name}.stderr"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(args, env=dict(environment), cwd=cwd, stdout=out, stderr=err, start_new_session=True)
    try:
        yield Background(process, stdout, stderr)
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    # The group id is the pid of the process this module started (start_new_session=True): the
    # group holds that process and its children (a worker's flow-run processes), nothing else.
    for sig, grace in ((signal.SIGTERM, 15.0), (signal.SIGKILL, 5.0)):
        deadline = time.monotonic() + grace
        try:
            os.killpg(process.pid, sig)
            while time.monotonic() < deadline:
                process.poll()  # reap the leader, so a finished group stops answering
                os.killpg(process.pid, 0)
                time.sleep(0.2)
        except ProcessLookupError:
            return


@contextmanager
def prefect_server(
    database_url: str,
    home: Path,
    logs: Path,
    timeout: float = 120,
    bin_dir: Path = VENV_BIN,
    ui: bool = False,
    **server_settings: str,
) -> Iterator[str]:
    """
    `prefect server start` on `database_url`; yields its API URL once /api/health answers.

    `bin_dir`: the venv whose Prefect runs the server (default: this one). The UI is off unless
    `ui` is true (then it is served from the same port, the API URL it calls pointing back at the
    server). `server_settings` are more `PREFECT_*` variables for the server (auth string, CSRF
    protection).
    """
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    ui_enabled = "true" if ui else "false"
    environment = clean_environment(
        home,
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        PREFECT_API_DATABASE_CONNECTION_URL=database_url,
        PREFECT_UI_ENABLED=ui_enabled,
        PREFECT_SERVER_UI_ENABLED=ui_enabled,
        PREFECT_SERVER_API_HOST="127.0.0.1",
        PREFECT_SERVER_API_PORT=str(port),
        **server_settings,
    )
    args = [command("prefect", bin_dir), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    if not ui:
        args.append("--no-ui")
    api_url = f"http://127.0.0.1:{port}/api"
    with background(args, environment, home, logs, "prefect-server") as server:
        deadline = time.monotonic() + timeout
        while True:
            assert server.running(), f"prefect server exited:\n{server.output()[-3000:]}"
            if api_is_healthy(api_url):
                break
            assert time.monotonic() < deadline, f"prefect server not healthy in {timeout} s:\n{server.output()[-3000:]}"
            time.sleep(0.5)
        yield api_url


def masked(text: str, secrets: Iterable[str]) -> str:
    """`text` with each secret replaced, for failure messages that show process output."""
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def tail(text: str, secrets: Iterable[str], characters: int = 3000) -> str:
    return masked(text, secrets)[-characters:]


def wait_until(predicate: Callable[[], T], timeout: float, interval: float = 0.5) -> Optional[T]:
    """Call `predicate` until it returns something truthy (returned) or `timeout` passes (None)."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() >= deadline:
            return result or None
        time.sleep(interval)
