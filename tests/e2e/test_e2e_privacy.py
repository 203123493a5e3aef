"""Privacy and escaping in the browser.

Public pages never carry a contact person, e-mail address or phone number from the
register — not in the page, not in a map iframe, not in a download, not in any message
the server sends over the websocket — while a signed-in staff member does get them (so
the check can fail). A partner named with HTML/JS is shown as text and runs nothing.
"""

from __future__ import annotations

import html
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import (
    MAP_IFRAME,
    go_to,
    iframe_documents,
    map_frame,
    record_websocket,
    tab_panel,
    tag_marker,
    wait_for_idle,
    wait_for_maps,
    wait_for_markers,
    wait_until,
)
from tests.e2e.harness import (
    HOSTILE_LATLON,
    HOSTILE_NAME,
    HOSTILE_PERSON,
    HOSTILE_VISIBLE,
    TEAM_PASSWORD,
    TEAM_USER,
)

pytestmark = pytest.mark.e2e

#: Public pages (URL path) and the number of maps they show (School koppelen has one per
#: tab; the closed tab's map is on the page too).
PUBLIC_PAGES = {"": 1, "school_koppelen": 2, "wat_als": 1, "over": 0}
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\d.,])0\d{1,3}[- ]?\d{6,8}(?![\d.,])")
#: Every text node of a document on its own line (innerText glues the cells of the data
#: grid's hidden accessible table together, which makes false phone numbers of numbers).
TEXT_NODES = """() => {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const parts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const tag = node.parentElement ? node.parentElement.tagName : '';
        if (tag !== 'SCRIPT' && tag !== 'STYLE' && node.data.trim()) parts.push(node.data.trim());
    }
    return parts.join('\\n');
}"""
MEDIA = re.compile(r"/media/[0-9a-f]{16,}\.[a-z0-9]+")


@pytest.fixture(scope="module")
def personal(app) -> list[str]:
    """Every personal value in the register (the hostile partner's included)."""
    data = app.personal_data()
    values = [v for column in data.values() for v in column]
    assert set(HOSTILE_PERSON.values()) <= set(values)
    assert len(data["email"]) > 10 and len(data["telefoon"]) > 10  # example data loaded
    return values


def _everything(app, page, socket: list[bytes]) -> tuple[str, str]:
    """(all markup and data the browser received, the text a visitor can read)."""
    payload = b"\n".join(socket).decode("utf-8", errors="replace")
    downloads = []
    for path in sorted(set(MEDIA.findall(payload))):
        with urllib.request.urlopen(f"{app.url}{path}", timeout=10) as response:
            downloads.append(response.read().decode("utf-8", errors="replace"))
    markup = "\n".join([page.content(), *iframe_documents(page), payload, *downloads])
    texts = [frame.evaluate(TEXT_NODES) for frame in page.frames]
    return markup, "\n".join(texts)


def _leaks(values: list[str], markup: str) -> list[str]:
    forms = {form: v for v in values for form in (v, html.escape(v), html.escape(v, False))}
    return sorted({v for form, v in forms.items() if form in markup})


def _found(pattern: re.Pattern, text: str) -> list[str]:
    """Matches of ``pattern`` with some context, for a readable failure."""
    return [repr(text[max(m.start() - 60, 0):m.end() + 20]) for m in pattern.finditer(text)]


def _select_hostile_partner(page) -> None:
    """On School koppelen, tab 'Partner → scholen': choose the hostile partner.

    Waits for the run that draws its map: the partner marker at the hostile partner's
    place on the tab's map (the second map of the page).
    """
    page.get_by_role("tab", name="Partner → scholen").click()
    box = tab_panel(page, "Partner → scholen").get_by_role("combobox", name="Partner")
    box.click()
    box.fill(HOSTILE_VISIBLE)
    page.get_by_role("option").filter(has_text=HOSTILE_VISIBLE).first.click()
    expect(box).to_have_value(re.compile(re.escape(HOSTILE_VISIBLE)))
    wait_for_markers(page, "ik-partner", [HOSTILE_LATLON], index=1,
                     what="de testpartner op de kaart 'Partner → scholen'")
    wait_for_idle(page)  # the run that drew this map is over


