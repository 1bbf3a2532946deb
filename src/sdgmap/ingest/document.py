"""The document model: what a reader understood of a file's layout, as blocks over its text.

Every reader produces one text (``ReadResult.text``, stored with the document); the model
is computed alongside it and never changes it. A ``Block`` is a span ``[start, end)`` of
that text with a kind:

* ``heading`` (``level``: 0 for a DOCX Title, 1-6 otherwise),
* ``paragraph`` (``role == "list_intro"`` when it ends with ":" and list items follow),
* ``list_item`` (``level`` from 0 = outermost, ``marker`` as written: "•", "1.", "a)", "(i)"),
* ``table`` (``rows``: per row, the spans of its cells),
* ``furniture`` (page numbers and running headers/footers, ``role`` says which); furniture
  is kept in the text and marked, never deleted.

Blocks are in reading order, never overlap, and together cover every non-blank character.
``Block.source`` names the signal that gave the kind, so a consumer can weigh it: "style"
and "numbering" (DOCX), "tag" (HTML), "markdown", "marker", "layout" (a guess from line
shapes), "page-number" and "repeat" (furniture).

How each format is read:

* DOCX: the reader records every body paragraph's span with its style (Heading N, Title,
  outline level, List Paragraph), its numbering level (``numPr/ilvl``) and the marker Word
  draws; a short paragraph whose runs are all bold becomes a heading too. Tables come from
  the reader as whole blocks.
* HTML: h1-h6, li (nesting gives the level), table from the parser's events.
* Text, Markdown and PDF: line rules. Markdown ATX and setext headings; list markers
  (-, *, +, •, o, Wingdings bullets, 1., 1), (1), a), (i), 2.1) with the level from the
  indentation and from a change of marker style; a continuation line that is not a new
  marker belongs to the previous item or paragraph. Hard-wrapped text (a PDF's lines, or a
  .txt extracted from one) is detected from its line lengths: when most lines reach a common
  width, a line that reaches it continues on the next line, and a short line ends its block.
  A short single-line block in title case, without closing punctuation, is a heading
  (source "layout", level 1 when in capitals, else 2; a numbered "2.1 Title" gets its depth).
* PDF furniture: the first and last two lines of each page, digits normalised, that repeat
  on at least three pages, and page-number lines ("12 / 382", "Page 3 of 9") at page edges.
  A text without pages (a .txt made from a PDF) gets the same treatment around its
  "N / M" page-number lines or form feeds.

What a PDF cannot tell here: pypdf's ``extract_text`` gives characters without fonts, so a
heading set in a larger or bold font is found only by its shape (short, title case, alone).
Font size and weight would need pypdf's layout visitor (``visitor_text``, which reports the
font dictionary and size per text run) or pdfplumber's ``chars``. Measured on the 2023
seed PDF (benchmarks/document_model.py): the visitor costs nothing over ``extract_text``
when run in the same pass (117 vs 134 ms for 16 pages), but that PDF sets every run in one
font at one size, so fonts would add nothing there; a reader pass collecting sizes per line
is the next step for typeset reports.

``DocumentModel.unwrapped(block)`` gives a block's text on one line: line breaks become
spaces, and a hyphen at a line break is dropped only when the document's own words say so
(the joined word occurs elsewhere more often than the hyphenated one, or neither half is a
word of the document): measured on the development documents, nearly every line-end
hyphen in Word-made PDFs is a real one ("evidence-based", "multi-stakeholder"). Words
split by stray extraction spaces ("Sust ainable") are rejoined only when neither fragment
occurs anywhere else in the document and the joined word does; that rule fired 55 times
on the development set, all in the two Word-made attachments and none in clean text, and
the joins were right by inspection.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

KINDS = ("heading", "paragraph", "list_item", "table", "furniture")


@dataclass
class Hint:
    """What a reader knows about a stretch of its own text (DOCX paragraph, HTML element).

    ``kind`` is one of ``KINDS``; ``marker`` is the list marker the reader put at the start
    of the span (Word's automatic number or bullet, the HTML list's "•" or "3."), and
    ``bold`` says that every run of the paragraph is bold.
    """

    kind: str
    start: int
    end: int
    level: int = 0
    marker: str = ""
    source: str = ""
    bold: bool = False


class _Readable(Protocol):
    text: str
    media_type: str
    pages: list[list[int]]
    hints: list[Hint]


@dataclass(eq=False)
class Block:
    kind: str
    start: int
    end: int
    level: int = 0
    marker: str = ""
    body_start: int = -1  # where the content starts, after a list marker or "#"s
    lines: list[tuple[int, int]] = field(default_factory=list)  # content line spans
    rows: list[list[tuple[int, int]]] = field(default_factory=list)  # tables: cell spans
    role: str = ""
    source: str = ""
    page: int | None = None
    continued: bool = False  # continues the previous content block across a page break
    index: int = -1
    doc: DocumentModel | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.body_start < 0:
            self.body_start = self.start

    @property
    def text(self) -> str:
        return self.doc.text[self.start:self.end] if self.doc else ""

    @property
    def body(self) -> str:
        """The block's text after its marker (list items) or "#"s (Markdown headings)."""
        return self.doc.text[max(self.start, self.body_start):self.end] if self.doc else ""


