"""Distinctive fake secret values and the leak check every no-leak test uses."""

from __future__ import annotations

from collections.abc import Iterable

# Each canary's distinctive part: the check looks for any 8-character slice of it, so a
# value cut, wrapped or partly masked still counts as leaked. Parts like `https://hooks...`
# that also appear in help texts are kept out of the distinctive part on purpose.
GITHUB_TOKEN = "ghp_CanaryGhTok8x9Qz7Wv6Ut5Sr4Pq3No2Mm1L"
SLACK_PATH = "TCANARY7Q/BCANARY7Q/canarySlackHookZx81Vw62Ut"
SLACK_URL = f"https://hooks.slack.com/services/{SLACK_PATH}"
TWITTER = {
    "api_key": "canaryTwApiKey-93jf83kdm",
    "api_secret": "canaryTwApiSecret-kd83jd92m",
    "access_token": "canaryTwAccessTok-jd82kd01p",
    "access_token_secret": "canaryTwAccessSec-kq71md83n",
}
TWITTER_BEARER = "canaryTwBearer-md72kd91q"
AWS_ACCESS_KEY = "AKIACANARYQ7W8E9R0T1"
AWS_SECRET = "canaryAwsSecret/kd8+2md7Q"
GENERIC = "canary-generic-pw-8d7f6g5h"

DISTINCTIVE = (
    GITHUB_TOKEN,
    SLACK_PATH,
    *TWITTER.values(),
    TWITTER_BEARER,
    AWS_ACCESS_KEY,
    AWS_SECRET,
    GENERIC,
)


def leaks(text: str, canaries: Iterable[str] = DISTINCTIVE) -> list[str]:
    """The canaries of which `text` contains the whole value or any 8-character slice."""
    found = []
    for canary in canaries:
        if any(canary[start : start + 8] in text for start in range(len(canary) - 7)):
            found.append(canary)
    return found


def assert_no_leak(text: str, where: str, canaries: Iterable[str] = DISTINCTIVE) -> None:
    leaked = leaks(text, canaries)
    assert not leaked, f"{len(leaked)} canary value(s) leaked into {where}"
