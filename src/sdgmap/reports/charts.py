"""Charts for the reports, drawn with matplotlib as PNG bytes in the official SDG colours.

Each function takes the plain data the report builders already hold (counts, or the dicts
``sdgmap.analytics`` returns) and returns PNG bytes, so the same image goes into DOCX,
HTML, Markdown and PDF.
"""

from __future__ import annotations

import io
from functools import cache
from types import SimpleNamespace


@cache
def _mpl() -> SimpleNamespace:
    """matplotlib, imported when the first chart is drawn: it takes 0.4 s, and most commands
    (and every web request) draw none."""
    import matplotlib

    matplotlib.use("Agg")  # no display: reports are written by the CLI and in CI
    import matplotlib.pyplot as plt
    from matplotlib.patches import PathPatch, Rectangle
    from matplotlib.path import Path

    return SimpleNamespace(plt=plt, PathPatch=PathPatch, Rectangle=Rectangle, Path=Path)


DPI = 150
FONT = 8


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight", metadata={"Software": None})
    _mpl().plt.close(fig)
    return buf.getvalue()


def coverage_chart(rows: list[dict]) -> bytes:
    """Horizontal bars per goal: stated (solid) and suggested-only (light) activity counts.

    ``rows``: [{"goal", "short_title", "colour", "stated", "suggested_only"}] in goal order.
    """
    fig, ax = _mpl().plt.subplots(figsize=(7.0, 4.6))
    labels = [f"{r['goal']} {r['short_title']}" for r in rows]
    ys = list(range(len(rows)))[::-1]
    stated = [r["stated"] for r in rows]
    extra = [r["suggested_only"] for r in rows]
    colours = [r["colour"] for r in rows]
    ax.barh(ys, stated, color=colours, edgecolor="none", label="stated")
    ax.barh(ys, extra, left=stated, color=colours, alpha=0.35, hatch="///", edgecolor="white",
            linewidth=0, label="suggested only")
    for y, s, e in zip(ys, stated, extra, strict=True):
        if s + e:
            ax.text(s + e + 0.1, y, str(s + e), va="center", fontsize=FONT)
    ax.set_yticks(ys, labels, fontsize=FONT)
    ax.set_xlabel("Activities", fontsize=FONT)
    ax.tick_params(axis="x", labelsize=FONT)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=FONT, frameon=False, loc="lower right")
    return _png(fig)


def heatmap_chart(matrix: dict) -> bytes:
    """Action Line x SDG goal counts (``analytics.action_line_sdg_matrix``) as a heat map."""
    rows = [r["code"] for r in matrix["rows"]]
    cols = [c["code"] for c in matrix["cols"]]
    grid = [[0] * len(cols) for _ in rows]
    for cell in matrix["cells"]:
        if cell["action_line"] in rows and cell["goal"] in cols:
            grid[rows.index(cell["action_line"])][cols.index(cell["goal"])] = cell["count"]
    fig, ax = _mpl().plt.subplots(figsize=(7.0, 0.28 * len(rows) + 1.2))
    peak = max((v for row in grid for v in row), default=0) or 1
    ax.imshow(grid, cmap="Blues", vmin=0, vmax=peak, aspect="auto")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            if v:
                ax.text(j, i, str(v), ha="center", va="center", fontsize=FONT - 1,
                        color="white" if v > peak * 0.6 else "black")
    ax.set_xticks(range(len(cols)), cols, fontsize=FONT)
    ax.set_yticks(range(len(rows)), rows, fontsize=FONT)
    for j, c in enumerate(matrix["cols"]):  # a strip of goal colours above the columns
        ax.add_patch(_mpl().Rectangle((j - 0.5, -1.1), 1, 0.5, color=c["colour"], clip_on=False))
    ax.set_xlabel("SDG", fontsize=FONT)
    ax.set_ylabel("WSIS Action Line", fontsize=FONT)
    return _png(fig)


