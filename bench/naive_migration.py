"""The baseline users would write by hand: one `Block(...).save(name)` after another."""

from __future__ import annotations

import sys

from prefect_secretblocks.migration import plan_migration, read_v1_secrets


def main(config: str, prefix: str) -> None:
    plan = plan_migration(read_v1_secrets(config=config, use_environment=False))
    for entry in plan.entries:
        entry.block.save(f"{prefix}{entry.block_name}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
