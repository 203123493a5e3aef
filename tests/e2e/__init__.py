"""End-to-end tests: the Streamlit app in Debian's Chromium, driven by Playwright."""
