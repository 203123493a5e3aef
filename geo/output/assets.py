"""Front-end assets for folium maps: local files instead of public CDNs.

folium loads Leaflet and its plugins from public CDNs, so without internet a map stays
blank. :func:`install_assets` fetches the same releases from the npm registry into
``static/`` (run by ``make setup``); :func:`use_assets` points a map at them (served by
Streamlit under ``/app/static/``), and :func:`standalone_html` inlines them so an exported
map opens anywhere, also offline.

Only Leaflet and leaflet.markercluster are used: the maps draw their markers, popups and
legends with :mod:`geo.output.map_layers`' own script, so folium's jQuery, Bootstrap and Font
Awesome are left out.
"""

from __future__ import annotations

import argparse
import base64
import logging
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import folium

from geo.output.map_layers import check_map

log = logging.getLogger(__name__)

#: URL prefix under which Streamlit serves ``static/`` (``enableStaticServing``).
STATIC_URL = "/app/static/"

#: npm package → files to copy (path in the package → path under ``static/``).
NPM_PACKAGES: dict[str, dict[str, str]] = {
    "leaflet@1.9.3": {
        "package/dist/leaflet.js": "leaflet/leaflet.js",
        "package/dist/leaflet.css": "leaflet/leaflet.css",
        "package/dist/images/layers.png": "leaflet/images/layers.png",
        "package/dist/images/layers-2x.png": "leaflet/images/layers-2x.png",
        "package/dist/images/marker-icon.png": "leaflet/images/marker-icon.png",
        "package/dist/images/marker-icon-2x.png": "leaflet/images/marker-icon-2x.png",
        "package/dist/images/marker-shadow.png": "leaflet/images/marker-shadow.png",
    },
    "leaflet.markercluster@1.1.0": {
        "package/dist/leaflet.markercluster.js": "markercluster/leaflet.markercluster.js",
        "package/dist/MarkerCluster.css": "markercluster/MarkerCluster.css",
        "package/dist/MarkerCluster.Default.css": "markercluster/MarkerCluster.Default.css",
    },
}

#: folium's resource names → local file under ``static/``; None means "not needed".
LOCAL_FILES: dict[str, str | None] = {
    "leaflet": "leaflet/leaflet.js",
    "leaflet_css": "leaflet/leaflet.css",
    "markerclusterjs": "markercluster/leaflet.markercluster.js",
    "markerclustercss": "markercluster/MarkerCluster.css",
    "markerclusterdefaultcss": "markercluster/MarkerCluster.Default.css",
    "jquery": None,  # only folium's own popups need it; geo.output.map_layers does not
    "bootstrap": None,
    "bootstrap_css": None,
    "glyphicons_css": None,
    "awesome_markers": None,
    "awesome_markers_font_css": None,
    "awesome_markers_css": None,
    "awesome_rotate_css": None,
}


def missing_assets(static_dir: Path) -> list[str]:
    """Files under ``static_dir`` that :func:`install_assets` should have made."""
    wanted = [dest for files in NPM_PACKAGES.values() for dest in files.values()]
    return [dest for dest in wanted if not (Path(static_dir) / dest).is_file()]


def install_assets(static_dir: Path) -> list[str]:
    """Fetch Leaflet, leaflet.markercluster and jQuery from the npm registry into ``static_dir``.

    Quick and silent when everything is present already.

    Returns
    -------
    list of str
        The files written (empty when nothing was missing).

    Raises
    ------
    RuntimeError
        When npm is not installed or a package cannot be fetched (Dutch message).
    """
    static_dir = Path(static_dir)
    if not missing_assets(static_dir):
        return []
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "npm is niet gevonden. Installeer Node.js en npm (Debian: apt-get install npm), "
            "of zet INFRAKAART_ASSET_MODE=cdn om Leaflet van internet te laden."
        )
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for spec, files in NPM_PACKAGES.items():
            result = subprocess.run(
                [npm, "pack", spec, "--silent"], cwd=tmp, capture_output=True, text=True
            )
            if result.returncode != 0:
                raise RuntimeError(f"npm pack {spec} mislukte: {result.stderr.strip()}")
            tarball = Path(tmp) / result.stdout.strip().splitlines()[-1]
            with tarfile.open(tarball) as archive:
                for member, dest in files.items():
                    target = static_dir / dest
                    target.parent.mkdir(parents=True, exist_ok=True)
                    source = archive.extractfile(member)
                    if source is None:
                        raise RuntimeError(f"{member} ontbreekt in {spec}")
                    target.write_bytes(source.read())
                    written.append(dest)
    return written


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def use_assets(fmap: folium.Map, mode: str = "local") -> folium.Map:
    """Point every element of ``fmap`` at local assets (``mode="local"``) or the CDNs.

    In local mode the unused folium resources (Bootstrap, Font Awesome, awesome-markers)
    are dropped. Returns the same map for chaining.
    """
    if mode == "cdn":
        return fmap
    for element in _walk(fmap):
        for attr in ("default_js", "default_css"):
            resources = getattr(element, attr, None)
            if not resources:
                continue
            local = []
            for name, url in resources:
                if name not in LOCAL_FILES:
                    log.warning("no local copy of %s (%s); keeping the CDN link", name, url)
                    local.append((name, url))
                elif LOCAL_FILES[name] is not None:
                    local.append((name, STATIC_URL + LOCAL_FILES[name]))
            setattr(element, attr, local)
    return fmap


def _inline_css(css: str, css_path: Path) -> str:
    """Replace ``url(images/x.png)`` in ``css`` with data URIs so it works inline."""

    def repl(match: re.Match) -> str:
        target = (css_path.parent / match.group(1)).resolve()
        if not target.is_file():
            return match.group(0)
        data = base64.b64encode(target.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(['\"]?([^'\")]+\.png)['\"]?\)", repl, css)


def standalone_html(fmap: folium.Map, static_dir: Path) -> str:
    """Render ``fmap`` as one HTML file with Leaflet inlined (opens offline).

    Raises
    ------
    RuntimeError
        When the local assets are missing (run ``make setup``).
    """
    check_map(fmap)
    missing = missing_assets(static_dir)
    if missing:
        raise RuntimeError(
            "De kaartbestanden (Leaflet) ontbreken in static/; voer eerst 'make setup' uit."
        )
    use_assets(fmap, "local")
    html = fmap.get_root().render()
    static_dir = Path(static_dir)

    def script(match: re.Match) -> str:
        path = static_dir / match.group(1)
        body = path.read_text(encoding="utf-8").replace("</script", "<\\/script")
        return f"<script>{body}</script>"

    def style(match: re.Match) -> str:
        path = static_dir / match.group(1)
        return f"<style>{_inline_css(path.read_text(encoding='utf-8'), path)}</style>"

    prefix = re.escape(STATIC_URL)
    html = re.sub(rf'<script src="{prefix}([^"]+)"></script>', script, html)
    html = re.sub(rf'<link rel="stylesheet" href="{prefix}([^"]+)"\s*/>', style, html)
    return html


def main(argv: list[str] | None = None) -> int:
    """``python -m geo.output.assets [STATIC_DIR]``: install the local assets (used by make)."""
    parser = argparse.ArgumentParser(description="Installeer Leaflet lokaal in static/.")
    parser.add_argument("static_dir", nargs="?", default="static")
    args = parser.parse_args(argv)
    try:
        written = install_assets(Path(args.static_dir))
    except RuntimeError as err:
        print(f"Fout: {err}", file=sys.stderr)
        return 1
    if written:
        print(f"{len(written)} kaartbestanden geïnstalleerd in {args.static_dir}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
