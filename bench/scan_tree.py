"""`scan` on a large generated tree, against `ast.parse` of every .py file in the same tree.

    python bench/scan_tree.py generate DIR --files 3000   # the tree (most files never mention Prefect)
    python bench/scan_tree.py parse DIR                   # the baseline: ast.parse of every .py file
    python bench/scan_tree.py --files 300                 # both, and the ratio (what `make bench` runs)

Both sides run as fresh processes and read every file; the scan is the CLI a user runs
(`prefect-secretblocks scan DIR --format json`), its import of the package included.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import statistics
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: `bench` is not on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.run_all import PYTHON, Figure, environment, run_child

PREFECT_SHARE = 10  # one Python file in ten mentions Prefect, as in a 1.x virtualenv's site-packages
OTHER_FILES_SHARE = 5  # and one file in five is not Python (docs, YAML, JSON, dotenv)

_PLAIN_MODULE = '''"""Module {index}: helpers for the {topic} service."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Optional

logger = logging.getLogger(__name__)
DEFAULTS = {{"retries": {index}, "timeout": 30.0, "name": "{topic}-{index}"}}


@dataclass
class Record{index}:
    """One {topic} record."""

    key: str
    value: Optional[float] = None
    tags: list[str] = field(default_factory=list)

    def score(self, weight: float = 1.0) -> float:
        total = 0.0
        for position, tag in enumerate(self.tags):
            if tag.startswith("x"):
                total += position * weight
            elif len(tag) > 3:
                total -= len(tag) / (position + 1)
            else:
                total += (self.value or 0.0) * 0.5
        return round(total, 3)

    def to_json(self) -> str:
        return json.dumps({{"key": self.key, "value": self.value, "tags": sorted(self.tags)}})


def parse_{index}(lines: list[str]) -> dict[str, Any]:
    """Key/value lines into a dict, comments and blanks skipped."""
    parsed: dict[str, Any] = {{}}
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        try:
            parsed[key.strip()] = float(value)
        except ValueError:
            logger.debug("line %d is not a number: %r", number, value)
            parsed[key.strip()] = value.strip()
    return parsed


class Service{index}:
    def __init__(self, records: list[Record{index}]) -> None:
        self.records = {{record.key: record for record in records}}

    def best(self, count: int = 3) -> list[str]:
        ranked = sorted(self.records.values(), key=lambda record: record.score(), reverse=True)
        return [record.key for record in ranked[:count]]

    async def refresh(self, source: Any) -> int:
        changed = 0
        async for key, value in source:
            record = self.records.get(key)
            if record is not None and record.value != value:
                record.value = value
                changed += 1
        return changed
'''

_PREFECT_MODULE = '''"""Flow {index}: a Prefect 1.x flow reading its secrets."""
from prefect import Flow, task
from prefect.client import Secret
from prefect.tasks.secrets import PrefectSecret


@task
def extract_{index}():
    token = Secret("GITHUB_ACCESS_TOKEN").get()
    return token is not None


def helper_{index}():
    return PrefectSecret("WAREHOUSE_PASSWORD_{index}").run()


with Flow("flow-{index}") as flow:
    extract_{index}()
'''

_OTHER_FILES = {
    ".md": "# Service {index}\n\nRun `make test` before pushing.\n",
    ".yaml": "name: service-{index}\nreplicas: 2\nenv:\n  - name: LOG_LEVEL\n    value: info\n",
    ".json": '{{"name": "service-{index}", "version": "1.{index}.0"}}\n',
    ".env": "LOG_LEVEL=info\nPREFECT__CONTEXT__SECRETS__API_KEY_{index}=${{API_KEY}}\n",
}


def generate(root: Path, files: int, seed: int = 1) -> None:
    """`files` files in nested packages: most plain Python, one in ten a 1.x flow, some docs and config."""
    chooser = random.Random(seed)
    topics = ("billing", "search", "ingest", "reports", "auth", "catalog")
    for index in range(files):
        directory = root / f"package_{index % 40}" / f"module_group_{index % 7}"
        directory.mkdir(parents=True, exist_ok=True)
        if index % OTHER_FILES_SHARE == 4:
            suffix = chooser.choice(sorted(_OTHER_FILES))
            (directory / f"file_{index}{suffix}").write_text(_OTHER_FILES[suffix].format(index=index))
        elif index % PREFECT_SHARE == 3:
            (directory / f"flow_{index}.py").write_text(_PREFECT_MODULE.format(index=index))
        else:
            body = _PLAIN_MODULE.format(index=index, topic=chooser.choice(topics))
            (directory / f"module_{index}.py").write_text(body * chooser.randint(1, 4))


def parse_all(root: Path) -> int:
    """The baseline: read and `ast.parse` every .py file under `root`; how many there were."""
    count = 0
    for directory, _, names in os.walk(root):
        for name in names:
            if name.endswith(".py"):
                ast.parse(Path(directory, name).read_bytes())
                count += 1
    return count


def bench_scan(work: Path, files: int, repetitions: int) -> tuple[list[Figure], dict[str, float]]:
    """The scan's wall time over the baseline's, and its peak RSS, on a generated tree."""
    tree = work / "scan-tree"
    generate(tree, files)
    env = environment()
    scan = [PYTHON, "-m", "prefect_secretblocks", "scan", str(tree), "--format", "json"]
    parse = [PYTHON, str(Path(__file__).resolve()), "parse", str(tree)]
    scans, parses, peaks = [], [], []
    for _ in range(repetitions):  # interleaved, so a busy moment of the machine hits both sides
        elapsed, peak = run_child(scan, env)
        scans.append(elapsed)
        peaks.append(peak)
        parses.append(run_child(parse, env)[0])
    figures = [
        Figure(
            f"scan of a {files}-file tree vs ast.parse of its .py files",
            statistics.median(scans),
            statistics.median(parses),
            "<= 1.0",
        )
    ]
    facts = {
        f"scan_{files}_files_seconds": statistics.median(scans),
        f"parse_{files}_files_seconds": statistics.median(parses),
        "scan_peak_rss_mb": max(peaks) / 1024 / 1024,
    }
    return figures, facts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", nargs="?", choices=("generate", "parse", "bench"), default="bench")
    parser.add_argument("directory", nargs="?", type=Path)
    parser.add_argument("--files", type=int, default=3000)
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    if args.mode == "generate":
        generate(args.directory, args.files)
    elif args.mode == "parse":
        parse_all(args.directory)
    else:
        with tempfile.TemporaryDirectory() as work:
            figures, facts = bench_scan(Path(work), args.files, args.repetitions)
        for figure in figures:
            print(f"| {figure.name} | {figure.ratio:.2f} | {figure.target} | {'yes' if figure.met else 'NO'} |")
        print(f"| peak RSS of the scan | {facts['scan_peak_rss_mb']:.0f} MB | < 300 MB |")
        print(", ".join(f"{name} {value:.2f}" for name, value in facts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
