"""Twitter (X): the four OAuth 1.0a API credentials 1.x kept as `TWITTER_API_CREDENTIALS`."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Optional

from prefect.blocks.abstract import CredentialsBlock

from prefect_secretblocks._compat import Field, SecretStr, async_dispatch, field_validator, http_url, run_coro_as_sync
from prefect_secretblocks.blocks._shared import (
    SecretBlockMixin,
    documentation_url,
    http_url_field_error,
    secret_field,
)
from prefect_secretblocks.checks.events import report_check
from prefect_secretblocks.checks.result import CredentialCheck
from prefect_secretblocks.checks.twitter import TWITTER_API_URL
from prefect_secretblocks.exceptions import MissingExtraError

if TYPE_CHECKING:
    import tweepy

#: The keys of 1.x's `TWITTER_API_CREDENTIALS` dict, which are also this block's fields.
TWITTER_V1_KEYS = ("api_key", "api_secret", "access_token", "access_token_secret")


def is_twitter_credentials(value: object) -> bool:
    """Whether `value` is 1.x's Twitter credentials dict: exactly the four string keys."""
    return (
        isinstance(value, dict)
        and set(value) == set(TWITTER_V1_KEYS)
        and all(isinstance(item, str) for item in value.values())
    )


class TwitterCredentials(SecretBlockMixin, CredentialsBlock):
    """
    Twitter (X) API credentials, the Prefect 2/3 home of 1.x's `TWITTER_API_CREDENTIALS` secret.

    Attributes:
        api_key: The app's API key (consumer key).
        api_secret: The app's API key secret (consumer secret).
        access_token: The user's access token.
        access_token_secret: The user's access token secret.
        bearer_token: An optional app-only bearer token for API v2.
        api_url: The API root `check()` calls (https://api.twitter.com); tweepy's client always
            calls Twitter's own.

    Examples:
        Post a tweet from a flow (needs `pip install "prefect-secretblocks[twitter]"`):
        ```python
        from prefect_secretblocks import TwitterCredentials

        client = TwitterCredentials.load("BLOCK_NAME").get_client()
        client.create_tweet(text="Nightly load finished")
        ```
    """

    _block_type_name = "Twitter API Credentials"
    _block_type_slug = "twitter-api-credentials"
    _logo_url = http_url("https://abs.twimg.com/responsive-web/client-web/icon-ios.77d25eba.png")
    _documentation_url = documentation_url("blocks/twitter")
    _description = "Twitter (X) API keys and access tokens for posting and reading through the Twitter API."
    _code_example = """
    ```python
    from prefect_secretblocks import TwitterCredentials

    twitter_credentials = TwitterCredentials.load("BLOCK_NAME")
    credentials = twitter_credentials.get()
    ```
    """

    api_key: SecretStr = secret_field(
        description="The app's API key (consumer key), from the app's Keys and tokens page in the X developer portal."
    )
    api_secret: SecretStr = secret_field(description="The app's API key secret (consumer secret), shown with the key.")
    access_token: SecretStr = secret_field(
        description="The access token of the account the app acts for (Keys and tokens: Access token and secret)."
    )
    access_token_secret: SecretStr = secret_field(description="The access token's secret, shown with the token.")
    bearer_token: Optional[SecretStr] = secret_field(
        default=None,
        description=(
            "Optional: the app's bearer token, for API v2 calls made as the app rather than as the account. "
            "Leave it empty if you only use the four keys above."
        ),
    )
    api_url: str = Field(
        default=TWITTER_API_URL,
        title="API URL",
        description="The Twitter API root that check() calls: https://api.twitter.com, or a gateway standing in for it.",
    )

    @field_validator("api_url")
    @classmethod
    def _api_url_is_http(cls, api_url: str) -> str:
        error = http_url_field_error(api_url, TWITTER_API_URL)
        if error:
            raise ValueError(error)
        return api_url

    @classmethod
    def _expected_value(cls, field: str) -> str:
        return f"an http(s) URL such as {TWITTER_API_URL}" if field == "api_url" else "a text value"

    def get(self) -> dict[str, str]:
        """Return the credentials in 1.x's `TWITTER_API_CREDENTIALS` shape (without `bearer_token`)."""
        return {key: getattr(self, key).get_secret_value() for key in TWITTER_V1_KEYS}

    def get_client(self) -> tweepy.Client:
        """
        Return an authenticated `tweepy.Client` for the Twitter API v2.

        Raises:
            MissingExtraError: tweepy is not installed; install the `twitter` extra.
        """
        try:
            import tweepy
        except ImportError:
            raise MissingExtraError(
                'TwitterCredentials.get_client() needs tweepy: pip install "prefect-secretblocks[twitter]"'
            ) from None
        return tweepy.Client(
            bearer_token=self.bearer_token.get_secret_value() if self.bearer_token else None,
            consumer_key=self.api_key.get_secret_value(),
            consumer_secret=self.api_secret.get_secret_value(),
            access_token=self.access_token.get_secret_value(),
            access_token_secret=self.access_token_secret.get_secret_value(),
        )

    async def acheck(self, expires_within: Optional[timedelta] = None) -> CredentialCheck:
        """
        Ask the Twitter API (`api_url`) whether it still accepts the keys, without posting.

        The four keys sign `GET /2/users/me` (OAuth 1.0a); a `bearer_token`, when set, then reads
        the same user (`GET /2/users/:id`, app-only). Needs tweepy's oauthlib (the `twitter` extra).
        A saved block's check emits a Prefect event (`prefect-secretblocks.credential.valid`,
        `.invalid` or `.unknown`) about its block document.

        Args:
            expires_within: Unused: Twitter keys do not expire. The same signature as the other blocks'.

        Returns:
            The result, never a key: `valid` with the account's `@username` as `identity`, `invalid`
            (`HTTP 401 Unauthorized`; `bearer_token: ...` when only the bearer token is refused) or
            `unknown` (unreachable, rate limited).

        Raises:
            MissingExtraError: tweepy is not installed; install the `twitter` extra.
        """
        from prefect_secretblocks.checks.twitter import check_twitter_credentials

        bearer = self.bearer_token.get_secret_value() if self.bearer_token else None
        return report_check(self, await check_twitter_credentials(self.get(), bearer, self.api_url), expires_within)

    @async_dispatch(acheck)
    def check(self, expires_within: Optional[timedelta] = None) -> CredentialCheck:
        """Ask the Twitter API whether it still accepts the keys, posting nothing (awaitable in async code): see `acheck`."""
        return run_coro_as_sync(self.acheck(expires_within))
