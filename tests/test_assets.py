"""Map assets: local URLs instead of CDNs, assets copied from installed packages, template cache."""

from __future__ import annotations

import re

import branca.element
import folium

from geo.render import assets
from geo.render.place_maps import places_map
from tests.seed_fixtures import PLACES


def _places():
    import pandas as pd

    cols = ["place_id", "layer", "category", "name_en", "name_th", "lat", "lon"]
    return pd.DataFrame([dict(zip(cols, row[:7], strict=True)) for row in PLACES])


def test_install_assets_copies_every_file(tmp_path) -> None:
    files = assets.install_assets(tmp_path)
    names = {p.relative_to(tmp_path).as_posix() for p in files}
    assert {"leaflet/leaflet.js", "leaflet/leaflet.css", "jquery/jquery.min.js",
            "markercluster/leaflet.markercluster.js", "heat/leaflet_heat.min.js"} <= names
    assert all(p.stat().st_size > 0 for p in files)


def test_maps_reference_no_cdn_and_stay_small() -> None:
    html = places_map(_places()).get_root().render()
    assert "/app/static/leaflet/leaflet.js" in html and "/app/static/jquery/jquery.min.js" in html
    assert not re.search(r"cdn\.jsdelivr|cdnjs|code\.jquery|bootstrapcdn", html)
    assert len(html) < 60_000


def test_template_cache_is_shared_bounded_and_gives_identical_html() -> None:
    assets.cache_map_templates()
    first = folium.Map()._template
    second = folium.Map()._template
    assert first is second
    html_a = re.sub(r"_[0-9a-f]{32}", "_X", places_map(_places()).get_root().render())
    html_b = re.sub(r"_[0-9a-f]{32}", "_X", places_map(_places()).get_root().render())
    assert html_a == html_b
    for i in range(assets._TEMPLATE_CACHE_MAX + 10):
        branca.element.Element(template=f"<b>{i}</b>")
    assert len(assets._TEMPLATE_CACHE) == assets._TEMPLATE_CACHE_MAX
