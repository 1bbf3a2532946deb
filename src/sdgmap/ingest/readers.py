"""Readers: bytes of a .txt, .md, .docx, .pdf or .html file -> one text with stable offsets.

Every span stored later (activity sources, link evidence, mentions) is an offset into
``ReadResult.text``, which is stored with the document, so spans stay valid whatever the
original format. PDFs also get ``pages`` (``[page_no, start, end]``) so a span can be shown
with its page. ``ReadResult.model`` is the document model (``sdgmap.ingest.document``):
blocks with kinds and spans into that same text, built from what the reader saw (DOCX
styles and numbering, HTML tags: recorded as ``hints`` while the text is written) or from
line rules (text, Markdown, PDF). Tables (DOCX, HTML) become lines the structure extractor understands: a table
whose first row is a header becomes one ``Header: value`` block per row; other tables become
one line per row with cells separated by tabs.

Errors are ``IngestError`` subclasses naming the file and the reason.
"""

from __future__ import annotations

import bisect
import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property
from html.parser import HTMLParser
from pathlib import PurePath

from sdgmap.ingest.document import DocumentModel, Hint, build_model
from sdgmap.ingest.errors import (
    BinaryFileError,
    CorruptFileError,
    EmptyFileError,
    EncodingError,
    EncryptedPDFError,
    FileTooLargeError,
    NoTextError,
    UnsupportedFormatError,
)

MEDIA_TYPES = {
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".html": "text/html",
    ".htm": "text/html",
}
DEFAULT_MAX_BYTES = 50 * 1024 * 1024
# A .docx is a zip: what it inflates to is capped before python-docx (which loads every part)
# sees it. Text and markup inflate 5-20x and images hardly at all, so a real report within
# the 50 MB file limit stays far below these; a zip bomb (1 MB -> 1 GB) does not.
DOCX_MAX_PART = 128 * 1024 * 1024
DOCX_MAX_TOTAL = 200 * 1024 * 1024
DOCX_MAX_PARTS = 5_000
_INFLATE_CHUNK = 1024 * 1024


@dataclass
class ReadResult:
    text: str
    media_type: str
    pages: list[list[int]] = field(default_factory=list)  # [[page_no, start, end], ...]
    title: str = ""
    hints: list[Hint] = field(default_factory=list, repr=False)  # structure the reader saw

    @cached_property
    def model(self) -> DocumentModel:
        """The document model over ``text`` (built on first use; the text is not changed)."""
        return build_model(self)


def sniff_suffix(filename: str, data: bytes) -> str:
    """The format to read: the file's extension, or its magic bytes when the extension is unknown."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in MEDIA_TYPES or suffix not in ("", ".text"):
        return suffix
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF"):
        return ".pdf"
    if head.startswith(b"PK\x03\x04"):
        return ".docx"
    if head[:15].lower().startswith((b"<!doctype html", b"<html")):
        return ".html"
    if suffix in ("", ".text"):
        return ".txt"
    return suffix  # another extension (.xlsx, .odt...): refused, whatever its bytes look like


def read_bytes(filename: str, data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ReadResult:
    """Read one file's bytes; raise an ``IngestError`` naming ``filename`` if it cannot be read."""
    if len(data) > max_bytes:
        raise FileTooLargeError(filename, f"{size_text(len(data))}, the limit is {size_text(max_bytes)}")
    if not data.strip():
        raise EmptyFileError(filename)
    suffix = sniff_suffix(filename, data)
    if suffix not in MEDIA_TYPES:
        raise UnsupportedFormatError(filename, f"'{suffix}'")
    reader = {".pdf": _read_pdf, ".docx": _read_docx, ".html": _read_html, ".htm": _read_html}.get(
        suffix, _read_text)
    result = reader(filename, data)
    result.media_type = MEDIA_TYPES[suffix]
    if not result.text.strip():
        if suffix == ".pdf":
            raise NoTextError(filename)
        raise EmptyFileError(filename)
    return result


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} bytes"


