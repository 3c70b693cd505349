"""Masking where users meet it: a deployment's run, on a process worker against `prefect server start`.

The flow loads each kind of block by slug (this package's GitHubToken, core Secret text and JSON,
prefect-aws AwsCredentials, its nested copy in an S3Bucket, prefect-gcp's SecretDict), in a process
that never imports this package by name, then logs and prints every value, logs a traceback holding
one, runs a task that fails with them and fails itself with a URL carrying the token. Prefect imports
the package through its `prefect.collections` entry point at the first load by slug; from then on
nothing the run sends to the API (logs, flow and task run states) nor the worker's console holds a
value. With a browser at hand, the run's page in the Prefect UI is read too.

One module fixture plays the run once; each test checks one channel.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from prefect_secretblocks._compat import PREFECT_2
from prefect_secretblocks.redaction import MASK
from tests.canaries import leaks
from tests.e2e.stack import background, clean_environment, command, prefect_server, tail, wait_until
from tests.e2e.test_github_deployment import Api, _run_id
from tests.e2e.ui_pages import CHROMIUM

pytestmark = pytest.mark.e2e

TOKEN = "ghp_Zq7CanaryTokW9x4Wv9Zr2Lm5Np8KsAb12cd"
CANARIES = {
    "github-token/e2e-token": TOKEN,
    "secret/e2e-secret": "canaryZq7-text-4Hd8",
    "secret/e2e-json": "canaryZq7-json-leaf-7Kq2",
    "aws-credentials/e2e-aws": "canaryZq7-aws/9Fj3+x",
    "s3-bucket/e2e-bucket": "canaryZq7-nested/2Lp6",
    "gcp-credentials/e2e-gcp": "canaryZq7-gcp@x.iam.gserviceaccount.com",
}
POOL, FLOW, DEPLOYMENT = "masking-pool", "leaky", "masking"
RUN_PAGE = "flow-runs/flow-run" if PREFECT_2 else "runs/flow-run"  # a flow run's page in the UI
RUN_TIMEOUT_SECONDS = 150

SAVE_BLOCKS = """\
import json, sys

from prefect.blocks.system import Secret
from prefect_aws import AwsCredentials, S3Bucket
from prefect_gcp import GcpCredentials
from prefect_secretblocks import GitHubToken

values, service_account, prefect2 = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3] == "2"
GitHubToken(token=values["github-token/e2e-token"]).save("e2e-token")
Secret(value=values["secret/e2e-secret"]).save("e2e-secret")
document = {"user": "etl", "password": values["secret/e2e-json"]}
Secret(value=json.dumps(document) if prefect2 else document).save("e2e-json")
AwsCredentials(aws_access_key_id="AKIAMASKE2E", aws_secret_access_key=values["aws-credentials/e2e-aws"]).save("e2e-aws")
nested = AwsCredentials(aws_access_key_id="AKIAMASKE2E", aws_secret_access_key=values["s3-bucket/e2e-bucket"])
S3Bucket(bucket_name="e2e-bucket", credentials=nested).save("e2e-bucket")
account = {**service_account, "client_email": values["gcp-credentials/e2e-gcp"]}
GcpCredentials(service_account_info=account).save("e2e-gcp")
"""

# Flow code as a user writes it: Prefect's generic lookup by slug, no import of this package.
FLOWS_PY = """\
import json
import sys

from prefect import flow, get_run_logger, task
from prefect.blocks.core import Block


@task
def fails_with(values):
    raise RuntimeError("task failed with " + " ".join(values))


def revealed(value):
    # Prefect 2 loads a nested block's secret field as plain text (an S3Bucket's credentials).
    return value.get_secret_value() if hasattr(value, "get_secret_value") else value


def loaded_values():
    document = Block.load("secret/e2e-json").get()
    return [
        Block.load("github-token/e2e-token").get(),
        Block.load("secret/e2e-secret").get(),
        (json.loads(document) if isinstance(document, str) else document)["password"],
        Block.load("aws-credentials/e2e-aws").aws_secret_access_key.get_secret_value(),
        revealed(Block.load("s3-bucket/e2e-bucket").credentials.aws_secret_access_key),
        Block.load("gcp-credentials/e2e-gcp").service_account_info.get_secret_value()["client_email"],
    ]


