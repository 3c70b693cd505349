"""`_compat`: the one place that knows the Prefect version, and every private Prefect name it uses."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest
from prefect.blocks.system import Secret

from prefect_secretblocks import _compat
from prefect_secretblocks._compat import PREFECT_2, PREFECT_VERSION, PRIVATE_PREFECT_NAMES, block_schema_checksum
from prefect_secretblocks._compat.run_hooks import WRAPPED_PREFECT_NAMES


def _resolve(dotted_name: str) -> Any:
    """The object a dotted name names: the longest importable module, then attributes (a class's method)."""
    parts = dotted_name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            found = getattr(found, attribute)
        return found
    raise ImportError(dotted_name)


@pytest.mark.parametrize("dotted_name", PRIVATE_PREFECT_NAMES)
def test_each_private_prefect_name_still_exists(dotted_name: str) -> None:
    try:
        _resolve(dotted_name)
    except (ImportError, AttributeError):
        pytest.fail(f"Prefect {PREFECT_VERSION} no longer has {dotted_name}: add a fallback in _compat")


@pytest.mark.parametrize("dotted_name", WRAPPED_PREFECT_NAMES)
def test_each_name_masking_wraps_exists_and_is_wrapped(dotted_name: str) -> None:
    try:
        wrapped = _resolve(dotted_name)
    except (ImportError, AttributeError):
        pytest.fail(f"Prefect {PREFECT_VERSION} no longer has {dotted_name}: masking cannot hook it")
    # This process imported the package, so masking is on and each name is our wrapper around Prefect's.
    assert callable(getattr(wrapped, "__wrapped__", None)), f"{dotted_name} is not wrapped"


def test_block_schema_checksum_is_the_one_prefect_files_schemas_under() -> None:
    assert block_schema_checksum(Secret).startswith("sha256:")


def test_the_installed_majors_module_is_the_one_re_exported() -> None:
    expected = "prefect_secretblocks._compat.prefect2" if PREFECT_2 else "prefect_secretblocks._compat.prefect3"
    assert _compat.aload_block.__module__ == expected


def test_both_majors_modules_export_the_same_names() -> None:
    # Read as text: the other major's module cannot be imported next to this Prefect.
    def exported(module: str) -> set[str]:
        tree = ast.parse((Path(_compat.__file__).parent / f"{module}.py").read_text())
        assignment = next(
            node
            for node in tree.body
            if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__"
        )
        return set(ast.literal_eval(assignment.value))

    assert exported("prefect2") == exported("prefect3")


def test_prefects_loader_still_holds_the_document_and_validate_where_stored_blocks_reads_them() -> None:
    # _compat/stored_blocks.py finds the saved block being loaded as the `block_document` of
    # `Block._from_block_document`, and `validate` in the method that calls it.
    from prefect.blocks.core import Block

    def local_names(method: str) -> tuple[str, ...]:
        function = vars(Block)[method]
        return inspect.unwrap(getattr(function, "__func__", function)).__code__.co_varnames

    caller = "load" if PREFECT_2 else "_load_from_block_document"
    assert "block_document" in local_names("_from_block_document"), f"Prefect {PREFECT_VERSION}"
    assert "validate" in local_names(caller) and "block_document" in local_names(caller), f"Prefect {PREFECT_VERSION}"


def every_target_block() -> list[Any]:
    """One block of each migration target, with secrets set (and one with an optional secret unset)."""
    from prefect_secretblocks import TwitterCredentials
    from prefect_secretblocks.migration.targets import BLOCK_TARGETS, CORE_SLACK_WEBHOOK_TARGET, target_for
    from tests.canaries import AWS_ACCESS_KEY, AWS_SECRET, GITHUB_TOKEN, SLACK_URL, TWITTER, TWITTER_BEARER
    from tests.migration.integration_values import EMAIL_PASSWORD, EMAIL_USERNAME, one_secret_values

    by_slug = {target.slug: target for target in BLOCK_TARGETS}
    values: list[tuple[str, Any]] = [
        ("github-token", GITHUB_TOKEN),
        ("slack-webhook-url", SLACK_URL),
        ("twitter-api-credentials", TWITTER),
        ("aws-credentials", {"ACCESS_KEY": AWS_ACCESS_KEY, "SECRET_ACCESS_KEY": AWS_SECRET}),
        ("secret", {"nested": [1, {"x": None}]}),
        ("secret", "plain"),
        ("email-server-credentials", {"EMAIL_USERNAME": EMAIL_USERNAME, "EMAIL_PASSWORD": EMAIL_PASSWORD}),
    ]
    blocks = [by_slug[slug].build(value) for slug, value in values]
    blocks.append(TwitterCredentials(**TWITTER, bearer_token=TWITTER_BEARER))
    blocks += [target_for(name, value).build(value) for name, value in one_secret_values().items()]
    return [*blocks, CORE_SLACK_WEBHOOK_TARGET.build(SLACK_URL)]


@pytest.mark.skipif(PREFECT_2, reason="Prefect 3 only: Prefect 2 reveals secrets through its own json encoders")
@pytest.mark.parametrize("block", every_target_block(), ids=lambda block: type(block).__name__)
def test_the_data_saved_with_secrets_is_what_prefects_own_serializer_gives(block: Any) -> None:
    # model_data reveals the fields the schema lists instead of letting Prefect's serializer
    # rebuild the schema for every field: the result must be the same.
    expected = block.model_dump(mode="json", by_alias=True, context={"include_secrets": True})
    assert _compat.model_data(block, mode="json", include_secrets=True) == expected


@pytest.mark.prefect3_only(reason="Prefect 2 serves its embedded API in-process and starts no service there")
def test_the_embedded_server_runs_without_its_background_services_unless_the_user_set_them() -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    user_set = {"server.services.triggers.enabled": True, "server.ephemeral.startup_timeout_seconds": 7}
    with temporary_settings(restore_defaults={PREFECT_API_URL}, updates=user_set):
        with _compat.embedded_api_settings(120) as settings:
            assert settings.server.services.event_persister.enabled is False
            assert settings.server.services.task_run_recorder.enabled is False
            assert settings.server.analytics_enabled is False
            assert settings.server.services.triggers.enabled is True
            assert settings.server.ephemeral.startup_timeout_seconds == 7


@pytest.mark.prefect3_only(reason="Prefect 2 serves its embedded API in-process and starts no service there")
def test_a_command_talking_to_a_server_leaves_the_server_settings_alone() -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        with _compat.embedded_api_settings(120) as settings:
            assert settings.server.services.event_persister.enabled is True
            assert settings.server.ephemeral.startup_timeout_seconds == 120
