"""The package as users get it: built, checked, and `pip install`ed into fresh venvs without constraints.

Each case makes a new venv and runs a plain `pip install "prefect==X" <our wheel>` (no constraints
file, so pip picks every other dependency as it would for a user), then, outside the checkout, with
the embedded default Prefect on a fresh PREFECT_HOME: `prefect block register -m prefect_secretblocks`,
`prefect-secretblocks migrate` of a small 1.x config, and Prefect's own `Block.load("slug/name")`, sync
and async, in a process that never imports us by name. The edges of the supported range are the
cases, plus no pin at all (pip's choice, which must be the newest Prefect), and the wheel's `prefect`
requirement admits exactly those edges. Marked `install`: the newest leg runs them.

The wheel is built once. Every selected case's venv is installed in the background as soon as the
module starts, two at a time (pip is CPU-bound here), so a case's user steps run while the later
cases still install. They share pip's own cache; where the package index answers without cache
headers, as here, that keeps only the wheels pip builds (Prefect 2's pendulum), not downloads. A case whose install resolved to exactly the
distributions of a case already checked (no pin and the newest pin, while pip's choice is the
newest) runs the same code: it takes that case's outcome rather than starting Prefect three more times.
"""

from __future__ import annotations

import email.parser
import json
import os
import subprocess
import sys
import venv
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from tests import canaries
from tests.canaries import assert_no_leak

pytestmark = [pytest.mark.install, pytest.mark.e2e]

REPO = Path(__file__).resolve().parents[1]
#: The oldest and newest Prefect 3 and Prefect 2 releases the package supports, and no pin (None),
#: in the order the cases run and install. Prefect 2 last: it serves its embedded API in-process and
#: gives the first start on a fresh PREFECT_HOME (its database migrations) a fixed 30 s, with no
#: setting to allow more, so its cases run when at most one install still runs beside them.
PREFECT_EDGES = ["3.9.0", "3.9.1", None, "2.20.26", "2.20.27"]
NEWEST_PREFECT = Version("3.9.1")
#: The releases just outside the supported range: before its oldest 2.x, the first excluded 3.x,
#: the last release before its oldest 3.x, and the next major.
OUTSIDE_THE_RANGE = ["2.20.25", "3.0.0", "3.8.8", "4.0.0"]
#: pip installs at once: each is mostly one busy core (resolving, unpacking, compiling).
INSTALL_WORKERS = 2
#: For Prefect's own processes (`prefect block register`, a user's script): Prefect 3 gives its
#: embedded server 20 s to start by default, which a busy 2-core machine can miss. `migrate` runs
#: without it: the package allows more itself where the user has not chosen.
USER_STARTUP_TIMEOUT = {"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180"}

V1_CONFIG = f"""
[context.secrets]
GITHUB_ACCESS_TOKEN = "{canaries.GITHUB_TOKEN}"
SLACK_WEBHOOK_URL = "{canaries.SLACK_URL}"
DATABASE_PASSWORD = "{canaries.GENERIC}"

[context.secrets.TWITTER_API_CREDENTIALS]
{chr(10).join(f'{key} = "{value}"' for key, value in canaries.TWITTER.items())}
"""

# Prefect's generic load, sync then async, in a process that never names this package. Prefect 3
# has `Block.aload`; Prefect 2's `Block.load` is awaited in a coroutine.
GENERIC_LOAD = """
import asyncio, json, sys
from prefect.blocks.core import Block

def described(block):
    return [type(block).__name__, block.get()]

async def load_async(keys):
    aload = getattr(Block, "aload", Block.load)
    return {key: described(await aload(key)) for key in keys}

keys = sys.argv[1:]
print(json.dumps({"sync": {key: described(Block.load(key)) for key in keys}, "async": asyncio.run(load_async(keys))}))
"""

# What a fresh venv holds, read from its metadata without importing Prefect.
PROBE = """
import json
from importlib.metadata import distributions, requires, version
from packaging.requirements import Requirement
print(json.dumps({
    "prefect": version("prefect"),
    "declared": str(next(r.specifier for r in map(Requirement, requires("prefect-secretblocks")) if r.name == "prefect")),
    "distributions": sorted(f"{d.metadata['Name'].lower()}=={d.version}" for d in distributions()),
}))
"""

BLOCK_KEYS = [
    "github-token/github-access-token",
    "slack-webhook-url/slack-webhook-url",
    "twitter-api-credentials/twitter-api-credentials",
    "secret/database-password",
]
EXPECTED_BLOCKS = {
    BLOCK_KEYS[0]: ["GitHubToken", canaries.GITHUB_TOKEN],
    BLOCK_KEYS[1]: ["SlackWebhookURL", canaries.SLACK_URL],
    BLOCK_KEYS[2]: ["TwitterCredentials", canaries.TWITTER],
    BLOCK_KEYS[3]: ["Secret", canaries.GENERIC],
}


def case_id(prefect: Optional[str]) -> str:
    return f"prefect=={prefect}" if prefect else "no-pin"


@dataclass(frozen=True)
class Install:
    """A fresh venv after a plain `pip install [prefect==X] <wheel>`."""

    case: str
    python: Path
    prefect: Version
    declared: SpecifierSet
    distributions: frozenset[str]


