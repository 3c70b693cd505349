"""GitHubToken: token formats, masking, git credentials, and cloning a private repository."""

from __future__ import annotations

import logging
import ssl
import traceback
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prefect import flow
from prefect.runner.storage import GitRepository
from prefect_github import GitHubCredentials

from prefect_secretblocks import GitHubToken
from prefect_secretblocks._compat import ValidationError, model_data, model_json
from tests.canaries import assert_no_leak
from tests.helpers.git_server import GitServer, git_server, make_repository, self_signed_tls

from .offline_suite import OfflineBlockStandardTestSuite

TOKEN = "ghp_" + "fakeCanaryGh" * 3
VALID_TOKENS = {
    "classic": "ghp_" + "a1B2c3D4e5" * 3 + "f6G7h8",
    "oauth": "gho_" + "Z" * 36,
    "user-to-server": "ghu_" + "0" * 36,
    "server-to-server": "ghs_" + "k" * 36,
    "refresh": "ghr_" + "Q" * 36,
    "fine-grained": "github_pat_" + "11ABCDEFG0" + "a" * 12 + "_" + "b" * 59,
    "legacy-hex": "0123456789abcdef0123456789abcdef01234567",
}
INVALID_TOKENS = {
    "plain-word": "fakecanarytokenvalue",
    "short-ghp": "ghp_fakeCanary",
    "unknown-prefix": "ghx_" + "fakeCanaryGh" * 3,
    "hex-39": "0123456789abcdef0123456789abcdef0123456",
    "whitespace": " " + TOKEN,
}


class TestStandardSuite(OfflineBlockStandardTestSuite):
    @pytest.fixture
    def block(self) -> type[GitHubToken]:
        return GitHubToken


@pytest.mark.parametrize("token", VALID_TOKENS.values(), ids=VALID_TOKENS.keys())
def test_accepts_each_github_token_format(token: str) -> None:
    assert GitHubToken(token=token).get() == token


@pytest.mark.parametrize("token", INVALID_TOKENS.values(), ids=INVALID_TOKENS.keys())
def test_rejects_non_github_token_without_echoing_it(token: str) -> None:
    with pytest.raises(ValidationError) as caught:
        GitHubToken(token=token)
    message = str(caught.value)
    assert "token" in message and "ghp_, gho_, ghu_, ghs_, ghr_, github_pat_" in message
    assert_no_leak(message + repr(caught.value), "the validation error", [token.strip()])


def test_rejects_a_non_string_token_without_echoing_it() -> None:
    with pytest.raises(ValidationError) as caught:
        GitHubToken(token=12345678901234567890)
    assert "12345678901234567890" not in str(caught.value)


def test_repr_str_and_dumps_mask_the_token() -> None:
    block = GitHubToken(token=TOKEN)
    shown = f"{block!r} {block!s} {model_data(block)} {model_json(block)}"
    assert "**********" in shown
    assert_no_leak(shown, "repr/str/model_dump", [TOKEN])


def test_format_git_credentials_puts_the_token_in_the_user_part() -> None:
    block = GitHubToken(token=TOKEN)
    assert block.format_git_credentials("https://github.com/org/repo.git") == f"https://{TOKEN}@github.com/org/repo.git"


def test_format_git_credentials_replaces_existing_userinfo() -> None:
    url = GitHubToken(token=TOKEN).format_git_credentials("https://someone:old@github.com/org/repo.git")
    assert url == f"https://{TOKEN}@github.com/org/repo.git"


def test_to_github_credentials_returns_prefect_github_credentials() -> None:
    credentials = GitHubToken(token=TOKEN).to_github_credentials()
    assert isinstance(credentials, GitHubCredentials)
    assert credentials.token.get_secret_value() == TOKEN


def test_get_client_sends_the_token_as_bearer() -> None:
    seen: list[httpx.Request] = []
    client = GitHubToken(token=TOKEN).get_client(base_url="https://github.example.invalid/api/v3")
    client._transport = httpx.MockTransport(lambda request: seen.append(request) or httpx.Response(200, json={}))
    client.get("/user")
    assert seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert str(seen[0].url) == "https://github.example.invalid/api/v3/user"


# --- cloning a private repository through Prefect's GitRepository --------------------------


@pytest.fixture(scope="module")
def git_tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    # HTTPS, as GitHub serves: Prefect 2's GitRepository puts credentials only into https URLs.
    return self_signed_tls(tmp_path_factory.mktemp("git-tls"))


@pytest.fixture(scope="module")
def private_repository(
    tmp_path_factory: pytest.TempPathFactory, git_tls: tuple[ssl.SSLContext, Path]
) -> Iterator[GitServer]:
    root = tmp_path_factory.mktemp("git-server")
    repository = make_repository(
        root, {"flows.py": "from prefect import flow\n\n@flow\ndef hello():\n    return 'hi'\n"}
    )
    with git_server(repository, TOKEN, tls=git_tls[0]) as server:
        yield server


@pytest.fixture(autouse=True)
def _git_environment(monkeypatch: pytest.MonkeyPatch, git_tls: tuple[ssl.SSLContext, Path]) -> None:
    # A wrong token must fail, never hang on a password prompt; git trusts the test certificate.
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    monkeypatch.setenv("GIT_SSL_CAINFO", str(git_tls[1]))


async def test_git_repository_clones_a_private_repository_with_the_token(
    private_repository: GitServer, tmp_path: Path
) -> None:
    storage = GitRepository(private_repository.url, credentials=GitHubToken(token=TOKEN), pull_interval=None)
    storage.set_base_path(tmp_path)
    await storage.pull_code()
    assert (storage.destination / "flows.py").read_text().startswith("from prefect import flow")


async def test_a_failed_clone_does_not_leak_the_token(
    private_repository: GitServer, tmp_path: Path, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "ghp_" + "fakeWrongTok" * 3
    storage = GitRepository(private_repository.url, credentials=GitHubToken(token=wrong), pull_interval=None)
    storage.set_base_path(tmp_path)
    with pytest.raises(Exception) as caught:
        await storage.pull_code()
    out, err = capfd.readouterr()
    shown = "".join(traceback.format_exception(caught.type, caught.value, caught.tb)) + caplog.text + out + err
    assert "Failed to clone repository" in str(caught.value)
    assert_no_leak(shown, "a failed clone's error, traceback and logs", [wrong, TOKEN])


async def test_flow_from_source_loads_a_flow_from_the_private_repository_with_the_token(
    private_repository: GitServer,
) -> None:
    # `from_source` is awaitable in async code on Prefect 2 (sync_compatible) and 3 (async_dispatch).
    storage = GitRepository(private_repository.url, credentials=GitHubToken(token=TOKEN))
    loaded = await flow.from_source(storage, entrypoint="flows.py:hello")
    assert loaded.name == "hello"
