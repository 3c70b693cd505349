"""GitHub: a personal access token for cloning private repositories and calling the API."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Optional
from urllib.parse import urlparse, urlunparse

import httpx
from prefect.blocks.abstract import CredentialsBlock

from prefect_secretblocks._compat import (
    Field,
    SecretStr,
    async_dispatch,
    field_validator,
    http_url,
    run_coro_as_sync,
)
from prefect_secretblocks.blocks._shared import (
    SecretBlockMixin,
    documentation_url,
    http_url_field_error,
    secret_field,
)
from prefect_secretblocks.checks.events import report_check
from prefect_secretblocks.checks.github import GITHUB_API_URL
from prefect_secretblocks.checks.result import CredentialCheck

if TYPE_CHECKING:
    from prefect_github import GitHubCredentials

# GitHub's documented token formats: classic/OAuth/user/server/refresh tokens with a
# three-letter prefix, fine-grained personal access tokens, and pre-2021 40-hex tokens.
GITHUB_TOKEN_PATTERN = re.compile(r"(gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244}|[0-9a-fA-F]{40})")
ACCEPTED_TOKEN_FORMATS = "ghp_, gho_, ghu_, ghs_, ghr_, github_pat_ or a legacy 40-character hex token"


def is_github_token(value: object) -> bool:
    """Whether `value` has the shape of a GitHub token (used by the migration too)."""
    return isinstance(value, str) and GITHUB_TOKEN_PATTERN.fullmatch(value) is not None


class GitHubToken(SecretBlockMixin, CredentialsBlock):
    """
    A GitHub personal access token, the Prefect 2/3 home of 1.x's `GITHUB_ACCESS_TOKEN` secret.

    Pass it as `credentials=` to `GitRepository` (or `flow.from_source`) to clone a
    private repository, or reference it from a `prefect.yaml` `git_clone` pull step.

    Attributes:
        token: The GitHub token.
        api_url: The GitHub REST API root: https://api.github.com, or `https://HOST/api/v3` for
            GitHub Enterprise Server. `check()` and `get_client()` call it.

    Examples:
        Load the token and clone a private repository in a deployment:
        ```python
        from prefect import flow
        from prefect.runner.storage import GitRepository
        from prefect_secretblocks import GitHubToken

        github_token = GitHubToken.load("BLOCK_NAME")
        flow.from_source(
            GitRepository("https://github.com/org/private-repo.git", credentials=github_token),
            entrypoint="flows.py:my_flow",
        )
        ```
    """

    _block_type_name = "GitHub Token"
    _block_type_slug = "github-token"
    _logo_url = http_url(
        "https://cdn.sanity.io/images/3ugk85nk/production/41971cfecfea5f79ff334164f06ecb34d1038dd4-250x250.png"
    )
    _documentation_url = documentation_url("blocks/github")
    _description = "A GitHub personal access token for cloning private repositories and calling the GitHub API."
    _code_example = """
    ```python
    from prefect_secretblocks import GitHubToken

    github_token = GitHubToken.load("BLOCK_NAME")
    token = github_token.get()
    ```
    """

    token: SecretStr = secret_field(
        description=(
            "The token as GitHub shows it once, when you create it (Settings > Developer settings > "
            f"Personal access tokens). Accepted: {ACCEPTED_TOKEN_FORMATS}."
        ),
        examples=["github_pat_<letters, digits and underscores>", "ghp_<36 letters and digits>"],
        form_check=GITHUB_TOKEN_PATTERN.pattern,
    )
    api_url: str = Field(
        default=GITHUB_API_URL,
        title="API URL",
        description=(
            "The GitHub REST API root that check() and get_client() call: https://api.github.com, "
            "or https://HOST/api/v3 for GitHub Enterprise Server."
        ),
    )

    @field_validator("token")
    @classmethod
    def _token_has_a_github_format(cls, token: SecretStr) -> SecretStr:
        if not is_github_token(token.get_secret_value()):
            raise ValueError(f"is not a GitHub token; expected {ACCEPTED_TOKEN_FORMATS}")
        return token

    @field_validator("api_url")
    @classmethod
    def _api_url_is_http(cls, api_url: str) -> str:
        error = http_url_field_error(api_url, "https://api.github.com")
        if error:
            raise ValueError(error)
        return api_url

    @classmethod
    def _expected_value(cls, field: str) -> str:
        if field == "api_url":
            return "an http(s) URL such as https://api.github.com"
        return f"a GitHub token ({ACCEPTED_TOKEN_FORMATS})"

    def get(self) -> str:
        """Return the token, as 1.x's `Secret("GITHUB_ACCESS_TOKEN").get()` did."""
        return self.token.get_secret_value()

    def format_git_credentials(self, url: str) -> str:
        """
        Return `url` with the token embedded, as git needs it to clone over HTTPS.

        This is the protocol Prefect's `GitRepository` calls on its `credentials`.

        Args:
            url: The repository URL, e.g. `https://github.com/org/repo.git`.

        Returns:
            The URL with the token as the user part, e.g. `https://<token>@github.com/...`.
        """
        parsed = urlparse(url)
        host = parsed.netloc.rpartition("@")[2]
        return urlunparse(parsed._replace(netloc=f"{self.get()}@{host}"))

    def get_client(self, base_url: Optional[str] = None) -> httpx.Client:
        """
        Return an `httpx.Client` for the GitHub REST API that sends the token.

        Args:
            base_url: The API root; the block's `api_url` unless given.
        """
        return httpx.Client(
            base_url=base_url or self.api_url,
            headers={"Authorization": f"Bearer {self.get()}", "Accept": "application/vnd.github+json"},
        )

    def to_github_credentials(self) -> GitHubCredentials:
        """Return prefect-github's `GitHubCredentials` holding the same token, for its tasks."""
        from prefect_github import GitHubCredentials

        return GitHubCredentials(token=self.token)

    async def acheck(self, expires_within: Optional[timedelta] = None) -> CredentialCheck:
        """
        Ask GitHub (`api_url`) whether it still accepts the token, without changing anything.

        Calls `GET /rate_limit`, which every kind of token may call and which costs no rate limit.
        A saved block's check emits a Prefect event (`prefect-secretblocks.credential.valid`,
        `.expiring`, `.invalid` or `.unknown`) about its block document.

        Args:
            expires_within: A valid token that expires sooner is reported `expiring` in the event
                (default: 14 days).

        Returns:
            The result, never the token: `valid`, `invalid` (GitHub's reason, such as
            `HTTP 401 Bad credentials`) or `unknown` (GitHub unreachable, rate limited); a classic
            token's `scopes` (`X-OAuth-Scopes`) and the token's `expires_at`
            (`GitHub-Authentication-Token-Expiration`) when GitHub sends them.
        """
        from prefect_secretblocks.checks.github import check_github_token

        return report_check(self, await check_github_token(self.get(), self.api_url), expires_within)

    @async_dispatch(acheck)
    def check(self, expires_within: Optional[timedelta] = None) -> CredentialCheck:
        """Ask GitHub whether it still accepts the token (awaitable in async code): see `acheck`."""
        return run_coro_as_sync(self.acheck(expires_within))
