"""Targets in Prefect's integration packages: chosen when installed, a core Secret with a note when not."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from prefect_secretblocks._compat import aload_block, block_data, validate_model
from prefect_secretblocks.cli import describe_bad_input
from prefect_secretblocks.exceptions import IntegrationBroken, IntegrationNotInstalled, ValueDoesNotFit
from prefect_secretblocks.migration import Action, MigrationOptions, Result, V1Secret, plan_migration, run_migration
from prefect_secretblocks.migration.targets import (
    BLOCK_TARGETS,
    TARGETS_BY_SLUG,
    canonical_json,
    target_for,
    unavailable_target_for,
)
from tests.canaries import assert_no_leak
from tests.helpers.cli import run_cli
from tests.migration.integration_values import (
    EMAIL_PASSWORD,
    EMAIL_USERNAME,
    gcp_service_account,
    one_secret_values,
)

INTEGRATION_TARGETS = [target for target in BLOCK_TARGETS if target.integration is not None]
EMAIL_PAIR = {"EMAIL_USERNAME": EMAIL_USERNAME, "EMAIL_PASSWORD": EMAIL_PASSWORD}
_prefixes = itertools.count()


def secret(name: str, value: Any, source: str = "config.toml") -> V1Secret:
    return V1Secret(name=name, value=value, sources=(source,))


def uninstall(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    """Make `import module` fail, as when its package is not installed."""
    monkeypatch.setitem(sys.modules, module, None)


def through_json(block: Any) -> Any:
    return validate_model(type(block), block_data(block, include_secrets=True))


# --- the table --------------------------------------------------------------------------------


@pytest.mark.parametrize("target", INTEGRATION_TARGETS, ids=lambda target: target.slug)
def test_integration_slugs_are_their_block_class_slugs(target: Any) -> None:
    assert target.block_class().get_block_type_slug() == target.slug


@pytest.mark.parametrize(("name", "value"), one_secret_values().items())
def test_each_one_secret_target_round_trips_the_1x_value(name: str, value: Any) -> None:
    target = target_for(name, value)
    assert canonical_json(target.v1_value(through_json(target.build(value)))) == canonical_json(value)


def test_the_email_pair_round_trips_both_1x_values() -> None:
    target = TARGETS_BY_SLUG["email-server-credentials"]
    assert target.v1_value(through_json(target.build(EMAIL_PAIR))) == EMAIL_PAIR


def test_the_email_block_has_email_tasks_server_defaults() -> None:
    block = TARGETS_BY_SLUG["email-server-credentials"].build(EMAIL_PAIR)
    assert (block.smtp_server.value, block.smtp_type.name, block.smtp_port) == ("smtp.gmail.com", "SSL", None)


def test_a_service_account_key_under_another_name_maps_to_gcp_credentials() -> None:
    assert target_for("MY_GCP_KEY", gcp_service_account()).slug == "gcp-credentials"


def test_an_unusable_service_account_key_is_refused_without_quoting_it() -> None:
    broken = {**gcp_service_account(), "private_key": "fake-not-a-key-canary-7Hq2"}
    with pytest.raises(ValueError) as caught:
        TARGETS_BY_SLUG["gcp-credentials"].build(broken)
    assert_no_leak(str(caught.value), "the refusal", ["fake-not-a-key-canary-7Hq2"])


def test_importing_the_targets_imports_no_integration_package() -> None:
    heavy = ("prefect_gcp", "google", "prefect_azure", "azure", "prefect_email", "prefect_gitlab", "gitlab")
    heavy += ("prefect_bitbucket", "atlassian", "prefect_aws", "boto3")
    code = "import sys, prefect_secretblocks.migration.targets, prefect_secretblocks.migration.plan\n"
    code += f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


# --- not installed: a core Secret, and a note naming the package and our extra --------------


@pytest.mark.parametrize(
    ("name", "package", "extra"),
    [
        ("GCP_CREDENTIALS", "prefect-gcp", "gcp"),
        ("GITLAB_ACCESS_TOKEN", "prefect-gitlab", "gitlab"),
        ("BITBUCKET_ACCESS_TOKEN", "prefect-bitbucket", "bitbucket"),
        ("AZURE_STORAGE_CONNECTION_STRING", "prefect-azure", "azure"),
        ("AZ_CONNECTION_STRING", "prefect-azure", "azure"),
    ],
)
def test_without_its_package_a_secret_stays_a_core_secret_with_a_note(
    monkeypatch: pytest.MonkeyPatch, name: str, package: str, extra: str
) -> None:
    uninstall(monkeypatch, package.replace("-", "_"))
    [entry] = plan_migration([secret(name, one_secret_values()[name])]).entries
    assert (entry.block_type, entry.action) == ("secret", Action.CREATE)
    assert f"pip install {package} (or prefect-secretblocks[{extra}])" in entry.note


def test_without_prefect_email_the_pair_stays_two_core_secrets_with_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    uninstall(monkeypatch, "prefect_email")
    plan = plan_migration([secret(name, value) for name, value in EMAIL_PAIR.items()])
    assert [(entry.secret, entry.block_type, entry.block_name) for entry in plan.entries] == [
        ("EMAIL_USERNAME", "secret", "email-username"),
        ("EMAIL_PASSWORD", "secret", "email-password"),
    ]
    assert all("prefect-secretblocks[email]" in entry.note for entry in plan.entries)


def test_the_printed_plan_names_the_extra_with_its_brackets_and_the_right_article(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from rich.console import Console

    from prefect_secretblocks import cli

    uninstall(monkeypatch, "prefect_email")
    monkeypatch.setattr(cli, "stdout", Console(record=True, width=400))
    cli._print_table(plan_migration([secret("EMAIL_USERNAME", EMAIL_USERNAME)]), None, "")
    printed = cli.stdout.export_text()
    assert "so not an email-server-credentials block: pip install prefect-email (or prefect-secretblocks[email])" in (
        printed
    )


def test_unavailable_target_names_what_would_have_been_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    uninstall(monkeypatch, "prefect_gcp")
    assert target_for("GCP_CREDENTIALS").slug == "secret"
    assert unavailable_target_for("GCP_CREDENTIALS").slug == "gcp-credentials"  # type: ignore[union-attr]


def test_mapping_to_a_block_type_whose_package_is_missing_is_bad_input(monkeypatch: pytest.MonkeyPatch) -> None:
    uninstall(monkeypatch, "prefect_gitlab")
    with pytest.raises(IntegrationNotInstalled) as caught:
        plan_migration([secret("TOKEN", "fake")], MigrationOptions(block_types={"TOKEN": "gitlab-credentials"}))
    assert (caught.value.package, caught.value.extra) == ("prefect-gitlab", "gitlab")
    assert describe_bad_input(caught.value).startswith("--map TOKEN=gitlab-credentials: needs prefect-gitlab")


BROKEN_IMPORT = "cannot import name 'ResourceManagementClient' from 'azure.mgmt.resource' (unknown location)"


def break_prefect_azure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An installed prefect-azure that fails to import, as with azure-mgmt-resource 26 on Prefect 2."""
    package = tmp_path / "broken" / "prefect_azure"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f"raise ImportError({BROKEN_IMPORT!r})\n")
    monkeypatch.syspath_prepend(str(package.parent))
    monkeypatch.delitem(sys.modules, "prefect_azure", raising=False)
    return package.parent


