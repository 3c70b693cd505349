"""A migration whose server dies half-way leaves whole blocks only, and a re-run finishes the rest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.helpers.prefect_server import free_port, standalone_api

pytestmark = pytest.mark.e2e

SECRET_COUNT = 600


@contextmanager
def prefect_server(home: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A standalone Prefect server on loopback, SQLite in `home`; killed on exit."""
    environment = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "DO_NOT_TRACK": "1",
    }
    environment.pop("PREFECT_API_URL", None)
    with standalone_api(environment, port, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) as server:
        yield server


def block_documents(port: int) -> dict[str, dict]:
    """Every block document by name, with secrets (the API of the standalone server)."""
    documents: dict[str, dict] = {}
    while True:
        page = httpx.post(
            f"http://127.0.0.1:{port}/api/block_documents/filter",
            json={"offset": len(documents), "limit": 200, "include_secrets": True},
            timeout=30,
        ).json()
        documents.update((document["name"], document) for document in page)
        if len(page) < 200:
            return documents


def migrate(
    config: Path, port: int, home: Path, client_retries: int = 5, extra: tuple[str, ...] = ()
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "prefect_secretblocks", "migrate", "--config", str(config), "--no-env"]
        + ["--concurrency", "2", "--format", "json", *extra],
        env={
            **os.environ,
            "PREFECT_API_URL": f"http://127.0.0.1:{port}/api",
            "HOME": str(home),
            "PREFECT_CLIENT_MAX_RETRIES": str(client_retries),
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_killed_server_leaves_whole_blocks_and_a_rerun_finishes(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    values = {f"SECRET_{index:04d}": f"fake-value-{index:04d}" for index in range(SECRET_COUNT)}
    config.write_text("[context.secrets]\n" + "".join(f'{name} = "{value}"\n' for name, value in values.items()))
    home, port = tmp_path / "prefect-home", free_port()

    with prefect_server(home, port) as server:
        # One client retry: this run is about atomic saves when the server dies, not retry patience.
        run = migrate(config, port, tmp_path, client_retries=1)
        while len(block_documents(port)) < 20:
            assert run.poll() is None, "the migration finished before the server could be stopped"
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)
        server.wait()
        out, err = run.communicate(timeout=180)
    assert run.returncode != 0
    assert "Traceback" not in out + err
    interrupted = json.loads(out)["results"] if out.strip() else {}
    assert not interrupted or interrupted["failed"] > 0

    with prefect_server(home, port):
        saved = block_documents(port)
        assert 0 < len(saved) < SECRET_COUNT
        for name, document in saved.items():  # every block that exists is whole
            assert document["data"]["value"] == values[name.replace("secret-", "SECRET_")]
        rerun = migrate(config, port, tmp_path)
        out, err = rerun.communicate(timeout=300)
        report = json.loads(out)
        assert rerun.returncode == 0, [(e["secret"], e["error"]) for e in report["plan"] if e["result"] == "failed"]
        results = report["results"]
        assert results["unchanged"] == len(saved)
        assert results["created"] == SECRET_COUNT - len(saved)
        final = block_documents(port)
    assert len(final) == SECRET_COUNT
    assert all(
        document["data"]["value"] == values[name.replace("secret-", "SECRET_")] for name, document in final.items()
    )


def rollback(journal: Path, port: int, home: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prefect_secretblocks", "rollback", str(journal), "--format", "json"],
        env={**os.environ, "PREFECT_API_URL": f"http://127.0.0.1:{port}/api", "HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_migration_killed_half_way_is_rolled_back_from_its_journal(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    values = {f"SECRET_{index:04d}": f"fake-value-{index:04d}" for index in range(SECRET_COUNT)}
    config.write_text("[context.secrets]\n" + "".join(f'{name} = "{value}"\n' for name, value in values.items()))
    home, port, journal = tmp_path / "prefect-home", free_port(), tmp_path / "journal.jsonl"

    with prefect_server(home, port):
        api = f"http://127.0.0.1:{port}/api"
        old = subprocess.run(  # a block the run replaces: SECRET_0000 is saved first, alone
            [
                sys.executable,
                "-c",
                "from prefect.blocks.system import Secret; Secret(value='fake-old').save('secret-0000')",
            ],
            env={**os.environ, "PREFECT_API_URL": api},
            check=True,
        )
        assert old.returncode == 0
        run = migrate(config, port, tmp_path, extra=("--on-conflict", "overwrite", "--journal", str(journal)))
        while len(block_documents(port)) < 40:
            assert run.poll() is None, "the migration finished before it could be killed"
            time.sleep(0.05)
        run.send_signal(signal.SIGKILL)
        run.communicate(timeout=60)
        assert 0 < len(block_documents(port)) < SECRET_COUNT

        undone = rollback(journal, port, tmp_path)
        assert undone.returncode == 0, undone.stdout[-1000:] + undone.stderr[-1000:]
        again = rollback(journal, port, tmp_path)
        final = block_documents(port)
    assert {name: document["data"]["value"] for name, document in final.items()} == {"secret-0000": "fake-old"}
    assert again.returncode == 0
    assert set(json.loads(again.stdout)["summary"]) >= {"already-undone"}
    assert json.loads(again.stdout)["summary"]["already-undone"] == len(json.loads(again.stdout)["steps"])
