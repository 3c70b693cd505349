"""SlackWebhookURL: URL validation, masking, notify/anotify against a loopback server, the state hook."""

from __future__ import annotations

import inspect
import logging

import pytest
from prefect import flow, task
from prefect.blocks.notifications import SlackWebhook

from prefect_secretblocks import SlackWebhookURL, slack_notifier
from prefect_secretblocks._compat import ValidationError, model_data, model_json
from prefect_secretblocks.blocks.slack import is_core_slack_webhook_url
from prefect_secretblocks.exceptions import NotificationFailed
from tests.canaries import assert_no_leak
from tests.helpers.http_recorder import HttpRecorder

from .offline_suite import OfflineBlockStandardTestSuite

SECRET_PATH = "TCANARY01/BCANARY01/fakeCanarySlackPathX9"


class TestStandardSuite(OfflineBlockStandardTestSuite):
    @pytest.fixture
    def block(self) -> type[SlackWebhookURL]:
        return SlackWebhookURL


def hook(recorder: HttpRecorder, prefix: str = "") -> SlackWebhookURL:
    return SlackWebhookURL(url=f"{recorder.url}{prefix}/services/{SECRET_PATH}")


@pytest.mark.parametrize("url", ["ftp://" + SECRET_PATH, SECRET_PATH, "https://"])
def test_rejects_a_non_http_url_without_echoing_it(url: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SlackWebhookURL(url=url)
    assert "url" in str(caught.value) and "http(s) URL" in str(caught.value)
    assert_no_leak(str(caught.value), "the validation error", [SECRET_PATH])


def test_repr_and_dumps_mask_the_url() -> None:
    block = SlackWebhookURL(url=f"https://hooks.slack.com/services/{SECRET_PATH}")
    assert_no_leak(f"{block!r}{block!s}{model_data(block)}{model_json(block)}", "repr/dumps", [SECRET_PATH])


def test_notify_posts_slack_json_with_the_subject_in_bold(slack_stand_in: HttpRecorder) -> None:
    hook(slack_stand_in).notify("Nightly load finished", subject="ETL")
    request = slack_stand_in.requests[-1]
    assert request.path == f"/services/{SECRET_PATH}"
    assert request.body == {"text": "*ETL*\nNightly load finished"}


async def test_anotify_posts_the_body_alone_without_subject(slack_stand_in: HttpRecorder) -> None:
    await hook(slack_stand_in).anotify("async hello")
    assert slack_stand_in.requests[-1].body == {"text": "async hello"}


async def test_notify_in_async_code_is_awaitable_like_prefect_notifiers(slack_stand_in: HttpRecorder) -> None:
    pending = hook(slack_stand_in).notify("dispatched")
    assert inspect.isawaitable(pending)
    await pending
    assert slack_stand_in.requests[-1].body == {"text": "dispatched"}


def test_notify_raises_on_non_2xx_without_echoing_the_url(slack_stand_in: HttpRecorder) -> None:
    # The stand-in answers 404 with the request path in its body, as a careless server might.
    with pytest.raises(NotificationFailed) as caught:
        hook(slack_stand_in, "/status/404").notify("hello")
    assert "HTTP 404" in str(caught.value)
    assert_no_leak(str(caught.value) + repr(caught.value), "the notify error", [SECRET_PATH])


def test_notify_raises_when_the_webhook_is_unreachable_without_echoing_the_url() -> None:
    with pytest.raises(NotificationFailed) as caught:
        SlackWebhookURL(url=f"http://127.0.0.1:9/services/{SECRET_PATH}").notify("hello")
    assert "could not be reached" in str(caught.value)
    assert_no_leak(str(caught.value), "the notify error", [SECRET_PATH])


def test_slack_notifier_posts_when_a_flow_fails(slack_stand_in: HttpRecorder) -> None:
    hook(slack_stand_in).save("slack-hook-test", overwrite=True)

    @flow(name="nightly-load", on_failure=[slack_notifier("slack-hook-test")])
    def nightly_load() -> None:
        raise ValueError("boom")

    before = len(slack_stand_in.requests)
    nightly_load(return_state=True)
    texts = [request.body["text"] for request in slack_stand_in.requests[before:]]
    assert len(texts) == 1 and "nightly-load" in texts[0] and "Failed" in texts[0]


def test_slack_notifier_posts_when_a_task_fails(slack_stand_in: HttpRecorder) -> None:
    # Prefect 3 calls hooks positionally, Prefect 2 with keywords (task=, task_run=, state=).
    hook(slack_stand_in).save("slack-hook-task", overwrite=True)

    @task(name="extract", on_failure=[slack_notifier("slack-hook-task")])
    def extract() -> None:
        raise ValueError("boom")

    @flow
    def runs_the_task() -> None:
        extract(return_state=True)

    before = len(slack_stand_in.requests)
    runs_the_task(return_state=True)  # Prefect 2 fails the flow too, from its failed task
    texts = [request.body["text"] for request in slack_stand_in.requests[before:]]
    assert len(texts) == 1 and "Task run `extract" in texts[0] and "is Failed" in texts[0]


def test_slack_notifier_only_states_filters(slack_stand_in: HttpRecorder) -> None:
    hook(slack_stand_in).save("slack-hook-filter", overwrite=True)

    @flow(on_completion=[slack_notifier("slack-hook-filter", only_states={"Failed"})])
    def succeeds() -> None:
        pass

    before = len(slack_stand_in.requests)
    succeeds()
    assert len(slack_stand_in.requests) == before


def test_to_slack_webhook_returns_prefects_core_block_with_the_same_url() -> None:
    url = f"https://hooks.slack.com/services/{SECRET_PATH}"
    core = SlackWebhookURL(url=url).to_slack_webhook()
    assert isinstance(core, SlackWebhook)
    assert core.url.get_secret_value() == url
    assert core.notify_type == "info"  # Prefect 2's default type fails every notification on Apprise 1.13


def test_to_slack_webhook_refuses_a_url_prefects_block_cannot_post_to_without_echoing_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ValueError) as caught:
        SlackWebhookURL(url=f"http://127.0.0.1:9/services/{SECRET_PATH}").to_slack_webhook()
    assert "Slack incoming-webhook URLs" in str(caught.value)
    # Apprise logs a URL it cannot parse in full: the core block must not have been built.
    assert_no_leak(str(caught.value) + caplog.text, "the error and the logs", [SECRET_PATH])


