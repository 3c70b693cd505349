"""The one-off migration from Prefect 1.x secrets to blocks: read -> plan -> apply."""

from prefect_secretblocks.migration.v1_config import V1Secret, read_v1_secrets

__all__ = ["V1Secret", "read_v1_secrets"]
