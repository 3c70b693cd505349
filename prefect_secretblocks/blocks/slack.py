"""Slack: an incoming-webhook URL that posts messages, and a state hook like 1.x's `slack_notifier`."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Collection
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import urlparse

import httpx
from prefect.blocks.abstract import NotificationBlock

from prefect_secretblocks._compat import (
    CORE_SLACK_WEBHOOK_HOSTS,
    SecretStr,
    aload_block,
    async_dispatch,
    field_validator,
    http_url,
    run_coro_as_sync,
    state_hook,
)
from prefect_secretblocks.blocks._shared import (
    SecretBlockMixin,
    documentation_url,
    secret_field,
)
from prefect_secretblocks.checks.events import report_check
from prefect_secretblocks.checks.result import CredentialCheck
from prefect_secretblocks.exceptions import NotificationFailed

if TYPE_CHECKING:
    from prefect.blocks.notifications import SlackWebhook
    from prefect.client.schemas.objects import State

SLACK_HOOKS_URL_PREFIXES = ("https://hooks.slack.com/services/", "https://hooks.slack-gov.com/services/")
_NOTIFY_TIMEOUT_SECONDS = 30.0
#: The Prefect UI's check before saving: a lowercase http(s) scheme and a host (the validator
#: also takes an uppercase scheme, which nobody types).
HTTP_URL_FORM_CHECK = "https?://[^/?#].*"


def is_slack_webhook_url(value: object) -> bool:
    """Whether `value` looks unmistakably like a Slack incoming-webhook URL (used by the migration)."""
    return isinstance(value, str) and value.startswith(SLACK_HOOKS_URL_PREFIXES)


# An incoming-webhook URL as Slack issues it: three alphanumeric tokens (Prefect's own pattern).
_INCOMING_WEBHOOK_PATH = re.compile(r"/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+/?")


def is_core_slack_webhook_url(value: object) -> bool:
    """
    Whether Prefect's core `SlackWebhook` block can post to `value`: a Slack incoming-webhook URL.

    Apprise, which that block posts through, logs a URL it cannot parse in full: such a URL
    must never reach it.
    """
    if not isinstance(value, str):
        return False
    parsed = urlparse(value)
    try:
        port = parsed.port
    except ValueError:  # not a number
        return False
    return (
        parsed.scheme == "https"
        and parsed.hostname in CORE_SLACK_WEBHOOK_HOSTS
        and port is None
        and not (parsed.username or parsed.password or parsed.query or parsed.fragment or parsed.params)
        and _INCOMING_WEBHOOK_PATH.fullmatch(parsed.path) is not None
    )


class SlackWebhookURL(SecretBlockMixin, NotificationBlock):
    """
    A Slack incoming-webhook URL, the Prefect 2/3 home of 1.x's `SLACK_WEBHOOK_URL` secret.

    `notify()` posts a message; it works wherever Prefect expects a notification block.

    Attributes:
        url: The incoming-webhook URL.

    Examples:
        Post a message from a flow:
        ```python
        from prefect import flow
        from prefect_secretblocks import SlackWebhookURL

        @flow
        def report():
            SlackWebhookURL.load("BLOCK_NAME").notify("Nightly load finished")
        ```
    """

    _block_type_name = "Slack Webhook URL"
    _block_type_slug = "slack-webhook-url"
    _logo_url = http_url(
        "https://raw.githubusercontent.com/PrefectHQ/prefect/420d0d6a78bb6df1fc18bcf188fdad43c1d22ea9/assets/block-logos/slack.png"
    )
    _documentation_url = documentation_url("blocks/slack")
    _description = "A Slack incoming-webhook URL that Prefect flows and automations post messages to."
    _code_example = """
    ```python
    from prefect_secretblocks import SlackWebhookURL

    slack_webhook_url = SlackWebhookURL.load("BLOCK_NAME")
    slack_webhook_url.notify("Hello from Prefect!")
    ```
    """

    url: SecretStr = secret_field(
        description=(
            "The incoming-webhook URL Slack shows when you add an incoming webhook to a channel "
            "(https://hooks.slack.com/services/...); any http(s) URL that accepts Slack's JSON payload works."
        ),
        examples=["https://hooks.slack.com/services/<workspace>/<webhook>/<secret>"],
        # Any http(s) URL with a host, as the validator accepts (a relay or a test server too).
        form_check=HTTP_URL_FORM_CHECK,
    )

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, url: SecretStr) -> SecretStr:
        parsed = urlparse(url.get_secret_value())
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ValueError("must be an http(s) URL such as https://hooks.slack.com/services/...")
        return url

    @classmethod
    def _expected_value(cls, field: str) -> str:
        return "an http(s) URL such as https://hooks.slack.com/services/..."

    def get(self) -> str:
        """Return the webhook URL, as 1.x's `Secret("SLACK_WEBHOOK_URL").get()` did."""
        return self.url.get_secret_value()

    async def anotify(self, body: str, subject: Optional[str] = None) -> None:
        """
        Post a message to the webhook.

        Args:
            body: The message text (Slack mrkdwn).
            subject: An optional first line, shown in bold.

        Raises:
            NotificationFailed: The webhook could not be reached or did not answer 2xx.
        """
        try:
            async with httpx.AsyncClient(timeout=_NOTIFY_TIMEOUT_SECONDS) as client:
                response = await client.post(self.get(), json=_slack_payload(body, subject))
        except httpx.HTTPError as exc:
            raise _unreachable(exc) from None
        _raise_unless_delivered(response)

    @async_dispatch(anotify)
    def notify(self, body: str, subject: Optional[str] = None) -> None:  # type: ignore[override]
        """
        Post a message to the webhook (awaitable in async code, like Prefect's own notifiers).

        Args:
            body: The message text (Slack mrkdwn).
            subject: An optional first line, shown in bold.

        Raises:
            NotificationFailed: The webhook could not be reached or did not answer 2xx.
        """
        run_coro_as_sync(self.anotify(body, subject))

    async def acheck(self, expires_within: Optional[timedelta] = None) -> CredentialCheck:
        """
        Ask Slack whether the webhook is still live, without posting a message.

        Posts an empty JSON object (`{}`): a live webhook refuses it (`400 no_text`) and posts
        nothing; a dead one says why (`404 no_service`, `403 invalid_token`, `410
        channel_is_archived`, `403 action_prohibited`...). A saved block's check emits a Prefect
        event (`prefect-secretblocks.credential.valid`, `.invalid` or `.unknown`) about its block
        document.

        Args:
            expires_within: Unused by Slack, whose webhooks do not expire; the same signature as
                the other blocks' `acheck`.

        Returns:
            The result, never the URL: `valid`, `invalid` with Slack's reason, or `unknown`
            (unreachable, rate limited, a server error).
        """
        from prefect_secretblocks.checks.slack import check_slack_webhook

        return report_check(self, await check_slack_webhook(self.get()), expires_within)

    @async_dispatch(acheck)
    def check(self, expires_within: Optional[timedelta] = None) -> CredentialCheck:
        """Ask Slack whether the webhook is still live, posting nothing (awaitable in async code): see `acheck`."""
        return run_coro_as_sync(self.acheck(expires_within))

    def to_slack_webhook(self) -> SlackWebhook:
        """
        Return Prefect's core `SlackWebhook` block with the same URL, for Automations on a server
        without this package (Prefect Cloud): see `core_slack_webhook`.

        Raises:
            ValueError: The URL is not a Slack incoming-webhook URL, which that block cannot post to
                (`is_core_slack_webhook_url`); the message does not show it.
        """
        return core_slack_webhook(self.get())


