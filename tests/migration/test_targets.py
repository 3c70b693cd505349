"""The name -> block type mapping, block-name slugging and the JSON form of 1.x values."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prefect.blocks.system import Secret

from prefect_secretblocks._compat import ValidationError, block_data, core_secret_get, validate_model
from prefect_secretblocks.exceptions import UnknownBlockType
from prefect_secretblocks.migration.targets import (
    BLOCK_TARGETS,
    TARGETS_BY_SLUG,
    BlockTarget,
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
        ("GCP_CREDENTIALS", "gcp-credentials"),
        ("GITLAB_ACCESS_TOKEN", "gitlab-credentials"),
        ("BITBUCKET_ACCESS_TOKEN", "bitbucket-credentials"),
        ("AZURE_STORAGE_CONNECTION_STRING", "azure-blob-storage-credentials"),
        ("AZ_CONNECTION_STRING", "azure-blob-storage-credentials"),
        ("EMAIL_USERNAME", "email-server-credentials"),
        ("EMAIL_PASSWORD", "email-server-credentials"),
        ("DB_PASSWORD", "secret"),
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
    with pytest.raises(UnknownBlockType) as caught:
        target_for("X", "fake", "vault")
    assert caught.value.known == tuple(TARGETS_BY_SLUG) and caught.value.known[-1] == "secret"


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


@settings(max_examples=100, deadline=None)
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
    reloaded = validate_model(type(block), block_data(block, include_secrets=True))
    assert canonical_json(target.v1_value(reloaded)) == canonical_json(value)


# --- target_for: more of the mapping, one rule per test --------------------------------------


def target_named(slug: str) -> BlockTarget:
    return TARGETS_BY_SLUG[slug]


def test_well_known_name_wins_over_the_value_shape() -> None:
    # The planner then reports the wrong shape (see test_plan.py); the name decides the type.
    assert target_for("GITHUB_ACCESS_TOKEN", "fake-not-a-token").slug == "github-token"


@pytest.mark.parametrize(
    "token",
    [
        "ghp_" + "fakeTok" * 6,
        "gho_" + "A1" * 18,
        "github_pat_" + "fake_Token_" * 3,
        "0123456789abcdefABCDEF0123456789abcdef01",
    ],
    ids=["ghp", "gho", "github-pat", "legacy-40-hex"],
)
def test_any_github_token_format_maps_to_github_token(token: str) -> None:
    assert target_for("SOME_TOKEN", token).slug == "github-token"


def test_slack_gov_hook_url_maps_to_slack_webhook_url() -> None:
    assert target_for("HOOK", "https://hooks.slack-gov.com/services/TFAKE/BFAKE/fakePath").slug == "slack-webhook-url"


def test_twitter_dict_with_an_extra_key_falls_back_to_secret() -> None:
    assert target_for("TW", {**TWITTER, "bearer_token": "fake-e"}).slug == "secret"


def test_twitter_dict_with_a_non_string_value_falls_back_to_secret() -> None:
    assert target_for("TW", {**TWITTER, "api_key": 12345}).slug == "secret"


def test_aws_dict_without_secret_access_key_falls_back_to_secret() -> None:
    assert target_for("CREDS", {"ACCESS_KEY": "AKIAFAKE"}).slug == "secret"


def test_aws_dict_with_a_non_string_value_falls_back_to_secret() -> None:
    assert target_for("CREDS", {**AWS, "SESSION_TOKEN": None}).slug == "secret"


@pytest.mark.parametrize(
    "value",
    ["fake-plain", "", 12, 1.5, True, None, [GITHUB_TOKEN], {"token": GITHUB_TOKEN}, "ghp_short"],
    ids=["text", "empty", "int", "float", "bool", "none", "list", "dict", "short-ghp"],
)
def test_values_without_an_unmistakable_shape_fall_back_to_secret(value: Any) -> None:
    assert target_for("SOME_NAME", value).slug == "secret"


@pytest.mark.parametrize("slug", [target.slug for target in BLOCK_TARGETS])
def test_every_slug_is_a_valid_override(slug: str) -> None:
    assert target_for("ANY", "fake", slug).slug == slug


def test_unknown_override_carries_the_secret_and_slug_but_no_flag() -> None:
    with pytest.raises(UnknownBlockType) as caught:
        target_for("MY_SECRET", "fake", "vault")
    assert (caught.value.secret, caught.value.slug) == ("MY_SECRET", "vault")
    assert "--map" not in str(caught.value)


# --- block_name_for: one rule per test ----------------------------------------------------


def test_block_name_is_lowercase() -> None:
    assert block_name_for("MixedCase") == "mixedcase"


@pytest.mark.parametrize("separator", ["_", ".", " "])
def test_underscore_dot_and_space_become_dashes(separator: str) -> None:
    assert block_name_for(f"db{separator}password") == "db-password"


def test_characters_prefect_does_not_allow_are_dropped() -> None:
    assert block_name_for("db:pass@host/1+x") == "dbpasshost1x"


def test_digits_and_dashes_are_kept() -> None:
    assert block_name_for("api-key-2") == "api-key-2"


def test_runs_of_dashes_collapse() -> None:
    assert block_name_for("a__b..c  d--e") == "a-b-c-d-e"


def test_leading_and_trailing_dashes_are_trimmed() -> None:
    assert block_name_for("_.-secret-._") == "secret"


def test_non_ascii_letters_are_dropped() -> None:
    assert block_name_for("pässwörd_ключ") == "psswrd"


def test_block_name_may_be_empty() -> None:
    assert block_name_for("ключ") == ""


def test_prefix_separator_joins_without_a_double_dash() -> None:
    assert block_name_for("_TOKEN", prefix="v1-") == "v1-token"


_SLUG = re.compile(r"^[a-z0-9-]*$")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ09_-. :/é\u00df\u0130\u212a"), max_size=40), st.text(max_size=10))
def test_slug_has_only_lowercase_digits_and_single_inner_dashes(name: str, prefix: str) -> None:
    slug = block_name_for(name, prefix)
    assert _SLUG.match(slug), slug
    assert not slug.startswith("-") and not slug.endswith("-") and "--" not in slug


@settings(max_examples=100, deadline=None)
@given(st.from_regex(r"[a-z0-9]+(-[a-z0-9]+)*", fullmatch=True))
def test_a_name_that_is_already_a_slug_is_kept(name: str) -> None:
    assert block_name_for(name) == name


# --- to_json_value ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["fake", 0, -3, 2.5, True, False, None, [], {}], ids=repr)
def test_json_values_are_kept_unchanged(value: Any) -> None:
    result, changed = to_json_value(value)
    assert canonical_json(result) == canonical_json(value) and changed is False


def test_a_tuple_becomes_a_list_and_is_marked_changed() -> None:
    assert to_json_value((1, "fake")) == ([1, "fake"], True)


def test_a_tuple_nested_in_a_dict_marks_the_whole_value_changed() -> None:
    assert to_json_value({"outer": {"inner": (1,)}}) == ({"outer": {"inner": [1]}}, True)


def test_an_unsupported_value_nested_deeply_is_still_found() -> None:
    with pytest.raises(UnsupportedValue, match="set"):
        to_json_value({"a": [1, {"b": (2, {3})}]})


def test_non_string_keys_nested_in_a_list_are_unsupported() -> None:
    with pytest.raises(UnsupportedValue, match="non-string keys"):
        to_json_value([{"ok": 1}, {(1, 2): "fake"}])


@pytest.mark.parametrize(
    ("value", "type_name"),
    [(frozenset({1}), "frozenset"), (datetime.date(2020, 1, 2), "date"), (object(), "object")],
)
def test_unsupported_value_message_names_the_python_type(value: Any, type_name: str) -> None:
    with pytest.raises(UnsupportedValue, match=f"holds a Python {type_name},"):
        to_json_value(value)


def test_negative_infinity_is_unsupported() -> None:
    with pytest.raises(UnsupportedValue, match="-inf"):
        to_json_value(float("-inf"))


# --- build / v1_value round trips -------------------------------------------------------


def through_json(block: Any) -> Any:
    """The block as Prefect saves and loads it: pydantic JSON with the secrets included."""
    return validate_model(type(block), block_data(block, include_secrets=True))


def test_aws_credentials_with_a_session_token_round_trip() -> None:
    value = {**AWS, "SESSION_TOKEN": "fake-session-token"}
    aws = target_named("aws-credentials")
    assert canonical_json(aws.v1_value(through_json(aws.build(value)))) == canonical_json(value)


def test_aws_credentials_without_a_session_token_come_back_without_the_key() -> None:
    aws = target_named("aws-credentials")
    assert "SESSION_TOKEN" not in aws.v1_value(through_json(aws.build(AWS)))


@pytest.mark.parametrize(
    "text",
    ["12", '"x"', "null", "true", "false", "NaN", "-Infinity", " 7 ", "[1]", '{"a": 1}', "", "fake-canary"],
    ids=repr,
)
def test_secret_string_that_would_json_decode_comes_back_as_the_same_string(text: str) -> None:
    secret = target_named("secret")
    reloaded = validate_model(Secret, block_data(secret.build(text), include_secrets=True))
    assert core_secret_get(reloaded) == text and isinstance(core_secret_get(reloaded), str)


@pytest.mark.parametrize("value", [0, 12, -1.5, True, False, [1, "fake", None], {"k": {"n": [True]}}], ids=repr)
def test_secret_json_value_comes_back_with_its_type(value: Any) -> None:
    secret = target_named("secret")
    reloaded = through_json(secret.build(value))
    assert canonical_json(secret.v1_value(reloaded)) == canonical_json(value)


def test_secret_none_comes_back_as_none() -> None:
    secret = target_named("secret")
    assert secret.v1_value(through_json(secret.build(None))) is None


def test_secret_string_of_more_than_4300_digits_comes_back_unchanged() -> None:
    text = "9" * 5000
    secret = target_named("secret")
    assert secret.v1_value(through_json(secret.build(text))) == text


def test_secret_string_of_deeply_nested_brackets_comes_back_unchanged() -> None:
    text = "[" * 2000
    secret = target_named("secret")
    assert secret.v1_value(through_json(secret.build(text))) == text


@pytest.mark.parametrize("slug", ["github-token", "slack-webhook-url", "twitter-api-credentials", "aws-credentials"])
def test_typed_target_refuses_a_value_of_another_shape(slug: str) -> None:
    with pytest.raises((ValueError, ValidationError)):
        target_named(slug).build(12345)
