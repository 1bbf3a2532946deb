"""``sdgmap classify`` (texts → SDGs with evidence) and ``sdgmap suggest`` (register links)."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console

from sdgmap.classify import load_classifier, suggest
from sdgmap.cli.common import AppContext, json_option, pass_app, print_json, print_table
from sdgmap.errors import UserError
from sdgmap.store.audit import default_actor, record_operation, track_changes

PROGRESS_MIN = 200  # show a progress bar from this many input lines on
BATCH = 64
err_console = Console(stderr=True)


def _classifier(lexical: bool, encoder: str = "auto"):
    return load_classifier(semantic=False if lexical else None,
                           encoder=None if encoder == "auto" else encoder)


encoder_option = click.option(
    "--encoder", type=click.Choice(["auto", "float32", "bfloat16", "int8"]), default="auto",
    show_default=True,
    help="How to run the embedding model: auto picks bfloat16 or int8 for this CPU; float32 "
         "gives the same scores on every machine (also SDGMAP_ENCODER).")


def _jsonl(clf, threshold: float | None) -> None:
    from rich.progress import Progress

    lines = sys.stdin.read().splitlines()
    items = []
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(f"stdin line {no}: not JSON ({exc.msg})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise UserError(f'stdin line {no}: expected an object with a "text" string')
        items.append((obj.get("id", no), obj["text"]))
    with Progress(console=err_console, disable=len(items) < PROGRESS_MIN, transient=True) as bar:
        task = bar.add_task("classifying", total=len(items))
        for i in range(0, len(items), BATCH):
            part = items[i:i + BATCH]
            for (ident, _), res in zip(part, clf.predict([t for _, t in part], threshold), strict=True):
                out = {"id": ident, **res.to_dict()}
                sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
            bar.advance(task, len(part))
    sys.stdout.flush()


@click.command("classify")
@click.argument("text", required=False)
@click.option("--jsonl", is_flag=True, help='Read {"id","text"} lines on stdin, write one result line each.')
@click.option("--lexical", is_flag=True, help="Lexical layers only (no sentence embeddings).")
@click.option("--threshold", type=click.FloatRange(0, 1), help="Minimum goal score (default: the model's).")
@click.option("--explain", "explain", is_flag=True, help="Show the evidence of every goal.")
@encoder_option
@json_option
def classify_cmd(text: str | None, jsonl: bool, lexical: bool, threshold: float | None,
                 explain: bool, encoder: str, as_json: bool) -> None:
    """Suggest SDGs and targets for TEXT (or JSON lines on stdin), with evidence."""
    if jsonl and text:
        raise UserError("give either TEXT or --jsonl, not both")
    if not jsonl and text is None:
        if sys.stdin.isatty():
            raise UserError("give a TEXT to classify, or --jsonl with JSON lines on stdin")
        text = sys.stdin.read()
    clf = _classifier(lexical, encoder)
    if jsonl:
        _jsonl(clf, threshold)
        return
    res = clf.predict([text], threshold)[0]
    if as_json:
        print_json(res.to_dict())
        return
    if explain:
        click.echo(clf.explain(text))
        return
    rows = [(g.goal, f"{g.score:.2f}", ", ".join(f"{t.code} ({t.score:.2f})" for t in g.targets),
             "; ".join(f"{e.feature} “{e.text[:40]}”" for e in g.evidence[:3])) for g in res.goals]
    print_table(["SDG", "score", "targets", "evidence"], rows,
                title=f"layers: {', '.join(res.layers)}"
                + (f" ({res.encoder} encoder)" if res.encoder else "") + ("" if rows else " — no SDG"))


@click.command("suggest")
@click.option("--year", type=int, help="Only activities of this year.")
@click.option("--type", "type_", help="Only activities of this type (event, publication, ...).")
@click.option("--min-score", type=click.FloatRange(0, 1), help="Minimum goal score (default: the model's).")
@click.option("--lexical", is_flag=True, help="Lexical layers only (no sentence embeddings).")
@click.option("--action-lines/--no-action-lines", default=True, show_default=True,
              help="Also suggest WSIS Action Lines.")
@encoder_option
@json_option
@pass_app
def suggest_cmd(app: AppContext, year: int | None, type_: str | None, min_score: float | None,
                lexical: bool, action_lines: bool, encoder: str, as_json: bool) -> None:
    """Write suggested SDG links (awaiting review) for register activities."""
    from rich.progress import Progress


    clf = _classifier(lexical, encoder)
    with app.store.transaction() as s:
        texts = suggest.activity_texts(s, year=year, type=type_)
        titles = suggest.action_line_titles(s) if action_lines else None
    # Classify with no transaction open: a long run must not hold SQLite's writer lock.
    with Progress(console=err_console, disable=len(texts) < PROGRESS_MIN, transient=True) as bar:
        task = bar.add_task("suggesting", total=len(texts))
        plans = suggest.plan_suggestions(clf, texts, line_titles=titles, min_score=min_score,
                                         progress=lambda n: bar.advance(task, n))
    method = suggest.method_name(clf)
    with app.store.transaction(write=True) as s:
        track_changes(s, default_actor())  # each created, updated or withdrawn suggestion
        report = suggest.write_suggestions(s, plans, method)
        data = {**report.as_dict(), "method": method, "layers": list(clf.layers)}
        record_operation(s, None, "activity_links", "suggest",
                         data | {"filter": {"year": year, "type": type_, "min_score": min_score}})
    if as_json:
        print_json(data)
        return
    print_table(["activities", "created", "updated", "removed", "skipped (already linked)"],
                [(report.activities, report.created, report.updated, report.removed,
                  report.skipped_existing)], title=f"Suggestions by {method}")


def register(cli: click.Group) -> None:
    cli.add_command(classify_cmd)
    cli.add_command(suggest_cmd)
