"""The private Prefect names `_compat.py` relies on, checked against the installed Prefect."""

from __future__ import annotations

import prefect
from prefect.blocks.core import Block
from prefect.blocks.system import Secret

from prefect_secretblocks._compat import block_schema_checksum


def test_block_schema_checksum_still_exists_in_this_prefect() -> None:
    assert callable(getattr(Block, "_calculate_schema_checksum", None)), (
        f"Prefect {prefect.__version__} no longer has Block._calculate_schema_checksum, "
        "which _compat.block_schema_checksum calls: find its replacement there"
    )
    assert block_schema_checksum(Secret).startswith("sha256:")
