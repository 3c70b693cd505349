"""The benchmark machinery works end to end at a tiny size (figures are ratios; no time is asserted)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.e2e
@pytest.mark.prefect3_only(
    reason="the benchmark figures (docs/benchmarks.md) are measured on Prefect 3; a second run only adds CI time"
)
def test_bench_prints_a_ratio_for_every_target() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run_all.py"), "--sizes", "3", "--repetitions", "1"]
        + ["--quick-repetitions", "1", "--load-rounds", "2", "--scan-files", "50", "--log-records", "200"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    ratios = re.findall(r"^\| (.+?) \| ([0-9.]+)", result.stdout, flags=re.MULTILINE)
    names = " ".join(name for name, _ in ratios)
    for target in (
        "speed-up over a sequential save loop",
        "re-run",
        "GitHubToken.load",
        "GitHubToken.aload",
        "import prefect_secretblocks",
        "block register",
        "peak RSS",
        "scan",
        "run-logger records, 10,000 values masked",
    ):
        assert target in names, target
    assert all(float(ratio) > 0 for _, ratio in ratios)