def normalise(text: str) -> str:
    """Unix line ends, no NULs, no lone surrogates: the one text all offsets refer to.

    PostgreSQL refuses NUL characters and UTF-8 cannot encode a lone surrogate (which a
    broken PDF font map can produce); each surrogate becomes one "?" so lengths hold.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join("?" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


# --- plain text and Markdown -----------------------------------------------------------------

def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return controls > len(sample) * 0.05


def decode_text(filename: str, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise EncodingError(filename, f"broken UTF-16 at byte {exc.start}") from None
    if _looks_binary(data):
        raise BinaryFileError(filename)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise EncodingError(
            filename, f"byte 0x{data[exc.start]:02x} on line {line} is not UTF-8; the file may be "
            "in Latin-1 or Windows-1252") from None


def _read_text(filename: str, data: bytes) -> ReadResult:
    return ReadResult(normalise(decode_text(filename, data)), "text/plain")


# --- tables (shared by DOCX and HTML) --------------------------------------------------------

def render_table(rows: list[list[str]]) -> str:
    rows = [[re.sub(r"\s*\n\s*", " ", c).strip() for c in _dedupe_merged(r)] for r in rows]
    rows = [r for r in rows if any(r)]
    if not rows:
        return ""
    header = rows[0]
    width = max(len(r) for r in rows)
    is_header = len(rows) > 1 and width >= 3 and all(header) and len(header) == width and all(
        len(c) < 60 for c in header)
    if is_header:
        blocks = []
        for r in rows[1:]:
            blocks.append("\n".join(f"{h}: {v}" for h, v in zip(header, r, strict=False) if v))
        return "\n\n".join(blocks)
    return "\n".join("\t".join(r) for r in rows)


def _dedupe_merged(cells: list[str]) -> list[str]:
    """Merged cells repeat their text in every grid cell they span; keep one."""
    out: list[str] = []
    for c in cells:
        if out and c == out[-1] and c:
            continue
        out.append(c)
    return out


# --- DOCX ------------------------------------------------------------------------------------

def check_docx_package(filename: str, data: bytes, *, max_part: int = DOCX_MAX_PART,
                       max_total: int = DOCX_MAX_TOTAL, max_parts: int = DOCX_MAX_PARTS) -> None:
    """Refuse a .docx whose parts inflate past the caps, before any part is read whole.

    The sizes the zip declares are checked first (a zip bomb is refused at once); then every
    part is inflated in 1 MB chunks that are counted and dropped, so a package whose headers
    lie is refused too, and memory stays at one chunk while checking.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > max_parts:
                raise FileTooLargeError(filename, f"{len(infos):,} parts in the package, at most "
                                                  f"{max_parts:,} are read")
            declared = 0
            for info in infos:
                declared += info.file_size
                if info.file_size > max_part or declared > max_total:
                    raise FileTooLargeError(filename, _inflate_detail(info.filename, info.file_size, declared,
                                                                      max_part, max_total))
            total = 0
            for info in infos:
                size = 0
                with zf.open(info) as part:
                    while chunk := part.read(_INFLATE_CHUNK):
                        size += len(chunk)
                        total += len(chunk)
                        if size > max_part or total > max_total:
                            raise FileTooLargeError(filename, _inflate_detail(info.filename, size, total,
                                                                              max_part, max_total))
    except FileTooLargeError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError,
            RuntimeError, ValueError, zlib.error) as exc:
        raise CorruptFileError(filename, f"not a valid .docx: {exc}") from None


def _inflate_detail(part: str, size: int, total: int, max_part: int, max_total: int) -> str:
    if size > max_part:
        return f"part {part[:100]} inflates to more than {size_text(max_part)}"
    return f"the package inflates to more than {size_text(max_total)} (at part {part[:100]})"