def test_an_integration_that_fails_to_import_is_bad_input_naming_the_repair(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    break_prefect_azure(monkeypatch, tmp_path)
    value = one_secret_values()["AZURE_STORAGE_CONNECTION_STRING"]
    with pytest.raises(IntegrationBroken) as caught:
        plan_migration([secret("AZURE_STORAGE_CONNECTION_STRING", value)])
    assert (caught.value.package, caught.value.extra) == ("prefect-azure", "azure")
    assert caught.value.reason == f"ImportError: {BROKEN_IMPORT}"
    assert "pip install 'prefect-secretblocks[azure]'" in str(caught.value)
    assert_no_leak(str(caught.value), "IntegrationBroken", [value])


def test_migrate_with_a_broken_integration_exits_2_with_one_line_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    broken = break_prefect_azure(monkeypatch, tmp_path)
    value = one_secret_values()["AZURE_STORAGE_CONNECTION_STRING"]
    config = tmp_path / "config.toml"
    config.write_text(f"[context.secrets]\nAZURE_STORAGE_CONNECTION_STRING = {json.dumps(value)}\n")
    arguments = ("migrate", "--config", str(config), "--no-env", "--journal", str(tmp_path / "journal.json"))
    result = run_cli(*arguments, env={"PYTHONPATH": str(broken)}, cwd=tmp_path)
    assert result.returncode == 2, result.stderr[-300:]
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "prefect-azure, which is installed but fails to import" in result.stderr
    assert not (tmp_path / "journal.json").exists()
    assert_no_leak(result.stdout + result.stderr, "migrate with a broken prefect-azure", [value])


def test_the_azure_extra_excludes_the_azure_mgmt_resource_that_breaks_prefect_azure() -> None:
    from importlib.metadata import requires

    from packaging.requirements import Requirement

    azure_extra = [Requirement(line) for line in requires("prefect-secretblocks") or [] if 'extra == "azure"' in line]
    guard = next(requirement for requirement in azure_extra if requirement.name == "azure-mgmt-resource")
    assert "24.0.0" in guard.specifier and "26.0.0" not in guard.specifier


@pytest.mark.parametrize("slug", [target.slug for target in INTEGRATION_TARGETS])
def test_every_integration_slug_is_a_valid_map(slug: str) -> None:
    assert target_for("ANY", "fake", slug).slug == slug


def test_a_map_to_secret_is_not_noted_as_a_missing_package(monkeypatch: pytest.MonkeyPatch) -> None:
    uninstall(monkeypatch, "prefect_gcp")
    options = MigrationOptions(block_types={"GCP_CREDENTIALS": "secret"})
    [entry] = plan_migration([secret("GCP_CREDENTIALS", gcp_service_account())], options).entries
    assert entry.note == ""


# --- EMAIL_USERNAME + EMAIL_PASSWORD: one block ------------------------------------------------


def email_secrets() -> list[V1Secret]:
    return [secret("EMAIL_USERNAME", EMAIL_USERNAME, "config.toml"), secret("EMAIL_PASSWORD", EMAIL_PASSWORD, "env")]


def test_the_email_pair_is_one_planned_block_covering_both_secrets() -> None:
    [entry] = plan_migration(email_secrets()).entries
    assert (entry.secret, entry.source) == ("EMAIL_USERNAME + EMAIL_PASSWORD", "config.toml, env")
    assert (entry.block_type, entry.block_name, entry.action) == (
        "email-server-credentials",
        "email-server-credentials",
        Action.CREATE,
    )


def test_the_email_pair_takes_the_prefix_and_a_name_given_to_either_secret() -> None:
    [entry] = plan_migration(email_secrets(), MigrationOptions(prefix="v1-")).entries
    assert entry.block_name == "v1-email-server-credentials"
    [entry] = plan_migration(email_secrets(), MigrationOptions(block_names={"EMAIL_PASSWORD": "mail"})).entries
    assert entry.block_name == "mail"


def test_scan_and_migrate_agree_on_the_email_block_name() -> None:
    assert MigrationOptions().block_name("EMAIL_PASSWORD") == plan_migration(email_secrets()).entries[0].block_name


@pytest.mark.parametrize("present", ["EMAIL_USERNAME", "EMAIL_PASSWORD"])
def test_a_lone_email_secret_stays_a_core_secret_with_a_note(present: str) -> None:
    [entry] = plan_migration([secret(present, "fake-lone")]).entries
    assert (entry.block_type, entry.block_name) == ("secret", present.lower().replace("_", "-"))
    assert "holds EMAIL_USERNAME and EMAIL_PASSWORD together" in entry.note


def test_mapping_one_email_secret_elsewhere_splits_the_pair() -> None:
    options = MigrationOptions(block_types={"EMAIL_USERNAME": "secret"})
    plan = plan_migration(email_secrets(), options)
    assert [(entry.secret, entry.block_type) for entry in plan.entries] == [
        ("EMAIL_USERNAME", "secret"),
        ("EMAIL_PASSWORD", "secret"),
    ]


def test_only_one_email_secret_selected_keeps_it_alone() -> None:
    [entry] = plan_migration(email_secrets(), MigrationOptions(only={"EMAIL_PASSWORD"})).entries
    assert (entry.secret, entry.block_type) == ("EMAIL_PASSWORD", "secret")


def test_a_non_string_email_password_suggests_mapping_both_and_hides_values() -> None:
    with pytest.raises(ValueDoesNotFit) as caught:
        plan_migration([secret("EMAIL_USERNAME", EMAIL_USERNAME), secret("EMAIL_PASSWORD", 12345678)])
    assert caught.value.secret_names == ("EMAIL_USERNAME", "EMAIL_PASSWORD")
    message = describe_bad_input(caught.value)
    assert message.endswith("with --map EMAIL_USERNAME=secret --map EMAIL_PASSWORD=secret")
    assert_no_leak(message, "the plan error", [EMAIL_USERNAME, "12345678"])


def test_the_plan_never_shows_the_integration_values() -> None:
    secrets = [secret(name, value) for name, value in one_secret_values().items()] + email_secrets()
    plan = plan_migration(secrets)
    shown = repr(plan) + str(plan.to_dict())
    key_line = gcp_service_account()["private_key"].splitlines()[5]
    texts = [value for value in one_secret_values().values() if isinstance(value, str)]
    assert_no_leak(shown, "the plan", [*texts, key_line, EMAIL_PASSWORD])


# --- saved, verified and loaded back from the session's Prefect server ------------------------


async def test_migrate_saves_each_integration_block_and_loads_back_the_1x_values() -> None:
    prefix = f"integ{next(_prefixes)}-"
    secrets = [secret(name, value) for name, value in one_secret_values().items()] + email_secrets()
    plan, report = await run_migration(secrets, MigrationOptions(prefix=prefix))
    assert report is not None
    assert [(o.entry.secret, o.error) for o in report.outcomes if o.result is not Result.CREATED] == []
    expected = {**one_secret_values(), "EMAIL_USERNAME + EMAIL_PASSWORD": EMAIL_PAIR}
    for entry in plan.entries:
        target = TARGETS_BY_SLUG[entry.block_type]
        loaded = await aload_block(target.block_class(), entry.block_name)
        assert canonical_json(target.v1_value(loaded)) == canonical_json(expected[entry.secret]), entry.secret
    _, again = await run_migration(secrets, MigrationOptions(prefix=prefix))
    assert again is not None and {outcome.result for outcome in again.outcomes} == {Result.UNCHANGED}


# --- the CLI, from a 1.x config, as a user runs it ------------------------------------------------


def integration_config(tmp_path: Path) -> Path:
    """A 1.x config.toml holding every integration secret; GCP_CREDENTIALS as JSON text, as often kept."""
    values = {**one_secret_values(), **EMAIL_PAIR, "GCP_CREDENTIALS": json.dumps(gcp_service_account())}
    lines = ["[context.secrets]", *(f"{name} = {json.dumps(value)}" for name, value in values.items())]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


def all_integration_canaries() -> list[str]:
    texts = [value for value in one_secret_values().values() if isinstance(value, str)]
    return [*texts, gcp_service_account()["private_key"].splitlines()[5], EMAIL_PASSWORD, EMAIL_USERNAME]


def test_migrate_plans_the_integration_blocks_and_shows_no_value(tmp_path: Path) -> None:
    from prefect.settings import PREFECT_API_URL

    config = integration_config(tmp_path)
    arguments = ("migrate", "--config", str(config), "--no-env", "--dry-run", "--format", "json")
    result = run_cli(*arguments, env={"PREFECT_API_URL": str(PREFECT_API_URL.value())}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-300:]
    planned = {entry["secret"]: entry["block_type"] for entry in json.loads(result.stdout)["plan"]}
    assert planned == {
        "AZURE_STORAGE_CONNECTION_STRING": "azure-blob-storage-credentials",
        "AZ_CONNECTION_STRING": "azure-blob-storage-credentials",
        "BITBUCKET_ACCESS_TOKEN": "bitbucket-credentials",
        "EMAIL_USERNAME + EMAIL_PASSWORD": "email-server-credentials",
        "GCP_CREDENTIALS": "gcp-credentials",
        "GITLAB_ACCESS_TOKEN": "gitlab-credentials",
    }
    assert_no_leak(result.stdout + result.stderr, "migrate --dry-run --format json", all_integration_canaries())
