"""The reference DOCX: the styles every generated Word report uses.

Reports never format text directly; they name styles (Title, Heading 1-4, Field Label,
Field Value, Note, Caption, Figure, List Bullet and the table style "Register Table").
An organisation copies ``templates/reference.docx``, changes the styles in Word (fonts,
colours, spacing, page size, header/footer) and passes the folder with ``--template DIR``.
``python -m sdgmap.reports.reference OUT.docx`` rebuilds the shipped file from this code.
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from sdgmap.errors import UserError

REFERENCE = Path(__file__).with_name("templates") / "reference.docx"
UN_BLUE = RGBColor(0x00, 0x5B, 0x99)
GREY = RGBColor(0x55, 0x55, 0x55)
CUSTOM_PARAGRAPH_STYLES = ("Field Label", "Field Value", "Note", "Figure", "Figure Intro",
                           "Block Heading")
TABLE_STYLE = "Register Table"


def reference_path(template_dir: Path | None) -> Path:
    """The reference DOCX to use: the one in ``template_dir`` when there is one."""
    if template_dir is not None:
        candidate = Path(template_dir) / "reference.docx"
        if candidate.exists():
            return candidate
    return REFERENCE


def open_reference(template_dir: Path | None) -> docx.document.Document:
    path = reference_path(template_dir)
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for a broken package
        raise UserError(f"{path}: not a readable DOCX reference document ({exc})") from exc
    names = {s.name for s in document.styles}
    missing = [n for n in (*CUSTOM_PARAGRAPH_STYLES, TABLE_STYLE) if n not in names]
    if missing:
        raise UserError(f"{path}: the reference DOCX lacks the style(s) {', '.join(missing)}; "
                        "start from the shipped templates/reference.docx")
    # Drop any body content the organisation left in its copy: only styles and sections count.
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return document


def _paragraph_style(doc, name: str, base: str = "Normal"):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(
        name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base]
    style.quick_style = True
    return style


def _table_style(doc):
    style = doc.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    style.base_style = doc.styles["Table Grid"]
    style.font.size = Pt(9)
    # Header row shading and bold text through the style's conditional formatting,
    # so tables carry no direct formatting.
    tbl_pr = style.element
    tr_pr = OxmlElement("w:trPr")  # a row stays on one page
    tr_pr.append(OxmlElement("w:cantSplit"))
    tbl_pr.append(tr_pr)
    cond = OxmlElement("w:tblStylePr")
    cond.set(qn("w:type"), "firstRow")
    rpr = OxmlElement("w:rPr")
    rpr.append(OxmlElement("w:b"))
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "FFFFFF")
    rpr.append(color)
    tcpr = OxmlElement("w:tcPr")
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), "005B99")
    tcpr.append(shd)
    cond.append(rpr)
    cond.append(tcpr)
    tbl_pr.append(cond)
    return style


def build_reference_docx(path: Path) -> Path:
    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4, as UN documents
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    section.top_margin = section.bottom_margin = Cm(2.0)

    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    for name, size in (("Title", 24), ("Subtitle", 14), ("Heading 1", 14), ("Heading 2", 12.5),
                       ("Heading 3", 11.5), ("Heading 4", 10.5)):
        st = doc.styles[name]
        st.font.name = "Calibri"
        st.font.size = Pt(size)
        st.font.color.rgb = UN_BLUE
        st.paragraph_format.keep_with_next = True  # never a heading alone at a page's foot
    doc.styles["Caption"].font.color.rgb = GREY
    doc.styles["Caption"].font.size = Pt(9)
    # Table captions stand above their table: keep them on the same page.
    doc.styles["Caption"].paragraph_format.keep_with_next = True

    label = _paragraph_style(doc, "Field Label")
    label.font.bold = True
    label.paragraph_format.keep_with_next = True
    label.paragraph_format.space_before = Pt(4)
    label.paragraph_format.space_after = Pt(1)
    value = _paragraph_style(doc, "Field Value")
    value.paragraph_format.left_indent = Cm(0.5)
    note = _paragraph_style(doc, "Note")
    note.font.italic = True
    note.font.color.rgb = GREY
    figure = _paragraph_style(doc, "Figure")
    figure.paragraph_format.keep_with_next = True
    intro = _paragraph_style(doc, "Figure Intro")  # the text just before a chart stays with it
    intro.paragraph_format.keep_with_next = True
    block = _paragraph_style(doc, "Block Heading", base="Heading 4")
    block.paragraph_format.space_before = Pt(12)
    block.font.color.rgb = GREY
    _paragraph_style(doc, "TOC 1")
    toc2 = _paragraph_style(doc, "TOC 2")
    toc2.paragraph_format.left_indent = Cm(0.6)
    _table_style(doc)
    # Ask Word to refresh the table of contents and the caption numbers when it opens a report.
    settings = doc.settings.element
    upd = OxmlElement("w:updateFields")
    upd.set(qn("w:val"), "true")
    settings.append(upd)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":  # pragma: no cover - maintenance command
    print(build_reference_docx(Path(sys.argv[1]) if len(sys.argv) > 1 else REFERENCE))
