"""Find every Prefect 1.x secret use in a codebase, with the block that replaces it.

```python
from prefect_secretblocks.scan import scan_project, fix_project

result = scan_project("path/to/project")     # Python code, .env, shell, YAML, JSON, Dockerfile, config.toml
for finding in result.findings:
    print(finding.location, finding.secret, finding.block_type, finding.block_name, finding.replacement)
fixed = fix_project(result)                    # rewrite the sites the scan is sure of (libcst)
```
Block types and names come from the same mapping and flags as `migrate`
(`MigrationOptions`: `--map`, `--name`, `--prefix`). No secret value is ever kept or printed.
"""

from __future__ import annotations

import io
import os
import re
import stat
import tokenize
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Optional, Union

import yaml

from prefect_secretblocks.exceptions import BadInputError
from prefect_secretblocks.migration.plan import MigrationOptions, count_each
from prefect_secretblocks.migration.targets import UnsupportedValue, to_json_value
from prefect_secretblocks.scan.config_files import scan_config
from prefect_secretblocks.scan.notebooks import scan_notebook
from prefect_secretblocks.scan.python_sources import scan_python
from prefect_secretblocks.scan.uses import Kind, SecretUse, SkippedFile, Span, join_notes

__all__ = ["Finding", "Kind", "ScanResult", "SkippedFile", "fix_project", "scan_project"]

# Directories that hold other people's code or tool state, never the project's own flows.
SKIPPED_DIRECTORIES = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "site-packages",
        "dist-packages",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".eggs",
    }
)
MAX_FILE_BYTES = 2 * 1024 * 1024  # a source or config file is far smaller; larger ones are data
_PYTHON_SUFFIXES = (".py", ".pyw")
_LOAD_CALL = re.compile(r"^(\w+)\.load\(([^()]*)\)")


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

    root: str
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


def scan_project(
    root: Union[str, Path],
    options: MigrationOptions = MigrationOptions(),
    values: Mapping[str, Any] = {},
) -> ScanResult:
    """
    Scan a directory (or one file) for 1.x secret uses.

    Args:
        root: The project directory or a single file.
        options: `--map`, `--name` and `--prefix`, as `migrate` takes them.
        values: 1.x secret values by name (from `read_v1_secrets`), so a value's shape picks the
            block type `migrate` would pick; they are only looked at, never reported.

    Raises:
        BadInputError: `root` does not exist, or a flag is invalid.
    """
    options.check()
    base = Path(root)
    if not base.exists():
        raise BadInputError(f"{root}: no such file or directory")
    findings: list[Finding] = []
    skipped: list[SkippedFile] = []
    scanned = 0
    for path in _files(base):
        display = path.as_posix() if base.is_file() else (Path(root) / path.relative_to(base)).as_posix()
        try:
            uses = _scan_file(path, display, skipped)
        except Exception as exc:  # a bug on some unforeseen input: report the file, scan the rest
            skipped.append(SkippedFile(display, None, f"could not be scanned ({type(exc).__name__}); please report it"))
            continue
        if uses is None:
            continue
        scanned += 1
        findings.extend(_finding(display, use, options, values) for use in uses)
    return ScanResult(str(root), tuple(findings), tuple(skipped), scanned)


def fix_project(result: ScanResult) -> ScanResult:
    """
    Rewrite, in place, the Python sites `result` marks fixable; return the result with them marked fixed.

    Each file is rewritten as a whole, or left as it is when the rewrite would not compile. The
    sites left alone get a note saying why.
    """
    from prefect_secretblocks.scan.fix import FixSite, fix_source  # libcst: only for --fix

    by_file: dict[str, list[Finding]] = {}
    for finding in result.findings:
        if finding.fixable:
            by_file.setdefault(finding.file, []).append(finding)
    updated: dict[int, Finding] = {}
    for file, findings in by_file.items():
        path = Path(file)
        text = _read_python(path.read_bytes())
        sites = [
            FixSite(finding.span, finding.replacement, finding.replacement_import)  # type: ignore[arg-type]
            for finding in findings
        ]
        outcome = fix_source(text, sites)
        if outcome.fixed:
            # Keep the file's own line endings: read and write without newline translation.
            path.write_text(outcome.text, encoding=_encoding(path.read_bytes()), newline="")
        for finding in findings:
            if finding.span in outcome.fixed:
                updated[id(finding)] = replace(finding, fixed=True, fixable=False)
            else:
                reason = outcome.left.get(finding.span, "")  # type: ignore[arg-type]
                updated[id(finding)] = replace(
                    finding, fixable=False, note=join_notes(finding.note, f"not fixed: {reason}")
                )
    return replace(result, findings=tuple(updated.get(id(finding), finding) for finding in result.findings))


