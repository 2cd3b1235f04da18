"""Read an official's file (CSV/TSV, GeoJSON, GeoPackage, zipped Shapefile, KML, FlatGeobuf, GeoParquet) into a
:class:`~geo.ingest.model.SourceTable`: attribute columns as the file names them, Shapely geometries in WGS84
lon/lat, rows numbered the way the official counts them, and every problem found on the way.

Nothing here gives the columns an atlas meaning (``fields`` does) or checks them (``validate`` does): a CSV's
``lat``/``lon`` or WKT columns stay text, geometries are not made valid. What reading does decide:

* whether the file can be read at all. A refusal raises :class:`~geo.errors.ImportRefusedError` whose message
  names the file (the ``name`` the official gave it, never a server path), says what is wrong and what to do;
* the text encoding of CSV/TSV (UTF-8 with or without BOM, UTF-16 with BOM, Thai Windows cp874/TIS-620);
* the coordinate system: every geometry comes out in WGS84; a reprojection is one file-level problem
  ("repaired");
* small per-feature repairs a reader can do without guessing (an unclosed ring, coordinates written as text,
  a homogeneous geometry collection), and rejections where it cannot (a ring of three positions, no geometry).

The whole table is held in memory; files above ``max_bytes`` (``DEFAULT_MAX_BYTES`` = 200 MB unless the caller
passes another limit) are refused before a byte is read. Tested at 50 MB on a shared 2-core VM: a UTF-8 CSV of
560,000 rows x 8 columns reads in 2.2-2.6 s, peak memory 255 MB above the interpreter's (CSV values become
Arrow-backed text block by block); the same table in cp874 in 2.9-4.3 s; a GeoJSON of 155,000 polygons in
3.8-4.8 s, 540 MB above (the standard ``json`` module holds the whole parsed document, about ten times the
file). Extrapolated, a 200 MB GeoJSON needs about 2 GB.
"""

from __future__ import annotations

import codecs
import csv
import json
import re
import warnings
import zipfile
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.errors import ImportRefusedError
from geo.i18n import N_, _
from geo.ingest.model import SUFFIX_FORMATS, Problem, SourceTable, source_format_for

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
"""Largest file :func:`read_table` reads unless the caller passes another ``max_bytes`` (200 MB)."""

#: Encodings a CSV/TSV may be in; anything else is refused (better than importing garbled names).
TEXT_ENCODINGS: tuple[str, ...] = ("utf-8", "utf-8-sig", "utf-16", "utf-32", "cp874")

#: Every name charset-normalizer or a .cpg file may give Thai text; cp874 is a superset of TIS-620.
_THAI_CODECS = {"cp874", "tis-620", "tis_620", "tis620", "iso8859-11", "iso8859_11", "windows-874", "x-windows-874"}

_CSV_DELIMITERS = (",", ";", "\t")
_CHUNK_ROWS = 50_000
_HEAD_BYTES = 4096
_ROW = "row"
_GEOMETRY = "geometry"
_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# What the first bytes say a file is, and how to say so to an official.
_KIND_TEXT = {
    "zip": N_("a ZIP archive"),
    "sqlite": N_("a SQLite database (a GeoPackage is one)"),
    "parquet": N_("a Parquet file"),
    "fgb": N_("a FlatGeobuf file"),
    "gzip": N_("a gzip-compressed file"),
    "pdf": N_("a PDF document"),
    "ole": N_("an old Microsoft Office file (.xls or .doc)"),
    "osm-pbf": N_("an OpenStreetMap .osm.pbf extract"),
    "shp": N_("the .shp part of a Shapefile on its own (without its .dbf, .shx and .prj)"),
    "kml": N_("a KML file"),
    "osm-xml": N_("an OpenStreetMap XML file"),
    "gpx": N_("a GPX track file"),
    "xml": N_("an XML file"),
    "html": N_("an HTML web page"),
    "json": N_("JSON"),
    "js": N_("JavaScript"),
    "text": N_("plain text"),
    "binary": N_("a binary file of a kind the atlas does not read"),
    "office": N_("an Excel/Word (Office Open XML) file, which is a ZIP archive"),
    "kmz": N_("a KMZ (zipped KML), which is a ZIP archive"),
}
#: The extension to rename a file to when its content is a format the atlas reads.
_KIND_SUFFIX = {"zip": ".zip", "sqlite": ".gpkg", "parquet": ".parquet", "fgb": ".fgb", "osm-pbf": ".osm.pbf",
                "kml": ".kml", "osm-xml": ".osm", "json": ".geojson"}
#: The content each announced format must have.
_EXPECTED_KINDS = {
    "csv": {"text"}, "tsv": {"text"}, "geojson": {"json", "text", "js"},
    "gpkg": {"sqlite"}, "shapefile": {"zip"}, "geoparquet": {"parquet"},
    "kml": {"kml", "xml"}, "flatgeobuf": {"fgb"},
}
_JS_WRAPPER = re.compile(
    r"^(?:(?P<kw>var|let|const)\s+(?P<var>[A-Za-z_$][\w$]*)|(?P<target>[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*))"
    r"\s*=\s*[\[{]"
)
_HTML = re.compile(r"^<(?:!doctype\s+html|html|head|body)\b", re.IGNORECASE)

# KML columns LIBKML adds to every layer; dropped when they carry nothing (all empty or LIBKML's default).
_KML_HOUSEKEEPING = {"timestamp": None, "begin": None, "end": None, "altitudeMode": None, "tessellate": -1,
                     "extrude": 0, "visibility": -1, "drawOrder": None, "icon": None}


# --------------------------------------------------------------------------------------------- entry point


def read_table(path: Path, *, name: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
               layer: str | None = None) -> SourceTable:
    """Read ``path`` into a :class:`SourceTable`, or refuse it with :class:`ImportRefusedError`.

    ``name`` is the file name to show (an upload is saved under a temporary path; messages use ``name``,
    falling back to ``path.name``) and also decides the format by its extension when it has a known one.
    ``max_bytes`` (default ``DEFAULT_MAX_BYTES`` = 200 MB) is checked against the file size before anything
    is read. ``layer`` picks one layer of a GeoPackage or KML, or one ``.shp`` of a zip holding several;
    other formats have a single table and ignore it.

    Rows: CSV/TSV rows are indexed by the line on which the record starts (header = line 1, so the first
    data row is usually 2), counted exactly also when a quoted value spans lines or blank lines are skipped;
    feature formats by the feature's 1-based position. ``.osm``/``.osm.pbf`` files are handed to
    ``geo.ingest.osm.read_osm``. The whole table is held in memory (see the module docstring for measures).
    """
    path = Path(path)
    display = name or path.name
    if not path.exists():
        raise _refuse(display, _("file not found; check the path and try again"))
    if path.is_dir():
        raise _refuse(display, _("is a folder, not a file; for a Shapefile, zip its .shp, .shx, .dbf, .prj (and "
                                 ".cpg) files together and import the .zip"))
    size = path.stat().st_size
    if size > max_bytes:
        raise _refuse(display, _("is {size} MB; the import limit is {limit} MB. Split it into smaller files, or ask "
                                 "the administrator to raise the limit").format(size=_mb(size), limit=_mb(max_bytes)))
    fmt = source_format_for(Path(display)) or source_format_for(path)
    if size == 0:
        raise _refuse(display, _("is empty (0 bytes); export the data again"))
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
    kind = _sniff(head)
    if fmt is None:
        raise _refuse(display, _unsupported(display, kind))
    if fmt == "osm":
        return _read_osm(path, display)
    if kind not in _EXPECTED_KINDS[fmt]:
        raise _refuse(display, _mismatch(path, display, kind))
    if fmt in ("csv", "tsv"):
        return _read_csv(path, display)
    if fmt == "geojson":
        return _read_geojson(path, display)
    if fmt == "shapefile":
        return _read_zipped_shapefile(path, display, max_bytes, layer)
    if fmt == "geoparquet":
        return _read_parquet(path, display)
    return _read_ogr(path, display, fmt, layer)


