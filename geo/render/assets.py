"""Serve Leaflet, jQuery and plugin assets from installed packages so maps draw with no internet.

Folium points every map at CDN URLs. ``install_assets`` copies the files from installed PyPI packages
(XStatic-Leaflet 1.9.3 — the Leaflet version folium 0.20 targets —, XStatic-Leaflet-MarkerCluster,
XStatic-jQuery, and folium's own bundled heat-map plugin) into ``static/``, which Streamlit serves at
``/app/static/`` (``server.enableStaticServing``). ``use_local_assets`` rewrites folium's class-level
``default_js``/``default_css`` to those URLs, so each map's HTML carries a few ``<script src>`` tags
(~10 KB) instead of inlining ~1.4 MB. Nothing is committed to git: ``static/`` is rebuilt at setup.

Leaflet.draw 1.0.2 (the drawn-area tool) has no XStatic package. The ``folium-offline`` wheel (0.20.0.2)
embeds its JavaScript and CSS as strings in ``offlinefolium/elements.py`` (a dict ``_res`` keyed by the
CDN URLs folium uses); ``install_assets`` reads those two entries out of the file's syntax tree (the
module is not imported: it is 3.5 MB of strings and importing it costs ~1 s) and writes them to
``static/draw/``. That CSS carries the toolbar's sprite as ``data:`` URIs (folium-offline inlined it), so
the buttons draw with nothing else to fetch; ``tests/test_area.py`` checks the CSS names no other URL.

Bootstrap, Font Awesome and awesome-markers are deliberately dropped: the atlas draws circle markers,
its own legend and Leaflet's layer control, none of which need them.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import shutil
from collections import OrderedDict
from pathlib import Path

from geo.errors import ConfigError
from geo.settings import get_settings

#: (package module, file inside its data dir or package dir, name under static/)
_SOURCES: tuple[tuple[str, str, str], ...] = (
    ("xstatic.pkg.leaflet", "leaflet.js", "leaflet/leaflet.js"),
    ("xstatic.pkg.leaflet", "leaflet.css", "leaflet/leaflet.css"),
    ("xstatic.pkg.leaflet", "images", "leaflet/images"),
    ("xstatic.pkg.jquery", "jquery.min.js", "jquery/jquery.min.js"),
    ("xstatic.pkg.leaflet_markercluster", "leaflet.markercluster.js", "markercluster/leaflet.markercluster.js"),
    ("xstatic.pkg.leaflet_markercluster", "MarkerCluster.css", "markercluster/MarkerCluster.css"),
    ("xstatic.pkg.leaflet_markercluster", "MarkerCluster.Default.css", "markercluster/MarkerCluster.Default.css"),
    ("folium", "templates/leaflet_heat.min.js", "heat/leaflet_heat.min.js"),
)


#: (CDN URL keyed in offlinefolium's ``_res``, name under static/): Leaflet.draw, as folium 0.20's Draw plugin names it.
DRAW_JS_URL = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.js"
DRAW_CSS_URL = "https://cdnjs.cloudflare.com/ajax/libs/leaflet.draw/1.0.2/leaflet.draw.css"
_EMBEDDED: tuple[tuple[str, str], ...] = (
    (DRAW_JS_URL, "draw/leaflet.draw.js"),
    (DRAW_CSS_URL, "draw/leaflet.draw.css"),
)


def embedded_asset(url: str) -> str:
    """The text folium-offline embeds for ``url`` (read from ``offlinefolium/elements.py`` without importing it)."""
    spec = importlib.util.find_spec("offlinefolium")
    if spec is None or not spec.submodule_search_locations:
        msg = "Leaflet.draw comes from the folium-offline package: install it (pip install folium-offline==0.20.0.2)"
        raise ConfigError(msg)
    source = Path(next(iter(spec.submodule_search_locations))) / "elements.py"
    for node in ast.parse(source.read_text(encoding="utf-8"), filename=str(source)).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Subscript)):
            continue
        target = node.targets[0]
        if (isinstance(target.value, ast.Name) and target.value.id == "_res"
                and isinstance(target.slice, ast.Constant) and target.slice.value == url
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            return node.value.value
    msg = f"folium-offline has no embedded copy of {url}: install folium-offline==0.20.0.2"
    raise ConfigError(msg)


def _write_text(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` unless it already holds exactly that."""
    data = text.encode("utf-8")
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists() or target.read_bytes() != data:
        target.write_bytes(data)


def _source_path(module: str, relative: str) -> Path:
    mod = importlib.import_module(module)
    base = Path(getattr(mod, "BASE_DIR", Path(mod.__file__).parent))
    return base / relative


