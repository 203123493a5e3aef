"""Dutch for the texts Streamlit writes itself.

The file uploader says "Upload" and "10MB per file • CSV" in English and has no option to
change that. :func:`dutch_widget_texts` replaces both with Dutch through a style sheet of
constant text (no user text ever reaches it), once per run, from ``app.py``.
"""

from __future__ import annotations

import streamlit as st

#: The uploader's button label.
UPLOAD_BUTTON = "Bestand kiezen"

_BUTTON = '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p'
_LIMIT = '[data-testid="stFileUploaderDropzoneInstructions"] span'


def upload_limit_text() -> str:
    """The uploader's size limit in Dutch, from Streamlit's ``server.maxUploadSize``."""
    return f"Hoogstens {int(st.get_option('server.maxUploadSize'))} MB per bestand"


def dutch_widget_texts() -> None:
    """Replace the file uploader's English button label and size note by Dutch."""
    st.html(
        "<style>"
        f"{_BUTTON}, {_LIMIT} {{ font-size: 0; }}"
        f'{_BUTTON}::after {{ content: "{UPLOAD_BUTTON}"; font-size: 0.875rem; }}'
        f'{_LIMIT}::after {{ content: "{upload_limit_text()}"; font-size: 0.875rem; }}'
        "</style>"
    )