@dataclass
class OutlineNode:
    block: Block
    children: list[OutlineNode] = field(default_factory=list)


@dataclass
class Unwrapped:
    """A block's text on one line, with the stored-text offset of every character."""

    text: str
    offsets: list[int]

    def span(self, i: int, j: int) -> tuple[int, int]:
        """The stored-text span of ``text[i:j]`` (j > i)."""
        return self.offsets[i], self.offsets[j - 1] + 1


class DocumentModel:
    def __init__(self, text: str, blocks: list[Block], media_type: str = "",
                 pages: list[list[int]] | None = None) -> None:
        self.text = text
        self.media_type = media_type
        self.pages = pages or []
        self.blocks = sorted(blocks, key=lambda b: b.start)
        for i, b in enumerate(self.blocks):
            b.index, b.doc = i, self
        self._starts = [b.start for b in self.blocks]
        self._words: Counter | None = None
        self._hyphenated: Counter | None = None

    def __iter__(self):
        return iter(self.blocks)

    def __len__(self) -> int:
        return len(self.blocks)

    def of_kind(self, kind: str) -> list[Block]:
        return [b for b in self.blocks if b.kind == kind]

    def content(self) -> list[Block]:
        """Every block but page furniture."""
        return [b for b in self.blocks if b.kind != "furniture"]

    def counts(self) -> dict[str, int]:
        c = Counter(b.kind for b in self.blocks)
        return {k: c.get(k, 0) for k in KINDS}

    def block_at(self, offset: int) -> Block | None:
        i = bisect.bisect_right(self._starts, offset) - 1
        if i >= 0 and self.blocks[i].start <= offset < self.blocks[i].end:
            return self.blocks[i]
        return None

    def section_of(self, block: Block) -> list[Block]:
        """The headings that enclose ``block``, outermost first (a heading's own parents)."""
        chain: list[Block] = []
        limit = block.level if block.kind == "heading" else 10**6
        for b in reversed(self.blocks[:block.index]):
            if b.kind == "heading" and b.level < limit:
                chain.append(b)
                limit = b.level
        return chain[::-1]

    def outline(self) -> list[OutlineNode]:
        """The headings as a tree (a heading nests under the last heading of a lower level)."""
        roots: list[OutlineNode] = []
        stack: list[OutlineNode] = []
        for b in self.blocks:
            if b.kind != "heading":
                continue
            node = OutlineNode(b)
            while stack and stack[-1].block.level >= b.level:
                stack.pop()
            (stack[-1].children if stack else roots).append(node)
            stack.append(node)
        return roots

    # --- unwrapping ---------------------------------------------------------------------

    def _vocabulary(self) -> tuple[Counter, Counter]:
        if self._words is None:
            self._words = Counter(w.lower() for w in _WORD.findall(self.text))
            self._hyphenated = Counter(w.lower() for w in _HYPHENATED.findall(self.text))
        return self._words, self._hyphenated  # type: ignore[return-value]

    def unwrap(self, block: Block, *, respace: bool = True) -> Unwrapped:
        """``block``'s content on one line, with offsets back into the stored text."""
        text = self.text
        lines = block.lines or [(block.start, block.end)]
        chars: list[str] = []
        offsets: list[int] = []
        for n, (s, e) in enumerate(lines):
            if n == 0 and block.body_start > s:
                s = block.body_start
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if s >= e:
                continue
            if chars:
                if chars[-1] == "-" and len(chars) >= 2 and not chars[-2].isspace():
                    if self._drop_hyphen(chars, text, s, e):
                        chars.pop()
                        offsets.pop()
                else:
                    chars.append(" ")
                    offsets.append(offsets[-1] + 1)  # the line break it replaces
            chars.extend(text[s:e])
            offsets.extend(range(s, e))
        out = Unwrapped("".join(chars), offsets)
        return self._respace(out) if respace else out

    def unwrapped(self, block: Block, *, respace: bool = True) -> str:
        return self.unwrap(block, respace=respace).text

    def _drop_hyphen(self, chars: list[str], text: str, s: int, e: int) -> bool:
        """Whether "informa-" + "tion" is one word broken by the layout (not "e-" + "health")."""
        left = re.search(r"([^\W\d_]+)-$", "".join(chars[-40:]))
        right = _WORD.match(text, s, e)
        if not left or not right or not right.group()[0].islower():
            return False
        a, b = left.group(1).lower(), right.group().lower()
        if len(a) == 1:
            return False  # e-, x-, m-: prefixes, not syllables
        words, hyphenated = self._vocabulary()
        joined, hyph = words[a + b], hyphenated[f"{a}-{b}"]
        if joined or hyph:
            return joined > hyph
        return words[a] <= 1 and words[b] <= 1  # neither half is a word of this document

    def _respace(self, u: Unwrapped) -> Unwrapped:
        """Rejoin "Sust ainable": neither fragment is a word elsewhere, the joined word is."""
        words, _ = self._vocabulary()
        drop: set[int] = set()
        prev = None
        for m in _WORD.finditer(u.text):
            if prev is not None and m.start() == prev.end() + 1 and u.text[prev.end()] == " ":
                a, b = prev.group().lower(), m.group().lower()
                if words[a] <= 1 and words[b] <= 1 and words[a + b] >= 1:
                    drop.add(prev.end())
            prev = m
        if not drop:
            return u
        keep = [i for i in range(len(u.text)) if i not in drop]
        return Unwrapped("".join(u.text[i] for i in keep), [u.offsets[i] for i in keep])


