"""What the scan library raises on bad input: types with fields, worded by whoever shows them."""

from __future__ import annotations

from collections.abc import Sequence

from prefect_secretblocks.exceptions import BadInputError


class ScanPathNotFound(BadInputError):
    """A path given to scan does not exist."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"{path}: no such file or directory")


class UnknownFindingKind(BadInputError):
    """A finding kind asked for by name is not one of the kinds a scan reports."""

    def __init__(self, kind: str, known: Sequence[str]) -> None:
        self.kind = kind
        self.known = tuple(known)
        super().__init__(f"unknown finding kind {kind!r}; the kinds are {', '.join(self.known)}")
