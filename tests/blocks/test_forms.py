"""The blocks' forms in Prefect's UI: the block schemas the server holds once the types are
registered (what `prefect block register` sends), on either Prefect major.

Prefect's UI renders each property of a block schema as a form input, and before saving it asks
the server's `/ui/schemas/validate` (the same JSON schema check) whether the values fit.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL

from prefect_secretblocks import GitHubToken, SlackWebhookURL, TwitterCredentials
from prefect_secretblocks._compat import PREFECT_2, aregister_block_type, block_schema_checksum
from prefect_secretblocks.blocks._shared import SECRET_MASK
from prefect_secretblocks.blocks.github import GITHUB_TOKEN_PATTERN, is_github_token
from tests import canaries
from tests.blocks.test_github import INVALID_TOKENS, VALID_TOKENS
from tests.helpers.http_recorder import HttpRecorder

BLOCK_CLASSES = {
    block_class.get_block_type_slug(): block_class for block_class in (GitHubToken, SlackWebhookURL, TwitterCredentials)
}


def local_schema(block_class: type) -> dict[str, Any]:
    """The block schema `register` sends, built here: pydantic.v1's `schema()` on Prefect 2."""
    return block_class.schema() if PREFECT_2 else block_class.model_json_schema()  # type: ignore[attr-defined]


async def registered_schema(slug: str) -> dict[str, Any]:
    """The block schema the server holds for the type, as the UI reads it."""
    block_class = BLOCK_CLASSES[slug]
    await aregister_block_type(block_class)
    async with get_client() as client:
        block_type = await client.read_block_type_by_slug(slug)
        schema = await client.get_most_recent_block_schema_for_block_type(block_type.id)
    assert schema is not None and schema.checksum == block_schema_checksum(block_class)
    return schema.fields


def form_check(schema: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """What the server's form check (`/ui/schemas/validate`, called by the UI before saving) answers."""
    response = httpx.post(f"{PREFECT_API_URL.value()}/ui/schemas/validate", json={"schema": schema, "values": values})
    response.raise_for_status()
    return response.json()


def without_position(field: dict[str, Any]) -> dict[str, Any]:
    # Prefect 3 numbers the properties in declaration order for the form; Prefect 2 keeps the order.
    return {key: value for key, value in field.items() if key != "position"}


async def test_the_optional_bearer_token_is_one_optional_password_property() -> None:
    schema = await registered_schema("twitter-api-credentials")
    field = without_position(schema["properties"]["bearer_token"])
    assert field.pop("description").startswith("Optional: the app's bearer token")
    assert field == {"title": "Bearer Token", "type": "string", "format": "password", "writeOnly": True}
    assert "bearer_token" not in schema["required"] and "bearer_token" in schema["secret_fields"]


@pytest.mark.parametrize("slug", BLOCK_CLASSES)
async def test_every_secret_field_is_a_write_only_password_string_with_a_title_and_description(slug: str) -> None:
    schema = await registered_schema(slug)
    for name in schema["secret_fields"]:
        field = schema["properties"][name]
        assert (field["type"], field["format"], field["writeOnly"]) == ("string", "password", True), name
        assert field["title"] and len(field["description"]) > 20, name
        assert "anyOf" not in field and "default" not in field, name


async def test_the_form_check_accepts_twitter_credentials_without_a_bearer_token() -> None:
    schema = await registered_schema("twitter-api-credentials")
    assert form_check(schema, dict(canaries.TWITTER)) == {"errors": [], "valid": True}


async def test_the_form_check_accepts_a_bearer_token() -> None:
    schema = await registered_schema("twitter-api-credentials")
    values = {**canaries.TWITTER, "bearer_token": canaries.TWITTER_BEARER}
    assert form_check(schema, values) == {"errors": [], "valid": True}


@pytest.mark.parametrize("slug", BLOCK_CLASSES)
async def test_every_example_is_visibly_a_placeholder(slug: str) -> None:
    # `<...>` is part of no real token or webhook URL, and no secret scanner matches it.
    schema = await registered_schema(slug)
    examples = [example for field in schema["properties"].values() for example in field.get("examples", [])]
    assert all("<" in example and ">" in example for example in examples), examples
    assert not any(is_github_token(example) for example in examples)


# --- checks the UI makes before saving (JSON schema `pattern`) -------------------------------


def fits_the_form(block_class: type, field: str, value: str) -> bool:
    # Draft 2020-12 with Python's `re`, as Prefect's form check validates.
    return Draft202012Validator(local_schema(block_class)["properties"][field]).is_valid(value)


@pytest.mark.parametrize("slug", BLOCK_CLASSES)
async def test_the_token_and_the_url_carry_a_form_check_and_the_twitter_keys_none(slug: str) -> None:
    schema = await registered_schema(slug)
    checked = {name for name, field in schema["properties"].items() if "pattern" in field}
    assert checked == {"github-token": {"token"}, "slack-webhook-url": {"url"}}.get(slug, set())


async def test_the_form_check_accepts_each_github_token_format_and_the_mask_an_edit_posts_back() -> None:
    schema = await registered_schema("github-token")
    for kind, token in [*VALID_TOKENS.items(), ("mask", SECRET_MASK)]:
        assert form_check(schema, {"token": token}) == {"errors": [], "valid": True}, kind


async def test_the_form_check_refuses_what_the_github_validator_refuses() -> None:
    schema = await registered_schema("github-token")
    for kind, token in INVALID_TOKENS.items():
        answer = form_check(schema, {"token": token})
        assert not answer["valid"] and [error["property"] for error in answer["errors"]] == ["token"], kind


@given(st.from_regex(GITHUB_TOKEN_PATTERN, fullmatch=True) | st.text())
def test_the_github_form_check_never_refuses_a_token_the_validator_accepts(value: str) -> None:
    if is_github_token(value):
        assert fits_the_form(GitHubToken, "token", value)


@given(st.from_regex(local_schema(GitHubToken)["properties"]["token"]["pattern"]) | st.text())
def test_the_github_form_check_takes_nothing_but_tokens_and_the_mask(value: str) -> None:
    # Python's `$` also matches before a final newline, which a form's input cannot hold.
    if fits_the_form(GitHubToken, "token", value):
        assert is_github_token(value.removesuffix("\n")) or value.removesuffix("\n") == SECRET_MASK


async def test_the_form_check_accepts_any_http_url_with_a_host_and_the_mask(slack_stand_in: HttpRecorder) -> None:
    # The loopback stand-in is no Slack host: the block posts to any http(s) webhook, so the form takes it.
    schema = await registered_schema("slack-webhook-url")
    for url in (canaries.SLACK_URL, f"{slack_stand_in.url}/services/{canaries.SLACK_PATH}", SECRET_MASK):
        assert form_check(schema, {"url": url}) == {"errors": [], "valid": True}


@pytest.mark.parametrize("url", ["hooks.slack.com/services/T0/B0/x", "ftp://example.invalid/hook", "https://", "Slack"])
async def test_the_form_check_refuses_what_is_no_http_url(url: str) -> None:
    answer = form_check(await registered_schema("slack-webhook-url"), {"url": url})
    assert not answer["valid"] and [error["property"] for error in answer["errors"]] == ["url"]


@given(st.text(alphabet=st.characters(codec="ascii", exclude_characters="\t\r\n"), min_size=1))
def test_the_slack_form_check_never_refuses_a_lowercase_url_the_validator_accepts(rest: str) -> None:
    for url in (f"https://{rest}", f"http://{rest}"):
        try:
            SlackWebhookURL(url=url)
        except ValueError:
            continue
        assert fits_the_form(SlackWebhookURL, "url", url)
