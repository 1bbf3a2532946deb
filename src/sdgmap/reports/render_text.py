"""Write a report as HTML or Markdown through Jinja2 templates an organisation can replace.

Templates are looked up first in ``--template DIR`` and then in the shipped
``reports/templates``: ``report.html.j2`` and ``report.md.j2``. Both receive the same
content model as the DOCX writer. HTML embeds its charts as data URIs (one file to mail);
Markdown writes them as PNG files in a folder next to the ``.md`` file.
"""

from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, TemplateError

from sdgmap.errors import UserError
from sdgmap.reports.model import Report

TEMPLATES = Path(__file__).with_name("templates")


def environment(template_dir: Path | None, fmt: str) -> Environment:
    loaders = [FileSystemLoader(str(template_dir))] if template_dir else []
    loaders.append(FileSystemLoader(str(TEMPLATES)))
    env = Environment(loader=ChoiceLoader(loaders), autoescape=fmt == "html",
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True)
    env.filters["paragraphs"] = paragraphs
    env.filters["md_cell"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    return env


def paragraphs(text: str) -> list[str]:
    """Each non-empty line is a paragraph (ingest keeps a description's paragraphs as lines)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def render_text(report: Report, fmt: str, path: Path, template_dir: Path | None = None) -> Path:
    path = Path(path)
    env = environment(template_dir, fmt)
    images: dict[str, str] = {}
    if fmt == "md":
        folder = path.with_name(path.stem + "_files")
        figures = report.figures()
        if figures:
            folder.mkdir(parents=True, exist_ok=True)
        for fig in figures:
            (folder / f"{fig.name}.png").write_bytes(fig.png)
            images[fig.name] = f"{folder.name}/{fig.name}.png"
    try:
        text = env.get_template(f"report.{fmt}.j2").render(report=report, images=images)
    except TemplateError as exc:
        where = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise UserError(f"report.{fmt}.j2{where}: template error: {exc}") from exc
    path.write_text(text, encoding="utf-8")
    return path
