"""Page objects for the block pages of the Prefect UIs: each UI's selectors live here, nowhere else.

Three UIs: Prefect 3's classic UI (Vue, prefect-ui-library, served at `/`), Prefect 3's new UI
(React, served at `/v2`, the default that `/ui-settings` names) and Prefect 2's UI (Vue, an older
prefect-ui-library). The browser tests (tests/e2e/test_ui.py) and the docs' screenshots
(tests/e2e/screenshots.py) drive them only through these classes.

Each class also records what its UI does with this package's blocks: how it renders a secret
field (`secret_input`); whether it refuses, before saving, a value that breaks a field's schema
`pattern` (`enforces_pattern`) or a required secret left empty (`enforces_required`); and whether
its create form keeps what was typed, secrets included, in the browser's localStorage as a draft
(`keeps_draft`). The tests check the live UI against these records, and tests/test_docs.py checks
that the block pages in docs/blocks/ say the same.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from playwright.sync_api import Browser, Locator, Page, Playwright, Route, expect

from prefect_secretblocks._compat import PREFECT_2

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox"]
VIEWPORT = {"width": 1280, "height": 900}
#: Every wait on a selector or an `expect`: a page of these UIs renders in about a second on loopback,
#: and in several on a loaded two-core machine (Playwright's `expect` waits 5 s unless told).
TIMEOUT_MS = 20_000
expect.set_options(timeout=TIMEOUT_MS)
# A 1x1 transparent PNG, answered for the catalog's logos (hosted on the web) in screenshots.
_BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class SecretInput:
    """How a UI renders a secret (`writeOnly`, `format: password`) string field of a block form."""

    element: str  # "password input" or "textarea"
    readable: bool  # whether a typed value is shown in clear on screen


PASSWORD_INPUT = SecretInput("password input", readable=False)
PLAIN_TEXTAREA = SecretInput("textarea", readable=True)


class SchemaField:
    """One property of a block's create or edit form, found by its title."""

    def __init__(self, container: Locator, input_selector: str, toggle: Locator, value_option: str) -> None:
        self.container = container
        self.input = container.locator(input_selector).first
        # The "password | None" switch a UI draws for an `anyOf` with null (Prefect 3's schema of
        # an `Optional[SecretStr]`); absent for a single optional property.
        self.toggle = toggle
        self._value_option = value_option

    def has_none_toggle(self) -> bool:
        self.container.wait_for()
        return self.toggle.count() > 0

    def fill(self, value: str) -> None:
        """Type `value`, first switching an optional field's toggle to its value side if it has one."""
        if self.has_none_toggle():
            option = self.toggle.locator("[aria-selected]", has_text=_whole(self._value_option))
            if option.get_attribute("aria-selected") != "true":
                option.click()
        self.input.fill(value)
        expect(self.input).to_have_value(value)  # kept by the form's state, not reset by a render

    def rendering(self) -> SecretInput:
        """What the UI draws for this field: the element, and whether its value shows in clear."""
        tag, kind, text_security = self.input.evaluate(
            "e => [e.tagName.toLowerCase(), e.type, getComputedStyle(e).webkitTextSecurity]"
        )
        element = "password input" if (tag, kind) == ("input", "password") else tag
        return SecretInput(element, readable=kind != "password" and text_security in ("", "none"))


