"""`migrate --check-credentials`: the planned credentials each service refuses are noted in the plan before anything is written."""

from __future__ import annotations

import json
from pathlib import Path

from tests import canaries
from tests.helpers.prefect_api import block_document_ids
from tests.helpers.service_stand_ins import StandIns
from tests.test_cli import migrate

LIVE_HOOK = "/services/TMIG01/BMIG01/migrateLiveHook01"


def test_dead_secrets_are_marked_in_the_plan_and_nothing_is_written(tmp_path: Path, stand_ins: StandIns) -> None:
    stand_ins.slack_webhooks[LIVE_HOOK] = "live"
    config = tmp_path / "config.toml"
    config.write_text(
        "[context.secrets]\n"
        f'SLACK_WEBHOOK_URL = "{stand_ins.url}/services/{canaries.SLACK_PATH}"\n'  # a removed webhook
        f'ALERTS_SLACK_WEBHOOK_URL = "{stand_ins.url}{LIVE_HOOK}"\n'
        f'DB_PASSWORD = "{canaries.GENERIC}"\n'
    )
    before = block_document_ids()
    arguments = (
        "--config",
        str(config),
        "--prefix",
        "credcheck-",
        "--dry-run",
        "--check-credentials",
        "--format",
        "json",
    )
    result = migrate(tmp_path, *arguments, env={"SSL_CERT_FILE": str(stand_ins.certificate)})
    assert result.returncode == 0, result.stderr
    notes = {entry["secret"]: entry["note"] for entry in json.loads(result.stdout)["plan"]}
    assert "credential invalid: no_service" in notes["SLACK_WEBHOOK_URL"]
    assert "credential" not in notes["ALERTS_SLACK_WEBHOOK_URL"]  # live: nothing to note
    assert "credential" not in notes["DB_PASSWORD"]  # a core Secret: nothing to ask
    assert block_document_ids() == before
    checked = [body for path, body in stand_ins.slack_posts if path in (LIVE_HOOK, f"/services/{canaries.SLACK_PATH}")]
    assert checked and all(body == {} for body in checked)
