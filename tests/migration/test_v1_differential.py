"""Differential tests: our reader returns exactly what prefect==1.4.1's `Secret(name).get()` returns."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from prefect_secretblocks._compat import aload_block
from prefect_secretblocks.migration import MigrationOptions, Result, read_v1_secrets, run_migration
from prefect_secretblocks.migration.targets import TARGETS_BY_SLUG, UnsupportedValue, to_json_value

from .v1_cases import CASES, V1Case

pytestmark = pytest.mark.differential


def strictly_equal(ours: Any, theirs: Any) -> bool:
    """Equality that also tells 1 from True and (1,) from [1]."""
    if type(ours) is not type(theirs):
        return False
    if isinstance(ours, dict):
        return ours.keys() == theirs.keys() and all(strictly_equal(ours[k], theirs[k]) for k in ours)
    if isinstance(ours, (list, tuple)):
        return len(ours) == len(theirs) and all(map(strictly_equal, ours, theirs))
    if isinstance(ours, float) and math.isnan(ours):
        return math.isnan(theirs)
    return ours == theirs


def case_environment(case: V1Case, home: Path) -> dict[str, str]:
    """Writes the case's files under `home` and returns the environment 1.x would have run in."""
    prefect_dir = home / ".prefect"
    prefect_dir.mkdir(parents=True, exist_ok=True)
    for file_name, text in (("config.toml", case.config), ("backend.toml", case.backend)):
        if text is not None:
            (prefect_dir / file_name).write_text(text, encoding="utf-8")
    return {
        "HOME": str(home),
        "PREFECT__USER_CONFIG_PATH": str(prefect_dir / "config.toml"),
        "PREFECT__BACKEND_CONFIG_PATH": str(prefect_dir / "backend.toml"),
        **case.env,
    }


@pytest.fixture(scope="module")
def oracle_results(prefect1_oracle, tmp_path_factory) -> dict[str, tuple[dict[str, str], dict[str, Any]]]:
    """Every case through prefect 1.4.1 in one process: `case id -> (environment, result)`."""
    environments = [case_environment(case, tmp_path_factory.mktemp(case.id)) for case in CASES]
    results = prefect1_oracle(environments)
    return {case.id: (env, result) for case, env, result in zip(CASES, environments, results)}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_reader_matches_prefect_1_4_1(case: V1Case, oracle_results) -> None:
    environment, oracle = oracle_results[case.id]
    assert "error" not in oracle, f"prefect 1.4.1 failed on this case: {oracle.get('error')}"
    ours = {secret.name: secret.value for secret in read_v1_secrets(environ=environment)}
    assert ours.keys() == oracle["secrets"].keys()
    mismatches = [name for name in ours if not strictly_equal(ours[name], oracle["secrets"][name])]
    assert not mismatches, {name: (ours[name], oracle["secrets"][name]) for name in mismatches}


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
async def test_migrated_blocks_hold_what_prefect_1_4_1_returned(case: V1Case, oracle_results) -> None:
    """The property: every migrated block's 1.x-form value equals 1.x's `Secret(name).get()`."""
    environment, oracle = oracle_results[case.id]
    options = MigrationOptions(prefix=f"diff-{case.id}-", block_types=case.maps)
    plan, report = await run_migration(read_v1_secrets(environ=environment), options)
    assert report is not None and not report.problems, [o.error for o in report.problems]
    for outcome in report.outcomes:
        expected = oracle["secrets"][outcome.entry.secret]
        try:
            json_value, _ = to_json_value(expected)
        except UnsupportedValue:
            assert outcome.result is Result.UNSUPPORTED, outcome.entry.secret
            continue
        target = TARGETS_BY_SLUG[outcome.entry.block_type]
        block = await aload_block(target.block_class(), outcome.entry.block_name)
        assert strictly_equal(target.v1_value(block), json_value), outcome.entry.secret