def mapping_chart(sankey: dict) -> bytes:
    """The mapping view: strategy -> Action Line -> SDG flows (``analytics.sankey``) as bands."""
    nodes = {n["id"]: n for n in sankey["nodes"]}
    links = [lk for lk in sankey["links"] if lk["source"] in nodes and lk["target"] in nodes]
    size: dict[str, float] = {}
    for n in nodes:
        inflow = sum(lk["value"] for lk in links if lk["target"] == n)
        outflow = sum(lk["value"] for lk in links if lk["source"] == n)
        size[n] = max(inflow, outflow, 0.0)
    columns: dict[int, list[str]] = {}
    for n in sankey["nodes"]:
        if size.get(n["id"]):
            columns.setdefault(n["column"], []).append(n["id"])
    fig, ax = _mpl().plt.subplots(figsize=(7.0, 4.2))
    ax.axis("off")
    if not links:
        ax.text(0.5, 0.5, "No links to draw", ha="center", va="center")
        return _png(fig)
    total = max(sum(size[n] for n in col) for col in columns.values())
    gap = total * 0.02
    height = total + gap * max(len(c) for c in columns.values())
    pos: dict[str, tuple[float, float, float]] = {}  # id -> (x, y_top, scale height)
    width = 0.06
    for ci, ids in sorted(columns.items()):
        x = ci * 0.45
        col_total = sum(size[n] for n in ids) + gap * (len(ids) - 1)
        y = height - (height - col_total) / 2
        for n in ids:
            pos[n] = (x, y, size[n])
            node = nodes[n]
            ax.add_patch(_mpl().Rectangle((x, y - size[n]), width, size[n], color=node["colour"]))
            ha, tx = ("right", x - 0.01) if ci == 0 else ("left", x + width + 0.01)
            label = node["name"] if ci else f"{node['name']} {_clip(node.get('title', ''), 34)}"
            box = dict(fc="white", ec="none", alpha=0.75, pad=0.6) if ci == 1 else None
            ax.text(tx, y - size[n] / 2, label, ha=ha, va="center", fontsize=FONT - 1, bbox=box,
                    zorder=3)
            y -= size[n] + gap
    out_off = {n: 0.0 for n in pos}
    in_off = {n: 0.0 for n in pos}
    for lk in sorted(links, key=lambda k: (pos[k["source"]][1], -pos[k["target"]][1])):
        s, t, v = lk["source"], lk["target"], lk["value"]
        sx, sy, _ = pos[s]
        tx, ty, _ = pos[t]
        y0 = sy - out_off[s]
        y1 = ty - in_off[t]
        out_off[s] += v
        in_off[t] += v
        x0, x1 = sx + width, tx
        mid = (x0 + x1) / 2
        verts = [(x0, y0), (mid, y0), (mid, y1), (x1, y1), (x1, y1 - v), (mid, y1 - v),
                 (mid, y0 - v), (x0, y0 - v), (x0, y0)]
        codes = [_mpl().Path.MOVETO, _mpl().Path.CURVE4, _mpl().Path.CURVE4, _mpl().Path.CURVE4, _mpl().Path.LINETO,
                 _mpl().Path.CURVE4, _mpl().Path.CURVE4, _mpl().Path.CURVE4, _mpl().Path.CLOSEPOLY]
        colour = nodes[t]["colour"] if t.startswith("sdg:") else nodes[s]["colour"]
        alpha = 0.5 if lk["kind"] == "stated" else 0.2
        ax.add_patch(_mpl().PathPatch(_mpl().Path(verts, codes), facecolor=colour, alpha=alpha, lw=0))
    ax.set_xlim(-0.35, 0.9 + width + 0.1)
    ax.set_ylim(0, height)
    return _png(fig)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def trends_chart(trends: dict) -> bytes:
    """Activities per goal per report year (``analytics.trends_by_goal``) as stacked bars."""
    years = trends["years"]
    fig, ax = _mpl().plt.subplots(figsize=(7.0, 3.4))
    if not years:
        ax.axis("off")
        ax.text(0.5, 0.5, "No activity has a report year", ha="center", va="center")
        return _png(fig)
    bottom = [0] * len(years)
    xs = list(range(len(years)))
    for s in trends["series"]:
        if any(s["total"]):
            # a year without a report is None: no bar, and labelled as a gap below
            heights = [v or 0 for v in s["total"]]
            ax.bar(xs, heights, bottom=bottom, color=s["colour"], width=0.6,
                   label=f"{s['code']} {s['short_title']}")
            bottom = [b + v for b, v in zip(bottom, heights, strict=True)]
    reported = set(trends.get("reported", years))
    ax.set_xticks(xs, [str(y) if y in reported else f"{y}\n(no report)" for y in years], fontsize=FONT)
    ax.set_ylabel("Activity-goal links", fontsize=FONT)
    ax.tick_params(axis="y", labelsize=FONT)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=FONT - 1.5, frameon=False, bbox_to_anchor=(1.01, 1), loc="upper left")
    return _png(fig)
