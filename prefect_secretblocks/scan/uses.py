"""What the file scanners report: one `SecretUse` per place that uses a 1.x secret.

The scanners never keep a secret value: a use carries the secret's name, where it is,
and a description of the 1.x usage built from the code's structure (never copied text).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Optional


class Kind(str, Enum):
    """What a use is, and so what the user has to do about it."""

    READ = "read"  # code reads the secret by name: replace it with the block
    DEFAULT = "default"  # a 1.x storage or task reads it under its default name
    REVIEW = "review"  # the name is computed at run time, or the use is not a plain read: by hand
    EXPOSED = "exposed"  # a file holds the secret's value in plain text
    ENV = "env"  # set from elsewhere (an environment variable, a 1.x Cloud secret): remove after migrating


@dataclass(frozen=True)
class Span:
    """The characters of an expression `--fix` replaces (lines from 1, columns in characters from 0)."""

    start_line: int
    start_column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class SecretUse:
    """One place that uses a 1.x secret, as a file scanner found it."""

    line: int
    kind: Kind
    usage: str  # the 1.x usage, e.g. `Secret("GITHUB_ACCESS_TOKEN").get()`
    secret: Optional[str] = None  # None: the name is not known before run time
    span: Optional[Span] = None  # set when `--fix` can replace the expression with the block's load
    note: str = ""
    awaited: bool = False  # inside an `async def`: the replacement awaits `aload`
    column: int = 1  # where the use starts on its line, in characters from 1 (as linters print it)
    block_type: Optional[str] = None  # the block type the 1.x API reading it implies (`SecretParameter.block_type`)


@dataclass(frozen=True)
class SkippedFile:
    """A file the scan could not read as what its name says it is."""

    path: str
    line: Optional[int]
    reason: str

    def to_dict(self) -> dict[str, object]:
        """The `--format json` form."""
        return {"file": self.path, "line": self.line, "reason": self.reason}


def join_notes(*parts: str) -> str:
    """Notes joined into one line, empty ones left out."""
    return "; ".join(part for part in parts if part)