def detect_encoding(raw: bytes) -> str:
    """The text encoding of ``raw`` as a Python codec name: ``utf-8-sig``/``utf-16``/``utf-32`` when a
    byte-order mark says so, ``utf-8`` when the bytes are UTF-8 (ASCII included, and also when only a few
    stray bytes are not: decoding then fails at the first one, which is the offset worth reporting),
    ``cp874`` for Thai Windows/TIS-620 text, otherwise charset-normalizer's guess (Thai names it gives are
    normalised to ``cp874``, a superset of TIS-620).

    Thai legacy text is recognised by its own shape before charset-normalizer is asked, because on a few
    short lines charset-normalizer prefers cp1251 or even UTF-16: decoded as cp874, nearly every non-ASCII
    byte must be a Thai character, Thai characters must not touch Latin letters, and tone marks and upper
    vowels must follow a Thai consonant (Latin accents decoded as cp874 break the last two rules).
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        raw.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    high = _count_high(raw)
    bad = raw.decode("utf-8", errors="replace").count("\ufffd")  # about one per invalid sequence
    if bad <= 0.02 * high:
        return "utf-8"
    if _looks_thai_cp874(raw, high):
        return "cp874"
    import charset_normalizer

    best = charset_normalizer.from_bytes(raw[:1_000_000]).best()
    if best is None:
        return "utf-8"
    encoding = codecs.lookup(best.encoding).name
    return "cp874" if encoding in _THAI_CODECS or best.encoding in _THAI_CODECS else encoding


# --------------------------------------------------------------------------------------------- shared helpers


def _refuse(display: str, reason: str) -> ImportRefusedError:
    """A file-level refusal: the message starts with the file's name; ``problems`` holds the same reason."""
    return ImportRefusedError(f"{display}: {reason}", [Problem(None, None, reason, "refused")])


def _mb(n: int) -> str:
    """A size in MB (1 MB = 1024 x 1024 bytes) the way a person writes it: 200, 1.5, 0.00095."""
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def _count_high(raw: bytes) -> int:
    """Number of bytes >= 0x80, without a Python loop over the bytes."""
    return int(np.count_nonzero(np.frombuffer(raw, dtype=np.uint8) >= 0x80))


_CP874_UNDEFINED = np.array([b for b in range(0x80, 0x100) if not bytes([b]).decode("cp874", "ignore")],
                            dtype=np.uint8)
_SHAPE_SAMPLE = 2_000_000
_TOUCHING_LATIN = re.compile(r"[A-Za-z][\u0e01-\u0e5b]|[\u0e01-\u0e5b][A-Za-z]")
# Upper/lower vowels and tone marks (U+0E31, U+0E34-U+0E3A, U+0E47-U+0E4E) sit on a consonant or on another
# mark; Latin accents decoded as cp874 (e-acute -> U+0E49, e-grave -> U+0E48, ...) land after a Latin letter.
_STRAY_MARK = re.compile(r"(?<![\u0e01-\u0e2e\u0e31\u0e34-\u0e3a\u0e47-\u0e4e])[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


def _looks_thai_cp874(raw: bytes, high: int) -> bool:
    values = np.frombuffer(raw, dtype=np.uint8)
    thai = int(np.count_nonzero(((values >= 0xA1) & (values <= 0xDA)) | ((values >= 0xDF) & (values <= 0xFB))))
    undefined = int(np.count_nonzero(np.isin(values, _CP874_UNDEFINED)))
    if thai < 0.9 * high or undefined > max(2, 0.01 * high):
        return False
    sample = raw[:_SHAPE_SAMPLE]  # the shape of the text shows in its first 2 MB; counting it all is slow
    if len(sample) < len(raw):
        values = values[:_SHAPE_SAMPLE]
        thai = int(np.count_nonzero(((values >= 0xA1) & (values <= 0xDA)) | ((values >= 0xDF) & (values <= 0xFB))))
    text = sample.decode("cp874", errors="replace")
    touching_latin = sum(1 for _ in _TOUCHING_LATIN.finditer(text))
    stray_marks = sum(1 for _ in _STRAY_MARK.finditer(text))
    return touching_latin <= 0.05 * thai and stray_marks <= 0.02 * thai


def _strip_bom(head: bytes) -> bytes:
    for bom in _BOMS:
        if head.startswith(bom):
            if bom in (codecs.BOM_UTF8,):
                return head[len(bom):]
            codec = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be",
                     codecs.BOM_UTF32_LE: "utf-32-le", codecs.BOM_UTF32_BE: "utf-32-be"}[bom]
            return head[len(bom):].decode(codec, errors="ignore").encode("utf-8")
    return head


def _sniff(head: bytes) -> str:
    """What the first bytes of a file say it is (a key of ``_KIND_TEXT``)."""
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(b"SQLite format 3\x00"):
        return "sqlite"
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"fgb") and head[4:7] == b"fgb":
        return "fgb"
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if head.startswith(b"\x00\x00\x27\x0a"):
        return "shp"
    if b"OSMHeader" in head[:32]:
        return "osm-pbf"
    body = _strip_bom(head).lstrip(b" \t\r\n")
    if body.startswith(b"<"):
        lowered = body[:_HEAD_BYTES].lower()
        if _HTML.match(body[:64].decode("ascii", errors="replace")):
            return "html"
        if b"<kml" in lowered:
            return "kml"
        if b"<osm" in lowered:
            return "osm-xml"
        if b"<gpx" in lowered:
            return "gpx"
        if b"<html" in lowered:
            return "html"
        return "xml"
    if body.startswith((b"{", b"[")):
        return "json"
    if _JS_WRAPPER.match(body[:200].decode("utf-8", errors="replace")):
        return "js"
    if b"\x00" in body[:512] and not head.startswith(_BOMS[1:]):
        return "binary"
    return "text"


def _unsupported(display: str, kind: str) -> str:
    suffix = Path(display).suffix.lower() or _("(no extension)")
    supported = ", ".join(dict.fromkeys(s for s, _kind in SUFFIX_FORMATS))
    reason = _("the atlas does not read {suffix} files (it reads {supported})").format(suffix=suffix,
                                                                                       supported=supported)
    if suffix == ".shp":
        return reason + _("; zip the .shp, .shx, .dbf, .prj (and .cpg) files together and import the .zip")
    if suffix in (".xlsx", ".xls", ".ods"):
        return reason + _("; save the sheet as CSV UTF-8 and import that")
    if suffix == ".kmz":
        return reason + _("; unzip it and import the .kml inside")
    if kind in _KIND_SUFFIX:
        return reason + _("; the content looks like {what}: rename it to end in {suffix}").format(
            what=_(_KIND_TEXT[kind]), suffix=_KIND_SUFFIX[kind])
    return reason