_WORD = re.compile(r"[^\W\d_]+")
_HYPHENATED = re.compile(r"[^\W\d_]+-[^\W\d_]+")


# --- building ----------------------------------------------------------------------------

def build_model(result: _Readable) -> DocumentModel:
    """The model of a read file: from the reader's hints (DOCX, HTML) or from line rules."""
    text = result.text
    pages = list(getattr(result, "pages", []) or [])
    hints = list(getattr(result, "hints", []) or [])
    blocks: list[Block] = []
    if hints:
        blocks = _from_hints(text, hints)
    else:
        furniture, zones_pages = _furniture(text, pages)
        width = _wrap_width(text, furniture)
        regions = [(s, e, n) for n, s, e in zones_pages] if zones_pages else [(0, len(text), None)]
        for s, e, page in regions:
            blocks.extend(_from_lines(text, s, e, page=page, width=width, furniture=furniture))
        _mark_continued(text, blocks)
    _mark_list_intros(text, blocks)
    return DocumentModel(text, blocks, getattr(result, "media_type", ""), pages)


def _mark_list_intros(text: str, blocks: list[Block]) -> None:
    """A paragraph ending with ":" right before a list item introduces the list."""
    content = [b for b in blocks if b.kind != "furniture"]
    for b, nxt in zip(content, content[1:], strict=False):
        if b.kind == "paragraph" and nxt.kind == "list_item" and text[b.end - 1] == ":":
            b.role = "list_intro"


def build_text_model(text: str, media_type: str = "text/plain",
                     pages: list[list[int]] | None = None) -> DocumentModel:
    """The model of a bare text (and optional ``[page, start, end]`` pages)."""
    return build_model(_Bare(text, media_type, pages or [], []))


@dataclass
class _Bare:
    text: str
    media_type: str
    pages: list[list[int]]
    hints: list[Hint]


# --- lines -------------------------------------------------------------------------------