@flow(name="leaky", log_prints=True)
def leaky():
    logger = get_run_logger()
    logger.info("package imported before the first load: %s", "prefect_secretblocks" in sys.modules)
    values = loaded_values()
    for value in values:
        logger.info("logged %s", value)
        print(f"printed {value}")
    try:
        raise ValueError(f"traceback of {values[0]}")
    except ValueError:
        logger.exception("an error with a traceback")
    fails_with(values, return_state=True)
    raise RuntimeError(f"clone of https://{values[0]}@github.com/org/repo.git failed; " + " ".join(values[1:]))
"""

PREFECT_YAML = """\
name: masking
prefect-version: {prefect_version}

pull:
  - prefect.deployments.steps.set_working_directory:
      directory: {project}

deployments:
  - name: {deployment}
    entrypoint: flows.py:leaky
    work_pool:
      name: {pool}
"""


@dataclass
class Run:
    flow_run: dict[str, Any] = field(default_factory=dict)
    task_runs: list[dict[str, Any]] = field(default_factory=list)
    logs: list[str] = field(default_factory=list)
    worker_output: str = ""
    page_text: str = ""  # the run's page in the Prefect UI; empty without a browser
    page_error: str = ""  # why the page could not be read


def _save_blocks(environment: dict[str, str], work: Path) -> None:
    from tests.migration.integration_values import gcp_service_account

    (work / "save_blocks.py").write_text(SAVE_BLOCKS)
    args = [command("python"), "save_blocks.py", json.dumps(CANARIES), json.dumps(gcp_service_account())]
    done = subprocess.run([*args, "2" if PREFECT_2 else "3"], env=environment, cwd=work, capture_output=True, text=True)
    assert done.returncode == 0, tail(done.stdout + done.stderr, CANARIES.values())


def _deploy(environment: dict[str, str], project: Path) -> None:
    import prefect

    (project / "flows.py").write_text(FLOWS_PY)
    yaml = PREFECT_YAML.format(prefect_version=prefect.__version__, project=project, deployment=DEPLOYMENT, pool=POOL)
    (project / "prefect.yaml").write_text(yaml)
    for args in (("work-pool", "create", POOL, "--type", "process"), ("deploy", "--all")):
        done = subprocess.run([command("prefect"), *args], env=environment, cwd=project, capture_output=True, text=True)
        assert done.returncode == 0, tail(done.stdout + done.stderr, CANARIES.values())


def _start_run(environment: dict[str, str], project: Path) -> UUID:
    args = [command("prefect"), "deployment", "run", f"{FLOW}/{DEPLOYMENT}"]
    done = subprocess.run(args, env=environment, cwd=project, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, tail(done.stdout + done.stderr, CANARIES.values())
    return _run_id(done.stdout)


def _read_run(api: Api, run_id: UUID, worker: Any) -> Run:
    def final() -> dict[str, Any] | None:
        flow_run = api.http.get(f"/flow_runs/{run_id}").json()
        return flow_run if (flow_run.get("state") or {}).get("type") in ("FAILED", "CRASHED", "COMPLETED") else None

    flow_run = wait_until(final, RUN_TIMEOUT_SECONDS, interval=1)
    assert flow_run, f"the run did not end in {RUN_TIMEOUT_SECONDS} s:\n{tail(worker.output(), CANARIES.values())}"
    run_filter = {"flow_runs": {"id": {"any_": [str(run_id)]}}}
    # Logs reach the API in batches: wait for the run's last words.
    wait_until(lambda: any("Finished in state" in line for line in _logs(api, run_id)), 30)
    task_runs = api.http.post("/task_runs/filter", json=run_filter).json()
    return Run(flow_run=flow_run, task_runs=task_runs, logs=_logs(api, run_id))


def _logs(api: Api, run_id: UUID) -> list[str]:
    return [log["message"] for log in api.logs([run_id])]


def _run_page_text(server_url: str, run_id: UUID, screenshot: Path) -> str:
    """The run's page as the Prefect UI shows it, once it shows the failure."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.ui_pages import launch_chromium

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server_url}/{RUN_PAGE}/{run_id}")
            try:
                page.get_by_text("logged", exact=False).first.wait_for(timeout=30_000)
            finally:
                page.screenshot(path=str(screenshot), full_page=True)
            return page.inner_text("body")
        finally:
            browser.close()


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    root = tmp_path_factory.mktemp("masking")
    logs, project, work = root / "logs", root / "project", root / "work"
    for directory in (logs, project, work):
        directory.mkdir()
    with ExitStack() as stack:
        database = f"sqlite+aiosqlite:///{root / 'server.db'}"
        api_url = stack.enter_context(prefect_server(database, root / "server-home", logs, ui=CHROMIUM.exists()))
        environment = clean_environment(root / "client-home", PREFECT_API_URL=api_url)
        _save_blocks(environment, work)
        _deploy(environment, project)
        worker_environment = {
            **environment,
            "PREFECT_HOME": str(root / "worker-home"),
            "PREFECT_WORKER_QUERY_SECONDS": "1",
        }
        worker = stack.enter_context(
            background(
                [command("prefect"), "worker", "start", "--pool", POOL, "--type", "process"],
                worker_environment,
                work,
                logs,
                "worker",
            )
        )
        run_id = _start_run(environment, project)
        with Api(api_url) as api:
            result = _read_run(api, run_id, worker)
        if CHROMIUM.exists():
            try:
                result.page_text = _run_page_text(api_url.removesuffix("/api"), run_id, logs / "run-page.png")
            except Exception as exc:  # reported by the UI test alone; the API's channels are checked all the same
                result.page_error = f"{type(exc).__name__}: {exc} (screenshot: {logs / 'run-page.png'})"
        stack.close()
        result.worker_output = worker.output()
    yield result


