"""Tables in the reader's language: one name column instead of ``name_en``/``name_th``, vocabulary keys as words.

Services return language-neutral frames (cached across readers): places and zones with ``name_en``,
``name_th`` and ``name_zh``, categories, price bands and pressure classes as keys. Every table a page shows
passes through these helpers so a Thai or Chinese reader sees names in their language (another language's
name, marked with ``geo.i18n.FALLBACK_MARK``, when the place has none in theirs) and words instead of keys.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from geo.i18n import _, display_name
from geo.services import capacity, presence, public
from geo.vocab import (
    CATEGORY_LABELS,
    LAYER_LABELS,
    PRICE_BAND_LABELS,
    SEGMENT_GROUP_LABELS,
    VISITOR_TYPE_LABELS,
    origin_label,
    translate_origin,
)

#: The column every table shows a place's or zone's name in.
NAME = "name"
#: Names services give rows that are not places or zones ("Outside every zone ..."): catalogue source texts.
SERVICE_NAMES = frozenset({presence.OUTSIDE_LABEL, public.OUTSIDE_LABEL, capacity.OUTSIDE_LABEL})


def names_of(df: pd.DataFrame, prefix: str = "") -> list[str]:
    """Each row's name in the current language (``geo.i18n.display_name``, fallback marked), from
    ``{prefix}name_en`` (or ``{prefix}name``, as some queries call the English name), ``_th`` and ``_zh``."""
    english = f"{prefix}name_en" if f"{prefix}name_en" in df.columns else f"{prefix}name"
    cols = {"name_en": english, "name_th": f"{prefix}name_th", "name_zh": f"{prefix}name_zh"}
    cols = {key: col for key, col in cols.items() if col in df.columns}
    if not cols:
        return [""] * len(df)
    frame = df[list(cols.values())].set_axis(list(cols), axis=1)
    return [_(rec["name_en"]) if rec.get("name_en") in SERVICE_NAMES else display_name(rec)
            for rec in frame.to_dict("records")]


def with_name(df: pd.DataFrame, prefix: str = "", column: str = NAME) -> pd.DataFrame:
    """``df`` with ``column`` (default ``name``) holding each row's name in the current language, placed where
    ``{prefix}name_en`` was (first when absent)."""
    out = df.copy()
    values = names_of(df, prefix)
    if column in out.columns:
        out = out.drop(columns=[column])
    anchor = f"{prefix}name_en" if f"{prefix}name_en" in out.columns else f"{prefix}name"
    at = list(out.columns).index(anchor) if anchor in out.columns else 0
    out.insert(at, column, pd.Series(values, index=out.index, dtype="object"))
    return out


def _words(keys: pd.Series, labels: Mapping[str, str]) -> pd.Series:
    return keys.map(lambda k: _(labels[k]) if isinstance(k, str) and k in labels else k)


def category_words(keys: pd.Series) -> pd.Series:
    """Place categories (``hotel``, ``temple`` ...) as their names in the current language."""
    return _words(keys, CATEGORY_LABELS)


def price_band_words(keys: pd.Series) -> pd.Series:
    """Price bands (``budget`` ...) as their names in the current language."""
    return _words(keys, PRICE_BAND_LABELS)


def layer_words(keys: pd.Series) -> pd.Series:
    """Place layers as their names in the current language."""
    return _words(keys, LAYER_LABELS)


def visitor_type_words(keys: pd.Series) -> pd.Series:
    """Visitor types (``overnight`` ...) as their names in the current language."""
    return _words(keys, VISITOR_TYPE_LABELS)


def origin_words(labels: pd.Series) -> pd.Series:
    """English origin labels (as services return them) in the current language (``geo.vocab.translate_origin``)."""
    return labels.map(lambda o: translate_origin(str(o)) if isinstance(o, str) else o)


def segment_words(keys: pd.Series) -> pd.Series:
    """Segments (``domestic``, ``international:CN``, ``all``) in the current language: a group by its name, a
    market by its origin's name."""
    def word(key: object) -> object:
        if not isinstance(key, str):
            return key
        if key in SEGMENT_GROUP_LABELS:
            return _(SEGMENT_GROUP_LABELS[key])
        if ":" in key:
            return translate_origin(origin_label(key, "en"))
        return _(key)
    return keys.map(word)


def translated(labels: pd.Series) -> pd.Series:
    """Labels a service took from the catalogue's source texts (``N_``), in the current language."""
    return labels.map(lambda t: _(t) if isinstance(t, str) else t)


def name_of(obj: object, prefix: str = "") -> str:
    """One place's or zone's name in the current language from a record, a mapping or a dataclass (such as
    ``placeinfo.PlaceDetail``) with ``{prefix}name_en`` (or ``{prefix}name``), ``_th`` and ``_zh``."""
    if obj is None:
        return ""
    rec = obj if isinstance(obj, Mapping) else getattr(obj, "__dict__", {})
    english = rec.get(f"{prefix}name_en", rec.get(f"{prefix}name"))
    return display_name({"name_en": english, "name_th": rec.get(f"{prefix}name_th"),
                         "name_zh": rec.get(f"{prefix}name_zh")})