_MARKER = re.compile(
    r"(?P<m>"
    r"(?P<bullet>[-*+•◦▪▫■□●○‣⁃–►▸➢➤✓✔→·\uf0a7\uf0b7\uf0d8\uf076\uf0fc\uf02d\uf0a8]|o(?=[ \t]+[A-Z(\"“]))"
    r"|(?P<multi>\d{1,2}(?:\.\d{1,2})+\.?(?=[ \t]+[A-Z]))"
    r"|(?P<num>\(?\d{1,3}[.)])"
    r"|(?P<roman>\(?(?:[ivx]{1,5}|[IVX]{1,5})[.)])"
    r"|(?P<alpha>\(?[a-zA-Z][.)])"
    r")[ \t]+(?=\S)")
_ATX = re.compile(r"(#{1,6})[ \t]+(?=\S)")
_SETEXT = re.compile(r"(=+|-+)[ \t]*")
_PAGE_NUMBER = re.compile(r"(?i)(?:page[ \t]+)?(\d{1,4})[ \t]*(?:/|of)[ \t]*(\d{1,4})")
_BARE_NUMBER = re.compile(r"[-–]?[ \t]*\d{1,3}[ \t]*[-–]?")
_TERMINAL = tuple(".!?;")
_INFERRED_LEVEL = 2
_NOT_HEADING = re.compile("\\d:\\d\\d|\t|\u00a0[ \u00a0]|[ \u00a0]\u00a0| {3}|[a-z)]\u00a0[A-Z]")


def _line_spans(text: str, start: int, end: int) -> list[tuple[int, int, int, int]]:
    """(line start, line end, content start, content end) for each line of text[start:end]."""
    out = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        le = end if nl < 0 else nl
        s, e = pos, le
        while s < e and text[s] in " \t\f\v\u00a0":
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        out.append((pos, le, s, e))
        pos = le + 1
    return out


def _furniture_keys(line: str) -> set[str]:
    """The line as it repeats: itself, and with its numbers as "#" when it has words enough
    ("Annual report 2019, page 7"); "Q6" and "Q12" are different lines, not one header."""
    exact = " ".join(line.split()).lower()
    keys = {exact}
    if sum(c.isalpha() for c in exact) >= 8:
        keys.add(re.sub(r"\d+", "#", exact))
    return keys


def _furniture(text: str, pages: list[list[int]]):
    """Furniture line spans -> role, and the page regions to build within."""
    furniture: dict[tuple[int, int], str] = {}
    zones: list[list[tuple[int, int, int, int]]] = []  # lines at the edges of a page
    regions = [(n, s, e) for n, s, e in pages if e > s]
    if not regions and "\f" in text:
        pos = 0
        for n, part in enumerate(text.split("\f"), start=1):
            regions.append((n, pos, pos + len(part)))
            pos += len(part) + 1
    if regions:
        for _, s, e in regions:
            lines = [ln for ln in _line_spans(text, s, e) if ln[3] > ln[2]]
            top = lines[:2]
            bottom = [ln for ln in lines[-2:] if ln not in top]
            zones.append([(ln, "running_header") for ln in top] + [(ln, "running_footer") for ln in bottom])
            for ln in lines[:1] + lines[-1:]:
                body = text[ln[2]:ln[3]]
                if _PAGE_NUMBER.fullmatch(body) or _BARE_NUMBER.fullmatch(body):
                    furniture[(ln[2], ln[3])] = "page_number"
    else:
        lines = [ln for ln in _line_spans(text, 0, len(text)) if ln[3] > ln[2]]
        numbered = [(i, _PAGE_NUMBER.fullmatch(text[ln[2]:ln[3]])) for i, ln in enumerate(lines)]
        numbered = [(i, m) for i, m in numbered if m]
        totals = Counter(m.group(2) for _, m in numbered)
        for i, m in numbered:
            if totals[m.group(2)] >= 2:  # "12 / 382" twice or more: a paginated export
                ln = lines[i]
                furniture[(ln[2], ln[3])] = "page_number"
                zones.append([(z, "running") for z in lines[max(0, i - 2):i] + lines[i + 1:i + 3]])
    seen: Counter = Counter()
    for zone in zones:
        for key in {k for ln, _ in zone for k in _furniture_keys(text[ln[2]:ln[3]])}:
            seen[key] += 1
    if len(zones) >= 3:
        threshold = max(3, 0.3 * len(zones))
        for zone in zones:
            for ln, role in zone:
                if (ln[2], ln[3]) not in furniture and \
                        any(seen[k] >= threshold for k in _furniture_keys(text[ln[2]:ln[3]])):
                    furniture[(ln[2], ln[3])] = role
    return furniture, regions