def _explain(run: Run) -> str:
    return tail("\n".join(run.logs) + "\n" + run.worker_output, CANARIES.values())


def test_the_flow_code_never_imports_the_package_prefect_does(run: Run) -> None:
    assert "prefect_secretblocks import" not in FLOWS_PY and "import prefect_secretblocks" not in FLOWS_PY
    # Prefect 3 imports it at the flow's first load by slug; Prefect 2's engine looks a block class up
    # by slug before the flow starts, which imports it then.
    assert f"package imported before the first load: {PREFECT_2}" in run.logs, _explain(run)


def test_every_value_logged_or_printed_reaches_the_api_as_the_mask(run: Run) -> None:
    assert run.logs.count(f"logged {MASK}") == len(CANARIES), _explain(run)
    assert run.logs.count(f"printed {MASK}") == len(CANARIES), _explain(run)


def test_no_value_in_the_runs_logs_tracebacks_included(run: Run) -> None:
    text = "\n".join(run.logs)
    assert f"traceback of {MASK}" in text, _explain(run)
    assert not leaks(text, CANARIES.values()), "a secret reached the run's logs in the API"


def test_the_flow_runs_failed_state_message_holds_the_mask_not_the_values(run: Run) -> None:
    state = run.flow_run["state"]
    assert state["type"] == "FAILED", _explain(run)
    assert f"https://{MASK}@github.com/org/repo.git" in state["message"], _explain(run)
    assert not leaks(json.dumps(run.flow_run), CANARIES.values()), "a secret reached the flow run's state"


def test_the_task_runs_failed_state_message_holds_the_mask_not_the_values(run: Run) -> None:
    messages = [task_run["state"]["message"] or "" for task_run in run.task_runs if task_run.get("state")]
    assert any(message.startswith("Task run encountered an exception") for message in messages), messages
    assert any(f"task failed with {MASK}" in message for message in messages), messages
    assert not leaks(json.dumps(run.task_runs), CANARIES.values()), "a secret reached a task run's state"


def test_no_value_in_the_workers_console(run: Run) -> None:
    assert "logged" in run.worker_output  # the run's console output is in there
    assert not leaks(run.worker_output, CANARIES.values()), "a secret reached the worker's console"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (.ci/run installs it)")
def test_the_runs_page_in_the_ui_shows_the_failure_without_a_value(run: Run) -> None:
    assert not run.page_error, run.page_error
    assert f"https://{MASK}@github.com/org/repo.git" in run.page_text, run.page_text[-2000:]
    assert not leaks(run.page_text, CANARIES.values()), "a secret shows on the run's page in the UI"
