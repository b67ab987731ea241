"""The report's charts, drawn with matplotlib as SVG with real text (titles, labels and
Swedish characters stay text: searchable in the HTML, typeset by typst in the PDF).

Charts may use floats for drawing; every figure printed in a table is formatted from öre.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # the backend is chosen first
import numpy as np
from matplotlib.patches import Rectangle

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "kvf",  # the same ids on every run
        "font.family": "DejaVu Sans",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)
BLUE, LIGHT, ORANGE, GREY = "#1f5fa6", "#9cc3e6", "#e07b24", "#8a8a8a"
MSEK = 100_000_000  # öre in a million kronor
PROLOG = re.compile(r"^.*?(?=<svg)", re.DOTALL)


def to_svg(figure: Figure) -> str:
    """The figure as an inline `<svg>` element (no XML prolog, no external reference)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(figure)
    return PROLOG.sub("", buffer.getvalue(), count=1)


@dataclass(frozen=True)
class FlowNode:
    """A budget of the money's flow: its amount and, of it, the June 2019 supplement."""

    code: str
    parent: str | None
    label: str
    ore: int
    supplementary_ore: int


def money_flow(nodes: list[FlowNode], *, title: str) -> str:
    """A Sankey-like flow: each level of the tree a column of boxes, each box as tall as its
    amount, a band from each parent's share to its child, the supplement hatched in orange."""
    children: dict[str | None, list[FlowNode]] = {}
    for node in nodes:
        children.setdefault(node.parent, []).append(node)
    for siblings in children.values():  # the supplement's band on top, running into it
        siblings.sort(key=lambda node: -node.supplementary_ore)
    scale = max((n.ore for n in nodes), default=1) or 1
    figure, axes = plt.subplots(figsize=(9, 5.2))
    floor: dict[int, float] = {}  # level → the lowest y used so far (boxes go downwards)

    def place(node: FlowNode, level: int, top: float) -> float:
        """Draw `node` with its top at `top` (or lower, below its level's boxes); its top."""
        top = min(top, floor.get(level, top))
        height = node.ore / scale
        floor[level] = top - height - GAP
        _box(axes, level, top - height, height, node.supplementary_ore / scale)
        amount = f"{node.ore / MSEK:.1f}".replace(".", ",") + " MSEK"
        axes.text(
            level + WIDTH + 0.03,
            top - height / 2,
            f"{node.label}\n{amount}",
            va="center",
            size=7.5,
            bbox={"facecolor": "white", "alpha": 0.85, "edgecolor": "none", "pad": 1.5},
        )
        share_top = top
        for child in children.get(node.code, []):
            child_height = child.ore / scale
            child_top = place(child, level + 1, share_top)
            _band(axes, level + WIDTH, share_top, level + 1, child_top, child_height)
            share_top -= child_height
        return top

    for root in children.get(None, []):
        place(root, 0, floor.get(0, 0.0))
    axes.add_patch(Rectangle((0, 0), 0, 0, color=BLUE, label="Medel / Funds"))
    axes.add_patch(
        Rectangle(
            (0, 0),
            0,
            0,
            color=ORANGE,
            hatch="//",
            label="Förstärkning juni 2019 / June 2019 supplement",
        )
    )
    levels = len(floor)
    axes.set_xlim(-0.05, levels + 0.2)
    axes.set_ylim(min(floor.values(), default=-1.0), 0.05)
    axes.set_xticks([level + WIDTH / 2 for level in range(levels)])
    axes.set_xticklabels([f"Nivå {level + 1} / Level {level + 1}" for level in range(levels)])
    axes.set_yticks([])
    axes.set_ylabel("Belopp (höjd ∝ kronor) / Amount (height ∝ SEK)")
    axes.set_title(title)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, fontsize=8, frameon=False)
    return to_svg(figure)


WIDTH, GAP = 0.14, 0.05


def _box(axes: Axes, x: float, bottom: float, height: float, extra: float) -> None:
    """A node's box; its top `extra` (the supplement) hatched."""
    axes.add_patch(Rectangle((x, bottom), WIDTH, height, color=BLUE, lw=0))
    if extra:
        top = bottom + height
        axes.add_patch(Rectangle((x, top - extra), WIDTH, extra, color=ORANGE, hatch="//", lw=0))


def _band(axes: Axes, x0: float, top0: float, x1: float, top1: float, height: float) -> None:
    """A smooth band `height` high from a parent's share (top `top0`) to its child."""
    xs = np.linspace(x0, x1, 40)
    t = (xs - x0) / (x1 - x0)
    tops = top0 + (top1 - top0) * (3 * t**2 - 2 * t**3)
    axes.fill_between(xs, tops - height, tops, color=LIGHT, alpha=0.6, lw=0)


def bars(labels: list[str], values: list[float], *, title: str, unit: str) -> str:
    """Horizontal bars, one per label (counties, top down), with the unit on the axis."""
    figure, axes = plt.subplots(figsize=(8, 0.28 * len(labels) + 1.2))
    positions = np.arange(len(labels))
    axes.barh(positions, values, color=BLUE)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()
    axes.set_xlabel(unit)
    axes.set_title(title)
    axes.grid(axis="x", color="#dddddd", lw=0.6)
    axes.set_axisbelow(True)
    return to_svg(figure)


@dataclass(frozen=True)
class ForestRow:
    """One estimate of a forest plot with its 95 % interval; `pooled` is drawn as a diamond."""

    label: str
    estimate: float | None
    low: float | None
    high: float | None
    pooled: bool = False


def forest(rows: list[ForestRow], *, title: str, unit: str) -> str:
    """A forest plot: each school's estimate and 95 % interval, the pooled one as a diamond,
    a line at zero; a hidden estimate is listed without a mark."""
    figure, axes = plt.subplots(figsize=(8, 0.4 * len(rows) + 1.3))
    for position, row in enumerate(rows):
        if row.estimate is None or row.low is None or row.high is None:
            axes.text(  # at the left edge (x in axes units), clear of the zero line
                0.01,
                position,
                "dold / suppressed",
                va="center",
                ha="left",
                color=GREY,
                transform=axes.get_yaxis_transform(),
            )
            continue
        if row.pooled:
            diamond_x = [row.low, row.estimate, row.high, row.estimate]
            diamond_y = [position, position - 0.3, position, position + 0.3]
            axes.fill(diamond_x, diamond_y, color=ORANGE)
        else:
            axes.plot([row.low, row.high], [position, position], color=BLUE, lw=1.5)
            axes.plot([row.estimate], [position], "s", color=BLUE)
    axes.axvline(0, color=GREY, lw=0.8, ls="--")
    axes.set_yticks(range(len(rows)), [row.label for row in rows])
    axes.set_ylim(len(rows) - 0.5, -0.5)
    axes.set_xlabel(unit)
    axes.set_title(title)
    return to_svg(figure)