def _zip_kind(path: Path) -> str:
    """A finer name for a ZIP archive: Office files and KMZ are zips too."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n.lower() for n in archive.namelist()]
    except (zipfile.BadZipFile, OSError):
        return "zip"
    if "[content_types].xml" in names:
        return "office"
    if any(n.endswith(".kml") for n in names):
        return "kmz"
    return "zip"


def _mismatch(path: Path, display: str, kind: str) -> str:
    """Why a file's content does not match its extension, and what to do."""
    suffix = next((s for s, _kind in SUFFIX_FORMATS if display.lower().endswith(s)), Path(display).suffix)
    zipped = _zip_kind(path) if kind == "zip" else ""
    what = _(_KIND_TEXT[zipped or kind])
    reason = _("named {suffix} but is {what}").format(suffix=suffix, what=what)
    if kind == "html":
        return reason + _("; it is probably an error or sign-in page saved instead of the data: download the "
                          "file again")
    if kind == "json" and suffix in (".csv", ".tsv", ".txt"):
        return reason + _(", not a table; if it is GeoJSON, rename it to end in .geojson")
    if zipped == "kmz":
        return reason + _("; unzip it and import the .kml inside")
    if zipped == "office":
        return reason + _("; save the sheet as CSV UTF-8 and import that")
    if kind in _KIND_SUFFIX:
        return reason + _("; rename it to end in {suffix}").format(suffix=_KIND_SUFFIX[kind])
    if kind == "text" and suffix not in (".csv", ".tsv", ".txt"):
        return reason + _("; export the data again in the format its name says")
    return reason + _("; export the data again in a format the atlas reads")


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _decode_error(display: str, raw: bytes, exc: UnicodeDecodeError, encoding: str, hint: str) -> ImportRefusedError:
    byte = raw[exc.start:exc.start + 1].hex().upper()
    where = _("byte 0x{byte} at offset {offset}").format(byte=byte, offset=exc.start)
    if encoding in ("utf-8", "utf-8-sig", "cp874"):
        where += " " + _("(line {line})").format(line=_line_of(raw, exc.start))
    return _refuse(display, _("cannot be read as {encoding} text: {where} is not valid {encoding}; {hint}").format(
        encoding=encoding, where=where, hint=hint))


def _frame(columns: dict[str, Any] | pd.DataFrame, rows: Iterable[int]) -> pd.DataFrame:
    frame = pd.DataFrame(columns)
    frame.index = pd.Index(np.asarray(rows, dtype=np.int64), name=_ROW)
    return frame


def _geometry_column_name(columns: Iterable[str], problems: list[Problem]) -> dict[str, str]:
    """Attribute columns called ``geometry`` would clash with the geometry column: rename them."""
    renames: dict[str, str] = {}
    existing = set(columns)
    if _GEOMETRY in existing:
        new = "geometry_attribute"
        while new in existing:
            new += "_"
        renames[_GEOMETRY] = new
        problems.append(Problem(None, _GEOMETRY, _("the attribute column 'geometry' was renamed {new} so it does "
                                                   "not clash with the geometries").format(new=repr(new)), "warning"))
    return renames


def _scrub(text: str, path: Path, display: str) -> str:
    """A library message with the server path replaced by the file's display name."""
    for form in {str(path.resolve()), str(path)}:
        text = text.replace(form, display)
    return text.strip()


# --------------------------------------------------------------------------------------------- CSV / TSV


def _read_csv(path: Path, display: str) -> SourceTable:
    raw = path.read_bytes()
    if not raw.strip(b" \t\r\n").strip(codecs.BOM_UTF8).strip(b" \t\r\n"):
        raise _refuse(display, _("is empty (only blank space); export the data again"))
    encoding = detect_encoding(raw)
    if encoding not in TEXT_ENCODINGS:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _decode_error(display, raw, exc, "utf-8",
                                _("the file is neither UTF-8 nor Thai Windows (cp874/TIS-620) text. Save it as "
                                  "CSV UTF-8 (Excel: Save As > CSV UTF-8)")) from None
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _decode_error(display, raw, exc, encoding,
                            _("fix or remove that character, or save the file as CSV UTF-8")) from None
    del raw
    if not text.strip(" \t\r\n\ufeff"):
        raise _refuse(display, _("is empty (only blank space); export the data again"))
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise _refuse(display, _("has a NUL character on line {line}: it is not a plain text table (or it is UTF-16 "
                                 "without a byte-order mark); save it as CSV UTF-8").format(line=line))
    delimiter, skip_lines = _csv_delimiter(text, Path(display).suffix.lower() == ".tsv")
    problems: list[Problem] = []
    header, columns, rows = _parse_csv(text, display, delimiter, skip_lines, problems)
    del text
    if not rows:
        if any(p.action == "rejected" for p in problems):
            raise ImportRefusedError(
                f"{display}: " + _("every data row has more values than the header's {n} columns; the values "
                                   "probably contain unquoted delimiters: put such values in double quotes").format(
                    n=len(header)),
                [*problems, Problem(None, None, _("no row has as many values as the header"), "refused")])
        raise _refuse(display, _("is empty: it has a header line but no data rows"))
    frame = _frame(columns, rows)
    return SourceTable(name=display, format="tsv" if delimiter == "\t" else "csv", frame=frame,
                       has_geometry=False, encoding=encoding, problems=problems)


def _csv_delimiter(text: str, tsv: bool) -> tuple[str, int]:
    """The delimiter (comma, semicolon or tab) and how many lines to skip before the header.

    An Excel ``sep=;`` first line names the delimiter; otherwise the header line (the first non-blank line)
    is split with each candidate, quotes respected, and the one giving the most columns wins (ties: tab for
    .tsv, then comma, semicolon, tab).
    """
    lines = text[:65536].lstrip("\ufeff").splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    header = lines[first] if lines else ""
    match = re.fullmatch(r'"?sep=(.)"?,*', header.strip())
    if match and match.group(1) in _CSV_DELIMITERS + ("|",):
        return match.group(1), first + 1
    order = ("\t", ",", ";") if tsv else _CSV_DELIMITERS
    best, best_fields = order[0], 1
    for candidate in order:
        fields = len(next(csv.reader([header], delimiter=candidate), []))
        if fields > best_fields:
            best, best_fields = candidate, fields
    return best, 0


def _parse_csv(text: str, display: str, delimiter: str, skip_lines: int,
               problems: list[Problem]) -> tuple[list[str], dict[str, pd.Series], array]:
    """Header, text columns and the start line of every kept record (one pass of the ``csv`` module).

    Blank lines and lines of empty fields (``,,,``) are skipped. A record with fewer fields than the header
    is padded with empty values (a warning); one with more is kept when the extra fields are empty (trailing
    delimiters) and otherwise rejected and left out: its values cannot be assigned to columns (an unquoted
    comma in a name shifts every later value), and the other rows are still good.
    """
    if csv.field_size_limit() < len(text) + 1:
        csv.field_size_limit(len(text) + 1)  # one long WKT value must not fail the file
    if "\n" not in text:  # old Mac files end lines with a lone CR
        text = text.replace("\r", "\n")
    reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    width = 0
    previous_line = 0
    block: list[list[str]] = []
    parts: list[list[pd.Series]] = []  # per header position, one text Series per block of rows
    rows = array("q")

    def flush() -> None:  # blocks of rows become Arrow-backed text as they are read: Python strings are big
        for position, values in enumerate(zip(*block, strict=True)):
            parts[position].append(pd.Series(values, dtype="str"))
        block.clear()

    try:
        for record in reader:
            start, previous_line = previous_line + 1, reader.line_num
            if start <= skip_lines or not "".join(record).strip():
                continue
            if header is None:
                header = record
                width = len(header)
                parts = [[] for _ in header]
                continue
            if len(record) != width:
                record = _fit_record(record, width, start, problems)
                if record is None:
                    continue
            block.append(record)
            rows.append(start)
            if len(block) == _CHUNK_ROWS:
                flush()
    except csv.Error as exc:
        start = previous_line + 1
        if "end of data" in str(exc):
            reason = _("a quoted value that starts on line {line} is never closed (the quote runs to the end of the "
                       "file); add the closing double quote").format(line=start)
        else:
            reason = _("line {line}: {error} (a quoted value must be followed by the delimiter or the end of the "
                       "line); double a quote that is part of a value (\"\")").format(line=reader.line_num, error=exc)
        raise _refuse(display, reason) from None
    if header is None:
        raise _refuse(display, _("is empty (only blank lines); export the data again"))
    flush()
    texts = [pd.concat(series, ignore_index=True) if series else pd.Series([], dtype="str") for series in parts]
    names = _csv_column_names(header, texts, display, problems)
    columns = {column: values for column, values in zip(names, texts, strict=True) if column is not None}
    return header, columns, rows


