"""The documentation keeps up with the code: every CLI command, subcommand and option is
documented, and every relative link and image in README.md and docs/*.md resolves.

Commands count as documented when a line of README.md or docs/*.md shows them as
``sdgmap [--db X] <command> [<subcommand>]``; options when their long name appears in the
docs (docs/cli.md lists them all). Links are checked down to the heading they point at.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from sdgmap.cli import cli

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TEXT = {page: page.read_text(encoding="utf-8") for page in PAGES}
ALL_TEXT = "\n".join(TEXT.values())
# [text](target) and ![alt](target), an optional "title" after the target; <img src="...">
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)|<img\b[^>]*\bsrc=\"([^\"]+)\"")
IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)|<img\b[^>]*\bsrc=\"([^\"]+)\"")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.M | re.S)


def commands(group: click.Group = cli, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    """(path, command) of every visible command and subcommand, depth first."""
    out = []
    for name, command in sorted(group.commands.items()):
        if command.hidden:
            continue
        out.append(((*path, name), command))
        if isinstance(command, click.Group):
            out += commands(command, (*path, name))
    return out


def long_options(command: click.Command) -> list[str]:
    return [opt for p in command.params if isinstance(p, click.Option) and not p.hidden
            for opt in (*p.opts, *p.secondary_opts) if opt.startswith("--")]


def mentioned(word: str) -> bool:
    return re.search(re.escape(word) + r"(?![\w-])", ALL_TEXT) is not None


def documented_command(path: tuple[str, ...]) -> bool:
    """``sdgmap`` then optional global options (``--db X``), then the command words."""
    pattern = r"\bsdgmap(?:\s+--db(?:=|\s+)\S+)?\s+" + r"\s+".join(map(re.escape, path)) + r"(?![\w-])"
    return re.search(pattern, ALL_TEXT) is not None


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(markdown: str) -> set[str]:
    text = FENCE.sub("", markdown)
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*$", text, re.M):
        base, n = slug(heading), 0
        while (f"{base}-{n}" if n else base) in found:  # repeated headings get -1, -2, ...
            n += 1
        found.add(f"{base}-{n}" if n else base)
    return found


def relative_links(markdown: str, pattern: re.Pattern = LINK) -> list[str]:
    targets = [a or b for a, b in pattern.findall(FENCE.sub("", markdown))]  # code samples are not links
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t, re.I)]  # http:, mailto: ...


def test_the_walk_finds_the_commands():
    paths = {" ".join(p) for p, _ in commands()}
    assert {"ingest", "frameworks import", "users token", "db upgrade"} <= paths and len(paths) >= 25


@pytest.mark.parametrize("path", [p for p, _ in commands()], ids=" ".join)
def test_every_command_and_subcommand_is_documented(path):
    assert documented_command(path), f"`sdgmap {' '.join(path)}` appears nowhere in README.md or docs/*.md"


def test_every_option_is_documented():
    missing = [f"sdgmap {' '.join(path)} {opt}" for path, command in [((), cli), *commands()]
               for opt in long_options(command) if not mentioned(opt)]
    assert not missing, "options missing from the docs (add them to docs/cli.md): " + ", ".join(missing)


def test_the_cli_reference_has_a_row_for_every_command():
    reference = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = [" ".join(p) for p, c in commands() if not isinstance(c, click.Group)
               and f"`sdgmap {' '.join(p)}" not in reference]
    assert not missing, "docs/cli.md lacks: " + ", ".join(missing)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_point_at_existing_files_and_headings(page):
    broken = []
    for target in relative_links(TEXT[page]):
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file.read_text(encoding="utf-8")):
            broken.append(f"{target} (no such heading)")
    assert not broken, f"{page.name}: " + ", ".join(broken)


def test_every_referenced_image_exists_and_is_a_picture():
    images = [(page, (page.parent / t.split("#")[0]).resolve()) for page in PAGES
              for t in relative_links(TEXT[page], IMAGE)]
    assert len(images) >= 10  # the screenshots of the user guide and README are found
    missing = [f"{page.name}: {path}" for page, path in images if not path.is_file()]
    assert not missing, "missing images: " + ", ".join(missing)
    assert all(path.suffix.lower() in {".png", ".jpg", ".jpeg", ".svg", ".gif", ".webp"} for _, path in images)


def test_the_link_checker_reads_links_and_headings_as_github_does():
    page = ("# Reverse proxy (nginx)\n## Backups\n## Backups\n\n[a](#backups-1) [b](other.md#x \"title\")\n"
            "![shot](img/a.png) <img src=\"img/b.png\"> [web](https://example.org) [mail](mailto:a@b.c)\n"
            "```\n# not a heading\n[in code](not-checked.md)\n```\n")
    assert relative_links(page) == ["#backups-1", "other.md#x", "img/a.png", "img/b.png"]
    assert relative_links(page, IMAGE) == ["img/a.png", "img/b.png"]
    assert anchors(page) == {"reverse-proxy-nginx", "backups", "backups-1"}
