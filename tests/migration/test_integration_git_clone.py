"""GitLab and Bitbucket tokens, migrated, clone a private repository as 1.x's GitLab/Bitbucket storage did.

The loopback git server (tests/helpers/git_server.py) accepts only the user name each
integration puts before the token (`oauth2` for GitLab, `x-token-auth` for Bitbucket Cloud),
so these tests also prove the collections' `format_git_credentials`.
"""

from __future__ import annotations

import asyncio
import itertools
import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from prefect.runner.storage import GitRepository

from prefect_secretblocks._compat import aload_block
from prefect_secretblocks.migration import MigrationOptions, Result, V1Secret, run_migration
from prefect_secretblocks.migration.targets import TARGETS_BY_SLUG
from tests.helpers.git_server import GitServer, git_server, make_repository, self_signed_tls
from tests.migration.integration_values import BITBUCKET_TOKEN, GITLAB_TOKEN

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.prefect3_only(
        reason="the integrations' format_git_credentials is what Prefect 3's GitRepository calls"
    ),
]
FLOWS = "from prefect import flow\n\n@flow\ndef hello():\n    return 'hi'\n"
_prefixes = itertools.count()
CASES = [
    pytest.param(("GITLAB_ACCESS_TOKEN", GITLAB_TOKEN, "oauth2"), id="gitlab"),
    pytest.param(("BITBUCKET_ACCESS_TOKEN", BITBUCKET_TOKEN, "x-token-auth"), id="bitbucket"),
]


@pytest.fixture(scope="module")
def git_tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    return self_signed_tls(tmp_path_factory.mktemp("git-tls"))


@pytest.fixture(autouse=True)
def _git_environment(monkeypatch: pytest.MonkeyPatch, git_tls: tuple[ssl.SSLContext, Path]) -> None:
    # A wrong token must fail, never hang on a password prompt; git trusts the test certificate.
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    monkeypatch.setenv("GIT_SSL_CAINFO", str(git_tls[1]))


@pytest.fixture
def private_repository(
    request: pytest.FixtureRequest, tmp_path: Path, git_tls: tuple[ssl.SSLContext, Path]
) -> Iterator[tuple[str, GitServer]]:
    """(the 1.x secret name, a server accepting only its integration's user name and the token)."""
    secret_name, token, username = request.param
    repository = make_repository(tmp_path / "server", {"flows.py": FLOWS})
    with git_server(repository, token, tls=git_tls[0], username=username) as server:
        yield secret_name, server


async def migrated_block(name: str, token: str) -> Any:
    """Migrate the 1.x secret into the session's Prefect server and load the block back."""
    secret = V1Secret(name=name, value=token, sources=("config.toml",))
    plan, report = await run_migration([secret], MigrationOptions(prefix=f"clone{next(_prefixes)}-"))
    assert report is not None and [outcome.result for outcome in report.outcomes] == [Result.CREATED]
    [entry] = plan.entries
    return await aload_block(TARGETS_BY_SLUG[entry.block_type].block_class(), entry.block_name)


@pytest.mark.parametrize("private_repository", CASES, indirect=True)
async def test_git_repository_clones_with_the_migrated_block(
    private_repository: tuple[str, GitServer], tmp_path: Path
) -> None:
    name, server = private_repository
    block = await migrated_block(name, server.token)
    storage = GitRepository(server.url, credentials=block, pull_interval=None)
    storage.set_base_path(tmp_path / "clone")
    await storage.pull_code()
    assert (storage.destination / "flows.py").read_text() == FLOWS


@pytest.mark.parametrize("private_repository", CASES, indirect=True)
async def test_the_git_clone_deployment_step_clones_with_the_migrated_block(
    private_repository: tuple[str, GitServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.deployments.steps import git_clone

    name, server = private_repository
    block = await migrated_block(name, server.token)
    monkeypatch.chdir(tmp_path)  # the step clones into the working directory, as a worker's pull does
    result = await asyncio.to_thread(git_clone, repository=server.url, credentials=block)
    assert (tmp_path / result["directory"] / "flows.py").read_text() == FLOWS


@pytest.mark.parametrize("private_repository", CASES, indirect=True)
async def test_a_clone_without_the_expected_user_name_is_refused(
    private_repository: tuple[str, GitServer], tmp_path: Path
) -> None:
    # The server is strict: the token alone, as GitHub takes it, is not enough.
    _, server = private_repository
    storage = GitRepository(server.url, credentials={"access_token": server.token}, pull_interval=None)
    storage.set_base_path(tmp_path / "clone")
    with pytest.raises(Exception, match="Failed to clone"):
        await storage.pull_code()
