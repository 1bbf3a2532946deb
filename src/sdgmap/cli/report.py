"""``sdgmap report KIND``: write the DESA questionnaire, the WSIS contribution report or the
SDG portfolio report from the register, as DOCX, HTML, Markdown or PDF."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from sdgmap.cli.common import AppContext, console, pass_app
from sdgmap.errors import UserError
from sdgmap.reports import FORMATS, build_report, render

err_console = Console(stderr=True)


def _focus(_ctx, _param, value: str | None) -> list[int]:
    if not value:
        return []
    try:
        goals = [int(v) for v in value.replace(" ", "").split(",") if v]
    except ValueError as exc:
        raise click.BadParameter(f"goal numbers separated by commas, e.g. 1,2,13, got {value!r}") from exc
    bad = [g for g in goals if not 1 <= g <= 17]
    if bad:
        raise click.BadParameter(f"goals are numbered 1 to 17, got {bad}")
    return goals


@click.command("report")
@click.argument("kind", type=click.Choice(["desa", "wsis", "portfolio"]))
@click.option("--entity", default=None, help="Entity of the register entries, e.g. ITU.")
@click.option("--year", type=int, default=None, help="Report year of the entries (e.g. 2023).")
@click.option("--format", "fmt", type=click.Choice(["docx", "html", "md", "pdf"]), default=None,
              help="Output format (default: from the file extension, else docx).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write.")
@click.option("--focus", callback=_focus, default=None,
              help="Goals under in-depth review at the HLPF, e.g. 1,2,13,16,17: their entries come first.")
@click.option("--template", "template_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Folder with your own reference.docx / report.*.j2 / desa_questions.yaml.")
@pass_app
def report_cmd(app: AppContext, kind: str, entity: str | None, year: int | None, fmt: str | None,
               output: Path, focus: list[int], template_dir: Path | None) -> None:
    """Write a report from the register (desa, wsis or portfolio)."""
    if fmt is None:
        ext = output.suffix.lower().lstrip(".")
        fmt = {"markdown": "md", "htm": "html"}.get(ext, ext) if ext else "docx"
        if fmt not in FORMATS:
            raise UserError(f"{output}: cannot tell the format from the extension; use --format")
    if template_dir is not None and not template_dir.is_dir():
        raise UserError(f"--template {template_dir}: not a folder")
    if not output.parent.exists():
        raise UserError(f"{output}: the folder {output.parent} does not exist")
    with app.store.transaction() as session:
        report = build_report(session, kind, entity=entity, year=year, focus=focus,
                              template_dir=template_dir)
    render(report, fmt, output, template_dir)
    console.print(f"Wrote {output} ({kind}, {fmt}): {len(set(report.activity_ids))} register entries.",
                  highlight=False)
    if report.warnings:
        err_console.print(f"[yellow]{len(report.warnings)} warning(s), also listed in the report's "
                          "review section:[/]")
        for w in report.warnings:
            click.echo(f"  warning: {w.line()}", err=True)


def register(cli: click.Group) -> None:
    cli.add_command(report_cmd)