def _lines(text: str) -> Iterable[str]:
    """The lines of ``text`` split at LF only (as ``newline=''`` would), without copying it into a buffer."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        if stop < 0:
            yield text[start:]
            return
        yield text[start:stop + 1]
        start = stop + 1


def _fit_record(record: list[str], width: int, line: int, problems: list[Problem]) -> list[str] | None:
    if len(record) < width:
        problems.append(Problem(line, None, _("row has {n} values but the header has {width} columns; the missing "
                                              "values were left empty").format(n=len(record), width=width), "warning"))
        return record + [""] * (width - len(record))
    if not any(field.strip() for field in record[width:]):
        return record[:width]
    problems.append(Problem(line, None, _("row has {n} values but the header has {width} columns (an unquoted "
                                          "delimiter inside a value?); put such values in double quotes").format(
        n=len(record), width=width), "rejected"))
    return None


def _csv_column_names(header: list[str], texts: list[pd.Series], display: str,
                      problems: list[Problem]) -> list[str | None]:
    """Column names as in the header; an unnamed column is dropped when empty, else named ``column_N``.

    Two columns with the same name are refused: a mapping could not tell them apart.
    """
    names: list[str | None] = []
    for position, column in enumerate(header):
        if column.strip():
            names.append(column)
            continue
        if not texts[position].str.strip().astype(bool).any():
            names.append(None)
            continue
        new = f"column_{position + 1}"
        while new in header:
            new += "_"
        problems.append(Problem(None, new, _("column {n} has values but no name in the header; called it "
                                             "{new}").format(n=position + 1, new=repr(new)), "warning"))
        names.append(new)
    seen: dict[str, int] = {}
    for position, column in enumerate(names):
        if column is None:
            continue
        if column in seen:
            raise _refuse(display, _("two columns are both named {column!r} (columns {first} and {second}); rename one "
                                     "of them").format(column=column, first=seen[column] + 1, second=position + 1))
        seen[column] = position
    return names


# --------------------------------------------------------------------------------------------- GeoJSON


_GEOMETRY_TYPES = ("Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
                   "GeometryCollection")
_CRS84 = re.compile(r"(?i)^(?:urn:ogc:def:crs:ogc:(?:1\.3)?:crs84|ogc:crs84|crs84|"
                    r"https?://www\.opengis\.net/def/crs/ogc/1\.3/crs84)$")
_EPSG = re.compile(r"(?i)^(?:urn:ogc:def:crs:epsg:[\d.]*:|epsg::?|https?://www\.opengis\.net/def/crs/epsg/0/)"
                   r"(\d+)$")


_Spec = tuple[str, Any]  # a geometry type and its coordinate arrays (see _build)


class _Rejected(Exception):
    """A feature's geometry cannot be used; the message is the reason."""


def _read_geojson(path: Path, display: str) -> SourceTable:
    raw = path.read_bytes()
    encoding = "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        hint = _("GeoJSON must be UTF-8: export it again as UTF-8")
        if detect_encoding(raw) == "cp874":
            hint = _("it looks like Thai Windows (cp874/TIS-620) text, but GeoJSON must be UTF-8: export it again")
        raise _decode_error(display, raw, exc, "utf-8", hint) from None
    del raw
    body = text.strip()
    if not body:
        raise _refuse(display, _("is empty (only blank space); export the data again"))
    _refuse_not_json(body, display)
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        raise _refuse(display, _("is not valid JSON: {error} at line {line}, column {column}; fix the file there or "
                                 "export it again").format(error=exc.msg, line=exc.lineno, column=exc.colno)) from None
    except RecursionError:
        raise _refuse(display, _("is not GeoJSON the atlas can read: its JSON is nested too deeply")) from None
    del text, body
    features, crs_member = _geojson_features(data, display)
    del data
    source_crs, crs_label = _geojson_crs(crs_member, display)
    problems: list[Problem] = []
    records: list[dict[str, Any]] = []
    specs: list[_Spec | None] = []
    ids: list[Any] = []
    for number, feature in enumerate(features, start=1):
        properties, geometry, feature_id = _feature_parts(feature, number, problems)
        records.append(properties)
        ids.append(feature_id)
        specs.append(_feature_geometry(geometry, number, problems))
    frame = pd.DataFrame(records, index=pd.Index(np.arange(1, len(records) + 1, dtype=np.int64), name=_ROW))
    if "id" not in frame.columns and any(i is not None for i in ids):
        frame.insert(0, "id", ids)
    frame = frame.rename(columns=_geometry_column_name(frame.columns, problems))
    geoms = _assemble(specs, problems)
    del specs
    problems.sort(key=lambda p: (p.row is not None, p.row or 0))  # stable: a row's problems keep their order
    if source_crs is not None:
        geoms = _reproject(geoms, source_crs, crs_label, problems)
    elif crs_member is None:
        _refuse_projected_without_crs(geoms, display)
    frame[_GEOMETRY] = geoms
    return SourceTable(name=display, format="geojson", frame=frame, has_geometry=True, encoding=encoding,
                       crs=crs_label, problems=problems)


def _refuse_not_json(body: str, display: str) -> None:
    """JavaScript-wrapped GeoJSON, HTML and CSV named .geojson get a message that says so."""
    match = _JS_WRAPPER.match(body[:300])
    if match:
        prefix = f"{match['kw']} {match['var']} =" if match["kw"] else f"{match['target']} ="
        reason = _("this is JavaScript (`{prefix} ...`) wrapping GeoJSON; remove the `{prefix}` prefix").format(
            prefix=prefix)
        if body.endswith(";"):
            reason += _(" and the trailing `;`")
        raise _refuse(display, reason)
    if _HTML.match(body[:64]):
        raise _refuse(display, _("named .geojson but is an HTML web page; it is probably an error or sign-in page "
                                 "saved instead of the data: download the file again"))
    if body[0] not in "{[":
        lines = body.splitlines()
        first = lines[0]
        if len(lines) > 1 and any(d in first for d in _CSV_DELIMITERS):
            raise _refuse(display, _("looks like CSV, not GeoJSON (first line: {line!r}); if it is a table, rename it "
                                     "to end in .csv").format(line=first[:80]))


