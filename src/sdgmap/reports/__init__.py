"""Reports written from the register: the UN DESA questionnaire, the WSIS contribution
report and an SDG portfolio report.

Builders (``desa``, ``wsis``, ``portfolio``) read the store through the shared activity
query layer and ``sdgmap.analytics`` and return one neutral content model
(``reports.model``). Renderers turn that model into DOCX (styles from a reference DOCX),
HTML and Markdown (Jinja2 templates) and PDF (LibreOffice converting the DOCX). Checks
(word limits, empty required fields) become warnings in the report's review section.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy.orm import Session

from sdgmap.errors import UserError
from sdgmap.reports.desa import build_desa
from sdgmap.reports.model import Report, ReportWarning
from sdgmap.reports.portfolio import build_portfolio
from sdgmap.reports.render_docx import render_docx
from sdgmap.reports.render_pdf import docx_to_pdf
from sdgmap.reports.render_text import render_text
from sdgmap.reports.wsis import build_wsis

KINDS = ("desa", "wsis", "portfolio")
FORMATS = ("docx", "html", "md", "pdf")


def build_report(session: Session, kind: str, *, entity: str | None = None, year: int | None = None,
                 focus: list[int] | None = None, template_dir: Path | None = None) -> Report:
    if focus and any(not 1 <= g <= 17 for g in focus):
        raise UserError(f"--focus: goals are numbers 1 to 17, got {focus}")
    if kind == "desa":
        report = build_desa(session, entity, year, focus, template_dir)
    elif kind == "wsis":
        report = build_wsis(session, entity, year, focus)
    elif kind == "portfolio":
        report = build_portfolio(session, entity, year, focus)
    else:
        raise UserError(f"unknown report kind {kind!r}; choose one of {', '.join(KINDS)}")
    if not report.activity_ids:  # a typo in --entity or --year should not pass unnoticed
        scope = ", ".join(x for x in (f"entity {entity}" if entity else "", f"year {year}" if year else "") if x)
        report.warnings.append(ReportWarning(None, "Register", "scope",
                                             f"no activity in the register for {scope or 'this report'}"))
    return report


def render(report: Report, fmt: str, path: Path, template_dir: Path | None = None) -> Path:
    path = Path(path)
    if template_dir is not None and not Path(template_dir).is_dir():
        raise UserError(f"--template {template_dir}: not a folder")
    if fmt == "docx":
        return render_docx(report, path, template_dir)
    if fmt in ("html", "md"):
        return render_text(report, fmt, path, template_dir)
    if fmt == "pdf":
        with tempfile.TemporaryDirectory(prefix="sdgmap-report-") as tmp:
            docx_path = render_docx(report, Path(tmp) / (path.stem + ".docx"), template_dir)
            return docx_to_pdf(docx_path, path)
    raise UserError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "KINDS", "Report", "build_report", "render"]
