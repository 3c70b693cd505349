"""Find every Prefect 1.x secret use in a codebase, with the block that replaces it.

```python
from prefect_secretblocks.scan import scan_project, fix_project

result = scan_project("path/to/project")     # Python code, .env, shell, YAML, JSON, Dockerfile, config.toml
for finding in result.findings:
    print(finding.location, finding.secret, finding.block_type, finding.block_name, finding.replacement)
fixed = fix_project(result)                    # rewrite the sites the scan is sure of (libcst)
```
Block types and names come from the same mapping and options as `migrate`
(`MigrationOptions`: block types, block names, prefix). No secret value is ever kept or printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional, Union

from prefect_secretblocks.exceptions import a_block_of
from prefect_secretblocks.migration.plan import MigrationOptions, count_each
from prefect_secretblocks.migration.targets import (
    GENERIC_TARGET,
    TARGETS_BY_SLUG,
    BlockTarget,
    UnsupportedValue,
    to_json_value,
)
from prefect_secretblocks.scan.errors import ScanPathNotFound, UnknownFindingKind
from prefect_secretblocks.scan.files import MAX_FILE_BYTES, SKIPPED_DIRECTORIES, encoding, read_python, scan_file, walk
from prefect_secretblocks.scan.uses import Kind, SecretUse, SkippedFile, Span, join_notes

__all__ = [
    "MAX_FILE_BYTES",
    "SKIPPED_DIRECTORIES",
    "Finding",
    "Kind",
    "ScanPathNotFound",
    "ScanResult",
    "SkippedFile",
    "UnknownFindingKind",
    "fix_project",
    "kinds_named",
    "scan_paths",
    "scan_project",
]

_LOAD_CALL = re.compile(r"^(\w+)\.load\(([^()]*)\)")
PathLike = Union[str, Path]


@dataclass(frozen=True)
class Finding:
    """One 1.x secret use, with the block the migration creates for it and the code that replaces it."""

    file: str
    line: int
    kind: Kind
    usage: str
    secret: Optional[str]
    block_type: Optional[str]
    block_name: Optional[str]
    replacement: Optional[str]
    note: str
    fixable: bool  # `fix_project` can rewrite it
    fixed: bool = False
    column: int = 1  # in characters from 1, as linters print it
    span: Optional[Span] = field(default=None, repr=False, compare=False)
    replacement_import: Optional[tuple[str, str]] = field(default=None, repr=False, compare=False)

    @property
    def location(self) -> str:
        """`file:line`."""
        return f"{self.file}:{self.line}"

    def to_dict(self) -> dict[str, Any]:
        """The value-free `--format json` form."""
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "kind": self.kind.value,
            "usage": self.usage,
            "secret": self.secret,
            "block_type": self.block_type,
            "block_name": self.block_name,
            "replacement": self.replacement,
            "fixable": self.fixable,
            "fixed": self.fixed,
            "note": self.note,
        }


@dataclass(frozen=True)
class ScanResult:
    """Every finding in file and line order, and the files that could not be read."""

    root: str  # the path scanned (the paths, space-separated, when several were given)
    findings: tuple[Finding, ...]
    skipped: tuple[SkippedFile, ...]
    files_scanned: int

    def summary(self) -> dict[str, int]:
        """How many findings of each kind, how many were fixed, and how many files were skipped."""
        return {
            **count_each(Kind, (finding.kind for finding in self.findings)),
            "fixed": sum(finding.fixed for finding in self.findings),
            "files_scanned": self.files_scanned,
            "files_skipped": len(self.skipped),
        }

    def to_dict(self) -> dict[str, Any]:
        """`{"findings": [...], "skipped": [...], "summary": {...}}`, the `--format json` document."""
        return {
            "findings": [finding.to_dict() for finding in self.findings],
            "skipped": [skipped.to_dict() for skipped in self.skipped],
            "summary": self.summary(),
        }

    def failing(self, kinds: Iterable[Kind]) -> tuple[Finding, ...]:
        """The findings of these kinds still in the code (a finding `--fix` rewrote is gone)."""
        wanted = frozenset(kinds)
        return tuple(finding for finding in self.findings if finding.kind in wanted and not finding.fixed)


def kinds_named(names: Iterable[str]) -> frozenset[Kind]:
    """
    The finding kinds named (`["exposed", "read"]`), in any case.

    Raises:
        UnknownFindingKind: A name is not a kind.
    """
    known = {kind.value: kind for kind in Kind}
    kinds = set()
    for name in names:
        kind = known.get(name.strip().lower())
        if kind is None:
            raise UnknownFindingKind(kind=name.strip(), known=list(known))
        kinds.add(kind)
    return frozenset(kinds)


def scan_project(
    root: PathLike,
    options: MigrationOptions = MigrationOptions(),
    values: Mapping[str, Any] = {},
) -> ScanResult:
    """
    Scan a directory (or one file) for 1.x secret uses.

    Args:
        root: The project directory or a single file.
        options: Block types, block names and prefix, as `migrate` takes them.
        values: 1.x secret values by name (from `read_v1_secrets`), so a value's shape picks the
            block type `migrate` would pick; they are only looked at, never reported.

    Raises:
        ScanPathNotFound: `root` does not exist.
        BadInputError: An option is invalid.
    """
    return scan_paths([root], options, values)


def scan_paths(
    paths: Sequence[PathLike],
    options: MigrationOptions = MigrationOptions(),
    values: Mapping[str, Any] = {},
) -> ScanResult:
    """
    Scan several directories and files (a pre-commit hook's staged files) as one project.

    Raises:
        ScanPathNotFound: A path does not exist (nothing is scanned).
        BadInputError: An option is invalid.
    """
    options.check()
    missing = next((path for path in paths if not Path(path).exists()), None)
    if missing is not None:
        raise ScanPathNotFound(path=str(missing))
    found: list[tuple[str, SecretUse]] = []
    skipped: list[SkippedFile] = []
    scanned = 0
    for display, path in _displayed_files(paths):
        try:
            outcome = scan_file(path, display)
        except Exception as exc:  # a bug on some unforeseen input: report the file, scan the rest
            reason = f"could not be scanned ({type(exc).__name__}); please report it"
            skipped.append(SkippedFile(path=display, line=None, reason=reason))
            continue
        if outcome.skipped is not None:
            skipped.append(outcome.skipped)
        if outcome.uses is not None:
            scanned += 1
            found.extend((display, use) for use in outcome.uses)
    implied = implied_block_types(use for _, use in found)
    return ScanResult(
        root=" ".join(str(path) for path in paths),
        findings=tuple(_finding(display, use, options, values, implied) for display, use in found),
        skipped=tuple(skipped),
        files_scanned=scanned,
    )


def _displayed_files(paths: Sequence[PathLike]) -> Iterable[tuple[str, Path]]:
    """Each file once, named as the user named its path (`flows/etl.py`, not an absolute path)."""
    seen: set[Path] = set()
    for root in paths:
        base = Path(root)
        for path in walk(base):
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            yield (path.as_posix() if base.is_file() else (base / path.relative_to(base)).as_posix()), path


def fix_project(result: ScanResult) -> ScanResult:
    """
    Rewrite, in place, the Python sites `result` marks fixable; return the result with them marked fixed.

    Each file is rewritten as a whole, or left as it is when the rewrite would not compile. The
    sites left alone get a note saying why.
    """
    by_file: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.fixable:
            by_file.setdefault(finding.file, []).append(finding)
    updated: dict[int, Finding] = {}
    for file, findings in by_file.items():
        updated.update(_fix_file(Path(file), findings))
    return replace(result, findings=tuple(updated.get(id(finding), finding) for finding in result.findings))


def _fix_file(path: Path, findings: list[Finding]) -> dict[int, Finding]:
    """Rewrite one file's fixable sites; each finding (by id) marked fixed, or noted with why not."""
    from prefect_secretblocks.scan.fix import FixSite, fix_source  # libcst: only for --fix

    data = path.read_bytes()
    sites = [
        FixSite(span=finding.span, replacement=finding.replacement, import_from=finding.replacement_import)
        for finding in findings
        if finding.span is not None and finding.replacement is not None and finding.replacement_import is not None
    ]
    outcome = fix_source(read_python(data), sites)
    if outcome.fixed:
        # Keep the file's own line endings: write without newline translation.
        path.write_text(outcome.text, encoding=encoding(data), newline="")
    updated = {}
    for finding in findings:
        if finding.span in outcome.fixed:
            updated[id(finding)] = replace(finding, fixed=True, fixable=False)
        else:
            reason = outcome.left.get(finding.span, "") if finding.span is not None else ""
            note = join_notes(finding.note, f"not fixed: {reason}")
            updated[id(finding)] = replace(finding, fixable=False, note=note)
    return updated


def implied_block_types(uses: Iterable[SecretUse]) -> dict[str, str]:
    """`{secret: block type}` for the secrets a 1.x API reads as one type (a GitHub storage's token), wherever read.

    A secret two APIs read as different types is left out: its name and value decide.
    """
    seen: dict[str, set[str]] = {}
    for use in uses:
        if use.secret is not None and use.block_type is not None:
            seen.setdefault(use.secret, set()).add(use.block_type)
    return {secret: slugs.pop() for secret, slugs in seen.items() if len(slugs) == 1}


def _target(
    name: str, options: MigrationOptions, values: Mapping[str, Any], implied: Mapping[str, str]
) -> tuple[BlockTarget, str]:
    """
    The block type of a secret, and a note when it is not the one `migrate` picks by itself.

    `--map`, the name and the value's shape decide as in `migrate`; when they leave a core
    `Secret`, the type the 1.x API reading the secret implies wins, and the note says the
    `--map` that makes `migrate` create the same block.
    """
    target = options.target(name, _json_value(values.get(name)))
    slug = implied.get(name)
    if slug is None or slug == target.slug or name in options.block_types or target is not GENERIC_TARGET:
        return target, ""
    wanted = TARGETS_BY_SLUG[slug]
    if wanted.integration is not None and not wanted.is_available():
        return target, f"1.x reads it as {a_block_of(slug)}: {wanted.integration.install_hint()}"
    return wanted, f"1.x reads it as {a_block_of(slug)}: migrate makes one with --map {name}={slug}"


def _finding(
    file: str, use: SecretUse, options: MigrationOptions, values: Mapping[str, Any], implied: Mapping[str, str]
) -> Finding:
    where: dict[str, Any] = {"file": file, "line": use.line, "column": use.column, "kind": use.kind, "usage": use.usage}
    if use.secret is None or use.kind is Kind.REVIEW:
        return Finding(
            **where,
            secret=use.secret,
            block_type=None,
            block_name=None,
            replacement=None,
            note=use.note,
            fixable=False,
        )
    secret = use.secret
    target, typed = _target(secret, options, values, implied)
    use = replace(use, note=join_notes(use.note, typed))
    block_name = options.block_name(secret)
    if not block_name:
        note = join_notes(use.note, "gives an empty block name: choose a block name for this secret")
        return Finding(
            **where,
            secret=use.secret,
            block_type=target.slug,
            block_name=None,
            replacement=None,
            note=note,
            fixable=False,
        )
    return Finding(
        **where,
        secret=use.secret,
        block_type=target.slug,
        block_name=block_name,
        **_replacement(use, target, block_name),
        span=use.span,
        replacement_import=target.replacement_import,
    )


def _replacement(use: SecretUse, target: BlockTarget, block_name: str) -> dict[str, Any]:
    """The code replacing a use, whether `--fix` may write it, and the note saying why not."""
    assert use.secret is not None
    replacement = target.replacement_for(use.secret, block_name)
    # Only a replacement that returns what 1.x returned (`....get()`, a shared block's field) is a sure rewrite.
    fixable = use.span is not None and (replacement.endswith(".get()") or use.secret in target.fields)
    note = use.note
    if not fixable and use.span is not None:
        note = join_notes(use.note, f"{target.slug} returns a block: rewrite by hand")
    if use.awaited:  # `GitHubToken.load("x").get()` -> `(await GitHubToken.aload("x")).get()`
        replacement = _LOAD_CALL.sub(r"(await \1.aload(\2))", replacement, count=1)
    return {"replacement": replacement, "fixable": fixable, "note": note}


def _json_value(value: Any) -> Any:
    # As `migrate` plans: the JSON form decides the shape; a value JSON cannot hold has none.
    try:
        return to_json_value(value)[0]
    except UnsupportedValue:
        return None