def _read_docx(filename: str, data: bytes) -> ReadResult:
    check_docx_package(filename, data)
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
    except MemoryError:
        raise  # the caller's memory budget, not a broken file
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise CorruptFileError(filename, f"not a valid .docx: {exc}") from None
    except Exception as exc:  # lxml and python-docx raise many kinds on broken packages
        raise CorruptFileError(filename, f"not a valid .docx: {type(exc).__name__}") from None
    parts: list[str] = []
    marks: list[tuple[int, Hint]] = []  # (index in parts, hint with offsets into that part)
    numbering = _ListNumbering(document)
    styles = _DocxStyles(document)
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            para = Paragraph(child, document)
            prefix = numbering.prefix(para)
            text = para.text
            parts.append(prefix + text)
            if text.strip() or prefix.strip():
                marks.append((len(parts) - 1, styles.hint(child, prefix, numbering.last, len(prefix + text))))
        elif tag == "tbl":
            table = Table(child, document)
            rows = [[cell.text for cell in row.cells] for row in table.rows]
            parts.append("")
            parts.append(render_table(rows))
            marks.append((len(parts) - 1, Hint("table", 0, len(parts[-1]), source="tag")))
            parts.append("")
    title = (document.core_properties.title or "").strip()
    text = normalise("\n".join(parts))
    return ReadResult(text, "", title=title, hints=_place_hints(parts, marks, text))


def _place_hints(parts: list[str], marks: list[tuple[int, Hint]], text: str) -> list[Hint]:
    """Move each part's hint to its offset in the joined text (none if normalising moved them)."""
    starts = []
    pos = 0
    normalised = []
    for part in parts:
        starts.append(pos)
        part = normalise(part)
        normalised.append(part)
        pos += len(part) + 1
    if "\n".join(normalised) != text:  # a CR or NUL at a part's edge: offsets would drift
        return []
    hints = []
    for index, hint in marks:
        base, size = starts[index], len(normalised[index])
        hint.start, hint.end = base + min(hint.start, size), base + min(hint.end, size)
        hints.append(hint)
    return hints


_HEADING_STYLE = re.compile(r"(?i)heading\s*([1-9])")


class _DocxStyles:
    """Style name and outline level of a paragraph, cached by style id (lookups are slow)."""

    def __init__(self, document) -> None:
        self.document = document
        self.by_id: dict[str | None, tuple[str, int | None]] = {}

    def _style(self, style_id: str | None) -> tuple[str, int | None]:
        if style_id not in self.by_id:
            name, outline = "", None
            try:
                style = self.document.styles.element.get_by_id(style_id) if style_id else None
                style = style if style is not None else self.document.styles.element.default_for("paragraph")
                while style is not None and outline is None:
                    name = name or (style.name_val or "")
                    lvl = style.xpath("./w:pPr/w:outlineLvl/@w:val")
                    outline = int(lvl[0]) if lvl else None
                    based = style.basedOn_val
                    style = self.document.styles.element.get_by_id(based) if based else None
            except (AttributeError, ValueError, TypeError):
                pass
            self.by_id[style_id] = (name, outline)
        return self.by_id[style_id]

    def hint(self, p, prefix: str, number: tuple[str, int] | None, size: int) -> Hint:
        ppr = p.pPr
        name, outline = self._style(ppr.style if ppr is not None else None)
        own = ppr.find(_W + "outlineLvl") if ppr is not None else None
        if own is not None:
            try:
                outline = int(own.get(_W + "val"))
            except (ValueError, TypeError):
                pass
        heading = _HEADING_STYLE.fullmatch(name.strip())
        if name.strip().lower() == "title":
            return Hint("heading", 0, size, level=0, source="style")
        if heading:
            return Hint("heading", 0, size, level=int(heading.group(1)), source="style")
        if outline is not None and 0 <= outline < 9:
            return Hint("heading", 0, size, level=outline + 1, source="style")
        if number is not None and number[0] != "0":
            return Hint("list_item", 0, size, level=number[1], marker=prefix.strip(), source="numbering")
        if name.strip().lower() == "list paragraph":
            return Hint("list_item", 0, size, level=0, marker="", source="style")
        return Hint("paragraph", 0, size, source="style", bold=_all_bold(p))


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _all_bold(p) -> bool:
    """Every run with text is bold by its own formatting (a heading typed as a bold line)."""
    seen = False
    for r in p.iterchildren(_W + "r"):
        if r.find(_W + "t") is None:
            continue
        rpr = r.find(_W + "rPr")
        b = rpr.find(_W + "b") if rpr is not None else None
        if b is None or b.get(_W + "val") in ("0", "false"):
            return False
        seen = True
    return seen


