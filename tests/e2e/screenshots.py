"""Screenshots of each block's catalog card and create form in the Prefect UIs, for docs/blocks/.

    make screenshots                      # both Prefect 3 UIs, then the Prefect 2 UI (nox)
    python -m tests.e2e.screenshots       # the UIs of the installed Prefect

A standalone `prefect server start` with this package installed, on loopback and a temporary
SQLite database, driven in Debian's chromium through the page objects the browser tests use
(tests/e2e/ui_pages.py). The forms hold placeholder values only, never a real or canary secret.
Logos are hosted on the web; offline, each is drawn blank.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Browser, expect, sync_playwright
from prefect.blocks.core import Block

from prefect_secretblocks import GitHubToken, SlackWebhookURL, TwitterCredentials
from tests.canaries import assert_no_leak
from tests.e2e.stack import prefect_server
from tests.e2e.ui_pages import CHROMIUM, UIS, BlocksUI, field_title, launch_chromium, open_ui
from tests.helpers.prefect_server import idle_services_off

IMAGES = Path(__file__).resolve().parents[2] / "docs" / "blocks" / "img"
#: What each form shows: the block name the migration gives, and visibly placeholder values.
BLOCK_NAMES: dict[type[Block], str] = {
    GitHubToken: "github-access-token",
    SlackWebhookURL: "slack-webhook-url",
    TwitterCredentials: "twitter-api-credentials",
}
PLACEHOLDERS: dict[type[Block], dict[str, str]] = {
    GitHubToken: {"token": "ghp_<your token>"},
    SlackWebhookURL: {"url": "https://hooks.slack.com/services/<workspace>/<webhook>/<secret>"},
    TwitterCredentials: {
        "api_key": "<api key>",
        "api_secret": "<api key secret>",
        "access_token": "<access token>",
        "access_token_secret": "<access token secret>",
        "bearer_token": "<bearer token>",
    },
}


def image_path(ui: BlocksUI, block: type[Block], what: str) -> Path:
    """docs/blocks/img/<ui>-<slug>-<card|form>.png"""
    return IMAGES / f"{ui.key}-{block.get_block_type_slug()}-{what}.png"


def shoot_block(ui: BlocksUI, block: type[Block]) -> list[Path]:
    """The block's catalog card, then its create form filled with placeholders (focus off the inputs)."""
    type_name, slug = block.get_block_type_name(), block.get_block_type_slug()
    card, form = image_path(ui, block, "card"), image_path(ui, block, "form")
    ui.open_catalog()
    ui.catalog_card(type_name).screenshot(path=card, animations="disabled")
    ui.open_create_form(type_name, slug)
    ui.name_input().fill(BLOCK_NAMES[block])
    for name, value in PLACEHOLDERS[block].items():
        ui.field(field_title(name)).fill(value)
    ui.page.evaluate("document.activeElement && document.activeElement.blur()")
    # The new UI greys its button out while it checks that the name is free.
    expect(ui.form().locator("button[type=submit]")).to_be_enabled()
    assert_no_leak(ui.page.inner_text("body"), f"the {ui.key} UI's {slug} form")
    ui.form().screenshot(path=form, animations="disabled")
    return [card, form]


def shoot_all(browser: Browser, server_url: str) -> list[Path]:
    written = []
    for ui_class in UIS:
        for block in PLACEHOLDERS:
            with open_ui(browser, ui_class, server_url, blank_images=True) as ui:
                written += shoot_block(ui, block)
    return written


def main() -> int:
    if not CHROMIUM.exists():
        print(f"no {CHROMIUM}: install Debian's chromium (apt-get install chromium)", file=sys.stderr)
        return 1
    IMAGES.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="prefect-secretblocks-screenshots-") as directory:
        home = Path(directory)
        database = f"sqlite+aiosqlite:///{home / 'prefect.db'}"
        with prefect_server(database, home, home, ui=True, **idle_services_off()) as api_url:
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                written = shoot_all(browser, api_url[: -len("/api")])
                browser.close()
    for path in written:
        print(f"{path.relative_to(IMAGES.parents[2])}  {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
