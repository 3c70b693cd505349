"""The package as users get it: built, checked, and `pip install`ed into fresh venvs without constraints.

Each case makes a new venv and runs a plain `pip install "prefect==X" <our wheel>` (no constraints
file, so pip picks every other dependency as it would for a user), then, outside the checkout, with
the embedded default Prefect on a fresh PREFECT_HOME: `prefect block register -m prefect_secretblocks`,
`prefect-secretblocks migrate` of a small 1.x config, and Prefect's own `Block.load("slug/name")` in a
process that never imports us by name. The edges of the supported range are the cases, plus no pin at
all (pip's choice, which must be the newest Prefect). Marked `install`: the newest leg runs them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tests import canaries
from tests.canaries import assert_no_leak

pytestmark = [pytest.mark.install, pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[1]
#: The oldest and newest Prefect 2 and Prefect 3 releases the package supports, and no pin (None).
PREFECT_EDGES = ["2.20.26", "2.20.27", "3.9.0", "3.9.1", None]
NEWEST_PREFECT = Version("3.9.1")

V1_CONFIG = f"""
[context.secrets]
GITHUB_ACCESS_TOKEN = "{canaries.GITHUB_TOKEN}"
SLACK_WEBHOOK_URL = "{canaries.SLACK_URL}"
DATABASE_PASSWORD = "{canaries.GENERIC}"

[context.secrets.TWITTER_API_CREDENTIALS]
{chr(10).join(f'{key} = "{value}"' for key, value in canaries.TWITTER.items())}
"""

# Prefect's generic load, in a process that never names this package.
GENERIC_LOAD = """
import json, sys
from prefect.blocks.core import Block
loaded = {}
for key in sys.argv[1:]:
    block = Block.load(key)
    loaded[key] = [type(block).__name__, block.get()]
print(json.dumps(loaded))
"""


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An sdist and a wheel built as a release would be (`python -m build`), checked by twine."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], cwd=out, timeout=600)
    run([sys.executable, "-m", "twine", "check", "--strict", *map(str, out.iterdir())], cwd=out)
    return out


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> str:
    """The command's stdout and stderr; it must exit 0."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (
        f"{command[:4]} exited {result.returncode}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    )
    return result.stdout + result.stderr


def last_json_line(command: list[str], cwd: Path, env: dict[str, str]) -> Any:
    """The JSON document a command prints last on stdout (Prefect logs its temporary server on stderr)."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_build_makes_an_sdist_and_a_wheel_that_twine_accepts(dist: Path) -> None:
    assert sorted(path.suffix for path in dist.iterdir()) == [".gz", ".whl"]


@pytest.mark.parametrize("prefect", PREFECT_EDGES, ids=lambda version: f"prefect=={version}" if version else "no-pin")
def test_a_plain_pip_install_registers_migrates_and_loads_by_slug(
    prefect: str | None, dist: Path, tmp_path: Path
) -> None:
    python = fresh_venv(tmp_path / "venv")
    wheel = next(dist.glob("*.whl"))
    run(
        [str(python), "-m", "pip", "install", "--quiet", *([f"prefect=={prefect}"] if prefect else []), str(wheel)],
        cwd=tmp_path,
        timeout=900,
    )
    installed = Version(run([str(python), "-c", "import prefect; print(prefect.__version__)"], cwd=tmp_path).strip())
    assert installed == (Version(prefect) if prefect else NEWEST_PREFECT)
    assert installed in SpecifierSet(declared_prefect_range(python, tmp_path))

    home = tmp_path / "prefect-home"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "PREFECT__"))}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    bin_dir = python.parent
    registered = run(
        [str(bin_dir / "prefect"), "block", "register", "-m", "prefect_secretblocks"],
        cwd=tmp_path,
        env={**env, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"},
    )
    assert "Successfully registered 3 blocks" in registered

    config = tmp_path / "config.toml"
    config.write_text(V1_CONFIG)
    migrated = run(
        [str(bin_dir / "prefect-secretblocks"), "migrate", "--config", str(config), "--no-env"],
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    assert_no_leak(migrated, "migrate's output")

    keys = [
        "github-token/github-access-token",
        "slack-webhook-url/slack-webhook-url",
        "twitter-api-credentials/twitter-api-credentials",
        "secret/database-password",
    ]
    loaded = last_json_line([str(python), "-c", GENERIC_LOAD, *keys], cwd=tmp_path, env=env)
    assert loaded == {
        keys[0]: ["GitHubToken", canaries.GITHUB_TOKEN],
        keys[1]: ["SlackWebhookURL", canaries.SLACK_URL],
        keys[2]: ["TwitterCredentials", canaries.TWITTER],
        keys[3]: ["Secret", canaries.GENERIC],
    }


def fresh_venv(path: Path) -> Path:
    venv.EnvBuilder(with_pip=True).create(path)
    return path / "bin" / "python"


def declared_prefect_range(python: Path, cwd: Path) -> str:
    """The version range of `prefect` in the installed package's metadata."""
    script = (
        "from importlib.metadata import requires; from packaging.requirements import Requirement; "
        "print(next(r.specifier for r in map(Requirement, requires('prefect-secretblocks')) if r.name == 'prefect'))"
    )
    return run([str(python), "-c", script], cwd=cwd).strip()