class _ListNumbering:
    """Word's automatic list numbers and bullets are not in the paragraph text; put them back.

    Numbered questions ("3. In the past year ...") delimit questionnaire sections and bullets
    introduce initiative lists, so a document whose numbers Word generates must read like one
    where they are typed.
    """

    def __init__(self, document) -> None:
        self.counters: dict[tuple[str, int], int] = {}
        self.formats: dict[tuple[str, int], str] = {}
        # (numId, level) by paragraph style id: ``para.style`` asks the styles part (0.5-1 ms a
        # paragraph: 62 s for 4 MB of tiny paragraphs), and a style's numbering never changes.
        self.by_style: dict[str | None, tuple[str, int] | None] = {}
        self.last: tuple[str, int] | None = None  # (numId, level) of the last paragraph seen
        try:
            self.root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            self.root = None

    @staticmethod
    def _resolve(num_pr) -> tuple[str, int] | None:
        if num_pr is None or num_pr.numId is None:
            return None
        return str(num_pr.numId.val), int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0

    def _number(self, para) -> tuple[str, int] | None:
        """(numId, level) of a list paragraph, from its own properties or its style."""
        ppr = para._p.pPr
        if ppr is not None and ppr.numPr is not None:
            return self._resolve(ppr.numPr)
        style_id = ppr.style if ppr is not None else None
        if style_id not in self.by_style:
            try:
                self.by_style[style_id] = self._resolve(self._style_num_pr(para.style))
            except (AttributeError, ValueError, TypeError):
                self.by_style[style_id] = None
        return self.by_style[style_id]

    @staticmethod
    def _style_num_pr(style):
        while style is not None:  # numbering may come from the paragraph style or its base
            sp = style.element.pPr
            if sp is not None and sp.numPr is not None:
                return sp.numPr
            style = style.base_style
        return None

    def _format(self, num_id: str, level: int) -> str:
        key = (num_id, level)
        if key not in self.formats:
            fmt = "decimal"
            try:
                abstract = self.root.xpath(f'./w:num[@w:numId="{num_id}"]/w:abstractNumId/@w:val')
                if abstract:
                    found = self.root.xpath(f'./w:abstractNum[@w:abstractNumId="{abstract[0]}"]'
                                            f'/w:lvl[@w:ilvl="{level}"]/w:numFmt/@w:val')
                    fmt = found[0] if found else fmt
            except Exception:  # malformed numbering part: fall back to plain numbers
                fmt = "decimal"
            self.formats[key] = fmt
        return self.formats[key]

    def prefix(self, para) -> str:
        self.last = None
        if self.root is None:
            return ""
        try:
            number = self._number(para)
        except (AttributeError, ValueError, TypeError):
            return ""
        if number is None:
            return ""
        self.last = number
        num_id, level = number
        if num_id == "0":  # numId 0 switches numbering off
            return ""
        fmt = self._format(num_id, level)
        if fmt in ("bullet", "none"):
            return "• " if fmt == "bullet" else ""
        n = self.counters.get((num_id, level), 0) + 1
        self.counters[(num_id, level)] = n
        for (nid, lvl) in list(self.counters):  # a new item restarts the levels below it
            if nid == num_id and lvl > level:
                del self.counters[(nid, lvl)]
        return f"{n}. " if level == 0 else f"{n}) "


# --- PDF -------------------------------------------------------------------------------------

