"""User framework and crosswalk files: import, errors naming file/line/field, and no partial writes."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from sdgmap.cli import cli
from sdgmap.frameworks import FrameworkError, read_framework_file, save_crosswalk, save_framework
from sdgmap.frameworks.linkage import derived_links, get_node, stated_links

EXAMPLES = Path(__file__).resolve().parents[1] / "docs" / "examples"


def run(db: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--db", db, *args])
    return result.exit_code, result.output


def test_yaml_example_imports_with_links(store):
    spec = read_framework_file(EXAMPLES / "national-digital-strategy.yaml")
    with store.transaction() as s:
        save_framework(s, spec)
    with store.transaction() as s:
        views = stated_links(s, get_node(s, "nds-2030:P1.1"), "out")
        assert {(v.target, v.kind) for v in views} == {("sdg:4.a", "stated"), ("wsis:C2", "stated")}
        curated = stated_links(s, get_node(s, "nds-2030:P2.1"), "out")
        assert [(v.target, v.kind, v.review) for v in curated] == [("sdg:4.4", "curated", "unverified")]
        # a parent inherits its children's links as derived links, with the path
        derived = {v.target: v.path for v in derived_links(s, get_node(s, "nds-2030:P1"))}
        assert derived["sdg:4.a"] == ["nds-2030:P1", "nds-2030:P1.1", "sdg:4.a"]


def test_csv_example_imports(store):
    spec = read_framework_file(EXAMPLES / "national-digital-strategy.csv", id="nds-csv", name="NDS (CSV)")
    with store.transaction() as s:
        save_framework(s, spec)
    with store.transaction() as s:
        targets = {v.target for v in stated_links(s, get_node(s, "nds-csv:P1.1"), "out")}
        assert targets == {"sdg:4.a", "sdg:9.c", "wsis:C2"}
        assert get_node(s, "nds-csv:P2.1").parent_id == get_node(s, "nds-csv:P2").id


def test_crosswalk_feeds_derived_links(store, tmp_path):
    cw = tmp_path / "matrix.yaml"
    cw.write_text(
        "crosswalk:\n  name: test-matrix\n  version: '1'\n  source: Test matrix\n"
        "links:\n  - {from: 'wsis:C5', to: 'sdg:16', kind: stated, locator: 'row C5'}\n",
        encoding="utf-8",
    )
    with store.transaction() as s:
        assert save_crosswalk(s, read_framework_file(cw)) == 1
    with store.transaction() as s:
        derived = [v for v in derived_links(s, get_node(s, "itu-sp-2020:D.2-2")) if v.target == "sdg:16"]
        assert derived and derived[0].kind == "derived"
        assert derived[0].path == ["itu-sp-2020:D.2-2", "wsis:C5", "sdg:16"]
        # derived links are never stored
        assert all(v.kind != "derived" for v in stated_links(s, get_node(s, "itu-sp-2020:D.2-2")))
    # importing the same crosswalk again replaces, not duplicates
    with store.transaction() as s:
        save_crosswalk(s, read_framework_file(cw))
    with store.transaction() as s:
        assert len([v for v in stated_links(s, get_node(s, "wsis:C5"), "out")]) == 1


BROKEN = {
    "bad-parent.yaml": ("framework: {id: x1, name: X}\nnodes:\n  - {code: A, title: A}\n  - {code: B, title: B, parent: Z}\n",
                        "line 4", "parent"),
    "bad-ref.yaml": ("framework: {id: x2, name: X}\nnodes:\n  - {code: A, title: A}\nlinks:\n"
                     "  - {from: A, to: 'sdg:18', source: doc}\n", "line 5", "to"),
    "stated-no-source.yaml": ("framework: {id: x3, name: X}\nnodes:\n  - {code: A, title: A}\nlinks:\n"
                              "  - {from: A, to: 'sdg:1'}\n", "line 5", "source"),
    "derived-kind.yaml": ("framework: {id: x4, name: X}\nnodes:\n  - {code: A, title: A}\nlinks:\n"
                          "  - {from: A, to: 'sdg:1', kind: derived, source: d}\n", "line 5", "kind"),
    "syntax.yaml": ("framework: {id: x5, name: X}\nnodes:\n  - code: A\n   title: [unclosed\n", "line", ""),
    "dup.yaml": ("framework: {id: x6, name: X}\nnodes:\n  - {code: A, title: A}\n  - {code: A, title: B}\n",
                 "line 4", "code"),
    "notitle.csv": ("code,title\nA,Alpha\nB,\n", "line 3", "title"),
    "ragged.csv": ('code,title\nA,Alpha\nB,"Beta",extra\n', "line 3", ""),
    "badcol.csv": ("code,title,colour\nA,Alpha,red\n", "line 1", "colour"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_file_names_file_line_field(tmp_path, sqlite_store, name):
    content, where, field = BROKEN[name]
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FrameworkError) as info:
        spec = read_framework_file(path)
        with sqlite_store.transaction() as s:
            save_framework(s, spec)
    message = str(info.value)
    assert name in message and where in message
    if field:
        assert f"field '{field}'" in message


def test_wrong_encoding_and_binary(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("code,title\nA,Coopération\n".encode("latin-1"))
    with pytest.raises(FrameworkError, match=r"latin.csv, line 2: not UTF-8"):
        read_framework_file(latin)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(FrameworkError, match="binary"):
        read_framework_file(binary)


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_broken_import_leaves_database_byte_for_byte_unchanged(tmp_path):
    db = tmp_path / "s.db"
    code, _ = run(str(db), "db", "upgrade")
    assert code == 0
    run(str(db), "frameworks", "import", str(EXAMPLES / "national-digital-strategy.yaml"))
    before = {p.name: _file_digest(p) for p in tmp_path.glob("s.db*")}
    # valid nodes first, an error in the last link: nothing of it may be written
    bad = tmp_path / "late-error.yaml"
    bad.write_text(
        "framework: {id: late, name: Late error}\nnodes:\n"
        + "".join(f"  - {{code: N{i}, title: Node {i}}}\n" for i in range(50))
        + "links:\n  - {from: N1, to: 'sdg:1', source: doc}\n  - {from: N2, to: 'sdg:99', source: doc}\n",
        encoding="utf-8",
    )
    code, out = run(str(db), "frameworks", "import", str(bad))
    assert code == 2 and "late-error.yaml, line 55, field 'to'" in out
    # a replace that fails in the database layer (unknown framework in a ref) also writes nothing
    bad2 = tmp_path / "replace.yaml"
    bad2.write_text("framework: {id: nds-2030, name: Changed}\nnodes:\n  - {code: P1, title: Changed}\n"
                    "links:\n  - {from: P1, to: 'nope:1', source: doc}\n", encoding="utf-8")
    code, out = run(str(db), "frameworks", "import", str(bad2), "--replace")
    assert code == 2 and "unknown framework 'nope'" in out
    after = {p.name: _file_digest(p) for p in tmp_path.glob("s.db*")}
    assert after == before


def test_existing_framework_needs_replace(tmp_path):
    db = str(tmp_path / "r.db")
    path = str(EXAMPLES / "national-digital-strategy.yaml")
    assert run(db, "frameworks", "import", path)[0] == 0
    code, out = run(db, "frameworks", "import", path)
    assert code == 2 and "already exists" in out
    assert run(db, "frameworks", "import", path, "--replace")[0] == 0


def test_export_import_round_trip(tmp_path):
    db1, db2 = str(tmp_path / "a.db"), str(tmp_path / "b.db")
    out = tmp_path / "itu.yaml"
    assert run(db1, "frameworks", "export", "itu-sp-2020", "--format", "yaml", "-o", str(out))[0] == 0
    assert run(db2, "frameworks", "import", str(out), "--replace")[0] == 0
    a = json.loads(run(db1, "links", "--node", "itu-sp-2020:D.3-2", "--json")[1])
    b = json.loads(run(db2, "links", "--node", "itu-sp-2020:D.3-2", "--json")[1])
    assert a == b and len(a) == 17 + 11
