"""The blocks in a real browser, in each UI a standalone `prefect server start` serves on loopback:
Prefect 3's classic UI (`/`) and new UI (`/v2`), or Prefect 2's UI, driven through the page
objects of tests/e2e/ui_pages.py in Debian's chromium.

Each block type is created from its catalog card and loads back in Python with the values typed;
an edit that changes one field keeps the other secrets; a detail page shows no secret. What each
UI renders for a secret field, what it refuses before saving and what it keeps in the browser are
checked against the record in ui_pages.py (which the docs repeat, tests/test_docs.py).

Two tests need the schema changes of the `wip-ui-forms` branch (merged here):
`test_optional_bearer_token_is_a_password_field_without_a_none_toggle` on Prefect 3 (Prefect 2
wrote one optional property already) and `test_a_value_breaking_the_schema_pattern_...` on both
majors (the token's and the webhook URL's `pattern`, and `InvalidStoredBlock` at load).
"""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
import pytest
from playwright.sync_api import Browser, expect, sync_playwright
from prefect.blocks.core import Block
from prefect.settings import PREFECT_API_URL, temporary_settings

from prefect_secretblocks import GitHubToken, SlackWebhookURL, TwitterCredentials
from prefect_secretblocks._compat import PREFECT_2, block_data, optional_field_defaults, required_fields
from prefect_secretblocks.exceptions import InvalidStoredBlock
from tests import canaries
from tests.canaries import assert_no_leak
from tests.e2e.stack import prefect_server
from tests.e2e.ui_pages import CHROMIUM, UIS, BlocksUI, field_title, launch_chromium, open_ui
from tests.helpers.prefect_server import idle_services_off

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no {CHROMIUM}: the browser tests drive Debian's chromium (apt-get install chromium), never a downloaded one",
    ),
]

MASK = "********"
T = TypeVar("T")


@dataclass(frozen=True)
class BlockCase:
    """A block type and the values typed into its create form, by field name."""

    id: str
    block: type[Block]
    values: Mapping[str, str]

    @property
    def type_name(self) -> str:
        return self.block.get_block_type_name()

    @property
    def slug(self) -> str:
        return self.block.get_block_type_slug()

    def form_values(self) -> dict[str, str]:
        return {field_title(name): value for name, value in self.values.items()}


GITHUB = BlockCase(id="github", block=GitHubToken, values={"token": canaries.GITHUB_TOKEN})
SLACK = BlockCase(id="slack", block=SlackWebhookURL, values={"url": canaries.SLACK_URL})
TWITTER_WITH_BEARER = BlockCase(
    id="twitter-with-bearer",
    block=TwitterCredentials,
    values={**canaries.TWITTER, "bearer_token": canaries.TWITTER_BEARER},
)
TWITTER_WITHOUT_BEARER = BlockCase(id="twitter-without-bearer", block=TwitterCredentials, values=dict(canaries.TWITTER))
CASES = [GITHUB, SLACK, TWITTER_WITH_BEARER, TWITTER_WITHOUT_BEARER]
BLOCKS = [GitHubToken, SlackWebhookURL, TwitterCredentials]


def in_python(call: Callable[[], T]) -> T:
    """
    Run a Prefect call (a block's `save` or `load`) in a thread of its own, as a script would.

    Playwright's sync API keeps its event loop running in the test's thread, where Prefect's
    sync-or-async methods would take the test for async code and return a coroutine.
    """
    context = contextvars.copy_context()  # the server's PREFECT_API_URL (temporary_settings)
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(context.run, call).result()


def fields_of(block: type[Block]) -> tuple[str, ...]:
    """The block's secret fields, in the order of its fields (`api_url`, a plain setting, is not one)."""
    schema = block.schema() if PREFECT_2 else block.model_json_schema()
    secret = set(schema["secret_fields"])
    return tuple(name for name in (*required_fields(block), *optional_field_defaults(block)) if name in secret)