def _read_pdf(filename: str, data: bytes) -> ReadResult:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # warnings on odd PDFs are not user errors
    if not data.lstrip().startswith(b"%PDF"):
        raise CorruptFileError(filename, "no PDF header")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise EncryptedPDFError(filename)
            except (DependencyError, FileNotDecryptedError, NotImplementedError):
                raise EncryptedPDFError(filename) from None
        texts = [normalise(page.extract_text() or "") for page in reader.pages]
    except EncryptedPDFError:
        raise
    except FileNotDecryptedError:
        raise EncryptedPDFError(filename) from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError) as exc:
        raise CorruptFileError(filename, f"PDF cannot be parsed: {exc}") from None
    except Exception as exc:  # pypdf raises assorted errors on damaged files
        raise CorruptFileError(filename, f"PDF cannot be parsed: {type(exc).__name__}") from None
    pieces: list[str] = []
    pages: list[list[int]] = []
    pos = 0
    for number, page_text in enumerate(texts, start=1):
        if pieces:
            pieces.append("\n\n")
            pos += 2
        pieces.append(page_text)
        pages.append([number, pos, pos + len(page_text)])
        pos += len(page_text)
    title = ""
    try:
        title = str((reader.metadata or {}).get("/Title") or "").strip()
    except Exception:  # metadata is optional and often malformed
        title = ""
    return ReadResult("".join(pieces), "", pages=pages, title=title)


def page_of(pages: list[list[int]], offset: int) -> int | None:
    for number, start, end in pages:
        if start <= offset <= end:
            return number
    return None


# --- HTML ------------------------------------------------------------------------------------

_BLOCK = {"p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "li", "ul",
          "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr", "pre",
          "blockquote", "form", "fieldset", "address", "figure", "figcaption", "title"}
_UNCLOSED = 1 << 62  # an element whose end tag never comes (</li> is optional) runs to the next hint
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_SKIP = {"script", "style", "noscript", "template", "svg", "head"}


