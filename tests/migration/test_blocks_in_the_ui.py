"""Migrated blocks as the Prefect UI reads them, on either Prefect major: each listed under its
block type, with a schema of that type that names the secret fields (the UI renders the document
with it), and the values masked."""

from __future__ import annotations

from prefect.client.orchestration import get_client

from prefect_secretblocks._compat import model_json
from prefect_secretblocks.migration import MigrationOptions, Result, V1Secret, run_migration
from tests import canaries
from tests.canaries import assert_no_leak

SECRETS = [
    V1Secret("GITHUB_ACCESS_TOKEN", canaries.GITHUB_TOKEN, ("config.toml",)),
    V1Secret("SLACK_WEBHOOK_URL", canaries.SLACK_URL, ("config.toml",)),
    V1Secret("TWITTER_API_CREDENTIALS", dict(canaries.TWITTER), ("config.toml",)),
    # The access key id is not a secret field of prefect-aws's AwsCredentials: no canary there.
    V1Secret(
        "AWS_CREDENTIALS", {"ACCESS_KEY": "AKIAFAKEUITEST", "SECRET_ACCESS_KEY": canaries.AWS_SECRET}, ("config.toml",)
    ),
    V1Secret("DB_PASSWORD", canaries.GENERIC, ("config.toml",)),
]
SECRET_FIELDS = {
    "github-token": {"token"},
    "slack-webhook-url": {"url"},
    "twitter-api-credentials": {"api_key", "api_secret", "access_token", "access_token_secret", "bearer_token"},
    "aws-credentials": {"aws_secret_access_key"},
    "secret": {"value"},
}


async def test_migrated_blocks_have_their_type_a_schema_naming_the_secret_fields_and_masked_values() -> None:
    _, report = await run_migration(SECRETS, MigrationOptions(prefix="ui-"))
    assert report is not None and {outcome.result for outcome in report.outcomes} == {Result.CREATED}
    async with get_client() as client:
        for outcome in report.outcomes:
            slug, name = outcome.entry.block_type, outcome.entry.block_name
            document = await client.read_block_document_by_name(name, slug, include_secrets=False)
            block_type = await client.read_block_type_by_slug(slug)
            schema = document.block_schema
            listed = await client.read_block_documents_by_type(slug, include_secrets=False)
            assert name in {listed_document.name for listed_document in listed} and not document.is_anonymous
            assert schema is not None and document.block_type_id == schema.block_type_id == block_type.id, slug
            assert set(schema.fields["secret_fields"]) == SECRET_FIELDS[slug]
            shown = {
                field: document.data[field] for field in SECRET_FIELDS[slug] if document.data.get(field) is not None
            }
            assert shown and all(set(str(value)) == {"*"} for value in shown.values()), slug
            assert_no_leak(model_json(document), f"the API read of {slug}")