class BlocksUI(ABC):
    """The block pages of one Prefect UI, on one server; subclasses hold the selectors."""

    key: ClassVar[str]  # used in test ids, block names and screenshot file names
    label: ClassVar[str]  # how the docs name the UI
    base_path: ClassVar[str]  # where the server serves it
    secret_input: ClassVar[SecretInput]
    enforces_pattern: ClassVar[bool]
    enforces_required: ClassVar[bool]
    keeps_draft: ClassVar[bool]

    def __init__(self, page: Page, server_url: str) -> None:
        self.page = page
        self.server_url = server_url.rstrip("/")
        page.set_default_timeout(TIMEOUT_MS)

    def url(self, path: str) -> str:
        return f"{self.server_url}{self.base_path}{path}"

    def stay_on_loopback(self, blank_images: bool = False) -> None:
        """Abort every request off the server (logos, fonts, docs), or answer images with a blank PNG."""

        def route(route: Route) -> None:
            if route.request.url.startswith(self.server_url):
                route.continue_()
            elif blank_images and route.request.resource_type == "image":
                route.fulfill(status=200, content_type="image/png", body=_BLANK_PNG)
            else:
                route.abort()

        self.page.route("**/*", route)

    # Blocks -> add -> catalog card -> create form -> detail page

    def open_catalog(self) -> None:
        """From the Blocks page, follow its add button to the catalog."""
        self.page.goto(self.url("/blocks"))
        self._add_block().click()
        self.page.wait_for_url(self.url("/blocks/catalog"))
        self._cards().first.wait_for()

    def catalog_card(self, type_name: str) -> Locator:
        return self._cards().filter(has=self._card_title(type_name))

    def open_create_form(self, type_name: str, slug: str) -> None:
        """Click the create button of `type_name`'s catalog card (the catalog is open)."""
        self._card_create(self.catalog_card(type_name)).click()
        self.page.wait_for_url(self.url(f"/blocks/catalog/{slug}/create"))
        self.form().wait_for()

    def goto_create_form(self, slug: str) -> None:
        """Straight to a block type's create form, for the tests that are not about the way there."""
        self.page.goto(self.url(f"/blocks/catalog/{slug}/create"))
        self.form().wait_for()

    def create_block(self, type_name: str, slug: str, name: str, values: Mapping[str, str]) -> str:
        """Create a block through the catalog and its create form; return its document id."""
        self.open_catalog()
        self.open_create_form(type_name, slug)
        self.name_input().fill(name)
        for title, value in values.items():
            self.field(title).fill(value)
        self.save()
        return self.wait_for_detail()

    def form(self) -> Locator:
        return self.page.locator("form").filter(has=self.page.locator("button[type=submit]"))

    def save(self) -> None:
        self.form().locator("button[type=submit]").click()

    def wait_for_detail(self) -> str:
        """Wait for a block's detail page (after a save) and return its document id."""
        self.page.wait_for_url(re.compile(re.escape(self.url("/blocks/block/")) + f"{_UUID}$"))
        self.detail_values().first.wait_for()
        return self.page.url.rsplit("/", 1)[1]

    def open_detail(self, block_id: str) -> None:
        self.page.goto(self.url(f"/blocks/block/{block_id}"))
        self.detail_values().first.wait_for()

    def open_edit_form(self) -> None:
        """From a block's detail page, its menu's Edit item."""
        block_id = self.page.url.rsplit("/", 1)[1]
        self._menu_button().click()
        self._edit_item().click()
        self.page.wait_for_url(self.url(f"/blocks/block/{block_id}/edit"))
        self.form().wait_for()

    @abstractmethod
    def refusal(self) -> Locator:
        """What the form shows when it refuses to save (a field's error message)."""
        ...

    def local_storage(self) -> str:
        """Everything the page's origin keeps in the browser's localStorage, as one text."""
        return str(self.page.evaluate("JSON.stringify(Object.entries(window.localStorage))"))

    def wait_for_local_storage_to_hold(self, text: str) -> None:
        """Wait until some localStorage value holds `text` (a UI writes its draft after a render)."""
        holds = "text => Object.values(window.localStorage).some(value => value.includes(text))"
        self.page.wait_for_function(holds, arg=text)

    def saved_or_refused(self) -> str:
        """After `save()`: "saved" once the detail page shows, "refused" once the form shows an error."""
        detail = re.compile(re.escape(self.url("/blocks/block/")) + f"{_UUID}$")
        self.detail_values().or_(self.refusal()).first.wait_for()
        return "saved" if detail.match(self.page.url) else "refused"

    # The selectors, per UI.

    @abstractmethod
    def name_input(self) -> Locator: ...

    @abstractmethod
    def field(self, title: str) -> SchemaField: ...

    @abstractmethod
    def detail_values(self) -> Locator:
        """The value cells of the detail page's field list."""
        ...

    @abstractmethod
    def _add_block(self) -> Locator: ...

    @abstractmethod
    def _cards(self) -> Locator: ...

    @abstractmethod
    def _card_title(self, type_name: str) -> Locator: ...

    @abstractmethod
    def _card_create(self, card: Locator) -> Locator: ...

    @abstractmethod
    def _menu_button(self) -> Locator: ...

    @abstractmethod
    def _edit_item(self) -> Locator: ...


def _titled(title: str) -> str:
    """XPath test for an element whose text is a property's title, with the "(Optional)" suffix or not."""
    return f"[normalize-space()='{title}' or normalize-space()='{title} (Optional)']"


def _whole(text: str) -> re.Pattern[str]:
    """Matches an element whose whole text is `text` (a card title, not a description mentioning it)."""
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


