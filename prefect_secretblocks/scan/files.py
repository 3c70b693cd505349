"""Which files a scan reads, and the 1.x secret uses in one file, whatever its kind.

A cheap byte test comes first: a file that cannot hold a 1.x secret use is neither decoded nor
parsed (most files of a large tree never mention Prefect), and only the rest go to the scanners.
"""

from __future__ import annotations

import io
import os
import stat
import tokenize
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

from prefect_secretblocks.scan.config_files import scan_config
from prefect_secretblocks.scan.notebooks import scan_notebook
from prefect_secretblocks.scan.python_sources import scan_python
from prefect_secretblocks.scan.uses import SecretUse, SkippedFile

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
# Every 1.x use in code resolves through an import of `prefect` (1.x's classes, tasks, context,
# client) or names a `PREFECT__...` environment variable: a file with neither cannot hold one.
_PYTHON_TOKENS = (b"prefect", b"PREFECT__")
_CONFIG_TOKEN = b"PREFECT__"  # config files: the variables; a config.toml's `[context.secrets]` too
_TOML_TOKEN = b"secrets"  # matched lowercased: 1.x reads its config's section names in any case


@dataclass(frozen=True)
class FileScan:
    """What one file gave: its uses (None when it is not a file the scan reads), or why it was skipped."""

    uses: Optional[list[SecretUse]] = None
    skipped: Optional[SkippedFile] = None


def walk(base: Path) -> Iterator[Path]:
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


def scan_file(path: Path, display: str) -> FileScan:
    """The uses in one file; `display` is how the file is named in a skipped entry."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return FileScan()
        if info.st_size > MAX_FILE_BYTES:
            return _skipped(display, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as exc:
        return _skipped(display, f"cannot be read: {exc.strerror or type(exc).__name__}")
    if is_python(path, data):
        return _python_file(data, display) if may_use_1x_in_python(data) else FileScan(uses=[])
    if b"\0" in data[:8192]:
        return FileScan()  # binary
    if path.suffix == ".ipynb":
        return _notebook(data, display) if may_use_1x_in_python(data) else FileScan(uses=[])
    if _CONFIG_TOKEN not in data and not (path.suffix == ".toml" and _TOML_TOKEN in data.lower()):
        return FileScan(uses=[])
    return FileScan(uses=scan_config(path.name, data.decode("utf-8", errors="replace")))


def may_use_1x_in_python(data: bytes) -> bool:
    """
    Whether Python source (or a notebook) can hold a 1.x secret use: it names `prefect` or `PREFECT__`.

    Identifiers are NFKC-normalised by Python (`ｐｒｅｆｅｃｔ` is `prefect`), so non-ASCII
    source is normalised before it is searched. A variable name spelled with string escapes
    or split across adjacent literals (`"PREF" "ECT__..."`) is not searched for.
    """
    if any(token in data for token in _PYTHON_TOKENS):
        return True
    if data.isascii():
        return False
    normalised = unicodedata.normalize("NFKC", data.decode("utf-8", errors="replace"))
    return any(token.decode() in normalised for token in _PYTHON_TOKENS)


def is_python(path: Path, data: bytes) -> bool:
    """A `.py`/`.pyw` file, or a script without a suffix whose `#!` line runs Python."""
    if path.suffix in _PYTHON_SUFFIXES:
        return True
    first_line = data[:128].split(b"\n", 1)[0]
    return not path.suffix and first_line.startswith(b"#!") and b"python" in first_line


def encoding(data: bytes) -> str:
    """The encoding Python reads this source in (PEP 263 cookie, BOM, else UTF-8)."""
    return tokenize.detect_encoding(io.BytesIO(data).readline)[0]


def read_python(data: bytes) -> str:
    """Python source decoded as Python does (PEP 263 cookie, BOM), line endings untouched."""
    return data.decode(encoding(data))


def _python_file(data: bytes, display: str) -> FileScan:
    try:
        return FileScan(uses=scan_python(read_python(data)))
    except SyntaxError as exc:
        return _skipped(display, f"not valid Python 3: {exc.msg}", line=exc.lineno)
    except (UnicodeDecodeError, ValueError) as exc:  # a bad encoding cookie, null bytes
        return _skipped(display, f"not readable as Python source: {type(exc).__name__}")
    except RecursionError:
        return _skipped(display, "nested too deeply to parse")


def _notebook(data: bytes, display: str) -> FileScan:
    try:
        return FileScan(uses=scan_notebook(data.decode("utf-8", errors="replace")))
    except yaml.YAMLError:
        return _skipped(display, "not a readable notebook (invalid JSON)")


def _skipped(display: str, reason: str, line: Optional[int] = None) -> FileScan:
    return FileScan(skipped=SkippedFile(path=display, line=line, reason=reason))