def install_assets(dest: Path | None = None) -> list[Path]:
    """Copy map assets into ``dest`` (default ``static/``) when missing or stale; returns the files."""
    dest = dest or get_settings().static_dir
    written = []
    for module, relative, name in _SOURCES:
        src = _source_path(module, relative)
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target, dirs_exist_ok=True)
            written.extend(p for p in target.rglob("*") if p.is_file())
            continue
        if not target.exists() or target.stat().st_size != src.stat().st_size:
            shutil.copyfile(src, target)
        written.append(target)
    for url, name in _EMBEDDED:
        _write_text(dest / name, embedded_asset(url))
        written.append(dest / name)
    return written


def asset_files() -> dict[str, Path]:
    """Served name (``leaflet/leaflet.js``) → the installed file it is copied from, folders expanded.

    ``geo.render.export`` inlines these into a standalone map file, read straight from the packages so an
    export works whether or not ``static/`` has been filled.
    """
    files: dict[str, Path] = {}
    for module, relative, name in _SOURCES:
        src = _source_path(module, relative)
        if src.is_dir():
            files.update((f"{name}/{p.relative_to(src).as_posix()}", p) for p in sorted(src.rglob("*")) if p.is_file())
        else:
            files[name] = src
    return files


def asset_url(name: str) -> str:
    """Absolute URL path the app serves ``static/<name>`` at."""
    return f"/{get_settings().static_url}/{name}"


#: Compiled templates by (class, source, options); least recently used evicted past ``_TEMPLATE_CACHE_MAX``
#: (some elements inline their content into the template source, so sources are not a closed set).
_TEMPLATE_CACHE: OrderedDict[tuple, object] = OrderedDict()
_TEMPLATE_CACHE_MAX = 1024


def cache_map_templates() -> None:
    """Compile each Folium/Branca Jinja template once per process instead of once per map element.

    Every folium element builds ``Template(source)`` in its constructor, and Jinja compiles the source
    each time: a 230-place map compiled ~540 templates (≈1 s of a page rerun). Templates are immutable
    once compiled (folium only renders them and calls their macros with the element as an argument),
    so identical sources share one compiled object. Only folium's and branca's template classes are
    cached; other Jinja users in the process are untouched. Idempotent.
    """
    import branca.element
    import folium.template
    import jinja2

    if getattr(jinja2.Template.__new__, "_atlas_cached", False):
        return
    original = jinja2.Template.__new__
    classes = (branca.element.Template, folium.template.Template)

    def cached_new(cls, source, *args, **kwargs):  # type: ignore[no-untyped-def]
        if cls not in classes or not isinstance(source, str):
            return original(cls, source, *args, **kwargs)
        key = (cls, source, args, tuple(sorted(kwargs.items())))
        template = _TEMPLATE_CACHE.get(key)
        if template is None:
            template = _TEMPLATE_CACHE[key] = original(cls, source, *args, **kwargs)
            if len(_TEMPLATE_CACHE) > _TEMPLATE_CACHE_MAX:
                _TEMPLATE_CACHE.popitem(last=False)
        else:
            _TEMPLATE_CACHE.move_to_end(key)
        return template

    cached_new._atlas_cached = True  # type: ignore[attr-defined]
    jinja2.Template.__new__ = cached_new  # type: ignore[method-assign]


def use_local_assets() -> None:
    """Point folium's Map and the plugins the atlas uses at the app-served copies (idempotent)."""
    cache_map_templates()
    import folium
    from folium import plugins

    folium.Map.default_js = [
        ("leaflet", asset_url("leaflet/leaflet.js")),
        ("jquery", asset_url("jquery/jquery.min.js")),
    ]
    folium.Map.default_css = [("leaflet_css", asset_url("leaflet/leaflet.css"))]
    cluster_js = [("markerclusterjs", asset_url("markercluster/leaflet.markercluster.js"))]
    cluster_css = [
        ("markerclustercss", asset_url("markercluster/MarkerCluster.css")),
        ("markerclusterdefaultcss", asset_url("markercluster/MarkerCluster.Default.css")),
    ]
    for cls in (plugins.MarkerCluster, plugins.FastMarkerCluster):
        cls.default_js = list(cluster_js)
        cls.default_css = list(cluster_css)
    plugins.HeatMap.default_js = [("leaflet-heat.js", asset_url("heat/leaflet_heat.min.js"))]
    plugins.Draw.default_js = [("leaflet_draw_js", asset_url("draw/leaflet.draw.js"))]
    plugins.Draw.default_css = [("leaflet_draw_css", asset_url("draw/leaflet.draw.css"))]