def _wrap_width(text: str, furniture: dict) -> int:
    """The width most lines reach when the text is hard-wrapped (a PDF's lines), else 0.

    Measured on the development documents: text extracted from PDFs has a 90th-percentile
    line length of 80-135 characters with 30-75 % of lines within 80 % of it; text with one
    paragraph a line has a 90th percentile of 270-580 and 13-23 % of lines near it.
    """
    lengths = sorted(ln[3] - ln[2] for ln in _line_spans(text, 0, len(text))
                     if ln[3] > ln[2] and (ln[2], ln[3]) not in furniture)
    if len(lengths) < 5:
        return 0
    w = lengths[int(len(lengths) * 0.9)]
    near = sum(1 for n in lengths if n >= 0.8 * w) / len(lengths)
    return w if 30 <= w <= 200 and near >= 0.3 else 0


def _starts_lower(s: str) -> bool:
    return bool(s) and s[0].isalpha() and s[0].islower()


def _heading_like(s: str) -> bool:
    """A short line in title case or capitals, without closing punctuation.

    Not a time stamp ("9:07:14 AM") nor a label and its value set apart by a tab or a
    run of spaces (a form's row: "Event Name   Forum 2024").
    """
    if not s or len(s) > 100 or s[-1] in ".,;:!?" or not s[0].isupper() and not s[0].isdigit():
        return False
    words = s.split()
    if len(words) > 14 or not any(c.isalpha() for c in s) or _NOT_HEADING.search(s):
        return False
    letters = [c for c in s if c.isalpha()]
    if len(letters) >= 4 and all(c.isupper() for c in letters):
        return True
    significant = [w for w in words if len(w) >= 4 and w[0].isalpha()]
    if not significant:
        return False
    return sum(1 for w in significant if w[0].isupper()) >= 0.6 * len(significant)


def _ordinal(kind: str, marker: str) -> int | None:
    m = marker.strip("().")
    if kind == "num" and m.isdigit():
        return int(m)
    if kind == "alpha" and len(m) == 1:
        return ord(m.lower()) - ord("a") + 1
    if kind == "roman":
        values = {"i": 1, "v": 5, "x": 10}
        total = 0
        for a, b in zip(m.lower(), m.lower()[1:] + " ", strict=False):
            v = values.get(a, 0)
            total += -v if values.get(b, 0) > v else v
        return total
    return None


def _marker_class(kind: str, marker: str) -> str:
    m = marker.strip("()")
    if kind == "bullet":
        return "bullet" + marker
    shape = ("(" if marker.startswith("(") else "") + marker[-1]
    if kind == "roman":
        return ("roman-lower" if m[0].islower() else "roman-upper") + shape
    if kind == "alpha":
        return ("alpha-lower" if m[0].islower() else "alpha-upper") + shape
    return kind + shape