@pytest.mark.parametrize(
    "url",
    [
        f"https://hooks.slack.com/services/{SECRET_PATH}",
        f"https://hooks.slack.com/services/{SECRET_PATH}/",
        f"https://HOOKS.SLACK.COM/services/{SECRET_PATH}",
    ],
)
def test_slack_incoming_webhook_urls_suit_prefects_core_block(url: str) -> None:
    assert is_core_slack_webhook_url(url)


@pytest.mark.prefect3_only(reason="Prefect 3's SlackWebhook posts to Slack GovCloud itself")
def test_slack_gov_urls_suit_prefect_3s_core_block() -> None:
    assert is_core_slack_webhook_url(f"https://hooks.slack-gov.com/services/{SECRET_PATH}")


@pytest.mark.prefect2_only(reason="Prefect 2's SlackWebhook posts through Apprise, whose older releases lack slack-gov")
def test_slack_gov_urls_do_not_suit_prefect_2s_core_block() -> None:
    assert not is_core_slack_webhook_url(f"https://hooks.slack-gov.com/services/{SECRET_PATH}")


@pytest.mark.parametrize(
    "url",
    [
        f"http://hooks.slack.com/services/{SECRET_PATH}",  # Apprise would post it over https anyway
        f"https://hooks.slack.com:8443/services/{SECRET_PATH}",
        f"https://hooks.slack.com:port/services/{SECRET_PATH}",
        f"https://user@hooks.slack.com/services/{SECRET_PATH}",
        f"https://hooks.slack.com/services/{SECRET_PATH}?channel=x",
        "https://hooks.slack.com/services/TCANARY01/BCANARY01",
        "https://hooks.slack.com/workflows/TCANARY01/BCANARY01/x",
        f"https://hooks.slack.com.example/services/{SECRET_PATH}",
        f"http://127.0.0.1:9/services/{SECRET_PATH}",
        None,
    ],
)
def test_other_urls_do_not_suit_prefects_core_block(url: object) -> None:
    assert not is_core_slack_webhook_url(url)
