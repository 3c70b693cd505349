"""The one-off migration from Prefect 1.x secrets to blocks: read -> plan -> apply.

```python
from prefect_secretblocks.migration import read_v1_secrets, plan_migration, apply_migration

secrets = read_v1_secrets()                   # ~/.prefect/config.toml, backend.toml, PREFECT__ env
plan = plan_migration(secrets)                # which block type and name, which action
report = await apply_migration(plan)          # save, verify
```
`run_migration` does all three against the blocks that already exist (what the CLI runs), and
records what it wrote in a journal (`journal.py`) that `rollback_migration` undoes.
"""

from prefect_secretblocks.migration.apply import (
    DEFAULT_CONCURRENCY,
    MigrationReport,
    Outcome,
    Result,
    apply_migration,
    read_existing_blocks,
    run_migration,
)
from prefect_secretblocks.migration.journal import JournalEntry, read_journal
from prefect_secretblocks.migration.plan import (
    Action,
    ExistingBlock,
    MigrationOptions,
    MigrationPlan,
    OnConflict,
    PlannedBlock,
    plan_migration,
)
from prefect_secretblocks.migration.rollback import RollbackAction, RollbackReport, rollback_migration
from prefect_secretblocks.migration.targets import BLOCK_TARGETS, BlockTarget, block_name_for, target_for
from prefect_secretblocks.migration.v1_config import V1Secret, read_v1_secrets

__all__ = [
    "BLOCK_TARGETS",
    "DEFAULT_CONCURRENCY",
    "Action",
    "BlockTarget",
    "ExistingBlock",
    "JournalEntry",
    "MigrationOptions",
    "MigrationPlan",
    "MigrationReport",
    "OnConflict",
    "Outcome",
    "PlannedBlock",
    "Result",
    "RollbackAction",
    "RollbackReport",
    "V1Secret",
    "apply_migration",
    "block_name_for",
    "plan_migration",
    "read_existing_blocks",
    "read_journal",
    "read_v1_secrets",
    "rollback_migration",
    "run_migration",
    "target_for",
]