class ClassicUI(BlocksUI):
    """Prefect 3's classic UI (prefect-ui-library, Vue) at `/`."""

    key = "classic"
    label = "Prefect 3 classic UI (`/`)"
    base_path = ""
    secret_input = PLAIN_TEXTAREA
    enforces_pattern = False
    enforces_required = True
    keeps_draft = False

    def name_input(self) -> Locator:
        label = f"//label[normalize-space()='Block Name']/ancestor::div[{_has_class('p-label')}][1]//input"
        return self.form().locator(f"xpath=.{label}")

    def field(self, title: str) -> SchemaField:
        # A property's title is its label, or for an `anyOf` the heading over the value choice.
        heading = f".//*[self::label or self::h3]{_titled(title)}"
        container = self.form().locator(f"xpath={heading}/ancestor::div[{_has_class('schema-form-property')}][1]")
        return SchemaField(container, "input, textarea", container.locator(".p-button-group"), "password")

    def detail_values(self) -> Locator:
        return self.page.locator(".schema-property-key-value .p-key-value__value")

    def refusal(self) -> Locator:
        return self.form().locator(".p-label__message--failed")

    def _add_block(self) -> Locator:
        return self.page.locator(f'header.page-heading-blocks a[href="{self.base_path}/blocks/catalog"]')

    def _cards(self) -> Locator:
        return self.page.locator(".block-type-card-preview")

    def _card_title(self, type_name: str) -> Locator:
        return self.page.locator(".block-type-card-preview__name", has_text=_whole(type_name))

    def _card_create(self, card: Locator) -> Locator:
        return card.get_by_role("button", name="Create")

    def _menu_button(self) -> Locator:
        return self.page.locator("header.page-heading .p-icon-button-menu button")

    def _edit_item(self) -> Locator:
        return self.page.locator(".p-overflow-menu").get_by_role("button", name="Edit")


class Prefect2UI(ClassicUI):
    """Prefect 2's UI (an older prefect-ui-library, Vue) at `/`."""

    key = "prefect2"
    label = "Prefect 2 UI"
    secret_input = PASSWORD_INPUT
    enforces_pattern = False
    enforces_required = True
    keeps_draft = False

    def _cards(self) -> Locator:
        return self.page.locator(".p-card").filter(has=self.page.locator(".block-type-card-preview"))

    def _card_create(self, card: Locator) -> Locator:
        return card.get_by_role("button", name="Add")


class NewUI(BlocksUI):
    """Prefect 3's new UI (React) at `/v2`."""

    key = "new"
    label = "Prefect 3 new UI (`/v2`)"
    base_path = "/v2"
    secret_input = PASSWORD_INPUT
    # Its create form asks the server's form check, but with the values as the schema
    # (`validateForm({schema: values})`), and reads the answer's errors from the previous render.
    enforces_pattern = False
    enforces_required = False
    # `prefect-ui-v2-block-create-draft-<slug>`, restored when the form opens, cleared on save.
    keeps_draft = True

    def name_input(self) -> Locator:
        return self.form().locator("input[name=blockName]")

    def field(self, title: str) -> SchemaField:
        # The property's label, then the nearest box that also holds its input (in a fieldset).
        label = f".//label[@data-slot='label']{_titled(title)}"
        container = self.form().locator(f"xpath={label}/ancestor::div[.//fieldset][1]")
        toggle = container.get_by_role("tablist")
        return SchemaField(container, "fieldset input, fieldset textarea", toggle, "password")

    def detail_values(self) -> Locator:
        return self.page.locator("main dl dd")

    def refusal(self) -> Locator:
        return self.form().locator('[aria-invalid="true"]')

    def _add_block(self) -> Locator:
        return self.page.locator('main nav[aria-label="breadcrumb"] + button a[href="/v2/blocks/catalog"]')

    def _cards(self) -> Locator:
        return self.page.locator("main [data-slot=card]").filter(has=self.page.locator("h4"))

    def _card_title(self, type_name: str) -> Locator:
        return self.page.locator("h4", has_text=_whole(type_name))

    def _card_create(self, card: Locator) -> Locator:
        return card.get_by_role("link", name="Create")

    def _menu_button(self) -> Locator:
        return self.page.locator('main nav[aria-label="breadcrumb"] ~ button[aria-haspopup="menu"]')

    def _edit_item(self) -> Locator:
        return self.page.get_by_role("menuitem", name="Edit")


def field_title(field_name: str) -> str:
    """The title a form shows for a block field: pydantic's default title (`api_key` -> "Api Key")."""
    return field_name.replace("_", " ").title()


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's chromium, never a browser Playwright downloads."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


@contextmanager
def open_ui(
    browser: Browser, ui_class: type[BlocksUI], server_url: str, blank_images: bool = False
) -> Iterator[BlocksUI]:
    """`ui_class` in a fresh browser context (no cookies, so no saved UI preference), kept to loopback."""
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    try:
        ui = ui_class(context.new_page(), server_url)
        ui.stay_on_loopback(blank_images)
        yield ui
    finally:
        context.close()


#: The UIs a server of the installed Prefect serves.
UIS: tuple[type[BlocksUI], ...] = (Prefect2UI,) if PREFECT_2 else (ClassicUI, NewUI)
#: Every UI, for the docs.
ALL_UIS: tuple[type[BlocksUI], ...] = (ClassicUI, NewUI, Prefect2UI)
