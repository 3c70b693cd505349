"""Python sources: 1.x secret reads found through imports, and nothing else."""

from __future__ import annotations

import textwrap

import pytest

from prefect_secretblocks.scan.python_sources import scan_python
from prefect_secretblocks.scan.uses import Kind, SecretUse


def uses(source: str) -> list[SecretUse]:
    return scan_python(textwrap.dedent(source))


def names(source: str) -> list[tuple[Kind, str | None]]:
    return [(use.kind, use.secret) for use in uses(source)]


@pytest.mark.parametrize(
    "source",
    [
        'from prefect.client import Secret\nSecret("X").get()',
        'from prefect.client.secrets import Secret\nSecret("X").get()',
        'from prefect.client import Secret as S\nS("X").get()',
        'import prefect.client as pc\npc.Secret("X").get()',
        'import prefect\nprefect.client.Secret("X").get()',
        'import prefect.client.secrets\nprefect.client.secrets.Secret(name="X").get()',
        'import prefect\nprefect.context.secrets["X"]',
        'from prefect import context\ncontext.secrets.get("X")',
        'import prefect\nprefect.context.get("secrets", {})["X"]',
        'import prefect\nprefect.context.get("secrets", {}).get("X")',
        "import prefect\nprefect.context.secrets.X",
        'from prefect.tasks.secrets import PrefectSecret\nPrefectSecret("X")',
        'from prefect.tasks.secrets.base import PrefectSecret as PS\nPS(name="X")',
    ],
)
def test_a_1x_read_is_found_through_any_import_form(source: str) -> None:
    assert names(source) == [(Kind.READ, "X")]


@pytest.mark.parametrize(
    "source",
    [
        'from prefect.blocks.system import Secret\nSecret.load("x").get()',
        'from prefect.blocks.system import Secret\nSecret(value="x").save("x")',
        'from acme.vault import Secret\nSecret("GITHUB_ACCESS_TOKEN").get()',
        'class Secret:\n    pass\nSecret("GITHUB_ACCESS_TOKEN").get()',
        'from acme.storage import GitHub\nGitHub(repo="a/b")',
        'from prefect.filesystems import GitHub\nGitHub(repository="https://github.com/a/b")',
        'from prefect.filesystems import S3\nS3(bucket_path="b/p")',
        'from prefect.blocks.notifications import SlackWebhook\nSlackWebhook.load("x")',
        'import prefect\nprefect.context.get("logger")',
        'secrets = {}\nsecrets["GITHUB_ACCESS_TOKEN"]',
    ],
)
def test_prefect_2_code_and_unrelated_classes_are_not_reported(source: str) -> None:
    assert uses(source) == []


def test_secret_get_is_a_sure_site_with_its_span() -> None:
    [use] = uses('from prefect.client import Secret\ntoken = Secret("GITHUB_ACCESS_TOKEN").get()')
    assert use.usage == 'Secret("GITHUB_ACCESS_TOKEN").get()'
    assert use.span is not None and (use.span.start_line, use.span.start_column) == (2, 8)


def test_a_secret_that_is_not_read_with_get_is_reported_without_a_span() -> None:
    [use] = uses('from prefect.client import Secret\nif Secret("X").exists(): pass')
    assert use.secret == "X" and use.span is None


def test_a_computed_name_needs_review_and_gets_no_name() -> None:
    [use] = uses('from prefect.client import Secret\nSecret(f"DB_{region}").get()')
    assert use.kind is Kind.REVIEW and use.secret is None


@pytest.mark.parametrize("call", ['get("X")', 'get("X", "fallback")'])
def test_context_get_is_not_a_sure_site_since_it_answers_none_where_load_raises(call: str) -> None:
    [use] = uses(f"import prefect\nprefect.context.secrets.{call}")
    assert use.secret == "X" and use.span is None


def test_the_secrets_mapping_used_as_a_whole_needs_review() -> None:
    [use] = uses("import prefect\nfor name in prefect.context.secrets: pass")
    assert use.kind is Kind.REVIEW


def test_github_storage_without_a_secret_name_reads_its_default() -> None:
    [use] = uses('from prefect.storage import GitHub\nGitHub(repo="a/b", path="f.py")')
    assert (use.kind, use.secret, use.usage) == (Kind.DEFAULT, "GITHUB_ACCESS_TOKEN", "GitHub(...)")


