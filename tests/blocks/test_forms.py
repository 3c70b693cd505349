"""The blocks' forms in Prefect's UI: the block schemas the server holds once the types are
registered (what `prefect block register` sends), on either Prefect major.

Prefect's UI renders each property of a block schema as a form input, and before saving it asks
the server's `/ui/schemas/validate` (the same JSON schema check) whether the values fit.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL

from prefect_secretblocks import GitHubToken, SlackWebhookURL, TwitterCredentials
from prefect_secretblocks._compat import aregister_block_type, block_schema_checksum
from prefect_secretblocks.blocks.github import is_github_token
from tests import canaries

BLOCK_CLASSES = {
    block_class.get_block_type_slug(): block_class for block_class in (GitHubToken, SlackWebhookURL, TwitterCredentials)
}


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