def _finding(file: str, use: SecretUse, options: MigrationOptions, values: Mapping[str, Any]) -> Finding:
    if use.secret is None or use.kind is Kind.REVIEW:
        return Finding(file, use.line, use.kind, use.usage, use.secret, None, None, None, use.note, False)
    target = options.target(use.secret, _json_value(values.get(use.secret)))
    block_name = options.block_name(use.secret)
    if not block_name:
        note = join_notes(use.note, f"gives an empty block name; choose one with --name {use.secret}=BLOCK_NAME")
        return Finding(file, use.line, use.kind, use.usage, use.secret, target.slug, None, None, note, False)
    # Only a replacement that returns what 1.x returned (`....get()`) is a sure rewrite.
    fixable = use.span is not None and target.replacement.endswith(".get()")
    note = (
        use.note
        if fixable or use.span is None
        else join_notes(use.note, f"{target.slug} returns a block: rewrite by hand")
    )
    replacement = target.replacement.format(block_name=block_name)
    if use.awaited:  # `GitHubToken.load("x").get()` -> `(await GitHubToken.aload("x")).get()`
        replacement = _LOAD_CALL.sub(r"(await \1.aload(\2))", replacement, count=1)
    return Finding(
        file,
        use.line,
        use.kind,
        use.usage,
        use.secret,
        target.slug,
        block_name,
        replacement,
        note,
        fixable,
        span=use.span,
        replacement_import=target.replacement_import,
    )


def _json_value(value: Any) -> Any:
    # As `migrate` plans: the JSON form decides the shape; a value JSON cannot hold has none.
    try:
        return to_json_value(value)[0]
    except UnsupportedValue:
        return None


def _files(base: Path) -> Iterator[Path]:
    """Regular files under `base` in a stable order; symlinked directories are not followed (no loops)."""
    if base.is_file():
        yield base
        return
    for directory, subdirectories, files in os.walk(base):
        subdirectories[:] = sorted(
            name
            for name in subdirectories
            if name not in SKIPPED_DIRECTORIES
            and not name.endswith(".egg-info")
            and not (Path(directory) / name / "pyvenv.cfg").exists()  # a virtualenv under any name
        )
        for name in sorted(files):
            yield Path(directory) / name


def _scan_file(path: Path, display: str, skipped: list[SkippedFile]) -> Optional[list[SecretUse]]:
    """The uses in one file, or None when it is not a text file the scan reads."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > MAX_FILE_BYTES:
            skipped.append(SkippedFile(display, None, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"))
            return None
        data = path.read_bytes()
    except OSError as exc:
        skipped.append(SkippedFile(display, None, f"cannot be read: {exc.strerror or type(exc).__name__}"))
        return None
    if _is_python(path, data):
        try:
            return scan_python(_read_python(data))
        except SyntaxError as exc:
            skipped.append(SkippedFile(display, exc.lineno, f"not valid Python 3: {exc.msg}"))
        except (UnicodeDecodeError, ValueError) as exc:  # a bad encoding cookie, null bytes
            skipped.append(SkippedFile(display, None, f"not readable as Python source: {type(exc).__name__}"))
        except RecursionError:
            skipped.append(SkippedFile(display, None, "nested too deeply to parse"))
        return None
    if b"\0" in data[:8192]:
        return None  # binary
    text = data.decode("utf-8", errors="replace")
    if path.suffix == ".ipynb":
        try:
            return scan_notebook(text)
        except yaml.YAMLError:
            skipped.append(SkippedFile(display, None, "not a readable notebook (invalid JSON)"))
            return None
    return scan_config(path.name, text)


def _is_python(path: Path, data: bytes) -> bool:
    if path.suffix in _PYTHON_SUFFIXES:
        return True
    first_line = data[:128].split(b"\n", 1)[0]
    return not path.suffix and first_line.startswith(b"#!") and b"python" in first_line


def _encoding(data: bytes) -> str:
    return tokenize.detect_encoding(io.BytesIO(data).readline)[0]


def _read_python(data: bytes) -> str:
    """Python source decoded as Python does (PEP 263 cookie, BOM), line endings untouched."""
    return data.decode(_encoding(data))