def test_a_storage_secret_name_argument_is_read_by_keyword_or_position() -> None:
    source = 'from prefect.storage import GitHub\nGitHub(repo="a/b", access_token_secret="MY_TOKEN")\nGitHub("a/b", "f.py", None, "POS")'
    assert names(source) == [(Kind.READ, "MY_TOKEN"), (Kind.READ, "POS")]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from prefect.storage.gitlab import GitLab\nGitLab(repo='a/b')", "GITLAB_ACCESS_TOKEN"),
        ("from prefect.storage import Bitbucket\nBitbucket(project='p', repo='r')", "BITBUCKET_ACCESS_TOKEN"),
        ("from prefect.environments.storage import S3\nS3(bucket='b')", "AWS_CREDENTIALS"),
        ("from prefect.storage import GCS\nGCS(bucket='b')", "GCP_CREDENTIALS"),
        ("from prefect.storage import Azure\nAzure(container='c')", "AZURE_STORAGE_CONNECTION_STRING"),
        ("from prefect.tasks.notifications import SlackTask\nSlackTask()", "SLACK_WEBHOOK_URL"),
        ("from prefect.tasks.aws import S3Download\nS3Download(bucket='b')", "AWS_CREDENTIALS"),
        ("from prefect.tasks.azure import BlobStorageUpload\nBlobStorageUpload()", "AZ_CONNECTION_STRING"),
        ("from prefect.tasks.kubernetes import RunNamespacedJob\nRunNamespacedJob()", "KUBERNETES_API_KEY"),
    ],
)
def test_storages_and_tasks_read_their_1x_default_names(source: str, expected: str) -> None:
    assert names(source) == [(Kind.DEFAULT, expected)]


def test_email_task_reads_username_and_password() -> None:
    source = "from prefect.tasks.notifications.email_task import EmailTask\nEmailTask(subject='s')"
    assert names(source) == [(Kind.DEFAULT, "EMAIL_USERNAME"), (Kind.DEFAULT, "EMAIL_PASSWORD")]


def test_slack_notifier_as_a_state_handler_reads_its_default() -> None:
    source = "from prefect.utilities.notifications import slack_notifier\nflow_kwargs = dict(state_handlers=[slack_notifier])"
    assert names(source) == [(Kind.DEFAULT, "SLACK_WEBHOOK_URL")]


def test_slack_notifier_called_or_partial_reads_the_named_webhook() -> None:
    source = """
        from functools import partial
        from prefect.utilities.notifications import slack_notifier
        a = slack_notifier(webhook_secret="A")
        b = partial(slack_notifier, webhook_secret="B")
    """
    assert names(source) == [(Kind.READ, "A"), (Kind.READ, "B")]


def test_a_computed_storage_secret_name_needs_review() -> None:
    [use] = uses("from prefect.storage import GitHub\nGitHub(repo='a/b', access_token_secret=name)")
    assert use.kind is Kind.REVIEW and use.secret is None


def test_0x_github_task_token_secret_is_read_but_1x_default_is_not_assumed() -> None:
    source = (
        "from prefect.tasks.github import OpenGitHubIssue\nOpenGitHubIssue(token_secret='BOT_TOKEN')\nOpenGitHubIssue()"
    )
    assert names(source) == [(Kind.READ, "BOT_TOKEN")]


def test_env_var_secret_is_an_environment_variable_not_a_prefect_secret() -> None:
    [use] = uses("from prefect.tasks.secrets import EnvVarSecret\nEnvVarSecret('HOME')")
    assert use.kind is Kind.ENV and use.secret is None


def test_run_config_env_with_a_literal_value_is_exposed_and_a_reference_is_not() -> None:
    source = """
        from prefect.run_configs import KubernetesRun
        KubernetesRun(env={
            "PREFECT__CONTEXT__SECRETS__A": "literal-value",
            "PREFECT__CONTEXT__SECRETS__B": "${B_FROM_AGENT}",
            "PREFECT__CONTEXT__SECRETS__C": os.environ["C"],
        })
    """
    assert names(source) == [(Kind.EXPOSED, "A"), (Kind.ENV, "B"), (Kind.ENV, "C")]


def test_environ_assignment_and_dict_keywords_are_checked_for_literal_values() -> None:
    source = """
        import os
        os.environ["PREFECT__CONTEXT__SECRETS__A"] = "literal-value"
        env = dict(PREFECT__CONTEXT__SECRETS__B="literal-value")
    """
    assert names(source) == [(Kind.EXPOSED, "A"), (Kind.EXPOSED, "B")]


def test_python_2_source_raises_syntax_error_with_its_line() -> None:
    with pytest.raises(SyntaxError) as caught:
        scan_python('x = 1\nprint "hello"\n')
    assert caught.value.lineno == 2


def test_columns_are_counted_in_characters_not_bytes() -> None:
    [use] = uses('from prefect.client import Secret\nlabel = "héllo"; token = Secret("X").get()')
    assert use.span is not None and use.span.start_column == len('label = "héllo"; token = ')


