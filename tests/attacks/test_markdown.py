"""Finding 4 of the audit: Markdown injection on a public page.

A partner named ``[x](https://evil.invalid)`` became a clickable link (and an image link
made visitors' browsers fetch from elsewhere) in School koppelen → Partner → scholen.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.register.store import Store
from geo.text import md

ROOT = Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "pages" / "school_koppelen.py")

LINK = "[x](https://evil.invalid)"
IMAGE = "![pixel](https://evil.invalid/p.png)"
AUTOLINK = "www.evil.invalid :red[rood] $x^2$ **vet**"

MARKDOWN_ELEMENTS = ("markdown", "caption", "info", "warning", "error", "success")


def _markdown_sources(at: AppTest) -> list[str]:
    """The Markdown source of every element Streamlit renders as Markdown."""
    sources = []
    for kind in MARKDOWN_ELEMENTS:
        sources += [str(element.value) for element in getattr(at, kind)]
    sources += [str(e.label) for e in at.expander]
    for radio in at.radio:
        sources += [str(o) for o in radio.options]
    return sources


@pytest.fixture
def far_partners(app_env, reference):
    """Partners with hostile Markdown names, far from every school (Texel's north tip)."""
    with Store(app_env / "infrakaart.sqlite", reference) as store:
        return {naam: store.save_organisation(
                    {"naam": naam, "soort": "aannemer", "lat": 53.18 + i / 1000, "lon": 4.86,
                     "nauwkeurigheid": "adres"}, user="test")
                for i, naam in enumerate((LINK, IMAGE, AUTOLINK))}


@pytest.mark.parametrize("name", [LINK, IMAGE, AUTOLINK])
def test_partner_name_is_not_markdown_in_partner_to_schools(far_partners, name):
    """A partner named `[x](https://evil.invalid)` becomes a clickable link (public page)."""
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    at.selectbox(key="koppel_partner").select(far_partners[name]).run()
    at.slider(key="koppel_partner_straal").set_value(1).run()
    assert not at.exception
    sources = _markdown_sources(at)
    assert any(md(name) in s for s in sources), "the message names the partner"
    assert not any(name in s for s in sources), "the raw name reached Markdown"
    assert not any("](https://" in s for s in sources)
