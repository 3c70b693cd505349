"""`make bench`: every figure as a ratio against a baseline measured in the same run.

Starts fresh Prefect servers on loopback (temporary PREFECT_HOME), runs each benchmark
several times, prints the medians and ratios, and with `--write-docs` writes bench/results.md,
which docs/benchmarks.md includes. Absolute times are context only; the targets are ratios.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PYTHON = sys.executable


@dataclass
class Figure:
    name: str
    measured: float
    baseline: float
    target: str  # e.g. ">= 5.0" on speedup, "<= 1.1" on ratio
    unit: str = "ratio"

    @property
    def ratio(self) -> float:
        return self.measured / self.baseline

    @property
    def met(self) -> bool:
        bound = float(self.target.split()[1])
        return self.ratio >= bound if self.target.startswith(">=") else self.ratio <= bound


def environment(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT__")}
    return {**base, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1", **extra}


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def cpu_seconds(self) -> float:
        """CPU time (user + system) the server's processes have spent so far, children included."""
        return sum(_cpu_seconds(pid) for pid in _process_tree(self.pid))


def _process_tree(root: int) -> list[int]:
    """`root` and every descendant alive now, from /proc."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        parents[int(stat.parent.name)] = int(fields[1])
    tree = [root]
    for pid in tree:
        tree.extend(child for child, parent in parents.items() if parent == pid)
    return tree


def _cpu_seconds(pid: int) -> float:
    """utime + stime of the process and of its children it has waited for (cutime + cstime)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


