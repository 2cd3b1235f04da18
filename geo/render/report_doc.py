"""Typeset the report pack: a document of sections, KPI tables, figures and tables → an A4 PDF with Typst.

``ReportDoc`` is plain data (texts already worded through ``geo.render.report_text``, images as bytes);
``render_pdf`` writes Typst source and compiles it in-process with the ``typst`` package (no network:
fonts come from ``geo.render.fonts`` folders, no ``@preview`` packages). The Typst *structure* is this
module's own; every text that came from data or a caller is written as a Typst string literal
(``geo.text.typst_string``) in code mode, so no data text is ever read as Typst markup or code.
Images are written beside the source in a private temporary folder and referenced by fixed names.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from geo.render.fonts import font_dirs
from geo.text import typst_string as q


@dataclass(frozen=True)
class Kpi:
    """One KPI row: label, this period's value, the previous period's value and the change (texts)."""

    label: str
    value: str
    previous: str = ""
    change: str = ""


@dataclass(frozen=True)
class KpiTable:
    """KPI rows under one header (measure, this period, previous period, change)."""

    header: tuple[str, str, str, str]
    rows: tuple[Kpi, ...]


@dataclass(frozen=True)
class Figure:
    """An image (``kind`` ``svg`` or ``png``) with a caption, ``width`` as a share of the text width (0–1)."""

    data: bytes
    kind: str
    caption: str = ""
    width: float = 1.0


@dataclass(frozen=True)
class Table:
    """A table of texts; ``numeric`` marks right-aligned columns; ``title`` above it."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text; ``tone`` ``note`` (grey, small), ``warning`` (boxed), ``heading`` (a sub-heading
    whose text is data, e.g. an event's name) or ``plain``."""

    text: str
    tone: str = "plain"


Block = KpiTable | Figure | Table | Paragraph


@dataclass(frozen=True)
class Section:
    """A titled part of the report (starts on a new page)."""

    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ReportDoc:
    """The whole report: title page facts, sections, the footer text and the language."""

    title: str
    subtitle: str
    facts: tuple[tuple[str, str], ...]
    banner: str
    sections: tuple[Section, ...]
    footer: str
    lang: str = "en"
    contents_title: str = "Contents"
    fonts: tuple[str, ...] = field(default=("DejaVu Sans", "Loma", "Garuda", "Noto Sans Thai", "Noto Sans CJK SC"))


_PREAMBLE = """
#let footer-text = {footer}
#set document(title: {title})
#set page(paper: "a4", margin: (x: 1.7cm, top: 1.8cm, bottom: 2cm),
  footer: context [
    #set text(size: 8pt, fill: luma(90))
    #footer-text #h(1fr) #counter(page).display("1 / 1", both: true)
  ])
#set text(font: {fonts}, size: 9.5pt, lang: {lang})
#set par(justify: false, leading: 0.6em)
#set table(stroke: 0.4pt + luma(185), inset: (x: 5pt, y: 3.5pt))
#show table.cell.where(y: 0): set text(weight: "bold")
#show heading.where(level: 1): it => block(below: 0.9em)[#set text(size: 17pt, fill: rgb("#5a3e2b")); #it.body]
#show heading.where(level: 2): it => block(above: 1.1em, below: 0.6em)[#set text(size: 11.5pt); #it.body]
#let note(body) = block(above: 0.4em, below: 0.8em)[#set text(size: 8pt, fill: luma(70)); #body]
#let warn(body) = block(width: 100%, fill: rgb("#fff3cd"), stroke: 0.8pt + rgb("#b07d00"), inset: 8pt,
  radius: 3pt, below: 1em)[#set text(weight: "bold", fill: rgb("#5c3d00")); #body]
"""


def _kpi_table(block: KpiTable) -> str:
    cells = [f"[#{q(h)}]" for h in block.header]
    for row in block.rows:
        cells += [f"[#{q(row.label)}]", f"[#{q(row.value)}]", f"[#{q(row.previous)}]", f"[#{q(row.change)}]"]
    return ("#table(columns: (2.2fr, 1.5fr, 1.5fr, 1.6fr), align: (left, right, right, right), fill: (_, y) => "
            "if y == 0 { luma(235) },\n  " + ", ".join(cells) + ")\n")


