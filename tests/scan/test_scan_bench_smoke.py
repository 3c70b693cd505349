"""bench/scan_tree.py, the `make bench` figure for scan on a large tree, runs end to end at a tiny size.

No time is asserted: the figure is a ratio that `make bench` reports.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_scan_benchmark_prints_its_ratio_and_peak_memory(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "scan_tree.py"), "--files", "30", "--repetitions", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert re.search(r"^\| scan of a 30-file tree vs ast\.parse of its \.py files \| [0-9.]+ \|", result.stdout, re.M)
    assert re.search(r"^\| peak RSS of the scan \| \d+ MB \|", result.stdout, re.M)


def test_the_generated_tree_mixes_plain_modules_1x_flows_and_config(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from scan_tree import generate, parse_all
    finally:
        sys.path.remove(str(REPO / "bench"))
    generate(tmp_path, 100)
    python = list(tmp_path.rglob("*.py"))
    flows = [path for path in python if b"prefect" in path.read_bytes()]
    assert parse_all(tmp_path) == len(python) == 80 and len(flows) == 10
