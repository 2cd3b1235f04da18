"""A hostile-names atlas database (issue 11): every text a page shows from data carries an injection payload.

``build_hostile_database`` builds a small atlas with the project's own build (real seed places and zones, a
couple of weeks of simulated flows) and then rewrites the texts the pages show: place names (English and
Thai), place sources, zone names and sources, the provenance ``meta.sources``, and the category of a few
places (a category ``geo.vocab`` does not know, carrying a payload). Ids are unchanged, so every page,
URL parameter and rollup still works; the pipeline's output tables store zones and places as codes whose
``labels`` are ids, so rewriting the names in ``places`` and ``zones`` reaches every page. A second zone
level (``HOSTILE_LEVEL``: hostile level name, hostile zone names) is loaded as an import would load it.

Not reachable here: festival names come from ``data/seed/calendar.csv`` read at run time from the seed
directory, which has no environment variable; ``tests/test_flow_maps.py`` covers them on the chart.
"""

from __future__ import annotations

from pathlib import Path

from geo.build.run import BuildOptions, build_database
from geo.db import connect
from geo.settings import ROOT
from tests.level_fixtures import add_level

#: One payload per kind of context it attacks.
PAYLOADS: dict[str, str] = {
    "img": "<img src=x onerror=alert(1)>",
    "script": "<script>alert(1)</script>",
    "template": "`+alert(1)+`",
    "interpolation": "${alert(1)}",
    "quotes": "\"'",
    "md_link": "[Session expired](https://example.invalid/login)",
    "md_image": "![x](https://example.invalid/p.png)",
    "close_script": "</script>",
    "backslash": "\\",  # last in the name: a trailing backslash escapes a template literal's closing backtick
}

#: Every payload in one text (quotes with a backtick broke the map script: "missing ) after argument list").
EVERYTHING = (
    "\"' `+alert(1)+` ${alert(1)} <img src=x onerror=alert(1)> <script>alert(1)</script> "
    "[Session expired](https://example.invalid/login) ![x](https://example.invalid/p.png) </script> \\"
)

#: A category the vocabulary does not know (imported data brings them), carrying payloads.
HOSTILE_CATEGORY = "imported <img src=x onerror=alert(1)> `+alert(1)+` ${alert(1)} \"' \\"

#: Places whose texts all carry ``EVERYTHING``: the places page's detail and the flows route use them.
HOSTILE_PLACES = ("att-wat-phra-singh", "att-wat-chedi-luang", "att-tha-phae-gate")
#: Places moved to ``HOSTILE_CATEGORY`` (attractions near the chosen place: nearby list, atlas layers).
HOSTILE_CATEGORY_PLACES = ("att-wat-chedi-luang", "att-tha-phae-gate")
#: The zone whose texts all carry ``EVERYTHING`` (the others cycle through ``PAYLOADS``).
HOSTILE_ZONE = "old_city"

#: An imported zone level whose name and zone names carry payloads (level names may come from an import):
#: two boxes over the city, loaded beside the tourism zones with their cell lookup.
HOSTILE_LEVEL = "ward <img src=x onerror=alert(1)> `+alert(1)+` [x](https://example.invalid/l)"
HOSTILE_LEVEL_ZONES: dict[str, tuple[str, str, tuple[float, float, float, float]]] = {
    "ward_west": (f"West {EVERYTHING}", f"ตะวันตก {PAYLOADS['img']}", (98.95, 18.76, 98.99, 18.82)),
    "ward_east": (f"East {PAYLOADS['template']}", f"ตะวันออก {PAYLOADS['md_link']}",
                  (98.99, 18.76, 99.03, 18.82)),
}

#: Small and quick (≈3 s): real seed places and zones, two weeks of simulated flows.
HOSTILE_BUILD = BuildOptions(visitors=600, days=14, seed_dir=ROOT / "data" / "seed")

#: Markers that must never appear outside a JSON string in a map's HTML, nor as an element in the page.
RAW_MARKERS = ("<img src=x", "<script>alert", "`+alert", "${alert")


def hostile(text: str, index: int) -> str:
    """``text`` followed by the payload number ``index`` (cycled), so names stay distinct and recognisable."""
    payloads = list(PAYLOADS.values())
    return f"{text} {payloads[index % len(payloads)]}"


def make_hostile(path: Path) -> None:
    """Rewrite the shown texts of the atlas database at ``path`` in place (ids and geometry unchanged)."""
    con = connect(path, "officials")
    try:
        places = con.execute("select place_id, name_en, name_th, source from places order by place_id").fetchall()
        rows = []
        for i, (place_id, name_en, name_th, source) in enumerate(places):
            if place_id in HOSTILE_PLACES:  # payloads last: the trailing backslash stays last
                rows.append((f"{name_en} {EVERYTHING}", f"{name_th} {EVERYTHING}", EVERYTHING, place_id))
            else:
                rows.append((hostile(name_en, i), hostile(name_th, i + 3), hostile(source, i + 5), place_id))
        con.executemany("update places set name_en = ?, name_th = ?, source = ? where place_id = ?", rows)
        con.executemany("update places set category = ? where place_id = ?",
                        [(HOSTILE_CATEGORY, p) for p in HOSTILE_CATEGORY_PLACES])
        zones = con.execute("select zone_id, name_en, name_th, source from zones order by zone_id").fetchall()
        zone_rows = []
        for i, (zone_id, name_en, name_th, source) in enumerate(zones):
            if zone_id == HOSTILE_ZONE:
                zone_rows.append((f"{name_en} {EVERYTHING}", f"{name_th} {EVERYTHING}", EVERYTHING, zone_id))
            else:
                zone_rows.append((hostile(name_en, i), hostile(name_th, i + 4), hostile(source, i + 6), zone_id))
        con.executemany("update zones set name_en = ?, name_th = ?, source = ? where zone_id = ?", zone_rows)
        datasets = con.execute("select dataset, sources from meta order by dataset").fetchall()
        con.executemany("update meta set sources = ? where dataset = ?",
                        [(hostile(sources, i + 1), dataset) for i, (dataset, sources) in enumerate(datasets)])
        add_level(con, HOSTILE_LEVEL, HOSTILE_LEVEL_ZONES)
        con.execute("checkpoint")
    finally:
        con.close()


def build_hostile_database(path: Path, options: BuildOptions = HOSTILE_BUILD) -> Path:
    """Build a small atlas at ``path`` with the project's build, then make its texts hostile; returns ``path``."""
    build_database(path, options)
    make_hostile(path)
    return path