class _HTMLText(HTMLParser):
    """Text of an HTML page with block elements on their own lines and tables as rows.

    The standard library parser gives start and end events, so block boundaries become line
    breaks and ``<td>``/``<th>`` cells can be collected into rows; ``SDG <b>9</b>`` stays on
    one line.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.tables: list[list[list[str]]] = []
        self.cell: list[str] | None = None
        self.title_parts: list[str] = []
        self.in_title = False
        self.lists: list[list] = []  # [kind, counter] per open <ul>/<ol>: browsers draw the numbers
        self.pos = 0  # length of "".join(self.out): hints are offsets into it until _read_html maps them
        self.hints: list[Hint] = []
        self.open: dict[str, list[Hint]] = {}  # tag -> hints whose end tag has not come yet

    def _emit(self, s: str) -> None:
        self.out.append(s)
        self.pos += len(s)

    def _open(self, tag: str, hint: Hint) -> None:
        self.hints.append(hint)
        self.open.setdefault(tag, []).append(hint)

    def _close(self, tag: str) -> None:
        if self.open.get(tag):
            self.open[tag].pop().end = self.pos

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self.in_title = True
        if tag in _SKIP:
            self.skip += 1
            return
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self.tables[-1].append([])
        elif tag in ("td", "th") and self.tables:
            self.cell = []
        elif tag in ("ul", "ol"):
            start = next((v for k, v in attrs if k == "start" and v and v.isdigit()), "1")
            self.lists.append([tag, int(start) - 1])
            self._newline()
        elif tag == "li" and self.cell is None:
            if self.lists and self.lists[-1][0] == "ol":
                self.lists[-1][1] += 1
                marker = f"{self.lists[-1][1]}."
            else:
                marker = "•"
            self._emit(f"\n{marker} ")
            self._open("li", Hint("list_item", self.pos - len(marker) - 1, _UNCLOSED,
                                  level=max(0, len(self.lists) - 1), marker=marker, source="tag"))
        elif tag in _BLOCK:
            self._newline()
            if tag in _HEADINGS and self.cell is None:
                self._open(tag, Hint("heading", self.pos, _UNCLOSED, level=int(tag[1]), source="tag"))

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in ("td", "th") and self.tables and self.cell is not None:
            if not self.tables[-1]:
                self.tables[-1].append([])
            self.tables[-1][-1].append("".join(self.cell))
            self.cell = None
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self._newline()
        elif tag == "table" and self.tables:
            rendered = render_table(self.tables.pop())
            self._emit("\n\n")
            self.hints.append(Hint("table", self.pos, self.pos + len(rendered), source="tag"))
            self._emit(rendered + "\n\n")
        elif tag in _BLOCK:
            if (tag == "li" or tag in _HEADINGS) and self.cell is None:
                self._close(tag)
            self._newline()

    def handle_data(self, data):
        if self.in_title:
            self.title_parts.append(data)
        if self.skip:
            return
        data = re.sub(r"[ \t\r\n\f]+", " ", data)
        if self.cell is not None:
            self.cell.append(data)
        else:
            self._emit(data)

    def _newline(self):
        if self.cell is not None:
            self.cell.append("\n")
        else:
            self._emit("\n")


def _read_html(filename: str, data: bytes) -> ReadResult:
    if _looks_binary(data):
        raise BinaryFileError(filename)
    charset = re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", data[:4096], re.I)
    encoding = charset.group(1).decode("ascii", "ignore").lower() if charset else "utf-8"
    try:
        html = data.decode(encoding if encoding not in ("utf8",) else "utf-8")
    except (LookupError, UnicodeDecodeError):
        html = decode_text(filename, data)
    parser = _HTMLText()
    try:
        parser.feed(html)
        parser.close()
    except Exception as exc:  # HTMLParser is lenient; anything raised means a broken file
        raise CorruptFileError(filename, f"HTML cannot be parsed: {exc}") from None
    raw = "".join(parser.out)
    lines = [ln.strip() for ln in raw.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
    return ReadResult(text, "", title=" ".join("".join(parser.title_parts).split()),
                      hints=_map_html_hints(raw, text, parser.hints))


def _map_html_hints(raw: str, text: str, hints: list[Hint]) -> list[Hint]:
    """Move hints from offsets in the parser's raw output to offsets in the final text.

    The final text strips every line, keeps one blank line of any run and no blank lines at
    the ends; the same walk here gives each raw line its final offset. If the walk does not
    rebuild the text exactly, no hints (the model then uses its line rules).
    """
    raw_starts: list[int] = []
    final_starts: list[int] = []
    leads: list[int] = []
    widths: list[int] = []
    kept: list[str] = []
    size = 0  # length of "\n".join(kept) so far, plus the separator to come
    blank_run = 0
    pos = 0
    for line in raw.split("\n"):
        stripped = line.strip()
        raw_starts.append(pos)
        leads.append(len(line) - len(line.lstrip()) if stripped else 0)
        widths.append(len(stripped))
        pos += len(line) + 1
        if not stripped:
            final_starts.append(size)
            if kept:
                blank_run += 1
            continue
        if blank_run and kept:
            kept.append("")
            size += 1
        blank_run = 0
        final_starts.append(size)
        kept.append(stripped)
        size += len(stripped) + 1
    if "\n".join(kept) + "\n" != text:
        return []
    out = []
    for h in hints:
        start, end = (_map_offset(o, raw_starts, final_starts, leads, widths) for o in (h.start, h.end))
        if end > start:
            h.start, h.end = start, end
            out.append(h)
    return out


def _map_offset(offset: int, raw_starts: list[int], final_starts: list[int], leads: list[int],
                widths: list[int]) -> int:
    i = max(0, bisect.bisect_right(raw_starts, offset) - 1)
    col = min(max(offset - raw_starts[i] - leads[i], 0), widths[i])
    return final_starts[i] + col
