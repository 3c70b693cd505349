"""Automations, end to end with real parts on loopback: a deployment's run fails on a process worker,
and an Automation whose trigger is a run of that deployment entering Failed sends a notification
through a saved Slack block to a stand-in for Slack (tests/helpers/http_recorder.py).

Two stories, each on its own `prefect server start` (SQLite), migrated from a 1.x config:

- `package`: this package is installed where the server runs. The Automation notifies through the
  migrated `SlackWebhookURL`; the server finds its class by the block's slug, through the
  `prefect.collections` entry point (it never imports this package by name).
- `core`: the server runs from a venv with Prefect alone (tests/helpers/core_prefect.py), as
  Prefect Cloud is to this package. `migrate --also-core-slack-webhook` saved Prefect's core
  `SlackWebhook` beside the `SlackWebhookURL`, and the Automation notifies through the core one.
  That block posts only to `https://hooks.slack.com` (through Apprise), so the server reaches the
  stand-in as its HTTPS proxy, trusting the stand-in's certificate for hooks.slack.com. A second
  Automation there, through the `SlackWebhookURL`, fails: the server cannot resolve its class.

On Prefect 2 the open-source server runs Automations only with its experimental events on
(`PREFECT_EXPERIMENTAL_EVENTS=true`, off by default); the stories turn them on for the server.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional
from uuid import UUID

import httpx
import pytest
import yaml

from prefect_secretblocks._compat import PREFECT_2
from tests.canaries import leaks
from tests.e2e.stack import (
    VENV_BIN,
    background,
    clean_environment,
    command,
    prefect_server,
    tail,
    wait_until,
)
from tests.helpers.core_prefect import core_prefect_bin
from tests.helpers.http_recorder import RecordedRequest, http_recorder
from tests.helpers.tls import self_signed_tls

pytestmark = pytest.mark.e2e

# No common word inside: any 8 characters of it found in an output count as a leak.
SLACK_PATH = "TCANARYQ7A/BCANARYQ7A/cnryHk4Rt7Yu1IoPz9Xw"
SECRETS = (SLACK_PATH,)
POOL = "automations-pool"
FLOW, DEPLOYMENT = "nightly-load", "fails"
BLOCK_NAME = "slack-webhook-url"  # what migrate names the block of 1.x's SLACK_WEBHOOK_URL (both types)
RUN_TIMEOUT_SECONDS = 90
FINAL_STATE_TYPES = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")
NOTIFICATION_TIMEOUT_SECONDS = 60
SUBJECT = "Prefect flow run failed"
BODY = "Flow run {{ flow_run.name }} of {{ flow.name }} entered {{ flow_run.state.name }}"
# Prefect 2's server runs Automations only with its experimental events on.
SERVER_SETTINGS = {"PREFECT_EXPERIMENTAL_EVENTS": "true"} if PREFECT_2 else {}

FLOWS_PY = """\
from prefect import flow


@flow(name="nightly-load")
def nightly_load() -> None:
    raise RuntimeError("the nightly load failed on purpose")
"""

PREFECT_YAML = """\
name: automations
pull:
  - prefect.deployments.steps.set_working_directory:
      directory: {directory}
deployments:
  - name: fails
    entrypoint: flows.py:nightly_load
    work_pool:
      name: {pool}
