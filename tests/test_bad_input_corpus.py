"""The bad-input corpus: each input gets exit code 2, one clear line naming the file/line or
flag, no traceback, and nothing is written to Prefect (blocks listed before and after)."""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL

from tests.helpers.cli import run_cli
from tests.helpers.prefect_api import block_document_ids


@dataclass(frozen=True)
class BadInput:
    id: str
    expected: str  # a fragment of the one-line error
    config: bytes | None = None  # written to config.toml and passed with --config
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    prepare: Callable[[Path], None] | None = None
    needs_non_root: bool = False  # root reads files whatever their permissions


def _nested_tables(depth: int) -> bytes:
    return ("[context.secrets." + ".".join(["deep"] * depth) + ']\nx = "1"\n').encode()


def _binary_junk() -> bytes:
    generator = random.Random(1234)
    return bytes(generator.randrange(256) for _ in range(4096))


def _huge_config(tmp_path: Path) -> None:
    line = b'FILLER_%08d = "' + b"x" * 100 + b'"\n'
    with (tmp_path / "config.toml").open("wb") as file:
        file.write(b"[context.secrets]\n")
        for index in range(10 * 1024 * 1024 // len(line) + 1):
            file.write(line.replace(b"%08d", b"%08d" % index))


def _unreadable_config(tmp_path: Path) -> None:
    os.chmod(tmp_path / "config.toml", 0)


def _directory_as_config(tmp_path: Path) -> None:
    (tmp_path / "config.toml").mkdir()


def _malformed_env_file(tmp_path: Path) -> None:
    (tmp_path / "agent.env").write_text("GOOD=1\nthis is not valid\n")


VALID = b'[context.secrets]\nDB_PASSWORD = "fake-password"\n'

CORPUS = [
    BadInput(
        "invalid-toml", "config.toml:2:28: invalid TOML", config=b'[context.secrets]\nDB_PASSWORD = "unterminated\n'
    ),
    BadInput("secrets-not-a-table", "[context.secrets] must be a table", config=b'[context]\nsecrets = "fake"\n'),
    BadInput("non-utf8", "config.toml:2: not UTF-8 text", config=b'[context.secrets]\nX = "\xff\xfe"\n'),
    BadInput(
        "unreadable-file",
        "cannot read: Permission denied",
        config=VALID,
        prepare=_unreadable_config,
        needs_non_root=True,
    ),
    # Readable by nobody, not even root: reading a process's memory from offset 0 fails with EIO.
    BadInput(
        "file-failing-to-read", "/proc/self/mem: cannot read: Input/output error", args=("--config", "/proc/self/mem")
    ),
    BadInput("missing-config", "missing.toml: no such file", args=("--config", "{tmp}/missing.toml")),
    BadInput(
        "directory-as-config", "is a directory", prepare=_directory_as_config, args=("--config", "{tmp}/config.toml")
    ),
    BadInput("empty-file", "no Prefect 1.x secrets found", config=b""),
    BadInput("empty-secret-name", "a secret has an empty name", config=b'[context.secrets]\n"" = "fake"\n'),
    BadInput(
        "colliding-block-names",
        "block name 'db-password' would be used by 'DB.PASSWORD'",
        config=b'[context.secrets]\nDB_PASSWORD = "fake1"\n"DB.PASSWORD" = "fake2"\n',
    ),
    BadInput(
        "map-to-unknown-type",
        "--map DB_PASSWORD=vault-secret: unknown block type",
        config=VALID,
        args=("--map", "DB_PASSWORD=vault-secret"),
    ),
    BadInput("map-without-equals", "--map", config=VALID, args=("--map", "DB_PASSWORD")),
    BadInput("unknown-flag", "No such option: --bogus", config=VALID, args=("--bogus",)),
    BadInput("only-unknown-secret", "--only NOPE: no 1.x secret has this name", config=VALID, args=("--only", "NOPE")),
    BadInput(
        "invalid-block-name",
        "--name DB_PASSWORD=Bad_Name: block names may only contain",
        config=VALID,
        args=("--name", "DB_PASSWORD=Bad_Name"),
    ),
    BadInput(
        "aws-table-missing-secret-key",
        "AWS_CREDENTIALS (",
        config=b'[context.secrets.AWS_CREDENTIALS]\nACCESS_KEY = "AKIAFAKE"\n',
    ),
    BadInput(
        "github-token-wrong-format",
        "does not fit a github-token block",
        config=b'[context.secrets]\nGITHUB_ACCESS_TOKEN = "fake"\n',
    ),
    BadInput(
        "huge-file", "too large for a Prefect 1.x config", prepare=_huge_config, args=("--config", "{tmp}/config.toml")
    ),
    BadInput("binary-junk", "config.toml:", config=_binary_junk()),
    BadInput("deeply-nested-tables", "nested more than 32 levels deep", config=_nested_tables(100)),
    BadInput("odd-env-var-name", "gives an empty block name", env={"PREFECT__CONTEXT__SECRETS__!!!": "fake"}),
    BadInput(
        "env-key-inside-a-string-secret",
        "set to a single value",
        config=VALID,
        env={"PREFECT__CONTEXT__SECRETS__DB_PASSWORD__USER": "fake"},
    ),
    BadInput(
        "malformed-env-file",
        "agent.env:2: not a NAME=value line",
        config=VALID,
        prepare=_malformed_env_file,
        args=("--env-file", "{tmp}/agent.env"),
    ),
]


@pytest.mark.parametrize("bad", CORPUS, ids=[bad.id for bad in CORPUS])
def test_bad_input_exits_2_with_one_line_and_writes_nothing(bad: BadInput, tmp_path: Path) -> None:
    if bad.needs_non_root and os.geteuid() == 0:
        pytest.skip("root can read a file without permissions; file-failing-to-read covers the same path as root")
    args = [arg.replace("{tmp}", str(tmp_path)) for arg in bad.args]
    if bad.config is not None:
        (tmp_path / "config.toml").write_bytes(bad.config)
        args = ["--config", str(tmp_path / "config.toml"), *args]
    if bad.prepare is not None:
        bad.prepare(tmp_path)
    environment = {
        "HOME": str(tmp_path),
        "PREFECT_API_URL": PREFECT_API_URL.value(),
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        **bad.env,
    }
    before = block_document_ids()
    result = run_cli("migrate", *args, env=environment, timeout=120)
    after = block_document_ids()

    error_lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr[-500:]
    assert len(error_lines) == 1, result.stderr[-500:]
    assert error_lines[0].startswith("Error: ") and bad.expected in error_lines[0], error_lines[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert after == before
