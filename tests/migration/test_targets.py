"""The name -> block type mapping, block-name slugging and the JSON form of 1.x values."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from prefect_secretblocks.exceptions import BadInputError
from prefect_secretblocks.migration.targets import (
    BLOCK_TARGETS,
    UnsupportedValue,
    block_name_for,
    canonical_json,
    target_for,
    to_json_value,
)

GITHUB_TOKEN = "ghp_" + "fakeTargets1" * 3
SLACK_URL = "https://hooks.slack.com/services/TFAKE0001/BFAKE0001/fakeTargetsPath"
TWITTER = {"api_key": "fake-a", "api_secret": "fake-b", "access_token": "fake-c", "access_token_secret": "fake-d"}
AWS = {"ACCESS_KEY": "AKIAFAKE", "SECRET_ACCESS_KEY": "fake-secret"}


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("GITHUB_ACCESS_TOKEN", "github-token"),
        ("SLACK_WEBHOOK_URL", "slack-webhook-url"),
        ("TWITTER_API_CREDENTIALS", "twitter-api-credentials"),
        ("AWS_CREDENTIALS", "aws-credentials"),
        ("GITLAB_ACCESS_TOKEN", "secret"),
    ],
)
def test_well_known_names_map_to_their_block_type(name: str, slug: str) -> None:
    assert target_for(name, "fake").slug == slug


@pytest.mark.parametrize(
    ("value", "slug"),
    [
        (GITHUB_TOKEN, "github-token"),
        (SLACK_URL, "slack-webhook-url"),
        (TWITTER, "twitter-api-credentials"),
        (AWS, "aws-credentials"),
        ({**AWS, "SESSION_TOKEN": "fake-session"}, "aws-credentials"),
        ({**AWS, "REGION": "eu-west-1"}, "secret"),
        ("https://example.com/services/x", "secret"),
        ({"api_key": "only-one"}, "secret"),
    ],
)
def test_other_names_map_by_unmistakable_value_shape(value: Any, slug: str) -> None:
    assert target_for("SOME_OTHER_NAME", value).slug == slug


def test_an_override_wins_and_an_unknown_one_lists_the_slugs() -> None:
    assert target_for("GITHUB_ACCESS_TOKEN", GITHUB_TOKEN, "secret").slug == "secret"
    with pytest.raises(BadInputError, match="unknown block type; choose one of github-token, .*secret"):
        target_for("X", "fake", "vault")


@pytest.mark.parametrize(
    ("secret_name", "block_name"),
    [
        ("GITHUB_ACCESS_TOKEN", "github-access-token"),
        ("my.secret name", "my-secret-name"),
        ("__weird__--name__", "weird-name"),
        ("Ünïcode+Näme!", "ncodenme"),
        ("!!!", ""),
    ],
)
def test_block_names_are_slugged(secret_name: str, block_name: str) -> None:
    assert block_name_for(secret_name) == block_name


def test_the_prefix_is_part_of_the_slug() -> None:
    assert block_name_for("DB_PASSWORD", prefix="Legacy_") == "legacy-db-password"


@given(st.text(max_size=40), st.text(max_size=10))
def test_slugging_is_idempotent_and_always_valid(name: str, prefix: str) -> None:
    slug = block_name_for(name, prefix)
    assert block_name_for(slug) == slug
    assert re.fullmatch(r"([a-z0-9]+(-[a-z0-9]+)*)?", slug)


@pytest.mark.parametrize(
    ("value", "expected", "changed"),
    [
        ((1, 2), [1, 2], True),
        ([(1,), {"k": (2, 3)}], [[1], {"k": [2, 3]}], True),
        ({"a": [1, "x", None, True, 2.5]}, {"a": [1, "x", None, True, 2.5]}, False),
    ],
)
def test_to_json_value_turns_tuples_into_lists(value: Any, expected: Any, changed: bool) -> None:
    assert to_json_value(value) == (expected, changed)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ({1, 2}, "set"),
        (b"raw", "bytes"),
        (1j, "complex"),
        (datetime.datetime(2020, 1, 1), "datetime"),
        (..., "ellipsis"),
        ({1: "a"}, "non-string keys"),
        (float("inf"), "inf"),
        ([float("nan")], "nan"),
    ],
)
def test_values_json_cannot_hold_are_unsupported_with_the_reason(value: Any, reason: str) -> None:
    with pytest.raises(UnsupportedValue, match=reason):
        to_json_value(value)


def test_canonical_json_tells_1_from_true_and_from_1_0() -> None:
    assert len({canonical_json(1), canonical_json(True), canonical_json(1.0)}) == 3


@pytest.mark.parametrize(
    ("slug", "value"),
    [
        ("github-token", GITHUB_TOKEN),
        ("slack-webhook-url", SLACK_URL),
        ("twitter-api-credentials", TWITTER),
        ("aws-credentials", AWS),
        ("aws-credentials", {**AWS, "SESSION_TOKEN": ""}),
        ("secret", "plain"),
        ("secret", "12"),
        ("secret", '"quoted"'),
        ("secret", "null"),
        ("secret", None),
        ("secret", 5),
        ("secret", {"nested": [1, {"x": None}]}),
    ],
)
def test_each_target_round_trips_the_1x_value_through_json(slug: str, value: Any) -> None:
    target = next(target for target in BLOCK_TARGETS if target.slug == slug)
    block = target.build(value)
    reloaded = type(block).model_validate_json(block.model_dump_json(context={"include_secrets": True}))
    assert canonical_json(target.v1_value(reloaded)) == canonical_json(value)