def test_a_module_constant_name_is_resolved_but_not_a_sure_site() -> None:
    [use] = uses('from prefect.client import Secret\nTOKEN = "GITHUB_ACCESS_TOKEN"\nSecret(TOKEN).get()')
    assert (use.kind, use.secret, use.span) == (Kind.READ, "GITHUB_ACCESS_TOKEN", None)


def test_a_constant_assigned_twice_is_a_computed_name() -> None:
    [use] = uses('from prefect.client import Secret\nTOKEN = "A"\nif x:\n    TOKEN = "B"\nSecret(TOKEN).get()')
    assert use.kind is Kind.REVIEW


def test_secrets_set_in_a_1x_context_with_literal_values_are_exposed() -> None:
    source = """
        import prefect
        with prefect.context(secrets={"GITHUB_ACCESS_TOKEN": "literal-value", "OTHER": token}):
            pass
        with prefect.context(secrets=dict(SLACK_WEBHOOK_URL="literal-value")):
            pass
    """
    assert names(source) == [
        (Kind.EXPOSED, "GITHUB_ACCESS_TOKEN"),
        (Kind.ENV, "OTHER"),
        (Kind.EXPOSED, "SLACK_WEBHOOK_URL"),
    ]


def test_client_set_secret_with_a_literal_value_is_exposed() -> None:
    source = """
        from prefect import Client
        client = Client()
        client.set_secret(name="GITHUB_ACCESS_TOKEN", value="literal-value")
        client.set_secret("SLACK_WEBHOOK_URL", os.environ["HOOK"])
    """
    assert names(source) == [(Kind.EXPOSED, "GITHUB_ACCESS_TOKEN"), (Kind.ENV, "SLACK_WEBHOOK_URL")]


def test_set_secret_outside_prefect_code_is_not_reported() -> None:
    assert uses('import vault\nvault.set_secret("X", "literal-value")') == []


def test_two_import_paths_of_the_same_1x_class_are_one_name() -> None:
    source = """
        try:
            from prefect.client import Secret
        except ImportError:
            from prefect.client.secrets import Secret
        Secret("X").get()
    """
    assert names(source) == [(Kind.READ, "X")]


def test_a_name_imported_from_1x_and_from_prefect_3_is_not_trusted() -> None:
    source = """
        try:
            from prefect.client import Secret
        except ImportError:
            from prefect.blocks.system import Secret
        Secret("X").get()
    """
    assert uses(source) == []


def test_an_ecs_style_name_value_dict_in_code_is_checked_for_a_literal_value() -> None:
    source = """
        from prefect.run_configs import ECSRun
        ECSRun(task_definition={"containerDefinitions": [{"environment": [
            {"name": "PREFECT__CONTEXT__SECRETS__A", "value": "literal-value"},
            {"name": "PREFECT__CONTEXT__SECRETS__B", "valueFrom": "arn:aws:secretsmanager:x"},
        ]}]})
        labels = {"team": "PREFECT__CONTEXT__SECRETS__C"}
    """
    assert names(source) == [(Kind.EXPOSED, "A"), (Kind.ENV, "B"), (Kind.ENV, "C")]


def test_webhook_storage_templates_name_secrets() -> None:
    source = """
        from prefect.storage import Webhook
        Webhook(
            build_request_kwargs={"url": "https://api.acme.example/flows", "headers": {"X-Api-Key": "${ACME_API_KEY}"}},
            build_request_http_method="POST",
            get_flow_request_kwargs={"headers": {"Authorization": "Bearer $ACME_TOKEN"}},
            get_flow_request_http_method="GET",
        )
    """
    assert names(source) == [(Kind.READ, "ACME_API_KEY"), (Kind.READ, "ACME_TOKEN")]


def test_set_secret_on_another_sdk_in_a_prefect_module_is_not_reported() -> None:
    source = """
        from prefect import task
        from azure.keyvault.secrets import SecretClient
        SecretClient(vault_url="https://v", credential=None).set_secret("X", "literal-value")
    """
    assert uses(source) == []


def test_a_docstring_naming_the_variable_is_not_a_use_but_a_value_there_is_exposed() -> None:
    source = '''
        """Set PREFECT__CONTEXT__SECRETS__A in the agent's environment."""
        def f():
            """Run with PREFECT__CONTEXT__SECRETS__B=literal-value."""
    '''
    assert names(source) == [(Kind.EXPOSED, "B")]


def test_uses_carry_their_column_in_characters_from_1() -> None:
    [use] = uses('from prefect.client import Secret\nname = "é"; token = Secret("X").get()')
    assert (use.line, use.column) == (2, 21)
