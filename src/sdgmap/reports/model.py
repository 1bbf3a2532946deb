"""The neutral content model every report builder produces and every renderer reads.

A report is a tree of sections holding paragraphs, bullet lists, tables, figures and
activity blocks (one register entry as label/value fields). Renderers (DOCX, HTML,
Markdown, PDF) never query the store: what a report says is decided here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Paragraph:
    text: str
    style: str = "body"  # body | note | question | label-less plain line
    kind: str = "paragraph"


@dataclass
class Bullets:
    items: list[str]
    kind: str = "bullets"


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative column widths; None = equal
    kind: str = "table"


@dataclass
class Figure:
    name: str  # file stem, e.g. "coverage"
    caption: str
    png: bytes
    alt: str = ""
    kind: str = "figure"


@dataclass
class FieldValue:
    label: str
    value: str  # may hold several paragraphs separated by blank lines


@dataclass
class ActivityBlock:
    """One register entry written as the questionnaire's label/value lines."""

    activity_id: int
    type: str
    title: str
    fields: list[FieldValue]
    sdgs: list[int] = field(default_factory=list)
    heading: str = ""  # e.g. "Event 3 (register #12)"
    # "lines": label on its own line, then the value (the questionnaire layout ingest reads);
    # "inline": "Label: value" in one paragraph (compact, for reports people only read).
    layout: str = "lines"
    kind: str = "activity"

    @property
    def ref(self) -> str:
        return f"#{self.activity_id}"


@dataclass
class Section:
    title: str
    items: list = field(default_factory=list)  # Paragraph | Bullets | Table | Figure | ActivityBlock | Section
    level: int = 1
    numbered_title: bool = False  # a questionnaire question: written as a plain numbered paragraph
    kind: str = "section"

    def add(self, item):
        if isinstance(item, Section):
            item.level = self.level + 1
        self.items.append(item)
        return item


@dataclass
class ReportWarning:
    activity_id: int | None
    title: str
    field: str
    message: str

    def line(self) -> str:
        who = f"#{self.activity_id} {self.title}" if self.activity_id is not None else self.title
        return f"{who}: {self.field}: {self.message}"


@dataclass
class Report:
    kind: str
    title: str
    subtitle: str
    entity: str
    year: int | None
    sections: list[Section] = field(default_factory=list)
    warnings: list[ReportWarning] = field(default_factory=list)
    preamble: list[str] = field(default_factory=list)  # plain lines before the contents
    closing: list[str] = field(default_factory=list)  # plain lines at the very end
    activity_ids: list[int] = field(default_factory=list)

    def add(self, section: Section) -> Section:
        self.sections.append(section)
        return section

    def walk(self):
        """Every item, depth first, with its section."""
        def _walk(sec: Section):
            for it in sec.items:
                yield sec, it
                if isinstance(it, Section):
                    yield from _walk(it)
        for sec in self.sections:
            yield None, sec
            yield from _walk(sec)

    def figures(self) -> list[Figure]:
        return [it for _, it in self.walk() if isinstance(it, Figure)]
