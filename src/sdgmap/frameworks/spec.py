"""Plain data classes for frameworks before they reach the database, and their checks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sdgmap.errors import UserError

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/\-#~ ()]{0,63}$")
FRAMEWORK_ID_RE = re.compile(r"^[a-z0-9][a-z0-9\-_.]{0,63}$")
FILE_LINK_KINDS = ("stated", "curated", "suggested")  # derived links are computed, never loaded
REVIEW_STATES = ("unverified", "accepted", "rejected", "edited")


class FrameworkError(UserError):
    """A framework or crosswalk file is invalid. Names the file, line and field."""

    def __init__(self, message: str, *, file: str = "", line: int | None = None, field: str = ""):
        self.file, self.line, self.field, self.reason = file, line, field, message
        where = [w for w in (file, f"line {line}" if line else "", f"field '{field}'" if field else "") if w]
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclass
class NodeSpec:
    code: str
    title: str
    kind: str = "node"
    parent: str | None = None
    short_title: str = ""
    attrs: dict = field(default_factory=dict)
    line: int | None = None


@dataclass
class LinkSpec:
    """A link between two nodes, each written ``framework:code`` (or a bare code of this framework)."""

    source_ref: str
    target_ref: str
    relation: str = "contributes_to"
    kind: str = "stated"
    source: str = ""
    locator: str = ""
    version: str = ""
    rationale: str = ""
    asserted_by: str = ""
    review: str = "unverified"
    line: int | None = None


@dataclass
class FrameworkSpec:
    id: str
    name: str
    version: str = ""
    source: str = ""
    licence: str = ""
    description: str = ""
    nodes: list[NodeSpec] = field(default_factory=list)
    links: list[LinkSpec] = field(default_factory=list)
    builtin: bool = False
    file: str = ""

    def check(self) -> None:
        """Raise ``FrameworkError`` for the first problem found; the file is never half-loaded."""
        if not FRAMEWORK_ID_RE.match(self.id or ""):
            raise FrameworkError(
                f"framework id {self.id!r} must be lower-case letters, digits, '-', '_' or '.'",
                file=self.file, field="id",
            )
        if not (self.name or "").strip():
            raise FrameworkError("framework name is empty", file=self.file, field="name")
        seen: dict[str, int | None] = {}
        for node in self.nodes:
            if not CODE_RE.match(node.code or ""):
                raise FrameworkError(f"invalid node code {node.code!r}", file=self.file, line=node.line, field="code")
            if node.code in seen:
                raise FrameworkError(
                    f"duplicate node code {node.code!r} (first on line {seen[node.code]})",
                    file=self.file, line=node.line, field="code",
                )
            if not (node.title or "").strip():
                raise FrameworkError(f"node {node.code!r} has no title", file=self.file, line=node.line, field="title")
            seen[node.code] = node.line
        for node in self.nodes:
            if node.parent is not None and node.parent not in seen:
                raise FrameworkError(
                    f"parent {node.parent!r} of node {node.code!r} is not a node of this framework",
                    file=self.file, line=node.line, field="parent",
                )
        self._check_cycles()
        for link in self.links:
            check_link(link, self.file)

    def _check_cycles(self) -> None:
        parents = {n.code: n.parent for n in self.nodes}
        for node in self.nodes:
            steps, code = 0, node.code
            while code is not None:
                code = parents.get(code)
                steps += 1
                if steps > len(parents):
                    raise FrameworkError(
                        f"node {node.code!r} is its own ancestor", file=self.file, line=node.line, field="parent"
                    )


def check_link(link: LinkSpec, file: str) -> None:
    if link.kind not in FILE_LINK_KINDS:
        raise FrameworkError(
            f"kind {link.kind!r} is not one of {', '.join(FILE_LINK_KINDS)} "
            "(derived links are computed by sdgmap, not loaded)",
            file=file, line=link.line, field="kind",
        )
    if link.review not in REVIEW_STATES:
        raise FrameworkError(
            f"review {link.review!r} is not one of {', '.join(REVIEW_STATES)}", file=file, line=link.line, field="review"
        )
    if link.kind == "stated" and not link.source.strip():
        raise FrameworkError(
            "a stated link needs the document that states it in 'source' "
            "(use kind: curated for a link no document states)",
            file=file, line=link.line, field="source",
        )
    if link.kind == "curated" and link.review == "accepted" and not link.asserted_by:
        raise FrameworkError(
            "an accepted curated link needs 'asserted_by'", file=file, line=link.line, field="asserted_by"
        )
    for name, ref in (("from", link.source_ref), ("to", link.target_ref)):
        if not ref or not str(ref).strip():
            raise FrameworkError("empty node reference", file=file, line=link.line, field=name)


def split_ref(ref: str, default_framework: str | None = None) -> tuple[str, str]:
    """``'sdg:9.c'`` -> ``('sdg', '9.c')``; a bare code belongs to ``default_framework``."""
    ref = str(ref).strip()
    if ":" in ref:
        fw, code = ref.split(":", 1)
        if FRAMEWORK_ID_RE.match(fw):
            return fw, code.strip()
    if default_framework is None:
        raise ValueError(f"reference {ref!r} must be written framework:code (e.g. sdg:9.c)")
    return default_framework, ref