def _table(block: Table) -> str:
    numeric = tuple(block.numeric) + (False,) * (len(block.columns) - len(block.numeric))
    align = ", ".join("right" if n else "left" for n in numeric[: len(block.columns)])
    cells = [f"[#{q(c)}]" for c in block.columns]
    for row in block.rows:
        cells += [f"[#{q(v)}]" for v in row]
    title = f"== #{q(block.title)}\n" if block.title else ""
    return (f"{title}#table(columns: {len(block.columns)}, align: ({align},), fill: (_, y) => if y == 0 "
            "{ luma(235) },\n  " + ", ".join(cells) + ")\n")


def typst_source(doc: ReportDoc, images: Sequence[str]) -> str:
    """The Typst source of ``doc``; ``images`` are the file names of its figures, in order of appearance."""
    names = iter(images)
    out = [_PREAMBLE.format(footer=q(doc.footer), title=q(doc.title),
                            fonts="(" + ", ".join(q(f) for f in doc.fonts) + ",)", lang=q(doc.lang))]
    # title page
    out.append("#v(3cm)\n")
    out.append(f"#text(size: 26pt, weight: \"bold\", fill: rgb(\"#5a3e2b\"))[#{q(doc.title)}]\n\n")
    out.append(f"#text(size: 13pt, fill: luma(70))[#{q(doc.subtitle)}]\n\n#v(1cm)\n")
    facts = ", ".join(f"[#text(weight: \"bold\")[#{q(k)}]], [#{q(v)}]" for k, v in doc.facts)
    out.append(f"#table(columns: (4cm, 1fr), stroke: none, inset: (x: 0pt, y: 4pt), {facts})\n\n#v(0.8cm)\n")
    if doc.banner:
        out.append(f"#warn[#{q(doc.banner)}]\n")
    out.append(f"#v(0.6cm)\n#text(weight: \"bold\")[#{q(doc.contents_title)}]\n\n")
    for i, section in enumerate(doc.sections, start=1):
        out.append(f"+ #{q(section.title)}\n")
        del i
    for section in doc.sections:
        out.append(f"\n#pagebreak()\n= #{q(section.title)}\n")
        for block in section.blocks:
            if isinstance(block, KpiTable):
                out.append(_kpi_table(block))
            elif isinstance(block, Table):
                out.append(_table(block))
            elif isinstance(block, Paragraph):
                if block.tone == "warning":
                    out.append(f"#warn[#{q(block.text)}]\n")
                elif block.tone == "heading":
                    out.append(f"== #{q(block.text)}\n")
                elif block.tone == "note":
                    out.append(f"#note[#{q(block.text)}]\n")
                else:
                    out.append(f"#{q(block.text)}\n\n")
            elif isinstance(block, Figure):
                name = next(names)
                width = max(0.1, min(float(block.width), 1.0)) * 100
                caption = f"#note[#{q(block.caption)}]" if block.caption else ""
                out.append(f"#block(breakable: false, above: 1em, below: 0.6em)[#image({q(name)}, width: "
                           f"{width:.0f}%)\n{caption}]\n")
    return "".join(out)


def figures(doc: ReportDoc) -> list[Figure]:
    """The figures of ``doc`` in order of appearance."""
    return [b for s in doc.sections for b in s.blocks if isinstance(b, Figure)]


def render_pdf(doc: ReportDoc) -> bytes:
    """Compile ``doc`` to PDF bytes (A4, page numbers, fonts from ``geo.render.fonts``)."""
    import typst

    with tempfile.TemporaryDirectory(prefix="atlas-report-") as tmp:
        root = Path(tmp)
        names = []
        for i, fig in enumerate(figures(doc), start=1):
            name = f"figure-{i:02d}.{'svg' if fig.kind == 'svg' else 'png'}"
            (root / name).write_bytes(fig.data)
            names.append(name)
        (root / "report.typ").write_text(typst_source(doc, names), encoding="utf-8")
        return typst.compile(str(root / "report.typ"), root=str(root),
                             font_paths=[str(p) for p in font_dirs(doc.lang)], ignore_system_fonts=True)
