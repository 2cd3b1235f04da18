"""Find the fonts exports and the report draw Thai and Chinese with, and hand them to vl-convert, Matplotlib, Typst.

Charts, map images and the PDF are drawn on the server, with the server's fonts, so a Thai or Chinese name
needs a font with those glyphs there. ``make setup`` installs Debian's ``fonts-thai-tlwg`` (Loma, Garuda,
Waree, ...), ``fonts-noto-cjk`` (Noto Sans CJK SC for Simplified Chinese) and ``fonts-dejavu-core``. Font
folders are found through fontconfig (``fc-list :lang=th``, ``fc-list :lang=zh-cn``) and, when ``fc-list`` is
missing, in the known Debian folders. ``families(lang)`` is the order every renderer asks for: the reader's
script first (Loma covers Latin and Thai in one face, so a mixed label is set in one style; Noto Sans CJK SC
covers Latin and Chinese), then the others as glyph fallbacks, DejaVu Sans last. Nothing is downloaded:
without a Thai (Chinese) font that script draws as boxes and ``thai_font_dirs()`` (``cjk_font_files()``) is
empty (the tests require both).
"""

from __future__ import annotations

import shutil
import subprocess
import threading
from functools import cache
from pathlib import Path

#: Families in the order renderers try them: a face with Latin and Thai first, then Latin fallbacks.
FAMILIES: tuple[str, ...] = ("Loma", "Garuda", "Noto Sans Thai", "Waree", "DejaVu Sans", "Noto Sans CJK SC")
#: The Simplified Chinese family (Debian ``fonts-noto-cjk``).
CJK_FAMILY = "Noto Sans CJK SC"
#: Folders Debian installs the fonts above into (used when fontconfig is not there to ask).
KNOWN_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/tlwg",
    "/usr/share/fonts/opentype/tlwg",
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/truetype/dejavu",
)
#: Where Debian's ``fonts-noto-cjk`` puts Noto Sans CJK (used when fontconfig is not there to ask).
CJK_DIR = "/usr/share/fonts/opentype/noto"


def families(lang: str = "en") -> tuple[str, ...]:
    """Font families in the order a renderer should try them for text in ``lang`` (others as fallbacks)."""
    if lang == "zh":
        return (CJK_FAMILY, *[f for f in FAMILIES if f != CJK_FAMILY])
    if lang == "en":
        return ("DejaVu Sans", *[f for f in FAMILIES if f != "DejaVu Sans"])
    return FAMILIES


@cache
def cjk_font_files() -> tuple[Path, ...]:
    """Noto Sans CJK files (Simplified Chinese among them); fontconfig's answer, else Debian's folder; may be empty."""
    files: list[Path] = []
    if shutil.which("fc-list"):
        try:
            out = subprocess.run(["fc-list", ":lang=zh-cn", "file", "family"], capture_output=True, text=True,
                                 timeout=20, check=False).stdout
        except (OSError, subprocess.SubprocessError):
            out = ""
        files = [Path(line.split(":")[0].strip()) for line in out.splitlines() if CJK_FAMILY in line]
    if not files:
        files = sorted(Path(CJK_DIR).glob("NotoSansCJK*.tt[cf]"))
    return tuple(sorted({p for p in files if p.is_file()}))


def has_cjk_font() -> bool:
    """True when Noto Sans CJK (Simplified Chinese) is installed."""
    return bool(cjk_font_files())


@cache
def font_dirs(lang: str | None = None) -> tuple[Path, ...]:
    """The folders a renderer needs: the Thai folders (``thai_font_dirs``) and the one holding Noto Sans CJK.

    ``lang`` other than ``zh`` leaves the CJK folder out when it holds no Thai font (Typst reads every font
    of every folder it is given: 90 MB of CJK collections for nothing when no Chinese character is set).
    """
    thai = set(thai_font_dirs())
    cjk = {p.parent for p in cjk_font_files()}
    return tuple(sorted(thai | cjk if lang in (None, "zh") else thai))


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
    """Register the Thai and Chinese font folders with vl-convert once per process (else it draws boxes)."""
    import vl_convert

    with _VL_LOCK:
        for folder in font_dirs():
            if folder not in _VL_REGISTERED:
                vl_convert.register_font_directory(str(folder))
                _VL_REGISTERED.add(folder)


def chart_font(lang: str | None = None) -> str:
    """The font family charts in ``lang`` (the current language when None) are set in: the first installed
    family of ``families(lang)`` (Noto Sans CJK SC for Chinese, a Thai face with Latin letters otherwise)."""
    from geo.i18n import get_language

    lang = lang or get_language()
    names = {p.stem.split("-")[0].lower() for p in thai_font_files()}
    if cjk_font_files():
        names.add(CJK_FAMILY.replace(" ", "").lower())
    for family in families(lang if lang != "en" else "th"):
        if family.replace(" ", "").lower() in names or (family == CJK_FAMILY and CJK_FAMILY.replace(" ", "").lower()
                                                         in names):
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
            for path in (*thai_font_files(), *cjk_font_files()):
                try:
                    font_manager.fontManager.addfont(str(path))
                except (OSError, RuntimeError, ValueError):  # a font file Matplotlib cannot read: skip it
                    continue
            _MPL_READY.append(True)
    known = {f.name for f in font_manager.fontManager.ttflist}
    from geo.i18n import get_language

    return [f for f in families(get_language()) if f in known] or ["DejaVu Sans"]