"""


def automation(name: str, deployment_id: object, block_document_id: object) -> dict[str, Any]:
    """The Automation of docs/blocks/slack.md (tests/test_docs.py): a run of the deployment enters Failed -> notify."""
    return {
        "name": name,
        "trigger": {
            "type": "event",
            "posture": "Reactive",
            "match": {"prefect.resource.id": "prefect.flow-run.*"},
            "match_related": {"prefect.resource.id": f"prefect.deployment.{deployment_id}"},
            "expect": ["prefect.flow-run.Failed"],
            "threshold": 1,
            "within": 0,
        },
        "actions": [
            {"type": "send-notification", "block_document_id": str(block_document_id), "subject": SUBJECT, "body": BODY}
        ],
    }


@dataclass
class Story:
    kind: str  # "package" or "core"
    run: dict[str, Any] = field(default_factory=dict)
    messages: list[RecordedRequest] = field(default_factory=list)
    tunnels: list[str] = field(default_factory=list)  # where the server went through the stand-in as a proxy
    action_events: list[dict[str, Any]] = field(default_factory=list)
    server_finds_our_package: Optional[bool] = None
    stored: dict[str, str] = field(default_factory=dict)  # what the API holds: automations, events, run logs
    output: dict[str, str] = field(default_factory=dict)  # the server's, the worker's and every command's
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step of `Play`
    seconds: float = 0.0


class Commands:
    """One-shot commands as a user runs them, their output kept for the leak check."""

    def __init__(self, environment: dict[str, str], cwd: Path) -> None:
        self.environment, self.cwd, self.output = environment, cwd, {}

    def __call__(self, *args: str, cwd: Optional[Path] = None) -> str:
        done = subprocess.run(
            args, env=self.environment, cwd=cwd or self.cwd, capture_output=True, text=True, timeout=180
        )
        self.output[f"{len(self.output) + 1}. {' '.join(Path(arg).name for arg in args[:3])}"] = (
            done.stdout + done.stderr
        )
        assert done.returncode == 0, f"{args!r} exited {done.returncode}:\n{tail(done.stdout + done.stderr, SECRETS)}"
        return done.stdout


class Api:
    """The Prefect REST API as plain HTTP: the same requests on Prefect 2 and 3."""

    def __init__(self, api_url: str) -> None:
        self.http = httpx.Client(base_url=api_url, timeout=30)

    def get(self, path: str) -> Any:
        return self._answer(self.http.get(path))

    def post(self, path: str, body: Any) -> Any:
        return self._answer(self.http.post(path, json=body))

    def block_document_id(self, slug: str, name: str) -> UUID:
        return UUID(self.get(f"/block_types/slug/{slug}/block_documents/name/{name}")["id"])

    def events(self, prefix: str) -> list[dict[str, Any]]:
        return self.post("/events/filter", {"filter": {"event": {"prefix": [prefix]}}, "limit": 50})["events"]

    def run_logs(self, run_id: str) -> list[str]:
        body = {"logs": {"flow_run_id": {"any_": [run_id]}}, "limit": 200}
        return [log["message"] for log in self.post("/logs/filter", body)]

    @staticmethod
    def _answer(response: httpx.Response) -> Any:
        response.raise_for_status()
        return response.json()


def _texts(body: Any) -> str:
    """The words of a Slack payload: `text` (this package's) and Apprise's attachment `title`/`text`."""
    if isinstance(body, dict):
        return "\n".join(
            value if isinstance(value, str) and key in ("text", "title") else _texts(value)
            for key, value in body.items()
        )
    if isinstance(body, list):
        return "\n".join(_texts(item) for item in body)
    return ""


def _server_finds_our_package(bin_dir: Path) -> bool:
    """Whether the server's Python can import this package or sees its `prefect.collections` entry point."""
    probe = (
        "import importlib.metadata as m, importlib.util as u; "
        "names = [e.name for e in m.entry_points(group='prefect.collections')]; "
        "print(u.find_spec('prefect_secretblocks') is not None or 'prefect_secretblocks' in names)"
    )
    done = subprocess.run([str(bin_dir / "python"), "-c", probe], capture_output=True, text=True, cwd="/", timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip() == "True"


class Play:
    """One story in named steps; each step's duration goes into `story.phases`."""

    def __init__(self, story: Story, root: Path, stack: ExitStack) -> None:
        self.story, self.root, self.stack = story, root, stack
        self.logs, self.work, self.project = root / "logs", root / "work", root / "project"
        for directory in (self.logs, self.work, self.project):
            directory.mkdir()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        began = time.monotonic()
        yield
        self.story.phases[name] = round(time.monotonic() - began, 1)

    def serve(self) -> None:
        """The Slack stand-in, and a server with this package (`package`) or from a Prefect-only venv (`core`)."""
        if self.story.kind == "package":
            self.recorder = self.stack.enter_context(http_recorder())
            self.url, bin_dir, proxy = f"{self.recorder.url}/services/{SLACK_PATH}", VENV_BIN, {}
        else:
            tls, certificate = self_signed_tls(self.root, "hooks.slack.com")
            self.recorder = self.stack.enter_context(http_recorder(tunnel_tls=tls))
            self.url, bin_dir = f"https://hooks.slack.com/services/{SLACK_PATH}", core_prefect_bin()
            proxy = {"HTTPS_PROXY": self.recorder.url, "NO_PROXY": "127.0.0.1,localhost"}
            proxy["REQUESTS_CA_BUNDLE"] = str(certificate)
        self.story.server_finds_our_package = _server_finds_our_package(bin_dir)
        home = self.root / "server-home"
        database = f"sqlite+aiosqlite:///{home / 'prefect.db'}"
        api_url = self.stack.enter_context(
            prefect_server(database, home, self.logs, bin_dir=bin_dir, **SERVER_SETTINGS, **proxy)
        )
        self.environment = clean_environment(self.root / "client-home", PREFECT_API_URL=api_url)
        self.commands = Commands(self.environment, self.work)
        self.api = Api(api_url)
        self.stack.callback(self.api.http.close)

    def migrate(self) -> None:
        """The 1.x SLACK_WEBHOOK_URL into blocks; the core SlackWebhook beside ours in the `core` story."""
        config = self.root / "config.toml"
        config.write_text(f'[context.secrets]\nSLACK_WEBHOOK_URL = "{self.url}"\n')
        also_core = ("--also-core-slack-webhook",) if self.story.kind == "core" else ()
        self.commands(command("prefect-secretblocks"), "migrate", "--config", str(config), "--no-env", *also_core)

    def deploy(self) -> None:
        self.commands(command("prefect"), "work-pool", "create", POOL, "--type", "process")
        (self.project / "flows.py").write_text(FLOWS_PY)
        (self.project / "prefect.yaml").write_text(PREFECT_YAML.format(directory=self.project, pool=POOL))
        self.commands(command("prefect"), "deploy", "--all", cwd=self.project)
        self.deployment_id = UUID(self.api.get(f"/deployments/name/{FLOW}/{DEPLOYMENT}")["id"])

    def automate(self) -> None:
        """Notify through our block (`package`); through the core one, and ours too, on a server without us (`core`)."""
        ours = self.api.block_document_id("slack-webhook-url", BLOCK_NAME)
        if self.story.kind == "package":
            self.create_automation(automation("slack-on-failure", self.deployment_id, ours))
            return
        core = self.api.block_document_id("slack-webhook", BLOCK_NAME)
        self.create_automation(automation("slack-on-failure", self.deployment_id, core))
        self.create_automation(automation("slack-webhook-url-on-failure", self.deployment_id, ours))

    def create_automation(self, definition: dict[str, Any]) -> None:
        if PREFECT_2:  # Prefect 2's CLI has no `prefect automation create`: its REST API, as the client does
            self.api.post("/automations/", definition)
            return
        path = self.work / f"{definition['name']}.yaml"
        path.write_text(yaml.safe_dump(definition, sort_keys=False))
        self.commands(command("prefect"), "automation", "create", "--from-file", str(path))

    def run(self) -> None:
        """A run of the deployment on a process worker, until it ends."""
        worker_environment = {
            **self.environment,
            "PREFECT_HOME": str(self.root / "worker-home"),
            "PREFECT_WORKER_QUERY_SECONDS": "1",
        }
        start = [command("prefect"), "worker", "start", "--pool", POOL, "--type", "process", "--name", "worker"]
        worker = self.stack.enter_context(background(start, worker_environment, self.work, self.logs, "worker"))
        run_id = self.api.post(f"/deployments/{self.deployment_id}/create_flow_run", {})["id"]

        def final_run() -> Optional[dict[str, Any]]:
            run = self.api.get(f"/flow_runs/{run_id}")
            return run if run["state"] and run["state"]["type"] in FINAL_STATE_TYPES else None

        ran = wait_until(final_run, RUN_TIMEOUT_SECONDS, interval=1)
        assert ran, f"the run did not end in {RUN_TIMEOUT_SECONDS} s; worker output:\n{tail(worker.output(), SECRETS)}"
        self.story.run = ran

    def listen(self) -> None:
        """The stand-in's requests once the message naming the run arrived (or the deadline passed)."""
        name = self.story.run["name"]
        wait_until(lambda: any(name in _texts(r.body) for r in self.recorder.requests), NOTIFICATION_TIMEOUT_SECONDS)
        self.story.messages, self.story.tunnels = list(self.recorder.requests), list(self.recorder.tunnels)
        if self.story.kind == "core":  # the second Automation's action fails; its event reaches the API in a batch
            wait_until(lambda: self.api.events("prefect.automation.action.failed"), NOTIFICATION_TIMEOUT_SECONDS)

    def collect(self) -> None:
        """What the API holds, then (the worker and server stopped) every output."""
        self.story.action_events = self.api.events("prefect.automation.action.")
        self.story.stored = {
            "automations": json.dumps(self.api.post("/automations/filter", {})),
            "events": json.dumps(self.story.action_events),
            "run logs": json.dumps(self.api.run_logs(self.story.run["id"])),
        }
        self.stack.close()
        logs = {path.name: path.read_text(errors="replace") for path in self.logs.iterdir()}
        self.story.output = {**self.commands.output, **logs}


@pytest.fixture(scope="module", params=["package", "core"])
def story(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    began = time.monotonic()
    story = Story(kind=request.param)
    with ExitStack() as stack:
        play = Play(story, tmp_path_factory.mktemp(f"automations-{request.param}"), stack)
        for step in (play.serve, play.migrate, play.deploy, play.automate, play.run, play.listen, play.collect):
            with play.phase(step.__name__):
                step()
    story.seconds = time.monotonic() - began
    print(f"automations story {request.param!r} took {story.seconds:.1f} s: {story.phases}")
    yield story


def _messages_naming_the_run(story: Story) -> list[RecordedRequest]:
    return [message for message in story.messages if story.run["name"] in _texts(message.body)]


def test_the_deployments_run_fails_on_the_worker(story: Story) -> None:
    assert story.run["state"]["type"] == "FAILED", story.run["state"]


def test_the_automation_posts_one_message_naming_the_failed_run(story: Story) -> None:
    [message] = _messages_naming_the_run(story)
    text = _texts(message.body)
    assert SUBJECT in text and f"Flow run {story.run['name']} of {FLOW} entered Failed" in text, text


def test_the_message_goes_to_the_url_the_block_holds(story: Story) -> None:
    [message] = _messages_naming_the_run(story)
    assert message.path == f"/services/{SLACK_PATH}"
    # The core block's Apprise posts to Slack's own host: it reached the stand-in as its proxy.
    assert (message.host == "hooks.slack.com") is (story.kind == "core"), message.host
    # (The server also asks it for raw.githubusercontent.com, Prefect's collection registry, refused.)
    assert ("hooks.slack.com:443" in story.tunnels) is (story.kind == "core"), story.tunnels


def test_only_the_package_stories_server_can_import_this_package(story: Story) -> None:
    assert story.server_finds_our_package is (story.kind == "package")


def test_a_server_without_this_package_cannot_notify_through_slack_webhook_url(story: Story) -> None:
    if story.kind != "core":
        pytest.skip("the core story's server runs without this package")
    failed = [event for event in story.action_events if event["event"] == "prefect.automation.action.failed"]
    assert failed, [event["event"] for event in story.action_events]
    assert "The notification block was invalid" in json.dumps(failed)
    assert len(story.messages) == 1  # the core SlackWebhook's message alone


def test_the_url_appears_nowhere_but_as_the_stand_ins_target(story: Story) -> None:
    assert "prefect-server.stderr" in story.output and "worker.stderr" in story.output
    leaked = [name for name, text in {**story.output, **story.stored}.items() if leaks(text, SECRETS)]
    assert leaked == [], "the webhook URL is in these outputs or API records"