class _Builder:
    """The line machine for one region of text (a page, or a gap between reader hints)."""

    def __init__(self, text: str, *, page: int | None, width: int, furniture: dict, hard_breaks: bool):
        self.text = text
        self.page = page
        self.width = width
        self.furniture = furniture
        self.hard = hard_breaks
        self.blocks: list[Block] = []
        self.cur: Block | None = None
        self.cur_indent = 0
        self.list_stack: list[tuple[int, str]] = []  # (indent, marker class)
        # marker class -> (last number, the list stack then): "2." after "1." and a nested
        # list returns to the level of "1." even without indentation (PDF text has none)
        self.sequence: dict[str, tuple[int, list[tuple[int, str]]]] = {}

    def full(self, ln) -> bool:
        if not self.width:
            return False
        n = ln[3] - ln[2]
        if self.text[ln[3] - 1] in _TERMINAL:
            return n >= 0.93 * self.width  # a sentence that ends short of the margin ends the block
        return n >= 0.8 * self.width

    def close(self) -> None:
        b = self.cur
        self.cur = None
        if b is None:
            return
        b.end = b.lines[-1][1]
        after = self.last_content()
        after_label = after is not None and after.kind == "paragraph" and self.text[after.end - 1] == ":"
        if b.kind == "paragraph" and len(b.lines) == 1 and not self.hard and not after_label:
            s, e = b.lines[0]
            line = self.text[s:e]
            if _heading_like(line) and line[0].isalpha():
                b.kind, b.source = "heading", "layout"
                letters = [c for c in line if c.isalpha()]
                b.level = 1 if all(c.isupper() for c in letters) else _INFERRED_LEVEL
        if b.kind == "list_item" and b.marker and re.fullmatch(r"\d{1,2}(?:\.\d{1,2})+\.?", b.marker) \
                and len(b.lines) == 1 and _heading_like(self.text[b.body_start:b.end]):
            b.kind, b.source = "heading", "marker"  # "2.1 Coordination": a numbered heading
            b.level = b.marker.rstrip(".").count(".") + 1
        self.blocks.append(b)

    def emit(self, block: Block) -> None:
        self.close()
        self.blocks.append(block)

    def last_content(self) -> Block | None:
        for b in reversed(self.blocks):
            if b.kind != "furniture":
                return b
        return None

    def continues(self, prev, ln, blank: bool) -> bool:
        if self.hard or self.cur is None or self.cur.kind not in ("paragraph", "list_item"):
            return False
        pt = self.text[prev[2]:prev[3]]
        nt = self.text[ln[2]:ln[3]]
        if blank:  # PDF exports put whitespace-only lines between wrapped lines
            return self.full(prev) and pt[-1] not in _TERMINAL and _starts_lower(nt)
        if self.cur.kind == "list_item" and ln[2] - ln[0] > 0 and ln[2] - ln[0] >= self.cur_indent:
            return True  # indented under the item's text: a Markdown continuation
        if pt[-1] in "-–,":
            return True  # a broken word, a dash or a comma: the sentence runs on
        return _starts_lower(nt) or self.full(prev)

    def level_for(self, indent: int, cls: str) -> int:
        stack = self.list_stack
        while stack and indent < stack[-1][0]:
            stack.pop()
        if stack and indent == stack[-1][0]:
            if cls != stack[-1][1]:
                same = [i for i, (ind, c) in enumerate(stack) if ind == indent and c == cls]
                if same:
                    del stack[same[-1] + 1:]
                else:
                    stack.append((indent, cls))
        else:
            stack.append((indent, cls))
        return len(stack) - 1

    def run(self, start: int, end: int) -> list[Block]:
        text = self.text
        lines = _line_spans(text, start, end)
        prev = None
        blank = False
        i = 0
        while i < len(lines):
            ln = lines[i]
            i += 1
            if ln[3] <= ln[2]:
                blank = True
                continue
            body = text[ln[2]:ln[3]]
            role = self.furniture.get((ln[2], ln[3]))
            if role:
                self.emit(Block("furniture", ln[2], ln[3], lines=[(ln[2], ln[3])], role=role,
                                source="page-number" if role == "page_number" else "repeat", page=self.page))
                blank, prev = False, None
                continue
            table = self._table_run(lines, i - 1)
            if table:
                self.emit(table[0])
                i = table[1]
                self.list_stack.clear()
                blank, prev = False, None
                continue
            if self.cur is not None and self.cur.kind == "paragraph" and len(self.cur.lines) == 1 \
                    and not blank and _SETEXT.fullmatch(body) and self.cur.source != "markdown":
                self.cur.kind, self.cur.source = "heading", "markdown"
                self.cur.level = 1 if body[0] == "=" else 2
                b = self.cur
                self.cur = None
                b.end = ln[3]
                self.blocks.append(b)
                blank, prev = False, None
                continue
            atx = _ATX.match(body)
            marker = None if atx else _MARKER.match(body)
            if marker and marker.group("bullet") == "-" and _SETEXT.fullmatch(body):
                marker = None
            if atx:
                self.emit(Block("heading", ln[2], ln[3], level=len(atx.group(1)), marker="",
                                body_start=ln[2] + atx.end(), lines=[(ln[2], ln[3])], source="markdown",
                                page=self.page))
                self.list_stack.clear()
            elif marker:
                self.close()
                kind = next(k for k in ("bullet", "multi", "num", "roman", "alpha") if marker.group(k))
                mk = marker.group("m")
                cls = _marker_class(kind, mk)
                if kind == "roman" and len(mk.strip("().")) == 1 and any(c.startswith("alpha-lower")
                                                                         for _, c in self.list_stack):
                    cls = _marker_class("alpha", mk)
                indent = ln[2] - ln[0]
                if not self.list_stack:
                    intro = self.last_content()
                    if intro is not None and intro.kind == "paragraph" and intro.end <= ln[2] \
                            and text[intro.end - 1] == ":":
                        intro.role = "list_intro"
                value = _ordinal(kind, mk)
                seen = self.sequence.get(cls)
                if value is not None and seen is not None and seen[0] == value - 1:
                    self.list_stack[:] = seen[1][:-1]
                level = self.level_for(indent, cls)
                if value is not None:
                    self.sequence[cls] = (value, list(self.list_stack))
                self.cur = Block("list_item", ln[2], ln[3], level=level, marker=mk,
                                 body_start=ln[2] + marker.end(), lines=[(ln[2], ln[3])], source="marker",
                                 page=self.page)
                self.cur_indent = indent + marker.end()
            elif prev is not None and self.continues(prev, ln, blank):
                assert self.cur is not None
                self.cur.lines.append((ln[2], ln[3]))
            else:
                self.close()
                self.list_stack.clear()
                self.cur = Block("paragraph", ln[2], ln[3], lines=[(ln[2], ln[3])],
                                 source="layout" if self.width else "text", page=self.page)
            if atx:
                prev = None
            else:
                prev = ln
            blank = False
        self.close()
        for b in self.blocks:
            if b.body_start < 0:
                b.body_start = b.start
        _demote_orphans(self.text, self.blocks)
        return self.blocks

    def _table_run(self, lines, i):
        """A run of two or more tab-separated or Markdown pipe lines: (table block, next index)."""
        def cells(ln):
            body = self.text[ln[2]:ln[3]]
            if body.startswith("|") and body.endswith("|") and len(body) > 2:
                return "|"
            if "\t" in body:
                return "\t"
            return None
        sep = cells(lines[i])
        if sep is None:
            return None
        j = i
        while j < len(lines) and lines[j][3] > lines[j][2] and cells(lines[j]) == sep \
                and (lines[j][2], lines[j][3]) not in self.furniture:
            j += 1
        if j - i < 2:
            return None
        rows = []
        for ln in lines[i:j]:
            body = self.text[ln[2]:ln[3]]
            if sep == "|" and re.fullmatch(r"[|:\- \t]+", body):
                continue  # the |---|---| rule under a Markdown header row
            rows.append(_split_cells(self.text, ln[2], ln[3], sep))
        block = Block("table", lines[i][2], lines[j - 1][3], rows=rows, source="text",
                      lines=[(ln[2], ln[3]) for ln in lines[i:j]], page=self.page)
        return block, j


