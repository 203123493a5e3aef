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

from tests.e2e.harness import (
    HOSTILE_LATLON,
    HOSTILE_NAME,
    HOSTILE_PERSON,
    HOSTILE_VISIBLE,
    PARTNER_MARKER,
    go_to,
    iframe_documents,
    map_document,
    map_point,
    record_websocket,
    wait_for_idle,
    wait_for_map,
    wait_until,
)

pytestmark = pytest.mark.e2e

#: Public pages (URL path) and whether they show a map.
PUBLIC_PAGES = {"": True, "school_koppelen": True, "wat_als": True, "over": False}
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
    """On School koppelen, tab 'Partner → scholen': choose the hostile partner."""
    page.get_by_role("tab", name="Partner → scholen").click()
    box = page.get_by_role("combobox", name="Partner")
    box.click()
    box.fill(HOSTILE_VISIBLE)
    page.get_by_role("option").filter(has_text=HOSTILE_VISIBLE).first.click()
    expect(box).to_have_value(re.compile(re.escape(HOSTILE_VISIBLE)))
    wait_for_idle(page)


@pytest.mark.parametrize("path", list(PUBLIC_PAGES), ids=lambda p: p or "kaart")
def test_public_page_carries_no_personal_data(app, page, personal, path):
    socket = record_websocket(page)
    app.open(page, path)
    if PUBLIC_PAGES[path]:
        wait_for_map(page)
    if path == "school_koppelen":
        _select_hostile_partner(page)  # its popup is public: must hold no contact data
        wait_for_map(page, 1)
        wait_until(lambda: map_document(page, 1).locator(PARTNER_MARKER).count() == 1,
                   what="de testpartner op de kaart 'Partner → scholen'")
    markup, text = _everything(app, page, socket)
    assert len(socket) > 0 and len(markup) > 10_000  # we did look at something real
    assert _leaks(personal, markup) == []
    assert _found(EMAIL, text) == []
    assert _found(PHONE, text) == []


def test_staff_do_see_contact_data(app, team_page, personal):
    page = team_page
    socket = record_websocket(page)
    go_to(page, "Kaart")
    wait_for_map(page)
    markup, _ = _everything(app, page, socket)
    seen = _leaks(personal, markup)
    assert set(HOSTILE_PERSON.values()) <= set(seen)
    # Popups of every placed, active example partner carry its contact data.
    assert len(seen) > len(personal) // 2


def _assert_no_script_ran(page) -> None:
    for frame in page.frames:
        assert frame.evaluate("typeof window.__xss") == "undefined", frame.url


def _hover_and_click_hostile(page) -> tuple[str, str]:
    """Hover and click the hostile partner's marker; return (tooltip, popup) text."""
    doc = map_document(page)
    # The whole map in view: Leaflet focuses its container on mouse down, and a page that
    # scrolls to show it between press and release turns the click into a drag.
    page.locator('iframe[title="streamlit_folium.st_folium"]').first.evaluate(
        "e => e.scrollIntoView({block: 'center'})")
    x, y = map_point(page, *HOSTILE_LATLON)
    box = page.locator('iframe[title="streamlit_folium.st_folium"]').first.bounding_box()
    hit = doc.evaluate(
        """([x, y]) => {
            const el = document.elementFromPoint(x, y);
            if (el) el.setAttribute('data-e2e', 'hostile');
            return el ? el.getAttribute('class') : null;
        }""",
        [x - box["x"], y - box["y"]],
    )
    assert hit is not None and "ik-partner" in hit, f"geen partnermarker op het punt: {hit}"
    marker = doc.locator('[data-e2e="hostile"]')
    marker.hover()
    tooltip = doc.locator(".leaflet-tooltip")
    expect(tooltip).to_contain_text(HOSTILE_VISIBLE)
    marker.click()
    popup = doc.locator(".leaflet-popup-content")
    expect(popup).to_contain_text(HOSTILE_VISIBLE)
    for part in (tooltip, popup):
        assert part.locator("img, script").count() == 0
    return tooltip.inner_text(), popup.inner_text()


def test_hostile_partner_name_is_text_on_the_public_map(app, page):
    app.open(page, "")
    wait_for_map(page)
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
    wait_for_map(page)
    _, popup = _hover_and_click_hostile(page)
    assert HOSTILE_PERSON["email"] in popup  # staff see the contact data in the popup
    _assert_no_script_ran(page)

    go_to(page, "School koppelen")
    _select_hostile_partner(page)
    wait_for_map(page, 1)
    expect(page.get_by_role("combobox", name="Partner")).to_have_value(
        re.compile(re.escape(HOSTILE_NAME[:30])))
    _assert_no_script_ran(page)