def core_slack_webhook(url: str) -> SlackWebhook:
    """
    Prefect's core `SlackWebhook` block posting to `url`, with `notify_type="info"`.

    "info" is that block's default on Prefect 3. Prefect 2's default, "prefect_default", is a
    type Prefect 2 adds to Apprise's list, and Apprise 1.13 (what pip installs with Prefect 2.20)
    refuses it: such a block fails every notification without a word in its log.

    Raises:
        ValueError: `url` is not a Slack incoming-webhook URL, which that block cannot post to
            (`is_core_slack_webhook_url`); the message does not show it.
    """
    from prefect.blocks.notifications import SlackWebhook

    if not is_core_slack_webhook_url(url):
        hosts = " or ".join(CORE_SLACK_WEBHOOK_HOSTS)
        raise ValueError(
            f"Prefect's SlackWebhook posts only to Slack incoming-webhook URLs (https://{hosts}/services/...)"
        )
    return SlackWebhook(url=SecretStr(url), notify_type="info")


def _slack_payload(body: str, subject: Optional[str]) -> dict[str, str]:
    return {"text": f"*{subject}*\n{body}" if subject else body}


def _unreachable(exc: httpx.HTTPError) -> NotificationFailed:
    # httpx messages can contain the request URL, which is the secret: name the error type only.
    return NotificationFailed(f"Slack webhook could not be reached ({type(exc).__name__})")


def _raise_unless_delivered(response: httpx.Response) -> None:
    if response.is_success:
        return
    # Slack answers with a short reason such as `no_service` or `invalid_token`.
    reason = response.text.strip().splitlines()[0][:80] if response.text.strip() else response.reason_phrase
    if str(response.request.url) in reason or response.request.url.path in reason:
        reason = response.reason_phrase
    raise NotificationFailed(f"Slack webhook rejected the message: HTTP {response.status_code} {reason}")


def slack_notifier(block_name: str, only_states: Optional[Collection[str]] = None) -> Callable[..., Awaitable[None]]:
    """
    A flow or task state hook that posts state changes to a saved `SlackWebhookURL`, like 1.x's `slack_notifier`.

    Args:
        block_name: The name the `SlackWebhookURL` block was saved under.
        only_states: State names to notify on (e.g. `{"Failed", "Crashed"}`); all states if omitted.

    Examples:
        ```python
        from prefect import flow
        from prefect_secretblocks import slack_notifier

        @flow(on_failure=[slack_notifier("slack-webhook-url")])
        def nightly_load():
            ...
        ```
    """

    async def notify_slack_of_state(obj: Any, run: Any, state: State) -> None:
        if only_states is not None and state.name not in only_states:
            return
        block = await aload_block(SlackWebhookURL, block_name)
        kind = "Task" if hasattr(run, "task_key") else "Flow"
        message = f"{kind} run `{run.name}` of `{obj.name}` is {state.name}"
        if state.message:
            message += f": {state.message}"
        await block.anotify(message, subject=f"Prefect {kind.lower()} run {state.name}")

    return state_hook(notify_slack_of_state)
