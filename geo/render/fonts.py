"""Find the fonts exports and the report draw Thai with, and hand them to vl-convert, Matplotlib and Typst.

Charts, map images and the PDF are drawn on the server, with the server's fonts, so a Thai place name
needs a font with Thai glyphs there. ``make setup`` installs Debian's ``fonts-thai-tlwg`` (Loma, Garuda,
Waree, ...) and ``fonts-dejavu-core``. Font folders are found through fontconfig (``fc-list :lang=th``)
and, when ``fc-list`` is missing, in the known Debian folders. ``FAMILIES`` is the order every renderer
asks for: Loma covers Latin and Thai in one face (so a mixed label is set in one style), DejaVu Sans is
the Latin fallback. Nothing is downloaded: without any Thai font, Thai text draws as boxes and
``thai_font_dirs()`` is empty (the tests require it).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from functools import cache
from pathlib import Path

#: Families in the order renderers try them: a face with Latin and Thai first, then Latin fallbacks.
FAMILIES: tuple[str, ...] = ("Loma", "Garuda", "Noto Sans Thai", "Waree", "DejaVu Sans")
#: Folders Debian installs the fonts above into (used when fontconfig is not there to ask).
KNOWN_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/tlwg",
    "/usr/share/fonts/opentype/tlwg",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/dejavu",
)


@cache
def thai_font_files() -> tuple[Path, ...]:
    """Font files that cover Thai (fontconfig's answer, else the known Debian folders); may be empty."""
    files: list[Path] = []
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=th", "file"], capture_output=True, text=True, timeout=20,
                                 check=False).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        files = [Path(line.split(":")[0].strip()) for line in out.splitlines() if line.strip()]
    if not files:
        for folder in KNOWN_DIRS[:4]:
            files.extend(p for p in sorted(Path(folder).glob("*")) if p.suffix.lower() in (".ttf", ".otf"))
    return tuple(sorted({p for p in files if p.is_file()}))


@cache
def thai_font_dirs() -> tuple[Path, ...]:
    """Folders holding a Thai-capable font (plus DejaVu's when present), for renderers that take folders."""
    dirs = {p.parent for p in thai_font_files()}
    dirs.update(Path(d) for d in KNOWN_DIRS if Path(d).is_dir() and "dejavu" in d)
    return tuple(sorted(dirs))


def has_thai_font() -> bool:
    """True when at least one installed font covers Thai."""
    return bool(thai_font_files())


_VL_LOCK = threading.Lock()
_VL_REGISTERED: set[Path] = set()


def register_vl_convert() -> None:
    """Register the Thai font folders with vl-convert once per process (it otherwise draws Thai as boxes)."""
    import vl_convert

    with _VL_LOCK:
        for folder in thai_font_dirs():
            if folder not in _VL_REGISTERED:
                vl_convert.register_font_directory(str(folder))
                _VL_REGISTERED.add(folder)


def chart_font() -> str:
    """The font family charts are set in: the first of ``FAMILIES`` that is installed (CSS family list)."""
    names = {p.stem.split("-")[0].lower() for p in thai_font_files()}
    for family in FAMILIES:
        if family.replace(" ", "").lower() in names:
            return family
    return "DejaVu Sans"


_MPL_LOCK = threading.Lock()
_MPL_READY: list[bool] = []


def matplotlib_families() -> list[str]:
    """Register the Thai fonts with Matplotlib once and return the family fallback list to draw with.

    Matplotlib (3.6+) falls back glyph by glyph along the list; its bundled libraqm shapes Thai.
    """
    from matplotlib import font_manager

    with _MPL_LOCK:
        if not _MPL_READY:
            for path in thai_font_files():
                try:
                    font_manager.fontManager.addfont(str(path))
                except (OSError, RuntimeError, ValueError):  # a font file Matplotlib cannot read: skip it
                    continue
            _MPL_READY.append(True)
    known = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in FAMILIES if f in known] or ["DejaVu Sans"]
