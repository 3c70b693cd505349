"""GitHub: a personal access token for cloning private repositories and calling the API."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlparse, urlunparse

import httpx
from prefect.blocks.abstract import CredentialsBlock

from prefect_secretblocks._compat import SecretStr, field_validator
from prefect_secretblocks.blocks._shared import (
    SecretBlockMixin,
    documentation_url,
    secret_field,
)

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
    _logo_url = "https://cdn.sanity.io/images/3ugk85nk/production/41971cfecfea5f79ff334164f06ecb34d1038dd4-250x250.png"
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

    @field_validator("token")
    @classmethod
    def _token_has_a_github_format(cls, token: SecretStr) -> SecretStr:
        if not is_github_token(token.get_secret_value()):
            raise ValueError(f"is not a GitHub token; expected {ACCEPTED_TOKEN_FORMATS}")
        return token

    @classmethod
    def _expected_value(cls, field: str) -> str:
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

    def get_client(self, base_url: str = "https://api.github.com") -> httpx.Client:
        """
        Return an `httpx.Client` for the GitHub REST API that sends the token.

        Args:
            base_url: The API root; change it for GitHub Enterprise Server.
        """
        return httpx.Client(
            base_url=base_url,
            headers={"Authorization": f"Bearer {self.get()}", "Accept": "application/vnd.github+json"},
        )

    def to_github_credentials(self) -> GitHubCredentials:
        """Return prefect-github's `GitHubCredentials` holding the same token, for its tasks."""
        from prefect_github import GitHubCredentials

        return GitHubCredentials(token=self.token)
