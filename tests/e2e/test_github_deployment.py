"""The user story, end to end with real parts on loopback: a 1.x `GITHUB_ACCESS_TOKEN` and
`SLACK_WEBHOOK_URL`, migrated into a Prefect 2 or 3 server on PostgreSQL, drive two deployments of
a flow kept in a private repository served over HTTPS (one made with `flow.from_source(...).deploy()`, one
with `prefect.yaml` and `prefect deploy`), run by a process worker. With a wrong token the runs
fail on the clone, and no token shows up in the worker's output, the run logs or the deployments.

One module fixture plays the story once (about a minute); each test checks one outcome of it.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from prefect.client.schemas.objects import FlowRun

from prefect_secretblocks._compat import validate_model
from prefect_secretblocks.blocks.github import is_github_token
from tests.canaries import leaks
from tests.e2e.stack import (
    CannotInstallPostgres,
    background,
    clean_environment,
    command,
    postgres,
    prefect_server,
    tail,
    wait_until,
)
from tests.helpers.git_server import git_server, make_repository, self_signed_tls
from tests.helpers.http_recorder import http_recorder

pytestmark = pytest.mark.e2e

GOOD_TOKEN = "ghp_e2eCanaryGoodTokenQ7x4Wv9Zr2Lm5Np8Ks"
WRONG_TOKEN = "ghp_e2eCanaryWrongTokK3j8Hd6Fs1Pq4Tz7Bn5"
SLACK_PATH = "TCANARYE2E/BCANARYE2E/canaryE2eSlackHook4Rt7Yu1Io"
SECRETS = (GOOD_TOKEN, WRONG_TOKEN, SLACK_PATH)
assert is_github_token(GOOD_TOKEN) and is_github_token(WRONG_TOKEN)

POOL = "e2e-process-pool"
FLOW = "nightly-load"
DEPLOYMENTS = ("from-source", "from-yaml")
RUN_TIMEOUT_SECONDS = 120
TOKEN_BLOCK = "{{ prefect.blocks.github-token.github-access-token }}"

FLOWS_PY = """\
import os

from prefect import flow, runtime
from prefect_secretblocks import SlackWebhookURL


@flow(name="nightly-load", log_prints=True)
def nightly_load() -> str:
    message = f"Nightly load finished ({runtime.deployment.name})"
    SlackWebhookURL.load("slack-webhook-url").notify(message)
    print(message)
    print(f"cloned into {os.getcwd()}")
    return message
"""

CONFIG_TOML = """\
# ~/.prefect/config.toml of a Prefect 1.x agent machine
[cloud]
use_local_secrets = true

[context.secrets]
GITHUB_ACCESS_TOKEN = "{token}"
SLACK_WEBHOOK_URL = "{slack_url}"
"""

DEPLOY_FROM_SOURCE = """\
import sys

from prefect import flow
from prefect.runner.storage import GitRepository
from prefect_secretblocks import GitHubToken

repository_url, pool = sys.argv[1:]
flow.from_source(
    GitRepository(repository_url, credentials=GitHubToken.load("github-access-token")),
    entrypoint="flows.py:nightly_load",
).deploy(name="from-source", work_pool_name=pool)
"""

PREFECT_YAML = """\
name: nightly
prefect-version: 3.9.1

pull:
  - prefect.deployments.steps.git_clone:
      repository: {repository_url}
      branch: main
      credentials: "{{{{ prefect.blocks.github-token.github-access-token }}}}"

deployments:
  - name: from-yaml
    entrypoint: flows.py:nightly_load
    work_pool:
      name: {pool}