def _demote_orphans(text: str, blocks: list[Block]) -> None:
    """A layout heading needs a body: one followed by another short line (a form's label and
    its value, "Language(s)" then "English") or by a heading of its own rank is text."""
    following: Block | None = None
    for b in reversed(blocks):
        if b.kind == "furniture":
            continue
        if b.kind == "heading" and b.source == "layout":
            short_next = following is None or (
                following.kind == "paragraph" and len(following.lines) == 1
                and following.end - following.start < 60) or (
                following.kind == "heading" and following.level <= b.level)
            if short_next:
                b.kind, b.level, b.source = "paragraph", 0, "text"
        following = b


def _split_cells(text: str, s: int, e: int, sep: str) -> list[tuple[int, int]]:
    out = []
    pos = s
    if sep == "|":
        pos += 1
        e -= 1
    while pos <= e:
        nxt = text.find(sep, pos, e)
        ce = e if nxt < 0 else nxt
        a, b = pos, ce
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        out.append((a, b))
        if nxt < 0:
            break
        pos = nxt + 1
    return out


def _from_lines(text: str, start: int, end: int, *, page: int | None = None, width: int = 0,
                furniture: dict | None = None, hard_breaks: bool = False) -> list[Block]:
    return _Builder(text, page=page, width=width, furniture=furniture or {}, hard_breaks=hard_breaks).run(start, end)


