"""`prefect-secretblocks`: argument parsing and printing over the migration, scan and check libraries.

Exit codes of `migrate`: 0 done; 1 some secrets failed or were in conflict (or Prefect could
not be reached); 2 bad input (nothing was written). Exit codes of `scan`: 0 the scan ran, with
or without findings; 1 with `--fail-on KINDS` when findings of those kinds remain; 2 bad input
(a missing path, a bad flag). Exit codes of `check`: 0 every credential checked works (or could
not be asked); 1 some are invalid or expire within `--expires-within` days (or Prefect could not
be reached); 2 bad input (a name no saved block has). Errors are one line on stderr, no traceback.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Callable, NoReturn, Optional

import typer
from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text

from prefect_secretblocks.exceptions import (
    BadInputError,
    EmptyBlockName,
    IntegrationNotInstalled,
    InvalidBlockName,
    NoSecretsFound,
    SharedBlockName,
    UnknownBlockType,
    UnknownSecret,
    ValueDoesNotFit,
    a_block_of,
)
from prefect_secretblocks.migration import (
    DEFAULT_CONCURRENCY,
    Action,
    MigrationOptions,
    MigrationPlan,
    MigrationReport,
    OnConflict,
    Outcome,
    PlannedBlock,
    read_v1_secrets,
    run_migration,
)
from prefect_secretblocks.migration.journal import read_journal
from prefect_secretblocks.migration.rollback import RollbackReport, rollback_migration
from prefect_secretblocks.migration.v1_config import V1Secret, iter_string_leaves
from prefect_secretblocks.redaction import mask_secrets
from prefect_secretblocks.scan import (
    Finding,
    Kind,
    ScanPathNotFound,
    ScanResult,
    UnknownFindingKind,
    fix_project,
    kinds_named,
    scan_paths,
)

app = typer.Typer(
    name="prefect-secretblocks",
    help="Typed Prefect secret blocks, and the one-off migration from Prefect 1.x secrets.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
if TYPE_CHECKING:
    from typer._click.exceptions import UsageError
else:
    # typer >= 0.2x vendors click and older typer uses click itself: take the class typer raises.
    UsageError = next(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "UsageError")

stdout = Console()
stderr = Console(stderr=True)

# Prefect's default (20 s) is shorter than a first start of the embedded server on a
# fresh PREFECT_HOME can take; used only when the user has not chosen a value.
EPHEMERAL_STARTUP_TIMEOUT_SECONDS = 120


class OutputFormat(str, Enum):
    text = "text"
    json = "json"


def exit_with_error(message: str, code: int) -> NoReturn:
    """One line on stderr and the exit code, like Prefect's own CLI."""
    stderr.print(f"Error: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(code)


#: The flag that sets each `MigrationOptions` field.
_FLAG_OF_OPTION = {"only": "--only", "exclude": "--exclude", "block_types": "--map", "block_names": "--name"}


def describe_bad_input(exc: BadInputError) -> str:
    """The library's error as one line in the CLI's terms: the flag that names the input or fixes it."""
    if isinstance(exc, NoSecretsFound):
        return "no Prefect 1.x secrets found in the config files or the environment"
    if isinstance(exc, UnknownSecret):
        return f"{_FLAG_OF_OPTION[exc.option]} {exc.name}: no 1.x secret has this name (names are case-sensitive)"
    if isinstance(exc, UnknownBlockType):
        return f"--map {exc.secret}={exc.slug}: unknown block type; choose one of {', '.join(exc.known)}"
    if isinstance(exc, IntegrationNotInstalled):
        return (
            f"--map {exc.secret}={exc.slug}: needs {exc.package}, which is not installed: "
            f"pip install {exc.package} (or prefect-secretblocks[{exc.extra}])"
        )
    if isinstance(exc, InvalidBlockName):
        return (
            f"--name {exc.secret}={exc.block_name}: block names may only contain lowercase letters, numbers and dashes"
        )
    if isinstance(exc, EmptyBlockName):
        # A name like "\n" cannot go into a one-line hint as it is.
        option = shlex.quote(f"{exc.secret}=BLOCK_NAME") if exc.secret.isprintable() else "SECRET=BLOCK_NAME"
        return f"secret {exc.secret!r} ({exc.source}) gives an empty block name; choose one with --name {option}"
    if isinstance(exc, SharedBlockName):
        described = " and ".join(f"{name!r} ({source})" for name, source in exc.secrets)
        return f"block name {exc.block_name!r} would be used by {described}; rename one with --name SECRET=BLOCK_NAME"
    if isinstance(exc, ValueDoesNotFit):
        flags = " ".join(f"--map {name}=secret" for name in exc.secret_names)
        empty = "its 1.x value is empty: leave it out with --skip-empty, or " if exc.empty else ""
        return (
            f"secret {exc.secret} ({exc.source}) does not fit {a_block_of(exc.slug)}: {exc.reason}; "
            f"{empty}keep it as a generic Secret with {flags}"
        )
    return str(exc)


def _pairs(values: list[str], flag: str) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        name, separator, target = value.partition("=")
        if not separator or not name or not target:
            raise typer.BadParameter(f"expected NAME=VALUE, got {value!r}", param_hint=flag)
        pairs[name] = target
    return pairs


@app.callback()
def _group() -> None:
    """Typed Prefect secret blocks, and the one-off migration from Prefect 1.x secrets."""


# The options `migrate` and `scan` share, declared once (typer reads `Annotated` metadata).
MapOption = Annotated[
    list[str], typer.Option("--map", help="NAME=TYPE_SLUG: the block type for one secret (repeatable).")
]
NameOption = Annotated[list[str], typer.Option(help="NAME=BLOCK_NAME: the block name for one secret (repeatable).")]
PrefixOption = Annotated[str, typer.Option(help="Prepended to every generated block name.")]

UserConfigOption = Annotated[
    Optional[Path], typer.Option(help="1.x user config. Default: $PREFECT__USER_CONFIG_PATH or ~/.prefect/config.toml.")
]
BackendConfigOption = Annotated[
    Optional[Path],
    typer.Option(help="1.x backend config. Default: $PREFECT__BACKEND_CONFIG_PATH or ~/.prefect/backend.toml."),
]
EnvFileOption = Annotated[
    list[Path], typer.Option(help="A dotenv file the flows ran with (repeatable; later files win).")
]
EnvOption = Annotated[bool, typer.Option(help="Read PREFECT__CONTEXT__SECRETS__* from this process's environment.")]
OnlyOption = Annotated[list[str], typer.Option(help="Migrate only this secret (repeatable).")]
ExcludeOption = Annotated[list[str], typer.Option(help="Do not migrate this secret (repeatable).")]
OnConflictOption = Annotated[
    OnConflict,
    typer.Option(
        help="When a block exists with another value: skip it, overwrite it (keeping a NAME-before-migrate "
        "copy), or fail (write nothing)."
    ),
]
AlsoCoreSlackWebhookOption = Annotated[
    bool,
    typer.Option(
        "--also-core-slack-webhook",
        help="Also save Prefect's core SlackWebhook (slack-webhook) beside each SlackWebhookURL, with the same name "
        "and URL: the block Automations can use on a server without this package, such as Prefect Cloud.",
    ),
]
SkipEmptyOption = Annotated[
    bool,
    typer.Option(
        "--skip-empty",
        help='Leave out secrets whose 1.x value is empty (placeholders such as EMAIL_PASSWORD = ""); '
        "without it they are planned with a note.",
    ),
]
CheckCredentialsOption = Annotated[
    bool,
    typer.Option(
        "--check-credentials",
        help="Before anything is written, ask GitHub, Slack, Twitter and AWS whether they accept each planned "
        "credential (nothing is posted), and note the ones they refuse in the plan.",
    ),
]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Print the plan and write nothing.")]
CheckOption = Annotated[
    bool,
    typer.Option("--check", help="Write nothing; exit 1 unless every block is saved and unchanged (a drift gate)."),
]
JournalOption = Annotated[
    Optional[Path],
    typer.Option(
        help="Where to record the blocks this run writes, for rollback. "
        "Default: $PREFECT_HOME/secretblocks-journals/migrate-<UTC time>.jsonl."
    ),
]
MigrateFormatOption = Annotated[OutputFormat, typer.Option("--format", help="text (a table) or json (one object).")]
ConcurrencyOption = Annotated[int, typer.Option(min=1, max=64, help="Saves in flight at once.")]


@app.command()
def migrate(
    config: UserConfigOption = None,
    backend_config: BackendConfigOption = None,
    env_file: EnvFileOption = [],  # noqa: B006 - typer reads defaults, never mutates them
    env: EnvOption = True,
    map_: MapOption = [],  # noqa: B006
    name: NameOption = [],  # noqa: B006
    only: OnlyOption = [],  # noqa: B006
    exclude: ExcludeOption = [],  # noqa: B006
    prefix: PrefixOption = "",
    on_conflict: OnConflictOption = OnConflict.SKIP,
    also_core_slack_webhook: AlsoCoreSlackWebhookOption = False,
    skip_empty: SkipEmptyOption = False,
    check_credentials: CheckCredentialsOption = False,
    dry_run: DryRunOption = False,
    check: CheckOption = False,
    journal: JournalOption = None,
    output: MigrateFormatOption = OutputFormat.text,
    concurrency: ConcurrencyOption = DEFAULT_CONCURRENCY,
) -> None:
    """Save Prefect 1.x secrets (config.toml, backend.toml, environment) as Prefect blocks."""
    options = MigrationOptions(
        on_conflict=on_conflict,
        block_types=_pairs(map_, "--map"),
        block_names=_pairs(name, "--name"),
        only=only,
        exclude=exclude,
        prefix=prefix,
        also_core_slack_webhook=also_core_slack_webhook,
        skip_empty=skip_empty,
        check_credentials=check_credentials,
    )
    write = not (dry_run or check)
    with _one_line_errors() as secrets:
        secrets.extend(read_v1_secrets(config, backend_config, env_file, use_environment=env))
        if not secrets:
            raise NoSecretsFound()
        with _progress_bar(enabled=write and output is OutputFormat.text) as on_outcome:
            migration = run_migration(secrets, options, not write, concurrency, on_outcome, journal)
            plan, report = asyncio.run(migration)
    _report_migration(plan, report, output, check)


def _report_migration(
    plan: MigrationPlan, report: Optional[MigrationReport], output: OutputFormat, check: bool
) -> None:
    """Print the plan or the results; exit 1 when `_failed`."""
    _print_migration(plan, report, output, check)
    if _failed(plan, report, check):
        raise typer.Exit(1)


def _failed(plan: MigrationPlan, report: Optional[MigrationReport], check: bool) -> bool:
    """Exit 1: `--check` found drift, or some secrets failed or were in conflict."""
    drifted = check and any(entry.action is not Action.UNCHANGED for entry in plan.entries)
    return drifted or (report is not None and bool(report.problems))


@contextmanager
def _one_line_errors() -> Iterator[list[V1Secret]]:
    """
    Bad input exits 2, anything else (Prefect unreachable, a bug) exits 1: one line, never a traceback.

    Yields the list the caller fills with the 1.x secrets it read, so any value of theirs is masked.
    """
    secrets: list[V1Secret] = []
    try:
        yield secrets
    except BadInputError as exc:
        exit_with_error(describe_bad_input(exc), 2)
    except Exception as exc:  # Prefect unreachable, or a bug: one masked line, never a traceback
        values = (leaf for secret in secrets for leaf in iter_string_leaves(secret.value))
        exit_with_error(mask_secrets(f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}", values), 1)


def _print_migration(plan: MigrationPlan, report: Optional[MigrationReport], output: OutputFormat, check: bool) -> None:
    if output is OutputFormat.json:
        print(json.dumps(_json_document(plan, report), indent=2))
        return
    _print_table(plan, report, "Check, nothing written: " if check else "Dry run, nothing written: ")
    if report is not None and report.journal is not None:
        stdout.print(
            f"Journal of this run: {report.journal} (undo it with: prefect-secretblocks rollback {report.journal})",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[Optional[Callable[[Outcome], None]]]:
    """A rich progress bar on stderr while blocks are saved, when stderr is a terminal."""
    if not (enabled and stderr.is_terminal):
        yield None
        return
    columns = (TextColumn("Saving blocks"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=stderr, transient=True) as bar:
        task = bar.add_task("save", total=None)
        yield lambda outcome: bar.advance(task)


def _json_document(plan: MigrationPlan, report: Optional[MigrationReport]) -> dict[str, Any]:
    if report is None:
        return plan.to_dict()
    journal = {"journal": str(report.journal)} if report.journal is not None else {}
    return {
        "plan": [outcome.to_dict() for outcome in report.outcomes],
        "summary": plan.summary(),
        "results": report.summary(),
        **journal,
    }


def _print_table(plan: MigrationPlan, report: Optional[MigrationReport], unwritten: str) -> None:
    """
    The plan (or the run's results): one line per secret at 80 columns for ordinary names.

    Sources are short names (`config.toml`, `agent.env:3`, `env`), in a column only when the
    secrets come from more than one, else named once above the table (`--format json` has each
    in full); notes are numbered footnotes under the table, one number for a note shared.
    """
    rows = list(_table_rows(plan, report))
    sources = {entry.source for entry, _, _ in rows}
    if len(sources) == 1:
        stdout.print(Text(f"Secrets from {short_source(sources.pop(), full=True)}"), highlight=False, soft_wrap=True)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    headers = ("Secret", "Source", "Block type", "Block name") if sources else ("Secret", "Block type", "Block name")
    for header in headers:
        table.add_column(header, overflow="fold")  # wrap, never cut: names must stay readable
    table.add_column("Action" if report is None else "Result", no_wrap=True)
    footnotes: dict[str, int] = {}
    for entry, result, note in rows:
        marker = f" [{footnotes.setdefault(note, len(footnotes) + 1)}]" if note else ""
        source = (short_source(entry.source),) if sources else ()
        cells = (entry.secret, *source, entry.block_type, entry.block_name, result + marker)
        table.add_row(*(Text(cell) for cell in cells))  # Text: `prefect-secretblocks[email]` is not rich markup
    stdout.print(table)
    for note, number in footnotes.items():
        stdout.print(Text(f"[{number}] {note}"), highlight=False, soft_wrap=True)
    counts = plan.summary() if report is None else report.summary()
    summary = ", ".join(f"{count} {what}" for what, count in counts.items() if count)
    stdout.print((unwritten if report is None else "") + summary, highlight=False)


def _table_rows(plan: MigrationPlan, report: Optional[MigrationReport]) -> Iterator[tuple[PlannedBlock, str, str]]:
    """Each entry with its action (or result) and its note (with the run's error and backup)."""
    if report is None:
        yield from ((entry, entry.action.value, entry.note) for entry in plan.entries)
        return
    for outcome in report.outcomes:
        backup = f"the previous value is kept in block {outcome.backup_name}" if outcome.backup_name else ""
        note = "; ".join(filter(None, [outcome.entry.note, outcome.error, backup]))
        yield outcome.entry, outcome.result.value, note


def short_source(source: str, full: bool = False) -> str:
    """
    A plan entry's sources: `config.toml` for `/home/me/.prefect/config.toml`, `env` for a variable.

    `full`: the paths as they are, `env` still for the variables (their names are the secrets').
    """
    parts = source.split(", ")
    return ", ".join("env" if part.startswith("env ") else part if full else Path(part).name for part in parts)


@app.command()
def rollback(
    journal: Path = typer.Argument(..., help="The journal a migrate run wrote (its last output line names it)."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be undone and change nothing."),
    output: OutputFormat = typer.Option(OutputFormat.text, "--format", help="text (a table) or json (one object)."),
) -> None:
    """Undo one migrate run: delete the blocks it created, restore the ones it replaced from their copies."""
    with _one_line_errors():
        report = asyncio.run(rollback_migration(read_journal(journal), dry_run=dry_run))
    _print_report(report, output, _print_rollback, failed=bool(report.problems))


def _print_report(report: Any, output: OutputFormat, print_table: Callable[[Any], None], failed: bool) -> None:
    """A report as JSON or as its table; exit 1 when it says something failed."""
    if output is OutputFormat.json:
        print(json.dumps(report.to_dict(), indent=2))
    else:
        print_table(report)
    if failed:
        raise typer.Exit(1)


def _print_rollback(report: RollbackReport) -> None:
    table = Table()
    for header in ("Block type", "Block name", "Migrate", "Would do" if report.dry_run else "Done", "Note"):
        table.add_column(header, overflow="fold")
    for step in report.steps:
        cells = (step.entry.block_type, step.entry.block_name, step.entry.action, step.action.value, step.note)
        table.add_row(*(Text(cell) for cell in cells))
    stdout.print(table)
    summary = ", ".join(f"{count} {what}" for what, count in report.summary().items() if count)
    prefix = "Dry run, nothing changed: " if report.dry_run else ""
    stdout.print(prefix + (summary or "the journal records no block"), markup=False, highlight=False)


class ScanFormat(str, Enum):
    text = "text"
    table = "table"
    json = "json"
    sarif = "sarif"


ScanPathsArgument = Annotated[
    Optional[list[Path]],
    typer.Argument(
        help="Directories and files to scan (default: the current directory); a pre-commit hook passes files."
    ),
]
ScanConfigOption = Annotated[
    Optional[Path],
    typer.Option(help="1.x user config whose values pick a typed block by shape, as migrate does (never printed)."),
]
ScanEnvFileOption = Annotated[
    list[Path], typer.Option(help="A dotenv file whose 1.x secrets' values pick block types (repeatable).")
]
FixOption = Annotated[bool, typer.Option("--fix", help="Rewrite the Python call sites the scan is sure of, in place.")]
ScanFormatOption = Annotated[
    ScanFormat, typer.Option("--format", help="text (one finding a line), table, json, or sarif (SARIF 2.1.0).")
]
FailOnOption = Annotated[
    Optional[str],
    typer.Option(
        "--fail-on",
        metavar="KINDS",
        help="Exit 1 when findings of these kinds remain (comma-separated: exposed,read,default,review,env). "
        "Without it the exit code is 0 whatever is found.",
    ),
]


@app.command()
def scan(
    paths: ScanPathsArgument = None,
    map_: MapOption = [],  # noqa: B006
    name: NameOption = [],  # noqa: B006
    prefix: PrefixOption = "",
    config: ScanConfigOption = None,
    env_file: ScanEnvFileOption = [],  # noqa: B006
    fix: FixOption = False,
    output: ScanFormatOption = ScanFormat.text,
    fail_on: FailOnOption = None,
) -> None:
    """Find every Prefect 1.x secret use in a codebase, with the block and code that replace it."""
    options = MigrationOptions(block_types=_pairs(map_, "--map"), block_names=_pairs(name, "--name"), prefix=prefix)
    try:
        failing_kinds = kinds_named(fail_on.split(",")) if fail_on is not None else frozenset()
        values: dict[str, Any] = {}  # looked at for their shape only, never printed
        if config is not None or env_file:
            values = {
                secret.name: secret.value for secret in read_v1_secrets(config, None, env_file, use_environment=False)
            }
        result = scan_paths(paths or [Path(".")], options, values)
        if fix:
            result = fix_project(result)
    except UnknownFindingKind as exc:
        exit_with_error(f"--fail-on: unknown finding kind {exc.kind!r}; the kinds are {','.join(exc.known)}", 2)
    except ScanPathNotFound as exc:
        exit_with_error(f"{exc.path}: no such file or directory", 2)
    except BadInputError as exc:
        exit_with_error(describe_bad_input(exc), 2)
    _print_scan(result, output, fixed=fix)
    if result.failing(failing_kinds):
        raise typer.Exit(1)


def _print_scan(result: ScanResult, output: ScanFormat, fixed: bool) -> None:
    if output is ScanFormat.json:
        print(json.dumps(result.to_dict(), indent=2))
    elif output is ScanFormat.sarif:
        from prefect_secretblocks import __version__
        from prefect_secretblocks.scan.sarif import to_sarif

        print(json.dumps(to_sarif(result, __version__), indent=2))
    else:
        if output is ScanFormat.table:
            _print_scan_table(result)
        else:
            for finding in result.findings:
                print(_scan_line(finding))
        for skipped in result.skipped:
            location = f"{skipped.path}:{skipped.line}" if skipped.line else skipped.path
            print(f"Skipped {location}: {skipped.reason}")
        print(_scan_summary(result, fixed))


def _scan_line(finding: Finding) -> str:
    """`path:line:col: KIND usage -> replacement (block type/name)`, as linters print a finding."""
    kind = "fixed" if finding.fixed else finding.kind.value
    head = f"{finding.location}:{finding.column}: {kind} {finding.usage}"
    if finding.replacement:
        return f"{head} -> {finding.replacement} ({finding.block_type}/{finding.block_name})"
    return f"{head}: {finding.note}" if finding.note else head


def _print_scan_table(result: ScanResult) -> None:
    if not result.findings:
        return
    table = Table()
    for header in ("Location", "Kind", "1.x usage", "Secret", "Block type", "Block name", "Replacement"):
        table.add_column(header, overflow="fold", no_wrap=header == "Kind")  # wrap, never cut
    table.add_column("Note", overflow="fold", max_width=48)  # long notes wrap first, code stays whole
    for finding in result.findings:
        cells = (
            finding.location,
            "fixed" if finding.fixed else finding.kind.value,
            finding.usage,
            finding.secret or ("?" if finding.kind is Kind.REVIEW else ""),
            finding.block_type or "",
            finding.block_name or "",
            finding.replacement or "",
            finding.note,
        )
        table.add_row(*(Text(cell) for cell in cells))  # Text: `[context.secrets]` is not rich markup
    stdout.print(table)


def _scan_summary(result: ScanResult, fixed: bool) -> str:
    summary = result.summary()
    counts = ", ".join(f"{summary[kind.value]} {kind.value}" for kind in Kind if summary[kind.value])
    line = f"{len(result.findings)} use(s) of 1.x secrets in {summary['files_scanned']} files" + (
        f" ({counts})" if counts else ""
    )
    if fixed:
        code_kinds = (Kind.READ, Kind.DEFAULT, Kind.REVIEW)
        left = sum(not finding.fixed and finding.kind in code_kinds for finding in result.findings)
        line += f"; {summary['fixed']} rewritten, {left} code sites left to change by hand (see their notes)"
    return line


if TYPE_CHECKING:
    from prefect_secretblocks.checks.saved import CheckReport, SavedBlockCheck
    from prefect_secretblocks.exceptions import UnknownBlock

CheckNamesArgument = Annotated[
    Optional[list[str]],
    typer.Argument(
        metavar="NAMES",
        help="Blocks to check, as NAME or TYPE_SLUG/NAME (default: every saved github-token, slack-webhook-url, "
        "twitter-api-credentials and aws-credentials block).",
    ),
]
ExpiresWithinOption = Annotated[
    int,
    typer.Option("--expires-within", min=0, metavar="DAYS", help="Exit 1 also when a credential expires within DAYS."),
]
CheckFormatOption = Annotated[OutputFormat, typer.Option("--format", help="text (a table) or json (one object).")]
CheckConcurrencyOption = Annotated[int, typer.Option(min=1, max=64, help="Checks in flight at once.")]


@app.command()
def check(
    names: CheckNamesArgument = None,
    expires_within: ExpiresWithinOption = 14,
    output: CheckFormatOption = OutputFormat.text,
    concurrency: CheckConcurrencyOption = 8,
) -> None:
    """Check which saved credentials still work, asking each service without posting anything or printing a value."""
    from datetime import timedelta

    from prefect_secretblocks.checks.saved import check_saved_blocks

    with _check_errors():
        report = asyncio.run(check_saved_blocks(names or [], timedelta(days=expires_within), concurrency))
    _print_report(report, output, _print_checks, failed=bool(report.failing))


@contextmanager
def _check_errors() -> Iterator[None]:
    """Names that match no block exit 2; Prefect unreachable (or a bug) exits 1: one masked line."""
    from prefect_secretblocks.exceptions import UnknownBlock
    from prefect_secretblocks.redaction import MASKER

    try:
        yield
    except UnknownBlock as exc:
        exit_with_error(describe_unknown_block(exc), 2)
    except BadInputError as exc:
        exit_with_error(describe_bad_input(exc), 2)
    except Exception as exc:  # one masked line, never a traceback
        exit_with_error(MASKER.mask(f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"), 1)


def describe_unknown_block(exc: UnknownBlock) -> str:
    types = ", ".join(exc.block_types)
    return f"check {' '.join(exc.names)}: no saved block has this name among the types {types} (NAME or TYPE_SLUG/NAME)"


def _print_checks(report: CheckReport) -> None:
    if not report.checks:
        stdout.print(
            "No saved block of a checkable type (github-token, slack-webhook-url, twitter-api-credentials, aws-credentials)",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    for header in ("Block type", "Block name", "Status", "Details"):
        table.add_column(header, overflow="fold", no_wrap=header == "Status")
    for entry in report.checks:
        cells = (entry.block.block_type, entry.block.block_name, entry.verdict.value, check_details(entry))
        table.add_row(*(Text(cell) for cell in cells))
    stdout.print(table)
    counts = ", ".join(f"{count} {verdict}" for verdict, count in report.summary().items() if count)
    stdout.print(f"{len(report.checks)} checked: {counts}", markup=False, highlight=False)


def check_details(entry: SavedBlockCheck) -> str:
    """`HTTP 401 Bad credentials`; `scopes: repo, workflow; expires 2025-06-01 (in 3 days)`; an ARN..."""
    check = entry.check
    details = [check.reason] if check.reason else []
    if check.scopes is not None:
        details.append(f"scopes: {', '.join(check.scopes) or 'none'}")
    if check.expires_at is not None:
        days = (check.expires_at - check.checked_at).days
        when = f"in {days} days" if days >= 0 else f"{-days} days ago"
        details.append(f"expires {check.expires_at:%Y-%m-%d %H:%M} UTC ({when})")
    details.extend(value for value in (check.account and f"account {check.account}", check.identity) if value)
    return "; ".join(details)


def main() -> None:
    """Console-script entry point: usage errors become one line and exit code 2."""
    from prefect_secretblocks._compat import embedded_api_settings

    with embedded_api_settings(EPHEMERAL_STARTUP_TIMEOUT_SECONDS):
        try:
            exit_code = app(standalone_mode=False)
        except UsageError as exc:
            stderr.print(f"Error: {exc.format_message()}", markup=False, highlight=False, soft_wrap=True)
            exit_code = exc.exit_code
        except typer.Abort:
            exit_code = 1
    sys.exit(exit_code or 0)