@pytest.mark.parametrize("path", list(PUBLIC_PAGES), ids=lambda p: p or "kaart")
def test_public_page_carries_no_personal_data(app, page, personal, path):
    socket = record_websocket(page)
    app.open(page, path)
    if path == "school_koppelen":
        _select_hostile_partner(page)  # its popup is public: must hold no contact data
    # Everything the server sent has arrived (the run is over) and every map has built
    # its layers from it.
    wait_for_maps(page, PUBLIC_PAGES[path])
    markup, text = _everything(app, page, socket)
    assert len(socket) > 0 and len(markup) > 10_000  # we did look at something real
    assert _leaks(personal, markup) == []
    assert _found(EMAIL, text) == []
    assert _found(PHONE, text) == []


@pytest.fixture
def recorded_team_page(app):
    """A page signed in as the team whose websocket is recorded from its first message."""
    page = app.new_page()
    socket = record_websocket(page)
    app.open(page, "")
    app.login(page, TEAM_USER, TEAM_PASSWORD)
    yield page, socket
    page.context.close()


def test_staff_do_see_contact_data(app, recorded_team_page, personal):
    page, socket = recorded_team_page
    start = len(socket)  # media of the earlier pages' runs have been released since
    go_to(page, "Kaart")
    wait_for_maps(page, 1)
    markup, _ = _everything(app, page, socket[start:])
    seen = _leaks(personal, markup)
    assert set(HOSTILE_PERSON.values()) <= set(seen)
    # Popups of every placed, active example partner carry its contact data.
    assert len(seen) > len(personal) // 2


def _assert_no_script_ran(page) -> None:
    for frame in page.frames:
        assert frame.evaluate("typeof window.__xss") == "undefined", frame.url


def _hover_and_click_hostile(page) -> tuple[str, str]:
    """Hover and click the hostile partner's marker; return (tooltip, popup) text."""
    wait_for_maps(page, 1)
    # The marker at the hostile partner's place, once its cluster chunk has been drawn.
    wait_until(lambda: tag_marker(page, "ik-partner", HOSTILE_LATLON, "hostile"),
               what="de marker van de testpartner op de kaart")
    # The whole map in view: Leaflet focuses its container on mouse down, and a page that
    # scrolls to show it between press and release turns the click into a drag.
    page.locator(MAP_IFRAME).first.evaluate("e => e.scrollIntoView({block: 'center'})")
    doc = map_frame(page)
    marker = doc.locator('[data-e2e="hostile"]')
    marker.hover()  # Playwright checks that the marker itself receives the pointer
    tooltip = doc.locator(".leaflet-tooltip").filter(has_text=HOSTILE_VISIBLE)
    expect(tooltip).to_have_count(1)
    assert tooltip.locator("img, script").count() == 0
    # Read now: the popup may pan the map away from the pointer, which closes the tooltip.
    tooltip_text = tooltip.inner_text()
    marker.click()
    popup = doc.locator(".leaflet-popup-content").filter(has_text=HOSTILE_VISIBLE)
    expect(popup).to_have_count(1)
    assert popup.locator("img, script").count() == 0
    return tooltip_text, popup.inner_text()


def test_hostile_partner_name_is_text_on_the_public_map(app, page):
    app.open(page, "")
    wait_for_maps(page, 1)
    _assert_no_script_ran(page)
    tooltip, popup = _hover_and_click_hostile(page)
    # The name is shown exactly as typed: the markup is visible as characters.
    first_line = HOSTILE_NAME.split("</script>")[0]
    assert first_line in tooltip
    assert first_line in popup
    assert HOSTILE_PERSON["email"] not in popup
    _assert_no_script_ran(page)


def test_hostile_partner_name_is_text_for_staff_and_in_the_partner_search(app, team_page):
    page = team_page
    go_to(page, "Kaart")
    _, popup = _hover_and_click_hostile(page)
    assert HOSTILE_PERSON["email"] in popup  # staff see the contact data in the popup
    _assert_no_script_ran(page)

    go_to(page, "School koppelen")
    _select_hostile_partner(page)
    expect(page.get_by_role("combobox", name="Partner")).to_have_value(
        re.compile(re.escape(HOSTILE_NAME[:30])))
    _assert_no_script_ran(page)