def _mark_continued(text: str, blocks: list[Block]) -> None:
    """A paragraph or item cut by a page break or furniture, whose text runs on after it."""
    last: Block | None = None
    broken = False
    for b in blocks:
        if b.kind == "furniture" or (last is not None and b.page != last.page):
            broken = True
        if b.kind == "furniture":
            continue
        if broken and last is not None and b.kind == "paragraph" and last.kind in ("paragraph", "list_item"):
            tail = text[last.end - 1]
            if tail not in _TERMINAL and tail != ":" and _starts_lower(text[b.start:b.start + 1]):
                b.continued = True
        last, broken = b, False


# --- reader hints (DOCX, HTML) -------------------------------------------------------------

def _from_hints(text: str, hints: list[Hint]) -> list[Block]:
    hints = sorted((h for h in hints if h.end > h.start), key=lambda h: (h.start, -h.end))
    blocks: list[Block] = []
    pos = 0
    for n, h in enumerate(hints):
        s = max(h.start, pos)
        e = h.end
        if n + 1 < len(hints):
            e = min(e, max(hints[n + 1].start, s))  # an outer <li> ends where its nested list starts
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s >= e:
            continue
        if s > pos:
            blocks.extend(_from_lines(text, pos, s, hard_breaks=True))
        blocks.extend(_hint_blocks(text, h, s, e))
        pos = e
    if pos < len(text):
        blocks.extend(_from_lines(text, pos, len(text), hard_breaks=True))
    return blocks


def _hint_blocks(text: str, h: Hint, s: int, e: int) -> list[Block]:
    lines = [(ln[2], ln[3]) for ln in _line_spans(text, s, e) if ln[3] > ln[2]]
    if h.kind == "table":
        return [Block("table", s, e, rows=_table_rows(text, s, e), lines=lines, source=h.source or "tag")]
    if h.kind == "heading":
        return [Block("heading", s, e, level=h.level, lines=lines, body_start=s, source=h.source or "tag")]
    if h.kind == "list_item":
        marker = h.marker.strip()
        body = s
        if marker and text.startswith(marker, s):
            body = s + len(marker)
            while body < e and text[body] in " \t":
                body += 1
        return [Block("list_item", s, e, level=h.level, marker=marker, body_start=body, lines=lines,
                      source=h.source or "tag")]
    # A plain paragraph: typed markers still make a list item, a short bold line a heading.
    sub = _from_lines(text, s, e, hard_breaks=True)
    if len(sub) == 1 and sub[0].kind == "heading" and sub[0].source == "layout" and not h.bold:
        sub[0].kind, sub[0].level = "paragraph", 0  # without bold, a DOCX/HTML line is text
    if len(sub) == 1 and sub[0].kind == "paragraph" and h.bold and _heading_like(text[s:e]):
        sub[0].kind, sub[0].level, sub[0].source = "heading", _INFERRED_LEVEL, "bold"
    if len(sub) > 1 and not any(b.kind == "list_item" for b in sub):
        # a paragraph with line breaks inside (Shift+Enter) stays one paragraph
        return [Block("paragraph", s, e, lines=lines, body_start=s, source=h.source or "style")]
    for b in sub:
        if b.source in ("text", "layout") and b.kind == "paragraph":
            b.source = h.source or "style"
    return sub


def _table_rows(text: str, s: int, e: int) -> list[list[tuple[int, int]]]:
    """Rows of a table the reader rendered: tab-separated lines, or "Header: value" records."""
    body = text[s:e]
    if "\n\n" in body or ("\t" not in body and ": " in body):
        rows = []
        for rec in re.finditer(r"(?s)(?:[^\n]|\n(?!\n))+", body):
            cells = [(s + rec.start() + m.start(), s + rec.start() + m.end())
                     for m in re.finditer(r"[^\n]+", rec.group())]
            rows.append(cells)
        return rows
    return [_split_cells(text, ln[2], ln[3], "\t") for ln in _line_spans(text, s, e) if ln[3] > ln[2]]