@contextmanager
def prefect_server() -> Iterator[Server]:
    """A fresh `prefect server start` on loopback; yields its API URL and process id."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    home = tempfile.mkdtemp(prefix="bench-prefect-home-")
    server = subprocess.Popen(
        [PYTHON, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=environment(PREFECT_HOME=home, PREFECT_UI_ENABLED="false"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the benchmark's Prefect server did not start")
            time.sleep(0.2)
        yield Server(url=url, pid=server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(home, ignore_errors=True)


def generate_config(path: Path, count: int) -> None:
    """A 1.x config.toml mixing plain strings, typed-block names and nested tables."""
    lines = ["[context.secrets]"]
    tables = []
    for index in range(count):
        kind = index % 6
        if kind == 0:
            lines.append(f'GITHUB_TOKEN_{index} = "ghp_{index:012d}fakeBenchTokenXYZ12345"')
        elif kind == 1:
            lines.append(
                f'SLACK_HOOK_{index} = "https://hooks.slack.com/services/TFAKE{index}/BFAKE{index}/fakeBench{index}"'
            )
        elif kind == 2:
            tables.append(
                f'[context.secrets.AWS_{index}]\nACCESS_KEY = "AKIAFAKE{index}"\nSECRET_ACCESS_KEY = "fake-{index}"'
            )
        elif kind == 3:
            tables.append(
                f"[context.secrets.TWITTER_{index}]\n"
                + "".join(
                    f'{key} = "fake-{key}-{index}"\n'
                    for key in ("api_key", "api_secret", "access_token", "access_token_secret")
                )
            )
        elif kind == 4:
            tables.append(
                f'[context.secrets.DB_{index}]\nuser = "fake"\nport = "5432"\n[context.secrets.DB_{index}.options]\nssl = "true"'
            )
        else:
            lines.append(f'PLAIN_{index} = "fake-plain-value-{index}"')
    path.write_text("\n".join(lines) + "\n" + "\n".join(tables) + "\n")


def run_child(command: Sequence[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time and peak RSS (bytes) of one child process, which must succeed."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        # A file, not a pipe: a full pipe would stall the child while nothing reads it.
        child = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            output.seek(0)
            raise RuntimeError(f"{' '.join(command[:4])} failed: {output.read().decode()[-800:]}")
    return elapsed, usage.ru_maxrss * 1024


def bench_migration(work: Path, sizes: Sequence[int], repetitions: int) -> tuple[list[Figure], dict[str, float]]:
    figures, facts = [], {}
    for size in sizes:
        config = work / f"config-{size}.toml"
        generate_config(config, size)
        ours, naive, reruns, peaks, server_cpu = [], [], [], [], []
        for _ in range(repetitions):
            # A fresh server each time: block reads and writes slow down as a server fills up,
            # which would favour whichever side ran first.
            with prefect_server() as server:
                env = environment(PREFECT_API_URL=server.url)
                migrate = [
                    PYTHON,
                    "-m",
                    "prefect_secretblocks",
                    "migrate",
                    "--config",
                    str(config),
                    "--no-env",
                    "--prefix",
                    "ours-",
                ]
                cpu_before = server.cpu_seconds()
                elapsed, peak = run_child(migrate, env)
                server_cpu.append(server.cpu_seconds() - cpu_before)
                ours.append(elapsed)
                peaks.append(peak)
                reruns.append(run_child(migrate, env)[0])
                naive.append(run_child([PYTHON, str(BENCH / "naive_migration.py"), str(config), "naive-"], env)[0])
        figures.append(
            Figure(
                f"migrate {size} secrets: speed-up over a sequential save loop",
                statistics.median(naive),
                statistics.median(ours),
                ">= 5.0" if size == max(sizes) else ">= 0.0",
                "x",
            )
        )
        facts[f"migrate_{size}_seconds"] = statistics.median(ours)
        facts[f"naive_{size}_seconds"] = statistics.median(naive)
        if size == max(sizes):
            facts["peak_rss_mb"] = max(peaks) / 1024 / 1024
            facts[f"server_cpu_during_migrate_{size}_seconds"] = statistics.median(server_cpu)
            # The server is the limit of a migration: its wall time should be the server's CPU time.
            figures.append(
                Figure(
                    f"migrate {size} secrets: wall time / CPU time of the server's processes meanwhile",
                    statistics.median(ours),
                    statistics.median(server_cpu),
                    "<= 1.25",
                )
            )
            figures.append(
                Figure(
                    f"re-run of a completed migration of {size} (all unchanged) vs the first run",
                    statistics.median(reruns),
                    statistics.median(ours),
                    "<= 0.5",
                )
            )
    return figures, facts


def bench_load(api_url: str, rounds: int) -> list[Figure]:
    completed = subprocess.run(
        [PYTHON, str(BENCH / "load_blocks.py"), str(rounds)],
        env=environment(PREFECT_API_URL=api_url),
        capture_output=True,
        text=True,
        check=True,
    )
    medians = json.loads(completed.stdout.strip().splitlines()[-1])
    return [
        Figure("GitHubToken.load vs core Secret.load (sync)", medians["token"], medians["secret"], "<= 1.1"),
        Figure("GitHubToken.aload vs core Secret.aload (async)", medians["atoken"], medians["asecret"], "<= 1.1"),
    ]


def bench_run_logger(api_url: str, records: int, rounds: int) -> list[Figure]:
    """20,000 records on a flow run's logger, masked with 10 / 1,000 / 10,000 values vs unmasked (#23)."""
    figures = []
    for values in (10, 1_000, 10_000):
        completed = subprocess.run(
            [PYTHON, str(BENCH / "run_logger.py"), "--values", str(values), "--records", str(records)]
            + ["--rounds", str(rounds)],
            env=environment(PREFECT_API_URL=api_url),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # the console handler's copy of every record
            text=True,
            check=True,
        )
        medians = json.loads(completed.stdout.strip().splitlines()[-1])
        target = "<= 1.3" if values == 10_000 else "<= 1.5"
        name = f"{records:,} run-logger records, {values:,} values masked vs unmasked"
        figures.append(Figure(name, medians["masked"], medians["unmasked"], target))
    return figures


def median_wall(commands: dict[str, Sequence[str]], repetitions: int, env: dict[str, str]) -> dict[str, float]:
    """Interleaved repetitions of several commands; the median wall time of each."""
    timings: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repetitions):
        for name, command in commands.items():
            timings[name].append(run_child(command, env)[0])
    return {name: statistics.median(values) for name, values in timings.items()}