def _geojson_features(data: Any, display: str) -> tuple[list[Any], Any]:
    """The features of a FeatureCollection, a single Feature or a bare geometry, and the ``crs`` member."""
    if isinstance(data, list):
        raise _refuse(display, _('is JSON but not GeoJSON: it is a list of {n} items, where GeoJSON is an object '
                                 'such as {{"type": "FeatureCollection", "features": [...]}}').format(n=len(data)))
    if not isinstance(data, dict):
        raise _refuse(display, _("is JSON but not GeoJSON: it holds a single {kind} value").format(
            kind=type(data).__name__))
    kind = data.get("type")
    if kind is None:
        keys = ", ".join(repr(k) for k in list(data)[:8]) or _("none")
        hint = (_("; it looks like Esri JSON: export it as GeoJSON") if "spatialReference" in data
                or (isinstance(data.get("features"), list) and data["features"]
                    and isinstance(data["features"][0], dict) and "attributes" in data["features"][0])
                else _("; GeoJSON has a \"type\" such as \"FeatureCollection\""))
        raise _refuse(display, _("is JSON but not GeoJSON: it has no \"type\" member (keys: {keys}){hint}").format(
            keys=keys, hint=hint))
    if kind == "Topology":
        raise _refuse(display, _("is TopoJSON, not GeoJSON; convert it to GeoJSON (for example with mapshaper or "
                                 "QGIS) and import that"))
    if kind == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list):
            raise _refuse(display, _('is not GeoJSON the atlas can read: its FeatureCollection has no "features" '
                                     "list"))
        if not features:
            raise _refuse(display, _("is empty: its FeatureCollection has no features"))
        return features, data.get("crs")
    if kind == "Feature":
        return [data], data.get("crs")
    if kind in _GEOMETRY_TYPES:
        return [{"type": "Feature", "geometry": data, "properties": None}], data.get("crs")
    raise _refuse(display, _('is JSON but not GeoJSON: its "type" is {kind}, where GeoJSON has '
                             '"FeatureCollection", "Feature" or a geometry type').format(kind=repr(str(kind)[:40])))


def _geojson_crs(member: Any, display: str) -> tuple[Any, str]:
    """The pyproj CRS to reproject from (``None`` for WGS84 lon/lat) and its label, from a legacy ``crs``.

    No member means WGS84 (RFC 7946); ``urn:ogc:def:crs:OGC:1.3:CRS84`` and its short forms, and EPSG:4326
    (which GeoJSON writers, GDAL included, use for lon/lat order) need no reprojection.
    """
    if member is None:
        return None, "EPSG:4326"
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    name: Any
    if isinstance(member, str):
        name = member
    elif isinstance(member, dict):
        props = member.get("properties") if isinstance(member.get("properties"), dict) else {}
        if member.get("type") == "link":
            raise _refuse(display, _("cannot tell the coordinate system: its \"crs\" member is a link ({href}), "
                                     "which the atlas does not follow; export the file again in WGS84 "
                                     "(EPSG:4326)").format(href=repr(str(props.get("href"))[:80])))
        name = props.get("name") if member.get("type") != "EPSG" else f"EPSG:{props.get('code')}"
    else:
        name = None
    text = str(name).strip() if isinstance(name, str | int) else ""
    shown = text[:80] or json.dumps(member, ensure_ascii=False)[:80]
    unknown = (f"cannot tell the coordinate system: its \"crs\" member names {shown!r}, which is not a "
               "coordinate system the atlas knows; export the file again in WGS84 (EPSG:4326), or name the "
               "system by its EPSG code (for example EPSG:32647 for UTM zone 47N)")
    if _CRS84.match(text):
        return None, "OGC:CRS84"
    try:
        epsg = _EPSG.match(text)
        crs = CRS.from_epsg(int(epsg.group(1))) if epsg else (CRS.from_user_input(text) if text else None)
    except (CRSError, ValueError, OverflowError):
        crs = None
    if crs is None:
        raise _refuse(display, unknown)
    label = _crs_label(crs)
    if crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return None, label
    return crs, label


def _crs_label(crs: Any) -> str:
    authority = crs.to_authority(min_confidence=70)
    return f"{authority[0]}:{authority[1]}" if authority else crs.name