"""


@dataclass
class Story:
    good_runs: dict[str, FlowRun] = field(default_factory=dict)
    wrong_runs: dict[str, FlowRun] = field(default_factory=dict)
    slack_messages: list[str] = field(default_factory=list)
    run_logs: dict[UUID, list[str]] = field(default_factory=dict)
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    worker_output: str = ""
    other_output: str = ""  # the server's and every command's, for the leak check
    repository_url: str = ""
    worker_files: list[str] = field(default_factory=list)  # files the worker's runs left holding a secret
    worker_tmp_uses: int = 0  # runs that said they cloned under the worker's TMPDIR
    first_migrate: tuple[int, str] = (-1, "")  # exit code and output of the first migrate
    seconds: float = 0.0


class Commands:
    """One-shot CLI commands against the server, their output kept for the leak check."""

    def __init__(self, environment: dict[str, str], cwd: Path) -> None:
        self.environment, self.cwd, self.output = environment, cwd, []

    def start(self, *args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
        pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
        return subprocess.Popen(list(args), env=self.environment, cwd=cwd or self.cwd, **pipes)

    def finish(self, process: subprocess.Popen[str], timeout: float = 120, check: bool = True) -> str:
        out, err = process.communicate(timeout=timeout)
        self.output.append(out + err)
        failed = f"{process.args!r} exited {process.returncode}:\n{tail(out + err, SECRETS)}"
        assert not check or process.returncode == 0, failed
        return out + err

    def __call__(self, *args: str, cwd: Path | None = None) -> str:
        return self.finish(self.start(*args, cwd=cwd))

    def exit_code(self, *args: str) -> tuple[int, str]:
        process = self.start(*args)
        output = self.finish(process, check=False)
        return process.returncode, output


def _run_id(output: str) -> UUID:
    found = re.search(r"UUID:\s*([0-9a-f-]{36})", output)
    assert found, f"no flow run id in: {tail(output, SECRETS)}"
    return UUID(found.group(1))


def _run_deployments(commands: Commands) -> dict[str, UUID]:
    started = {name: commands.start(command("prefect"), "deployment", "run", f"{FLOW}/{name}") for name in DEPLOYMENTS}
    return {name: _run_id(commands.finish(process)) for name, process in started.items()}


class Api:
    """What the story reads from the Prefect REST API: plain HTTP, the same on Prefect 2 and 3."""

    def __init__(self, api_url: str) -> None:
        self.http = httpx.Client(base_url=api_url, timeout=30)

    def __enter__(self) -> Api:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.http.close()

    def flow_run(self, run_id: UUID) -> FlowRun:
        return validate_model(FlowRun, self._answer(self.http.get(f"/flow_runs/{run_id}")))

    def logs(self, run_ids: list[UUID]) -> list[dict[str, Any]]:
        run_filter = {"flow_run_id": {"any_": [str(run_id) for run_id in run_ids]}}
        return self._answer(
            self.http.post("/logs/filter", json={"logs": run_filter, "limit": 200, "sort": "TIMESTAMP_ASC"})
        )

    def deployment(self, name: str) -> dict[str, Any]:
        return self._answer(self.http.get(f"/deployments/name/{name}"))

    @staticmethod
    def _answer(response: httpx.Response) -> Any:
        response.raise_for_status()
        return response.json()


def _wait_for_final_states(api: Api, run_ids: dict[str, UUID], worker_output: Callable[[], str]) -> dict[str, FlowRun]:
    def final_runs() -> dict[str, FlowRun] | None:
        runs = {name: api.flow_run(run_id) for name, run_id in run_ids.items()}
        return runs if all(run.state and run.state.is_final() for run in runs.values()) else None

    runs = wait_until(final_runs, RUN_TIMEOUT_SECONDS, interval=1)
    assert runs, f"runs not finished after {RUN_TIMEOUT_SECONDS} s; worker output:\n{tail(worker_output(), SECRETS)}"
    return runs


def _read_logs(api: Api, run_ids: list[UUID]) -> dict[UUID, list[str]]:
    by_run: dict[UUID, list[str]] = {run_id: [] for run_id in run_ids}
    for log in api.logs(run_ids):
        by_run[UUID(log["flow_run_id"])].append(log["message"])
    return by_run


def _failed_clone_reported(lines: list[str]) -> bool:
    # The last log line about a failed clone: the worker's crash report on Prefect 3, the
    # clone's own error (in the run's traceback) on Prefect 2.
    return any(line.startswith("Check the flow run logs") or "Failed to clone repository" in line for line in lines)


def _files_holding_secrets(directory: Path) -> list[str]:
    found = []
    for path in sorted(directory.rglob("*")):
        if path.is_file() and not path.is_symlink() and leaks(path.read_bytes().decode(errors="replace"), SECRETS):
            found.append(str(path.relative_to(directory)))
    return found


@pytest.fixture(scope="module")
def story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    began = time.monotonic()
    root = tmp_path_factory.mktemp("e2e")
    logs, project, work, worker_tmp = root / "logs", root / "project", root / "work", root / "worker-tmp"
    for directory in (logs, project, work, worker_tmp):
        directory.mkdir()
    story = Story()
    with ExitStack() as stack:
        try:
            database_url = stack.enter_context(postgres())
        except CannotInstallPostgres as exc:
            pytest.skip(f"PostgreSQL is needed for the end-to-end test and cannot be installed here: {exc}")
        recorder = stack.enter_context(http_recorder())
        tls, certificate = self_signed_tls(root)
        repository = make_repository(root / "git", {"flows.py": FLOWS_PY})
        git = stack.enter_context(git_server(repository, GOOD_TOKEN, tls))
        story.repository_url = git.url
        api_url = stack.enter_context(prefect_server(database_url, root / "server-home", logs))

        # Everything below runs as a user would: console scripts with PREFECT_API_URL set.
        environment = clean_environment(root / "client-home", PREFECT_API_URL=api_url, GIT_SSL_CAINFO=str(certificate))
        commands = Commands(environment, work)
        slack_url = f"{recorder.url}/services/{SLACK_PATH}"
        config = root / "config.toml"
        config.write_text(CONFIG_TOML.format(token=GOOD_TOKEN, slack_url=slack_url))
        commands(command("prefect"), "block", "register", "-m", "prefect_secretblocks")
        migrate = (command("prefect-secretblocks"), "migrate", "--config", str(config), "--no-env")
        # On a new server the first block saves also create its encryption key (see apply.py).
        story.first_migrate = commands.exit_code(*migrate)
        commands(command("prefect"), "work-pool", "create", POOL, "--type", "process")
        worker = stack.enter_context(
            background(
                [command("prefect"), "worker", "start", "--pool", POOL, "--type", "process", "--name", "e2e-worker"],
                {
                    **environment,
                    "PREFECT_HOME": str(root / "worker-home"),
                    "PREFECT_WORKER_QUERY_SECONDS": "1",
                    "TMPDIR": str(worker_tmp),  # where flow runs clone: checked for tokens left behind
                },
                work,
                logs,
                "worker",
            )
        )

        # Deploy both ways at once: from_source in Python, and prefect.yaml from a checkout.
        (work / "deploy_from_source.py").write_text(DEPLOY_FROM_SOURCE)
        (project / "flows.py").write_text(FLOWS_PY)
        (project / "prefect.yaml").write_text(PREFECT_YAML.format(repository_url=git.url, pool=POOL))
        from_source = commands.start(command("python"), "deploy_from_source.py", git.url, POOL)
        # No prompts: PREFECT_CLI_PROMPT=false (clean_environment), which Prefect 2 and 3 both read.
        from_yaml = commands.start(command("prefect"), "deploy", "--all", cwd=project)
        commands.finish(from_source)
        commands.finish(from_yaml)

        with Api(api_url) as api:
            good = _run_deployments(commands)
            story.good_runs = _wait_for_final_states(api, good, worker.output)
            story.slack_messages = [request.body.get("text", "") for request in recorder.requests]

            # The token is rotated on the 1.x side and migrated again: now GitHub refuses it.
            config.write_text(CONFIG_TOML.format(token=WRONG_TOKEN, slack_url=slack_url))
            commands(
                command("prefect-secretblocks"), "migrate", "--config", str(config), "--no-env",
                "--only", "GITHUB_ACCESS_TOKEN", "--on-conflict", "overwrite",
            )  # fmt: skip
            wrong = _run_deployments(commands)
            story.wrong_runs = _wait_for_final_states(api, wrong, worker.output)

            run_ids = [*good.values(), *wrong.values()]
            # Logs reach the API in batches: wait for the last word on each failed clone (20 s at most).
            wait_until(lambda: all(map(_failed_clone_reported, _read_logs(api, [*wrong.values()]).values())), 20)
            story.run_logs = _read_logs(api, run_ids)
            for name in DEPLOYMENTS:
                story.deployments[name] = api.deployment(f"{FLOW}/{name}")
        stack.close()  # stop the worker and the server before reading their output
        story.worker_output = worker.output()
        story.worker_files = _files_holding_secrets(worker_tmp)
        said = f"cloned into {worker_tmp.resolve()}"  # from the run logs: the API does not wrap long lines
        story.worker_tmp_uses = sum(said in line for lines in story.run_logs.values() for line in lines)
        server_output = (path.read_text(errors="replace") for path in logs.glob("prefect-server.*"))
        story.other_output = "\n".join([*commands.output, *server_output])
    story.seconds = time.monotonic() - began
    print(f"end-to-end story took {story.seconds:.1f} s")
    yield story


def _state(run: FlowRun) -> str:
    return f"{run.state.type.value}: {run.state.message}" if run.state else "no state"


def test_first_migrate_into_a_fresh_postgres_server_saves_every_secret(story: Story) -> None:
    code, output = story.first_migrate
    assert code == 0, tail(output, SECRETS)


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_run_completes_on_the_worker(story: Story, deployment: str) -> None:
    run = story.good_runs[deployment]
    assert run.state is not None and run.state.is_completed(), f"{deployment}: {_state(run)}\n" + tail(
        "\n".join(story.run_logs[run.id]) + story.worker_output, SECRETS
    )


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_flow_posts_its_message_to_the_migrated_slack_webhook(story: Story, deployment: str) -> None:
    assert f"Nightly load finished ({deployment})" in story.slack_messages


@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_deployment_stores_a_reference_to_the_token_block(story: Story, deployment: str) -> None:
    (step,) = story.deployments[deployment]["pull_steps"]
    clone = step["prefect.deployments.steps.git_clone"]
    assert clone["repository"].startswith("https://127.0.0.1:")
    assert clone["credentials"] == TOKEN_BLOCK


@pytest.mark.prefect3_only(reason="Prefect 3 marks a run whose pull step fails Crashed, and logs each step it runs")
@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_run_with_a_wrong_token_crashes_in_the_clone_step(story: Story, deployment: str) -> None:
    run = story.wrong_runs[deployment]
    assert run.state is not None and run.state.is_crashed(), _state(run)
    logs = story.run_logs[run.id]
    assert "Executing deployment step: git_clone" in logs, tail("\n".join(logs), SECRETS)
    assert "Deployment step 'git_clone' completed successfully" not in logs


@pytest.mark.prefect2_only(reason="Prefect 2 marks a run whose pull step fails Failed, with the error in its logs")
@pytest.mark.parametrize("deployment", DEPLOYMENTS)
def test_run_with_a_wrong_token_fails_in_the_clone_step(story: Story, deployment: str) -> None:
    run = story.wrong_runs[deployment]
    assert run.state is not None and run.state.is_failed(), _state(run)
    assert "prefect.deployments.steps.git_clone" in (run.state.message or ""), _state(run)
    logs = "\n".join(story.run_logs[run.id])
    assert f"Failed to clone repository '{story.repository_url}' with exit code 128" in logs, tail(logs, SECRETS)


@pytest.mark.prefect3_only(
    reason="Prefect 3 sends the pull step's error, with git's own words, to the worker's output; "
    "Prefect 2 sends it to the run logs (test_run_with_a_wrong_token_fails_in_the_clone_step)"
)
def test_worker_output_names_the_failed_clone(story: Story) -> None:
    # Prefect 3 sends the pull step's exception to the worker's output, not to the run logs.
    expected = f"Failed to clone repository '{story.repository_url}' with exit code 128"
    assert story.worker_output.count(expected) >= len(DEPLOYMENTS), tail(story.worker_output, SECRETS)
    assert "could not read Password" in story.worker_output  # git's words for a token it was refused


def test_no_token_in_worker_output(story: Story) -> None:
    assert "Nightly load finished (from-source)" in story.worker_output  # the runs' own output is in there too
    assert not leaks(story.worker_output, SECRETS), "a token or the webhook path leaked into the worker's output"


def test_no_token_in_run_logs(story: Story) -> None:
    text = "\n".join(line for lines in story.run_logs.values() for line in lines)
    assert "Nightly load finished (from-yaml)" in text
    assert not leaks(text, SECRETS), "a token or the webhook path leaked into the flow run logs"


def test_no_token_in_stored_deployments(story: Story) -> None:
    text = json.dumps(story.deployments)
    assert not leaks(text, SECRETS), "a token or the webhook path is stored in a deployment"


def test_the_worker_runs_cloned_into_the_test_tmpdir(story: Story) -> None:
    # The process worker deletes each run's directory when the run ends, so the runs say where they were.
    assert story.worker_tmp_uses >= len(DEPLOYMENTS), "the worker's runs did not clone under the TMPDIR the test gave"


def test_no_token_left_on_the_worker_disk(story: Story) -> None:
    assert not story.worker_files, f"files holding a token after the runs: {story.worker_files}"


def test_no_token_in_server_or_command_output(story: Story) -> None:
    leaked = leaks(story.other_output, SECRETS)
    assert not leaked, "a token or the webhook path leaked into the server's or a command's output"