def fields_loaded_differently(block: Block, expected: Mapping[str, Any]) -> list[str]:
    """The secret fields whose loaded value is not the expected one (names only: the values are secrets)."""
    fields = fields_of(type(block))
    loaded = {name: value for name, value in block_data(block, include_secrets=True).items() if name in fields}
    return sorted(name for name in {*loaded, *expected} if loaded.get(name) != expected.get(name))


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A standalone `prefect server start` with its UI, on SQLite; Python's blocks load from it."""
    home = tmp_path_factory.mktemp("prefect-ui")
    database = f"sqlite+aiosqlite:///{home / 'prefect.db'}"
    with prefect_server(database, home, home, ui=True, **idle_services_off()) as api_url:
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            yield api_url[: -len("/api")]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(params=UIS, ids=lambda ui_class: ui_class.key)
def ui(request: pytest.FixtureRequest, browser: Browser, server_url: str) -> Iterator[BlocksUI]:
    with open_ui(browser, request.param, server_url) as ui:
        yield ui


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_block_created_from_its_catalog_card_loads_back_with_the_same_values(ui: BlocksUI, case: BlockCase) -> None:
    name = f"{ui.key}-{case.id}"
    ui.create_block(case.type_name, case.slug, name, case.form_values())
    assert fields_loaded_differently(in_python(lambda: case.block.load(name)), case.values) == []


def test_changing_one_twitter_field_in_the_edit_form_keeps_the_other_secrets(ui: BlocksUI) -> None:
    saved = TWITTER_WITH_BEARER.values
    block_id = in_python(lambda: TwitterCredentials(**saved).save(f"{ui.key}-edit"))
    ui.open_detail(str(block_id))
    ui.open_edit_form()
    for name in saved:  # each secret shows as Prefect's mask, not its value
        expect(ui.field(field_title(name)).input).to_have_value(MASK)
    ui.field("Access Token").fill("edited-access-token")
    ui.save()
    ui.wait_for_detail()
    edited = {**saved, "access_token": "edited-access-token"}
    assert fields_loaded_differently(in_python(lambda: TwitterCredentials.load(f"{ui.key}-edit")), edited) == []


@pytest.mark.parametrize("case", [GITHUB, SLACK, TWITTER_WITH_BEARER], ids=lambda case: case.id)
def test_detail_page_shows_no_secret_value(ui: BlocksUI, case: BlockCase) -> None:
    block_id = in_python(lambda: case.block(**case.values).save(f"{ui.key}-detail-{case.id}"))
    ui.open_detail(str(block_id))
    # One masked cell per secret; the other cells hold the plain settings (a GitHubToken's `api_url`).
    expect(ui.detail_values().filter(has_text=re.compile(rf"^\s*{re.escape(MASK)}\s*$"))).to_have_count(
        len(case.values)
    )
    assert_no_leak(ui.page.inner_text("body"), f"the text of the {ui.key} UI's {case.slug} detail page")
    assert_no_leak(ui.page.content(), f"the HTML of the {ui.key} UI's {case.slug} detail page")


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.get_block_type_slug())
def test_secret_fields_render_as_recorded(ui: BlocksUI, block: type[Block]) -> None:
    ui.goto_create_form(block.get_block_type_slug())
    rendered = {}
    for name in fields_of(block):
        field = ui.field(field_title(name))
        field.fill("typed-placeholder")
        rendered[name] = field.rendering()
    assert rendered == dict.fromkeys(fields_of(block), ui.secret_input)


def test_optional_bearer_token_is_a_password_field_without_a_none_toggle(ui: BlocksUI) -> None:
    """Needs wip-ui-forms on Prefect 3: a single optional property, not an anyOf with null."""
    ui.goto_create_form(TwitterCredentials.get_block_type_slug())
    bearer = ui.field("Bearer Token")
    assert not bearer.has_none_toggle()
    expect(bearer.container).to_contain_text("Bearer Token (Optional)")
    assert bearer.rendering() == ui.secret_input