def _reproject(geoms: np.ndarray, source: Any, label: str, problems: list[Problem]) -> np.ndarray:
    import shapely
    from pyproj import Transformer

    transformer = Transformer.from_crs(source, "EPSG:4326", always_xy=True)

    def to_wgs84(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    problems.insert(0, Problem(None, _GEOMETRY, _("reprojected from {crs} to WGS84 (source: {source})").format(
        crs=label, source=source.name), "repaired"))
    return shapely.transform(geoms, to_wgs84)


def _refuse_projected_without_crs(geoms: np.ndarray, display: str) -> None:
    """No ``crs`` member means lon/lat degrees; a file whose every coordinate is outside them is refused."""
    import shapely

    present = geoms[~shapely.is_missing(geoms)]
    present = present[~shapely.is_empty(present)] if len(present) else present
    if not len(present):
        return
    bounds = shapely.bounds(present)
    outside = ((bounds[:, 0] < -180) | (bounds[:, 2] > 180) | (bounds[:, 1] < -90) | (bounds[:, 3] > 90))
    if outside.all():
        x, y = bounds[0, 0], bounds[0, 1]
        raise _refuse(display, _("cannot tell the coordinate system: the file has no \"crs\" member, so its "
                                 "coordinates should be longitude/latitude degrees, but they are like ({x}, {y}) "
                                 "(metres of a projection such as UTM zone 47N?); export it again in WGS84 "
                                 '(EPSG:4326) or add a "crs" member naming its EPSG code').format(
            x=f"{x:.1f}", y=f"{y:.1f}"))


def _feature_parts(feature: Any, number: int, problems: list[Problem]) -> tuple[dict[str, Any], Any, Any]:
    """Properties (nested values as JSON text), the geometry object and the id of one feature."""
    if not isinstance(feature, dict):
        problems.append(Problem(number, None, _("item is not a GeoJSON Feature but a {kind}").format(
            kind=type(feature).__name__), "rejected"))
        return {}, None, None
    kind = feature.get("type")
    if kind in _GEOMETRY_TYPES:
        problems.append(Problem(number, _GEOMETRY, _("item is a bare {kind}, not a Feature; read it as a feature "
                                                     "without properties").format(kind=kind), "repaired"))
        return {}, feature, None
    if kind != "Feature":
        problems.append(Problem(number, None, _("item is not a GeoJSON Feature (its type is {kind})").format(
            kind=repr(str(kind)[:40])), "rejected"))
        return {}, None, None
    properties = feature.get("properties")
    if properties is None:
        properties = {}
    elif not isinstance(properties, dict):
        problems.append(Problem(number, None, _("\"properties\" is not an object; ignored it"), "warning"))
        properties = {}
    out = {str(k): (json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v)
           for k, v in properties.items()}
    if "geometry" not in feature:
        return out, None, feature.get("id")
    return out, feature["geometry"], feature.get("id")


def _feature_geometry(geometry: Any, number: int, problems: list[Problem]) -> _Spec | None:
    """One feature's geometry as coordinate arrays (built into Shapely later, all at once), or ``None`` with
    a "rejected" problem; repairs made on the way are "repaired" problems."""
    notes: list[str] = []
    try:
        if geometry is None:
            raise _Rejected(_("feature has no geometry"))
        spec = _build(geometry, notes)
    except _Rejected as exc:
        problems.extend(Problem(number, _GEOMETRY, note, "repaired") for note in notes)
        problems.append(Problem(number, _GEOMETRY, str(exc), "rejected"))
        return None
    problems.extend(Problem(number, _GEOMETRY, note, "repaired") for note in notes)
    return spec


def _build(obj: Any, notes: list[str]) -> _Spec:
    """``(type, coordinates)``: Point/MultiPoint/LineString an (n, 2) array, Polygon/MultiLineString a list of
    arrays, MultiPolygon a list of lists of ring arrays."""
    if not isinstance(obj, dict):
        raise _Rejected(_("geometry is not a GeoJSON object but a {kind}").format(kind=type(obj).__name__))
    kind = obj.get("type")
    if kind == "GeometryCollection":
        return _collection(obj, notes)
    if kind not in _GEOMETRY_TYPES:
        raise _Rejected(_("geometry type {kind} is not a GeoJSON geometry type").format(kind=repr(str(kind)[:40])))
    coords = obj.get("coordinates")
    if coords is None:
        raise _Rejected(_("{kind} has no coordinates").format(kind=kind))
    if kind == "Point":
        return kind, _positions([coords], notes, kind)
    if not isinstance(coords, list) or not coords:
        raise _Rejected(_("feature has no geometry ({kind} with no coordinates)").format(kind=kind))
    if kind == "MultiPoint":
        return kind, _positions(coords, notes, kind)
    if kind == "LineString":
        return kind, _line(coords, notes, _("line"))
    if kind == "MultiLineString":
        return kind, [_line(part, notes, _("line {n}").format(n=i)) for i, part in enumerate(coords, start=1)]
    if kind == "Polygon":
        return kind, _polygon(coords, notes, "")
    return kind, [_polygon(part, notes, _("polygon {n}").format(n=i)) for i, part in enumerate(coords, start=1)]


#: Readable name of each geometry family (messages about geometry collections).
_FAMILY_NAMES = {"points": N_("points"), "lines": N_("lines"), "polygons": N_("polygons")}
_FAMILIES = {"Point": "points", "MultiPoint": "points", "LineString": "lines", "MultiLineString": "lines",
             "Polygon": "polygons", "MultiPolygon": "polygons"}


def _collection(obj: dict[str, Any], notes: list[str]) -> _Spec:
    """A homogeneous geometry collection (nested ones flattened) becomes one Multi* geometry."""
    parts: list[_Spec] = []
    depth = 0

    def walk(node: dict[str, Any], level: int) -> None:
        nonlocal depth
        depth = max(depth, level)
        members = node.get("geometries")
        if not isinstance(members, list):
            raise _Rejected(_('geometry collection has no "geometries" list'))
        for member in members:
            if isinstance(member, dict) and member.get("type") == "GeometryCollection":
                walk(member, level + 1)
            else:
                parts.append(_build(member, notes))

    walk(obj, 1)
    if not parts:
        raise _Rejected(_("feature has no geometry (empty geometry collection)"))
    found = {_FAMILIES[kind] for kind, _coords in parts}
    what = _("nested geometry collection") if depth > 1 else _("geometry collection")
    if len(found) > 1:
        names = [_(_FAMILY_NAMES[f]) for f in sorted(found)]
        families = _("{first} and {last}").format(first=", ".join(names[:-1]), last=names[-1])
        raise _Rejected(_("{what} mixes {families}; split them into separate features").format(
            what=what, families=families))
    family = found.pop()
    spec: _Spec
    if family == "points":
        points = np.concatenate([coords for _kind, coords in parts])
        count, spec = len(points), (("Point", points) if len(points) == 1 else ("MultiPoint", points))
    elif family == "lines":
        lines = [line for kind, c in parts for line in ([c] if kind == "LineString" else c)]
        count, spec = len(lines), (("LineString", lines[0]) if len(lines) == 1 else ("MultiLineString", lines))
    else:
        polygons = [p for kind, c in parts for p in ([c] if kind == "Polygon" else c)]
        count, spec = len(polygons), (("Polygon", polygons[0]) if len(polygons) == 1
                                      else ("MultiPolygon", polygons))
    notes.append(_("{what} of {count} {family}; made it one {kind}").format(
        what=what, count=count, family=_(_FAMILY_NAMES[family]), kind=spec[0]))
    return spec


def _positions(seq: list[Any], notes: list[str], what: str) -> np.ndarray:
    """An (n, 2) array of lon/lat from GeoJSON positions (a third value is dropped).

    Numbers written as text are converted (one note per geometry); anything else rejects the geometry.
    Non-finite numbers are caught later, for all features at once (``_assemble``).
    """
    if not isinstance(seq, list):
        raise _Rejected(_("{what} coordinates are not a list of positions").format(what=what))
    try:
        array = np.asarray(seq)
    except (ValueError, TypeError):
        array = None
    if array is not None and array.ndim == 2 and array.shape[1] >= 2 and array.dtype.kind in "fi":
        return array if array.shape[1] == 2 else array[:, :2]
    out = np.empty((len(seq), 2))
    converted = ""
    for i, position in enumerate(seq):
        if not isinstance(position, list) or len(position) < 2:
            raise _Rejected(_("{what} position {n} is not a [longitude, latitude] pair: {value}").format(
                what=what, n=i + 1, value=json.dumps(position, ensure_ascii=False)[:60]))
        for j in (0, 1):
            value = position[j]
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise _Rejected(_("{what} coordinate {value} is not a number").format(
                    what=what, value=json.dumps(value, ensure_ascii=False)[:30]))
            if isinstance(value, str):
                try:
                    number = float(value.strip())
                except ValueError:
                    raise _Rejected(_("{what} coordinate {value} is not a number").format(
                        what=what, value=repr(value[:30]))) from None
                converted = converted or value
                value = number
            out[i, j] = value
    as_text = _("coordinates given as text (e.g. {value}); converted them to numbers")
    lead = as_text.split("{value}")[0]
    if converted and not any(n.startswith(lead) for n in notes):  # one note per geometry
        notes.append(as_text.format(value=repr(converted[:30])))
    return out


def _line(coords: Any, notes: list[str], label: str) -> np.ndarray:
    points = _positions(coords, notes, label)
    if len(points) < 2:
        raise _Rejected(_("{what} has {n} position; a line needs at least 2").format(what=label, n=len(points)))
    return points


def _polygon(rings: Any, notes: list[str], prefix: str) -> list[np.ndarray]:
    """The rings of a GeoJSON polygon (shell first); unclosed rings are closed, rings under 4 positions
    reject the geometry."""
    if not isinstance(rings, list) or not rings:
        raise _Rejected(_("{what} has no rings").format(what=prefix or _("polygon")))
    closed: list[np.ndarray] = []
    for number, ring in enumerate(rings, start=1):
        label = (_("{polygon}, ring {n}").format(polygon=prefix, n=number) if prefix
                 else _("ring {n}").format(n=number))
        points = _positions(ring, notes, label)
        if len(points) and (points[0, 0] != points[-1, 0] or points[0, 1] != points[-1, 1]):
            points = np.vstack([points, points[:1]])
            notes.append(_("{what} was not closed; closed it").format(what=label))
        if len(points) < 4:
            raise _Rejected(_("{what} has {n} positions; a ring needs at least 4 (three corners and the first "
                              "repeated at the end)").format(what=label, n=len(points)))
        closed.append(points)
    return closed


def _assemble(specs: list[_Spec | None], problems: list[Problem]) -> np.ndarray:
    """Shapely geometries for all features at once (one vectorised call per geometry type); a feature with
    a non-finite coordinate (``1e999``, ``NaN``) is rejected here."""
    out = np.full(len(specs), None, dtype=object)
    groups: dict[str, tuple[list[int], list[Any]]] = {}
    for position, spec in enumerate(specs):
        if spec is not None:
            positions, data = groups.setdefault(spec[0], ([], []))
            positions.append(position)
            data.append(spec[1])
    for kind, (positions, data) in groups.items():
        flat = _flatten(kind, data)
        finite = np.isfinite(flat[0]).all(axis=1)
        if not finite.all():
            bad = set(np.unique(flat[2][flat[1][~finite]]).tolist())
            for item in sorted(bad):
                problems.append(Problem(positions[item] + 1, _GEOMETRY, _("a coordinate is not a finite number"),
                                        "rejected"))
            positions = [p for i, p in enumerate(positions) if i not in bad]
            data = [d for i, d in enumerate(data) if i not in bad]
            if not data:
                continue
            flat = _flatten(kind, data)
        out[np.asarray(positions, dtype=np.intp)] = _shapes(kind, *flat)
    return out


def _flatten(kind: str, data: list[Any]) -> tuple[np.ndarray, ...]:
    """Coordinates of every feature of one type, with the array (ring, line) of each coordinate, the feature
    of each array, the polygon of each ring and the feature of each polygon (MultiPolygon only)."""
    arrays: list[np.ndarray] = []
    array_item: list[int] = []
    array_polygon: list[int] = []
    polygon_item: list[int] = []
    for item, value in enumerate(data):
        if kind in ("Point", "MultiPoint", "LineString"):
            arrays.append(value)
            array_item.append(item)
        elif kind in ("Polygon", "MultiLineString"):
            arrays.extend(value)
            array_item.extend([item] * len(value))
        else:
            for rings in value:
                array_polygon.extend([len(polygon_item)] * len(rings))
                polygon_item.append(item)
                arrays.extend(rings)
                array_item.extend([item] * len(rings))
    counts = np.fromiter((len(a) for a in arrays), dtype=np.intp, count=len(arrays))
    coords = np.concatenate(arrays).astype(float, copy=False)
    array_of_coord = np.repeat(np.arange(len(arrays), dtype=np.intp), counts)
    return (coords, array_of_coord, np.asarray(array_item, dtype=np.intp), np.asarray(array_polygon, dtype=np.intp),
            np.asarray(polygon_item, dtype=np.intp))


def _shapes(kind: str, coords: np.ndarray, array_of_coord: np.ndarray, array_item: np.ndarray,
            array_polygon: np.ndarray, polygon_item: np.ndarray) -> np.ndarray:
    import shapely

    if kind == "Point":
        return shapely.points(coords)
    if kind == "MultiPoint":
        return shapely.multipoints(shapely.points(coords), indices=array_item[array_of_coord])
    if kind == "LineString":
        return shapely.linestrings(coords, indices=array_of_coord)
    if kind == "MultiLineString":
        return shapely.multilinestrings(shapely.linestrings(coords, indices=array_of_coord), indices=array_item)
    rings = shapely.linearrings(coords, indices=array_of_coord)
    if kind == "Polygon":
        return shapely.polygons(rings, indices=array_item)
    return shapely.multipolygons(shapely.polygons(rings, indices=array_polygon), indices=polygon_item)


# --------------------------------------------------------------------------------------------- GDAL formats


def _ogr_error(exc: Exception, path: Path, display: str, what: str) -> ImportRefusedError:
    detail = _scrub(str(exc), path, display)
    return _refuse(display, _("cannot be read as {what}: {detail}; export it again").format(what=what,
                                                                                            detail=detail[:300]))


def _pick_layer(layers: list[tuple[str, str | None]], layer: str | None, display: str) -> str:
    names = [n for n, _ in layers]
    if not names:
        raise _refuse(display, _("is empty: it has no layers"))
    listing = ", ".join(f"{n!r} ({t or 'no geometry'})" for n, t in layers)
    if layer is not None:
        if layer in names:
            return layer
        folded = [n for n in names if n.lower() == layer.lower()]
        if len(folded) == 1:
            return folded[0]
        raise _refuse(display, _("has no layer {layer!r}; its layers are {layers}").format(layer=layer[:80],
                                                                                             layers=listing))
    if len(names) > 1:
        raise _refuse(display, _("has {n} layers: {layers}; say which layer to read (--source-layer NAME, or the "
                                 "upload form's \"Layer inside the file\")").format(n=len(names), layers=listing))
    return names[0]


def _read_ogr(path: Path, display: str, fmt: str, layer: str | None) -> SourceTable:
    """GeoPackage, KML, FlatGeobuf through pyogrio (GDAL)."""
    import pyogrio

    what = {"gpkg": "a GeoPackage", "kml": "KML", "flatgeobuf": "FlatGeobuf"}[fmt]
    with warnings.catch_warnings():
        # An upload saved without its extension: GDAL warns (naming the temp path) but reads it.
        warnings.filterwarnings("ignore", message=".*non conformant file extension", category=RuntimeWarning)
        try:
            layers = [(str(n), None if t is None else str(t)) for n, t in pyogrio.list_layers(path)]
        except Exception as exc:  # pyogrio raises DataSourceError and friends; all mean "cannot open"
            raise _ogr_error(exc, path, display, what) from None
        chosen = _pick_layer(layers, layer, display)
        try:
            gdf = pyogrio.read_dataframe(path, layer=chosen)
        except Exception as exc:
            raise _ogr_error(exc, path, display, what) from None
    return _finish_gdal(gdf, display, fmt, chosen if fmt != "flatgeobuf" else None, [], None, kml=fmt == "kml")


def _read_zipped_shapefile(path: Path, display: str, max_bytes: int, layer: str | None) -> SourceTable:
    """A Shapefile zipped with its .shx, .dbf and .prj (read through GDAL's /vsizip/)."""
    import pyogrio

    try:
        with zipfile.ZipFile(path) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")]
            by_name = {i.filename.lower(): i for i in infos}
            shps = [i.filename for i in infos if i.filename.lower().endswith(".shp")]
            if not shps:
                inside = ", ".join(i.filename for i in infos[:12]) + (" ..." if len(infos) > 12 else "")
                raise _refuse(display, _("holds no Shapefile (.shp); inside: {inside}. Zip the .shp, .shx, .dbf and "
                                         ".prj files together, or import the file inside directly").format(
                    inside=inside or _("nothing")))
            member = _pick_layer([(Path(s).stem, "Shapefile") for s in shps], layer, display)
            shp = next(s for s in shps if Path(s).stem == member)
            stem = shp[:-4].lower()
            parts = {ext: by_name.get(stem + ext) for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")}
            missing = [ext for ext in (".shx", ".dbf") if parts[ext] is None]
            if missing:
                raise _refuse(display, _("has {shp} but no {missing}; a Shapefile needs its .shp, .shx and .dbf: zip "
                                         "them together").format(
                    shp=Path(shp).name, missing=" / ".join(Path(shp).stem + m for m in missing)))
            if parts[".prj"] is None:
                raise _refuse(display, _("cannot tell the coordinate system: {shp} has no .prj file beside it; add "
                                         "the .prj it was exported with to the zip (or export it again in WGS84, "
                                         "EPSG:4326)").format(shp=Path(shp).name))
            unpacked = sum(i.file_size for i in parts.values() if i is not None)
            if unpacked > max_bytes:
                raise _refuse(display, _("unpacks to {size} MB; the import limit is {limit} MB. Split it into smaller "
                                         "files, or ask the administrator to raise the limit").format(
                    size=_mb(unpacked), limit=_mb(max_bytes)))
            problems: list[Problem] = []
            if parts[".cpg"] is not None:
                declared = archive.read(parts[".cpg"]).decode("ascii", errors="replace").strip()
                encoding, option = declared or None, None
            else:
                encoding, option = _dbf_encoding(archive.read(parts[".dbf"]), problems)
    except zipfile.BadZipFile as exc:
        raise _refuse(display, _("is not a readable ZIP archive ({error}); zip the Shapefile again").format(
            error=exc)) from None
    try:
        # Braces delimit the archive: an upload's temp path may not end in .zip, which /vsizip/ relies on.
        gdf = pyogrio.read_dataframe(f"/vsizip/{{{path.resolve()}}}/{shp}", encoding=option)
    except Exception as exc:
        raise _ogr_error(exc, path, display, "a Shapefile") from None
    return _finish_gdal(gdf, display, "shapefile", member if len(shps) > 1 else None, problems, encoding)


def _dbf_encoding(dbf: bytes, problems: list[Problem]) -> tuple[str | None, str | None]:
    """The encoding of a .dbf without .cpg, detected from its records; the second value is what to tell GDAL.

    Without a .cpg (and with the usual empty language byte) GDAL reads text as ISO-8859-1, which turns Thai
    cp874 names into Latin mojibake. The record bytes are checked instead: UTF-8 or Thai cp874 is passed to
    GDAL (a "warning" problem says so); plain ASCII needs nothing; anything else is left to GDAL's default.
    """
    header_length = int.from_bytes(dbf[8:10], "little") if len(dbf) >= 10 else len(dbf)
    body = dbf[header_length:]
    if not _count_high(body):
        return None, None
    encoding = detect_encoding(body)
    if encoding == "cp874":
        problems.append(Problem(None, None, _("the Shapefile has no .cpg file; read its text as cp874 (Thai "
                                              "Windows/TIS-620), detected from the .dbf contents"), "warning"))
        return "cp874", "cp874"
    if encoding in ("utf-8", "utf-8-sig"):
        problems.append(Problem(None, None, _("the Shapefile has no .cpg file; read its text as UTF-8, detected "
                                              "from the .dbf contents"), "warning"))
        return "utf-8", "UTF-8"
    problems.append(Problem(None, None, _("the Shapefile has no .cpg file and its text encoding could not be "
                                          "told; read it as ISO-8859-1 (check the names; add a .cpg naming the "
                                          "encoding if they look wrong)"), "warning"))
    return None, None


def _read_parquet(path: Path, display: str) -> SourceTable:
    """GeoParquet through GeoPandas; plain Parquet only when it has latitude and longitude columns.

    Plain Parquet (no ``geo`` metadata) is common from pandas; with lat/lon columns it is read as a table
    without geometry (``has_geometry=False``, values in their Parquet types) and the mapper treats the
    columns as it does a CSV's. Without such columns there is nothing to place, so it is refused.
    """
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(path)
    except Exception as exc:
        raise _ogr_error(exc, path, display, "Parquet") from None
    if b"geo" not in (schema.metadata or {}):
        lowered = {n.lower() for n in schema.names}
        if lowered & {"lat", "latitude"} and lowered & {"lon", "lng", "long", "longitude"}:
            try:
                frame = pq.read_table(path).to_pandas()
            except Exception as exc:
                raise _ogr_error(exc, path, display, "Parquet") from None
            if frame.empty:
                raise _refuse(display, _("is empty: it has no rows"))
            frame.index = pd.Index(np.arange(1, len(frame) + 1, dtype=np.int64), name=_ROW)
            note = _("plain Parquet without GeoParquet metadata: read as a table; its latitude/longitude "
                     "columns give the positions")
            return SourceTable(name=display, format="geoparquet", frame=frame, has_geometry=False,
                               problems=[Problem(None, None, note, "warning")])
        raise _refuse(display, _("is plain Parquet without GeoParquet ('geo') metadata, so it has no geometry the "
                                 "atlas can read and no lat/lon columns; write it with GeoPandas (to_parquet) "
                                 "or GDAL, or add latitude and longitude columns"))
    import geopandas as gpd

    try:
        gdf = gpd.read_parquet(path)
    except Exception as exc:
        raise _ogr_error(exc, path, display, "GeoParquet") from None
    for column in [c for c in gdf.columns if c != gdf.geometry.name and isinstance(gdf[c], gpd.GeoSeries)]:
        gdf[column] = gdf[column].to_wkt()
    return _finish_gdal(gdf, display, "geoparquet", None, [], None)


def _finish_gdal(gdf: Any, display: str, fmt: str, layer: str | None, problems: list[Problem],
                 encoding: str | None, *, kml: bool = False) -> SourceTable:
    """A GeoDataFrame (pyogrio or GeoParquet) as a SourceTable: WGS84, 2D, rows 1..n, problems per row."""
    import geopandas as gpd
    import shapely
    from pyproj import CRS

    if len(gdf) == 0:
        if layer:
            raise _refuse(display, _("is empty: layer {layer} has no features").format(layer=repr(layer)))
        raise _refuse(display, _("is empty: it has no features"))
    has_geometry = isinstance(gdf, gpd.GeoDataFrame) and gdf.active_geometry_name in gdf.columns
    crs_label: str | None = None
    if has_geometry:
        if gdf.crs is None:
            raise _refuse(display, _("cannot tell the coordinate system: the file does not say which one its "
                                     "coordinates are in; export it again with its coordinate system (or in "
                                     "WGS84, EPSG:4326)"))
        source = CRS(gdf.crs)
        crs_label = _crs_label(source)
        if not source.equals(CRS.from_epsg(4326), ignore_axis_order=True):
            gdf = gdf.to_crs(4326)
            problems.append(Problem(None, _GEOMETRY, _("reprojected from {crs} to WGS84 (source: {source})").format(
                crs=crs_label, source=source.name), "repaired"))
        geoms = shapely.force_2d(np.asarray(gdf.geometry.array, dtype=object))
        attributes = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    else:
        geoms = None
        attributes = pd.DataFrame(gdf)
    if kml:
        attributes = attributes.drop(columns=[c for c, default in _KML_HOUSEKEEPING.items()
                                              if c in attributes and _carries_nothing(attributes[c], default)])
    attributes = attributes.rename(columns=_geometry_column_name(attributes.columns, problems))
    attributes.index = pd.Index(np.arange(1, len(attributes) + 1, dtype=np.int64), name=_ROW)
    if geoms is not None:
        missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
        for row in np.flatnonzero(missing) + 1:
            problems.append(Problem(int(row), _GEOMETRY, _("feature has no geometry"), "rejected"))
        geoms[missing] = None
        attributes[_GEOMETRY] = geoms
    return SourceTable(name=display, format=fmt, frame=attributes, has_geometry=has_geometry,
                       encoding=encoding, crs=crs_label, layer=layer, problems=problems)


def _carries_nothing(column: pd.Series, default: Any) -> bool:
    values = column.dropna()
    return values.empty or (default is not None and bool((values == default).all()))


# --------------------------------------------------------------------------------------------- OpenStreetMap


def _read_osm(path: Path, display: str) -> SourceTable:
    """OpenStreetMap extracts are read by ``geo.ingest.osm`` (imported here, only when needed)."""
    try:
        from geo.ingest.osm import read_osm
    except ImportError as exc:
        raise _refuse(display, _("is an OpenStreetMap file, which geo.ingest.osm reads, and that reader is not "
                                 "available here ({error}); import OpenStreetMap data with geo.ingest.osm").format(
            error=exc)) from None
    reader: Callable[..., SourceTable] = read_osm
    return reader(path, name=display)
