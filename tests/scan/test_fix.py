"""--fix: libcst rewrites of the sites the scan is sure of, formatting and everything else kept."""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

from prefect_secretblocks.scan import fix_project, scan_project


def fix(source: str) -> tuple[str, list[str]]:
    """The module rewritten by scan + fix, and the reasons given for the fixable sites left alone."""
    with tempfile.TemporaryDirectory() as directory:
        module = Path(directory) / "m.py"
        module.write_text(textwrap.dedent(source).lstrip())
        scanned = scan_project(module)
        fixable = {id(finding) for finding in scanned.findings if finding.fixable}
        fixed = fix_project(scanned)
        reasons = [
            finding.note.rpartition("not fixed: ")[2]
            for before, finding in zip(scanned.findings, fixed.findings)
            if id(before) in fixable and not finding.fixed
        ]
        return module.read_text(), reasons


def test_secret_get_becomes_the_typed_block_load_with_its_import() -> None:
    text, _ = fix(
        """
        from prefect.client import Secret

        def token():
            return Secret("GITHUB_ACCESS_TOKEN").get()  # the bot's token
        """
    )
    assert text == textwrap.dedent(
        """\
        from prefect_secretblocks import GitHubToken

        def token():
            return GitHubToken.load("github-access-token").get()  # the bot's token
        """
    )


def test_context_secrets_reads_are_rewritten() -> None:
    text, _ = fix(
        """
        import prefect
        from prefect import context
        hook = prefect.context.secrets["SLACK_WEBHOOK_URL"]
        key = context.secrets.get("API_KEY")
        """
    )
    assert 'hook = SlackWebhookURL.load("slack-webhook-url").get()' in text
    assert 'key = context.secrets.get("API_KEY")' in text  # None for a missing secret: not the same as load()
    assert "from prefect import context\n" in text


def test_the_1x_secret_import_is_replaced_when_no_1x_use_is_left() -> None:
    text, _ = fix(
        """
        from prefect.client import Secret, Client
        password = Secret("DB_PASSWORD").get()
        """
    )
    assert text.splitlines()[:2] == ["from prefect.client import Client", "from prefect.blocks.system import Secret"]
    assert 'password = Secret.load("db-password").get()' in text


def test_while_1x_secret_is_still_used_the_core_block_is_imported_under_another_name() -> None:
    text, left = fix(
        """
        from prefect.client import Secret
        password = Secret("DB_PASSWORD").get()
        dynamic = Secret(name).get()
        """
    )
    assert "from prefect.client import Secret\n" in text
    assert "from prefect.blocks.system import Secret as SecretBlock\n" in text
    assert 'password = SecretBlock.load("db-password").get()' in text
    assert "dynamic = Secret(name).get()" in text


def test_formatting_and_comments_elsewhere_are_kept_byte_for_byte() -> None:
    source = """
        # header comment
        from prefect.client import Secret
        from prefect.client import Secret as Other   # kept: not rewritten


        x  =  [ 1,2 ,3 ]   # odd spacing
        token = (
            Secret("GITHUB_ACCESS_TOKEN").get()
        )
        other = Other("X").exists()
        """
    text, _ = fix(source)
    original = textwrap.dedent(source).lstrip().splitlines()
    rewritten = text.splitlines()
    assert rewritten[0] == original[0] and "x  =  [ 1,2 ,3 ]   # odd spacing" in rewritten
    assert "from prefect.client import Secret as Other   # kept: not rewritten" in rewritten
    assert '    GitHubToken.load("github-access-token").get()' in rewritten


def test_the_rewritten_file_compiles() -> None:
    text, _ = fix(
        """
        from prefect.client import Secret
        import prefect
        values = [Secret("A").get(), prefect.context.secrets["B"], prefect.context.secrets.C]
        """
    )
    compile(text, "m.py", "exec")


def test_a_second_run_changes_nothing() -> None:
    once, _ = fix(
        'from prefect.client import Secret\nimport prefect\na = Secret("A").get()\nb = prefect.context.secrets["B"]\n'
    )
    twice, _ = fix(once)
    assert twice == once


def test_unsure_sites_are_left_untouched() -> None:
    source = """
        import prefect
        from prefect.client import Secret
        from prefect.tasks.secrets import PrefectSecret
        a = Secret(name).get()
        b = prefect.context.secrets.get("B", "fallback")
        b2 = prefect.context.secrets.get("B2")
        c = PrefectSecret("C")
        d = Secret("AWS_CREDENTIALS").get()
        if Secret("E").exists(): pass
        """
    text, _ = fix(source)
    assert text == textwrap.dedent(source).lstrip()


def test_a_site_whose_block_name_is_taken_by_another_import_is_left_with_a_reason() -> None:
    text, left = fix(
        """
        from prefect.client import Secret
        from acme import GitHubToken
        token = Secret("GITHUB_ACCESS_TOKEN").get()
        """
    )
    assert 'Secret("GITHUB_ACCESS_TOKEN").get()' in text
    assert left == ["the name GitHubToken already means acme.GitHubToken in this file"]


def test_imports_go_after_the_docstring_when_the_module_has_no_other_import() -> None:
    text, _ = fix('"""Doc."""\nimport prefect\nhook = prefect.context.secrets["SLACK_WEBHOOK_URL"]\n')
    assert text.splitlines()[:3] == ['"""Doc."""', "import prefect", "from prefect_secretblocks import SlackWebhookURL"]


def test_imports_go_before_the_first_code_even_when_a_late_import_follows() -> None:
    text, _ = fix(
        """
        import prefect
        TOKEN = prefect.context.secrets["GITHUB_ACCESS_TOKEN"]
        import json
        """
    )
    assert text.splitlines()[:3] == [
        "import prefect",
        "from prefect_secretblocks import GitHubToken",
        'TOKEN = GitHubToken.load("github-access-token").get()',
    ]


def test_a_block_already_imported_from_its_module_is_not_imported_again() -> None:
    text, _ = fix(
        """
        import prefect
        from prefect_secretblocks.blocks.github import GitHubToken
        token = prefect.context.secrets["GITHUB_ACCESS_TOKEN"]
        """
    )
    assert text.count("import GitHubToken") == 1 and 'GitHubToken.load("github-access-token")' in text


def test_inside_an_async_def_the_block_is_awaited_with_aload() -> None:
    text, _ = fix(
        """
        from prefect.client import Secret

        async def notify():
            return Secret("SLACK_WEBHOOK_URL").get(), Secret("DB_PASSWORD").get(), Secret(name).get()
        """
    )
    assert '(await SlackWebhookURL.aload("slack-webhook-url")).get()' in text
    assert '(await SecretBlock.aload("db-password")).get()' in text  # 1.x Secret is still used: the alias
    compile(text, "m.py", "exec")


def test_inside_a_lambda_nothing_is_rewritten() -> None:
    source = 'from prefect.client import Secret\ntoken = lambda: Secret("GITHUB_ACCESS_TOKEN").get()\n'
    text, _ = fix(source)
    assert text == source