@dataclass
class CheckedEnvironments:
    """The user steps' outcome for each distinct set of installed distributions (None: they passed)."""

    outcomes: dict[frozenset[str], tuple[str, Optional[str]]] = field(default_factory=dict)

    def check(self, install: Install, steps: Callable[[], None]) -> None:
        earlier = self.outcomes.get(install.distributions)
        if earlier is not None:
            case, failure = earlier
            assert failure is None, f"the same distributions as {case}, whose user steps failed: {failure}"
            return
        try:
            steps()
        except BaseException as error:
            self.outcomes[install.distributions] = (install.case, f"{type(error).__name__}: {error}")
            raise
        self.outcomes[install.distributions] = (install.case, None)


def run(command: list[str], cwd: Path, env: Optional[dict[str, str]] = None, timeout: float = 300) -> str:
    """The command's stdout and stderr; it must exit 0."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, (
        f"{command[:4]} exited {result.returncode}:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    )
    return result.stdout + result.stderr


def last_json_line(command: list[str], cwd: Path, env: Optional[dict[str, str]] = None, timeout: float = 300) -> Any:
    """The JSON document a command prints last on stdout (Prefect logs its temporary server on stderr)."""
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{command[:4]} exited {result.returncode}:\n{result.stderr[-2000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An sdist and a wheel built as a release would be (`python -m build`), checked by twine."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], cwd=out, timeout=600)
    run([sys.executable, "-m", "twine", "check", "--strict", *map(str, out.iterdir())], cwd=out)
    return out


@pytest.fixture(scope="module")
def installs(
    request: pytest.FixtureRequest, dist: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[Optional[str], Future[Install]]]:
    """Every selected case's install, started at once in the background, in the order the cases run."""
    wheel = next(dist.glob("*.whl"))
    case_test = test_a_plain_pip_install_registers_migrates_and_loads_by_slug
    selected = [
        item.callspec.params["prefect"]
        for item in request.session.items
        if getattr(item, "function", None) is case_test
    ]
    with ThreadPoolExecutor(max_workers=INSTALL_WORKERS) as executor:
        futures = {
            prefect: executor.submit(pip_install, prefect, wheel, tmp_path_factory.mktemp("install"))
            for prefect in dict.fromkeys(selected)
        }
        try:
            yield futures
        finally:
            for future in futures.values():
                future.cancel()


@pytest.fixture(scope="module")
def checked_environments() -> CheckedEnvironments:
    return CheckedEnvironments()


def pip_install(prefect: Optional[str], wheel: Path, directory: Path) -> Install:
    """A new venv, a plain `pip install` (pip's own cache, no constraints), and what it then holds."""
    python = directory / "venv" / "bin" / "python"
    venv.EnvBuilder(with_pip=True).create(python.parents[1])
    run(
        [str(python), "-m", "pip", "install", "--quiet", *([f"prefect=={prefect}"] if prefect else []), str(wheel)],
        cwd=directory,
        timeout=900,
    )
    probe = last_json_line([str(python), "-c", PROBE], cwd=directory)
    return Install(
        case=case_id(prefect),
        python=python,
        prefect=Version(probe["prefect"]),
        declared=SpecifierSet(probe["declared"]),
        distributions=frozenset(probe["distributions"]),
    )


def test_the_build_makes_an_sdist_and_a_wheel_that_twine_accepts(dist: Path) -> None:
    assert sorted(path.suffix for path in dist.iterdir()) == [".gz", ".whl"]


def test_the_wheel_declares_exactly_the_tested_prefect_range(dist: Path) -> None:
    declared = wheel_requirement(next(dist.glob("*.whl")), "prefect").specifier
    tested = [edge for edge in PREFECT_EDGES if edge]
    assert [release for release in tested + OUTSIDE_THE_RANGE if Version(release) in declared] == tested


def wheel_requirement(wheel: Path, name: str) -> Requirement:
    """The wheel's requirement on `name`, from its METADATA."""
    with zipfile.ZipFile(wheel) as archive:
        metadata_path = next(path for path in archive.namelist() if path.endswith(".dist-info/METADATA"))
        metadata = email.parser.BytesParser().parsebytes(archive.read(metadata_path))
    return next(r for r in map(Requirement, metadata.get_all("Requires-Dist", [])) if r.name == name)


@pytest.mark.parametrize("prefect", PREFECT_EDGES, ids=case_id)
def test_a_plain_pip_install_registers_migrates_and_loads_by_slug(
    prefect: Optional[str],
    installs: dict[Optional[str], Future[Install]],
    checked_environments: CheckedEnvironments,
    tmp_path: Path,
) -> None:
    install = installs[prefect].result()
    assert install.prefect == (Version(prefect) if prefect else NEWEST_PREFECT)
    assert install.prefect in install.declared
    checked_environments.check(install, lambda: register_migrate_and_load(install.python.parent, tmp_path))


def register_migrate_and_load(bin_dir: Path, tmp_path: Path) -> None:
    """The user's steps on a fresh PREFECT_HOME with the embedded default Prefect, outside the checkout."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PREFECT_", "PREFECT__"))}
    env.update(PREFECT_HOME=str(tmp_path / "prefect-home"), PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1")
    registered = run(
        [str(bin_dir / "prefect"), "block", "register", "-m", "prefect_secretblocks"],
        cwd=tmp_path,
        env={**env, **USER_STARTUP_TIMEOUT},
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

    loaded = last_json_line(
        [str(bin_dir / "python"), "-c", GENERIC_LOAD, *BLOCK_KEYS], cwd=tmp_path, env={**env, **USER_STARTUP_TIMEOUT}
    )
    assert loaded == {"sync": EXPECTED_BLOCKS, "async": EXPECTED_BLOCKS}