@dataclass(frozen=True)
class PatternCase:
    """A value typed into a field whose schema carries a `pattern` it breaks."""

    case: BlockCase
    field: str
    value: str


PATTERN_CASES = [
    PatternCase(case=GITHUB, field="token", value="not-a-github-token"),
    PatternCase(case=SLACK, field="url", value="hooks.slack.com/services/no-scheme"),
]


def served_pattern(server_url: str, block: type[Block], field: str) -> str | None:
    """The `pattern` of a block field in the schema the server serves to the UIs."""
    api = f"{server_url}/api"
    block_type = httpx.get(f"{api}/block_types/slug/{block.get_block_type_slug()}").raise_for_status().json()
    schemas = httpx.post(
        f"{api}/block_schemas/filter", json={"block_schemas": {"block_type_id": {"any_": [block_type["id"]]}}}
    )
    [schema] = schemas.raise_for_status().json()
    return schema["fields"]["properties"][field].get("pattern")


@pytest.mark.parametrize("bad", PATTERN_CASES, ids=lambda bad: bad.case.id)
def test_a_value_breaking_the_schema_pattern_is_refused_or_saved_as_recorded(
    ui: BlocksUI, server_url: str, bad: PatternCase
) -> None:
    """Needs wip-ui-forms: it adds the `pattern`s. A value saved anyway is refused at load."""
    pattern = served_pattern(server_url, bad.case.block, bad.field)
    assert pattern, f"{bad.case.slug}'s {bad.field} has no schema `pattern` (the wip-ui-forms branch adds one)"
    assert re.search(pattern, bad.value) is None
    name = f"{ui.key}-pattern-{bad.case.id}"
    ui.goto_create_form(bad.case.slug)
    ui.name_input().fill(name)
    ui.field(field_title(bad.field)).fill(bad.value)
    ui.save()
    assert ui.saved_or_refused() == ("refused" if ui.enforces_pattern else "saved")
    if not ui.enforces_pattern:
        with pytest.raises(InvalidStoredBlock) as refused:
            in_python(lambda: bad.case.block.load(name))
        assert refused.value.field == bad.field and bad.value not in str(refused.value)


@pytest.mark.parametrize("case", [GITHUB, SLACK, TWITTER_WITHOUT_BEARER], ids=lambda case: case.slug)
def test_a_block_with_its_required_secrets_left_empty_is_refused_or_saved_as_recorded(
    ui: BlocksUI, case: BlockCase
) -> None:
    ui.goto_create_form(case.slug)
    ui.name_input().fill(f"{ui.key}-empty-{case.id}")
    ui.save()
    assert ui.saved_or_refused() == ("refused" if ui.enforces_required else "saved")


@pytest.mark.parametrize("case", [GITHUB, SLACK, TWITTER_WITHOUT_BEARER], ids=lambda case: case.slug)
def test_an_abandoned_create_form_keeps_the_typed_secret_in_local_storage_as_recorded(
    ui: BlocksUI, case: BlockCase
) -> None:
    field, secret = next(iter(case.values.items()))
    ui.goto_create_form(case.slug)
    ui.field(field_title(field)).fill(secret)
    if ui.keeps_draft:  # written by an effect after the render: wait for it before leaving
        ui.wait_for_local_storage_to_hold(secret)
    ui.page.goto(ui.url("/blocks"))  # leave the form unsaved
    kept = bool(canaries.leaks(ui.local_storage(), [secret]))  # not in the assertion: no secret in its message
    assert kept == ui.keeps_draft


@pytest.mark.prefect3_only(reason="Prefect 2's server has one UI")
def test_prefect_3_serves_both_uis_and_names_the_new_one_the_default(server_url: str) -> None:
    settings = httpx.get(f"{server_url}/ui-settings").json()
    assert (settings["available_uis"], settings["default_ui"], settings["v2_base_url"]) == (["v1", "v2"], "v2", "/v2")
    root = httpx.get(f"{server_url}/", headers={"Accept": "text/html"})
    assert root.status_code == 307 and root.headers["location"].endswith("/v2/")
