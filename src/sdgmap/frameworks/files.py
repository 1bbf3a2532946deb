"""Read user framework and crosswalk files (YAML or CSV) into specs, with line numbers.

Formats are documented in ``docs/frameworks.md``. Reading never touches the database;
every error names the file, the line and the field.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml

from sdgmap.frameworks.spec import FrameworkError, FrameworkSpec, LinkSpec, NodeSpec, check_link

MAX_FILE_BYTES = 20 * 1024 * 1024
NODE_FIELDS = {"code", "kind", "title", "parent", "short_title", "attrs", "description"}
LINK_FIELDS = {
    "from", "to", "relation", "kind", "source", "locator", "version",
    "rationale", "asserted_by", "review",
}


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line of every mapping as ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _read_text(path: Path) -> str:
    name = str(path)
    if not path.is_file():
        raise FrameworkError("file not found", file=name)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FrameworkError(f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit", file=name)
    raw = path.read_bytes()
    if b"\x00" in raw[:8192]:
        raise FrameworkError("binary file (not YAML or CSV text)", file=name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise FrameworkError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the file as UTF-8", file=name, line=line
        ) from None


def read_framework_file(path: str | Path, **meta: str) -> FrameworkSpec:
    """Read a framework (or crosswalk) file. ``meta`` fills id/name/version for CSV files."""
    path = Path(path)
    text = _read_text(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        spec = _from_yaml(text, str(path))
    elif suffix in (".csv", ".tsv"):
        spec = _from_csv(text, str(path), "\t" if suffix == ".tsv" else ",", meta)
    else:
        raise FrameworkError(f"unknown file type {suffix!r}: use .yaml, .yml, .csv or .tsv", file=str(path))
    for key, value in meta.items():
        if value and hasattr(spec, key) and not getattr(spec, key):
            setattr(spec, key, value)
    spec.file = str(path)
    if spec.id != "__crosswalk__":
        spec.check()
    else:
        for link in spec.links:
            check_link(link, str(path))
    return spec


def _str(value, *, file: str, line: int | None, field: str, required: bool = False) -> str:
    if value is None:
        if required:
            raise FrameworkError("required value is missing", file=file, line=line, field=field)
        return ""
    if isinstance(value, (dict, list)):
        raise FrameworkError("expected text, found a nested structure", file=file, line=line, field=field)
    text = str(value).strip()
    if required and not text:
        raise FrameworkError("required value is empty", file=file, line=line, field=field)
    return text


def _from_yaml(text: str, file: str) -> FrameworkSpec:
    try:
        doc = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise FrameworkError(
            f"YAML syntax error: {exc.problem or exc}", file=file, line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise FrameworkError(f"YAML error: {exc}", file=file) from None
    if not isinstance(doc, dict):
        raise FrameworkError("expected a mapping with 'framework', 'nodes' and 'links'", file=file, line=1)
    unknown = set(doc) - {"framework", "crosswalk", "nodes", "links", "__line__"}
    if unknown:
        raise FrameworkError(f"unknown top-level key {sorted(unknown)[0]!r}", file=file, line=doc["__line__"])
    is_crosswalk = "crosswalk" in doc and "framework" not in doc
    head = doc.get("crosswalk" if is_crosswalk else "framework")
    if not isinstance(head, dict):
        raise FrameworkError(
            "a 'framework:' mapping (or 'crosswalk:' for a file of links) is required",
            file=file, line=doc["__line__"], field="framework",
        )
    hl = head.get("__line__")
    if is_crosswalk:
        spec = FrameworkSpec(id="__crosswalk__", name=_str(head.get("name"), file=file, line=hl, field="name", required=True))
        spec.version = _str(head.get("version"), file=file, line=hl, field="version")
        spec.source = _str(head.get("source"), file=file, line=hl, field="source")
        if doc.get("nodes"):
            raise FrameworkError("a crosswalk file holds links only", file=file, field="nodes")
    else:
        spec = FrameworkSpec(
            id=_str(head.get("id"), file=file, line=hl, field="id", required=True),
            name=_str(head.get("name"), file=file, line=hl, field="name", required=True),
        )
        for key in ("version", "source", "licence", "description"):
            setattr(spec, key, _str(head.get(key), file=file, line=hl, field=key))
    nodes = doc.get("nodes") or []
    if not isinstance(nodes, list):
        raise FrameworkError("'nodes' must be a list", file=file, field="nodes")
    for item in nodes:
        spec.nodes.append(_node_from_mapping(item, file))
    links = doc.get("links") or []
    if not isinstance(links, list):
        raise FrameworkError("'links' must be a list", file=file, field="links")
    for item in links:
        spec.links.append(_link_from_mapping(item, file, spec.version, spec.source if is_crosswalk else ""))
    return spec


def _node_from_mapping(item, file: str) -> NodeSpec:
    if not isinstance(item, dict):
        raise FrameworkError("each node must be a mapping with code and title", file=file, field="nodes")
    line = item.pop("__line__", None)
    unknown = set(item) - NODE_FIELDS
    if unknown:
        raise FrameworkError(f"unknown node field {sorted(unknown)[0]!r}", file=file, line=line, field=sorted(unknown)[0])
    attrs = item.get("attrs") or {}
    if not isinstance(attrs, dict):
        raise FrameworkError("attrs must be a mapping", file=file, line=line, field="attrs")
    attrs = {k: v for k, v in attrs.items() if k != "__line__"}
    if item.get("description"):
        attrs["description"] = _str(item["description"], file=file, line=line, field="description")
    parent = _str(item.get("parent"), file=file, line=line, field="parent") or None
    return NodeSpec(
        code=_str(item.get("code"), file=file, line=line, field="code", required=True),
        title=_str(item.get("title"), file=file, line=line, field="title", required=True),
        kind=_str(item.get("kind"), file=file, line=line, field="kind") or "node",
        parent=parent,
        short_title=_str(item.get("short_title"), file=file, line=line, field="short_title"),
        attrs=attrs,
        line=line,
    )


def _link_from_mapping(item, file: str, version: str, default_source: str) -> LinkSpec:
    if not isinstance(item, dict):
        raise FrameworkError("each link must be a mapping with 'from' and 'to'", file=file, field="links")
    line = item.pop("__line__", None)
    unknown = set(item) - LINK_FIELDS
    if unknown:
        raise FrameworkError(f"unknown link field {sorted(unknown)[0]!r}", file=file, line=line, field=sorted(unknown)[0])

    def get(key: str, required: bool = False) -> str:
        return _str(item.get(key), file=file, line=line, field=key, required=required)

    return LinkSpec(
        source_ref=get("from", True),
        target_ref=get("to", True),
        relation=get("relation") or "contributes_to",
        kind=get("kind") or "stated",
        source=get("source") or default_source,
        locator=get("locator"),
        version=get("version") or version,
        rationale=get("rationale"),
        asserted_by=get("asserted_by"),
        review=get("review") or "unverified",
        line=line,
    )


def _from_csv(text: str, file: str, delimiter: str, meta: dict) -> FrameworkSpec:
    """CSV: either nodes (``code,title[,kind,parent,...]``) or links (``from,to[,...]``)."""
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
        header = [h.strip() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        raise FrameworkError(f"CSV error: {exc}", file=file, line=1) from None
    if not header:
        raise FrameworkError("empty file: expected a header row", file=file, line=1)
    reader.fieldnames = header
    is_crosswalk = {"from", "to"} <= set(header)
    if not is_crosswalk and not {"code", "title"} <= set(header):
        raise FrameworkError(
            "header must have 'code' and 'title' (a framework) or 'from' and 'to' (a crosswalk)",
            file=file, line=1,
        )
    allowed = (LINK_FIELDS if is_crosswalk else NODE_FIELDS | {"sdgs", "action_lines", "links_to"})
    extra = [h for h in header if h not in allowed]
    if extra:
        raise FrameworkError(f"unknown column {extra[0]!r}", file=file, line=1, field=extra[0])
    if is_crosswalk:
        spec = FrameworkSpec(id="__crosswalk__", name=meta.get("name") or Path(file).stem)
    else:
        fid = meta.get("id") or Path(file).stem.lower().replace(" ", "-")
        spec = FrameworkSpec(id=fid, name=meta.get("name") or Path(file).stem)
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                raise FrameworkError(
                    f"row has {len(header) + len(row[None])} values, the header has {len(header)}",
                    file=file, line=line,
                )
            if all(not (v or "").strip() for v in row.values()):
                continue
            if is_crosswalk:
                spec.links.append(
                    _link_from_mapping({k: v for k, v in row.items() if v not in (None, "")} | {"__line__": line}, file, meta.get("version", ""), meta.get("source", ""))
                )
                continue
            node = _node_from_mapping(
                {k: v for k, v in row.items() if k in NODE_FIELDS and v not in (None, "")} | {"__line__": line}, file
            )
            spec.nodes.append(node)
            # Convenience columns: semicolon-separated SDG goals/targets and Action Lines
            # that the node states it contributes to; the file itself is the source.
            for column, framework in (("sdgs", "sdg"), ("action_lines", "wsis"), ("links_to", None)):
                for ref in (row.get(column) or "").replace(",", ";").split(";"):
                    ref = ref.strip()
                    if ref:
                        target = ref if framework is None or ":" in ref else f"{framework}:{ref}"
                        spec.links.append(
                            LinkSpec(node.code, target, kind="stated", source=meta.get("source") or Path(file).name,
                                     locator=f"line {line}", line=line)
                        )
    except csv.Error as exc:
        raise FrameworkError(f"CSV error: {exc}", file=file, line=reader.line_num) from None
    return spec