def bench_import(repetitions: int) -> list[Figure]:
    medians = median_wall(
        {
            "ours": [PYTHON, "-c", "import prefect_secretblocks"],
            "prefect": [PYTHON, "-c", "import prefect"],
            "block": [PYTHON, "-c", "from prefect_secretblocks import GitHubToken"],
            "core_block": [PYTHON, "-c", "from prefect.blocks.system import Secret"],
        },
        repetitions,
        environment(),
    )
    return [
        Figure(
            "import prefect_secretblocks vs import prefect (fresh process)",
            medians["ours"],
            medians["prefect"],
            "<= 1.1",
        ),
        # The block itself, against Prefect's own core block: what a flow really pays.
        Figure(
            "from prefect_secretblocks import GitHubToken vs from prefect.blocks.system import Secret",
            medians["block"],
            medians["core_block"],
            "<= 1.1",
        ),
    ]


def bench_register(api_url: str, repetitions: int) -> Figure:
    register = [PYTHON, "-m", "prefect", "block", "register", "-m"]
    medians = median_wall(
        {"ours": [*register, "prefect_secretblocks"], "aws": [*register, "prefect_aws"]},
        repetitions,
        environment(PREFECT_API_URL=api_url),
    )
    return Figure(
        "prefect block register -m prefect_secretblocks vs -m prefect_aws", medians["ours"], medians["aws"], "<= 1.0"
    )


def render(figures: Sequence[Figure], facts: dict[str, float], repetitions: dict[str, int]) -> str:
    rows = [
        "| Benchmark | Ratio | Target | Met |",
        "|---|---|---|---|",
        *(
            f"| {figure.name} | {figure.ratio:.2f}{'x' if figure.unit == 'x' else ''} | {figure.target} | {'yes' if figure.met else 'NO'} |"
            for figure in figures
            if figure.target != ">= 0.0"
        ),
        *(
            f"| {figure.name} | {figure.ratio:.2f}x | (reported) | - |"
            for figure in figures
            if figure.target == ">= 0.0"
        ),
    ]
    if "peak_rss_mb" in facts:
        rows.append(
            f"| peak RSS of the largest migration | {facts['peak_rss_mb']:.0f} MB | < 300 MB | {'yes' if facts['peak_rss_mb'] < 300 else 'NO'} |"
        )
    if "scan_peak_rss_mb" in facts:
        rows.append(
            f"| peak RSS of the scan of the generated tree | {facts['scan_peak_rss_mb']:.0f} MB | < 300 MB | {'yes' if facts['scan_peak_rss_mb'] < 300 else 'NO'} |"
        )
    context = ", ".join(f"{name} {value:.2f}" for name, value in facts.items() if name.endswith("seconds"))
    return "\n".join(rows) + f"\n\nMedian wall times (seconds, context only): {context}.\nRepetitions: {repetitions}.\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--quick-repetitions", type=int, default=7, help="for the fast benchmarks")
    parser.add_argument("--load-rounds", type=int, default=200)
    parser.add_argument("--scan-files", type=int, default=3000, help="files in the generated tree `scan` reads")
    parser.add_argument("--log-records", type=int, default=20_000, help="records per block in the run-logger row")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as work:
        figures, facts = bench_migration(Path(work), args.sizes, args.repetitions)
    with tempfile.TemporaryDirectory() as work:
        from scan_tree import bench_scan  # bench/ is the script's directory, so on the path

        scan_figures, scan_facts = bench_scan(Path(work), args.scan_files, args.repetitions)
    figures += scan_figures
    facts.update(scan_facts)
    with prefect_server() as server:
        figures += bench_load(server.url, args.load_rounds)
        figures += bench_run_logger(server.url, args.log_records, args.repetitions)
        figures += bench_import(args.quick_repetitions)
        figures.append(bench_register(server.url, args.quick_repetitions))
    table = render(
        figures,
        facts,
        {
            "migrations and scans": args.repetitions,
            "imports and registers": args.quick_repetitions,
            "loads": args.load_rounds,
        },
    )
    print(table)
    if args.write_docs:
        write_docs(table)
    return 0


def write_docs(table: str) -> None:
    """bench/results.md, which docs/benchmarks.md includes under its own reading of the figures."""
    import prefect

    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    machine = (
        f"{os.cpu_count()} cores, {memory_gib:.0f} GiB RAM, {platform.platform()}, Python {platform.python_version()}, "
        f"Prefect {prefect.__version__}, server on SQLite over loopback, {datetime.date.today().isoformat()}"
    )
    (BENCH / "results.md").write_text(f"Machine: {machine}.\n\n{table}")


if __name__ == "__main__":
    sys.exit(main())
