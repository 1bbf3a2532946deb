"""Write a report as a Word document built on the reference DOCX's styles.

Only style names are set here, never fonts or colours, so an organisation restyles every
report by editing its copy of the reference DOCX. The table of contents is a real TOC
field (Word refreshes it on opening); captions number themselves with SEQ fields.
"""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm

from sdgmap.reports.model import (
    ActivityBlock,
    Bullets,
    Figure,
    Paragraph,
    Report,
    Section,
    Table,
)
from sdgmap.reports.reference import TABLE_STYLE, open_reference

PARAGRAPH_STYLES = {"body": "Normal", "note": "Note", "question": "Normal"}


def render_docx(report: Report, path: Path, template_dir: Path | None = None) -> Path:
    report = _xml_safe(report)
    doc = open_reference(template_dir)
    w = _Writer(doc)
    doc.add_paragraph(report.title, style="Title")
    doc.add_paragraph(report.subtitle, style="Subtitle")
    for line in report.preamble:
        if line not in (report.title, report.subtitle):
            doc.add_paragraph(line, style="Normal")
    doc.add_paragraph("Contents", style="TOC Heading")
    w.toc(list(report.sections), prefill=True)
    for sec in report.sections:
        w.section(sec)
    for line in report.closing:
        doc.add_paragraph(line, style="Normal")
    core = doc.core_properties
    core.title = report.title
    core.subject = f"{report.kind} report"
    core.author = "sdgmap"
    core.keywords = f"sdgmap; {report.kind}; {report.entity}; {report.year or ''}"
    path = Path(path)
    doc.save(str(path))
    return path


class _Writer:
    def __init__(self, doc) -> None:
        self.doc = doc
        self.tables = 0
        self.figures = 0
        self.width = doc.sections[0].page_width - doc.sections[0].left_margin \
            - doc.sections[0].right_margin

    def section(self, sec: Section) -> None:
        self.doc.add_paragraph(sec.title, style=f"Heading {min(sec.level, 3)}")
        for i, item in enumerate(sec.items):
            nxt = sec.items[i + 1] if i + 1 < len(sec.items) else None
            if isinstance(item, Paragraph) and isinstance(nxt, Figure):
                for part in _paragraphs(item.text):
                    self.doc.add_paragraph(part, style="Figure Intro")
                continue
            self.item(item)

    def item(self, item) -> None:
        if isinstance(item, Section):
            self.section(item)
        elif isinstance(item, Paragraph):
            for part in _paragraphs(item.text):
                self.doc.add_paragraph(part, style=PARAGRAPH_STYLES.get(item.style, "Normal"))
        elif isinstance(item, Bullets):
            for text in item.items:
                self.doc.add_paragraph(text, style="List Bullet")
        elif isinstance(item, Table):
            self.table(item)
        elif isinstance(item, Figure):
            self.figure(item)
        elif isinstance(item, ActivityBlock):
            self.block(item)

    def block(self, b: ActivityBlock) -> None:
        if b.heading:
            p = self.doc.add_paragraph(b.heading, style="Block Heading")
            _bookmark(p, f"activity_{b.activity_id}", self._next_bookmark())
        for fv in b.fields:
            if b.layout == "inline":
                parts = _paragraphs(fv.value) or [""]
                p = self.doc.add_paragraph(style="Field Value")
                p.add_run(f"{fv.label}: ", style="Strong")
                p.add_run(parts[0])
                for part in parts[1:]:
                    self.doc.add_paragraph(part, style="Field Value")
                continue
            self.doc.add_paragraph(fv.label, style="Field Label")
            for part in _paragraphs(fv.value) or [""]:
                self.doc.add_paragraph(part, style="Field Value")

    def table(self, t: Table) -> None:
        self.tables += 1
        self._caption("Table", self.tables, t.caption)
        table = self.doc.add_table(rows=1, cols=len(t.columns))
        table.style = self.doc.styles[TABLE_STYLE]
        for cell, text in zip(table.rows[0].cells, t.columns, strict=True):
            cell.text = text
        _repeat_header(table.rows[0])
        for row in t.rows:
            new = table.add_row()
            new._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))  # a row stays on one page
            for cell, text in zip(new.cells, row, strict=False):
                cell.text = str(text)
        if t.widths:
            table.autofit = False
            scale = self.width / sum(t.widths)
            for col, w in zip(table.columns, t.widths, strict=False):
                col.width = int(w * scale)  # the grid, which LibreOffice reads
                for cell in col.cells:
                    cell.width = int(w * scale)  # the cells, which Word reads
        self.doc.add_paragraph("", style="Normal")

    def figure(self, f: Figure) -> None:
        self.figures += 1
        p = self.doc.add_paragraph(style="Figure")
        p.add_run().add_picture(io.BytesIO(f.png), width=min(self.width, Cm(16.5)))
        self._caption("Figure", self.figures, f.caption)

    def _caption(self, label: str, number: int, text: str) -> None:
        p = self.doc.add_paragraph(style="Caption")
        p.add_run(f"{label} ")
        fld = OxmlElement("w:fldSimple")
        fld.set(qn("w:instr"), f" SEQ {label} \\* ARABIC ")
        run = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = str(number)
        run.append(t)
        fld.append(run)
        p._p.append(fld)
        p.add_run(f": {text}")

    def toc(self, sections: list[Section], prefill: bool) -> None:
        """A TOC field; its cached result lists the headings so it reads well before an update."""
        first = self.doc.add_paragraph(style="Normal")
        _field_char(first, "begin")
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = ' TOC \\o "1-3" \\h \\z \\u '
        run = OxmlElement("w:r")
        run.append(instr)
        first._p.append(run)
        _field_char(first, "separate")
        ordered = []
        for s in sections if prefill else []:
            ordered.append((s.title, 1))
            ordered += [(c.title, 2) for c in s.items if isinstance(c, Section)]
        if not ordered:
            first.add_run("Update this field (F9 in Word) to list the questions.")
            _field_char(first, "end")
            return
        first.add_run(ordered[0][0])
        last = first
        for title, level in ordered[1:]:
            last = self.doc.add_paragraph(title, style=f"TOC {level}" if _has(self.doc, f"TOC {level}")
                                          else "Normal")
        _field_char(last, "end")

    _bookmarks = 0

    def _next_bookmark(self) -> int:
        self._bookmarks += 1
        return self._bookmarks


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(obj):
    """A copy of the report whose text holds no character XML forbids (form feeds, NULs...).

    Such characters come from pasted or extracted text; Word files cannot carry them.
    """
    if isinstance(obj, str):
        return _NOT_XML.sub(" ", obj)
    if isinstance(obj, list):
        return [_xml_safe(v) for v in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {f.name: _xml_safe(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                   if f.init and f.name != "png"}
        return dataclasses.replace(obj, **changes)
    return obj


def _has(doc, style: str) -> bool:
    return any(s.name == style for s in doc.styles)


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _field_char(paragraph, kind: str) -> None:
    run = OxmlElement("w:r")
    fc = OxmlElement("w:fldChar")
    fc.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        fc.set(qn("w:dirty"), "true")  # Word recomputes it
    run.append(fc)
    paragraph._p.append(run)


def _repeat_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _bookmark(paragraph, name: str, bid: int) -> None:
    """A bookmark named after the register id, so links and macros can find an entry."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bid))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bid))
    paragraph._p.insert(0, start)
    paragraph._p.append(end)
