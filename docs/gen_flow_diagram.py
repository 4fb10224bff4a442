"""Draw docs/flow.png, the README's image of the claim-check flow, from the description below.

Usage: ``python docs/gen_flow_diagram.py [OUT.png]`` (default: docs/flow.png). The output is
byte-for-byte reproducible for the locked matplotlib (no timestamp, fixed size and fonts), and
``tests/release/test_flow_diagram.py`` fails when the committed image differs from what this file
draws. Edit the boxes and arrows here, never the PNG.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch, Rectangle

OUT = Path(__file__).resolve().parent / "flow.png"

SPLIT_COLOUR = "#dbeafe"
RETRIEVAL_COLOUR = "#dcfce7"
STORE_COLOUR = "#fef3c7"
PLAIN_COLOUR = "#f3f4f6"


@dataclass(frozen=True)
class Box:
    """A resource in the flow: centre (x, y) on a 16 x 9 canvas, its label and fill."""

    x: float
    y: float
    label: str
    colour: str = PLAIN_COLOUR
    width: float = 2.3
    height: float = 1.0


BOXES = {
    "producer": Box(1.2, 7.2, "producer\n(large message)", width=2.1),
    "inbox": Box(4.0, 7.2, "SQS inbox\n(+ DLQ)", width=2.0),
    "split": Box(7.0, 7.2, "Pipe + enrichment λ\n(split)", SPLIT_COLOUR, 2.5),
    "bus": Box(11.0, 7.2, "target: EventBridge bus\n(claim check only)", PLAIN_COLOUR, 2.7),
    "rule": Box(14.6, 7.2, "rule\n(routes claim checks)", width=2.2),
    "store": Box(7.0, 4.4, "ClaimCheckStore\nDynamoDB table + S3 bucket", STORE_COLOUR, 3.4, 1.2),
    "claims": Box(14.6, 1.8, "SQS claims queue\n(+ DLQ)", width=2.2),
    "retrieval": Box(11.0, 1.8, "Pipe + enrichment λ\n(retrieval)", RETRIEVAL_COLOUR, 2.5),
    "target": Box(
        5.0, 1.8, "target: Step Functions,\nλ, SQS, SNS or bus\n(original payload)", PLAIN_COLOUR, 3.0, 1.3
    ),
}

# (from, to, label): the label sits beside the arrow's middle.
ARROWS = [
    ("producer", "inbox", ""),
    ("inbox", "split", ""),
    ("split", "bus", "claim check"),
    ("bus", "rule", ""),
    ("rule", "claims", ""),
    ("claims", "retrieval", ""),
    ("retrieval", "target", "payload, byte-exact"),
    ("split", "store", "PutItem / PutObject"),
    ("store", "retrieval", "BatchGetItem / ranged GET"),
]

# Dashed frames around each construct: (label, boxes inside, colour).
FRAMES = [
    ("ClaimCheckSplitPipe", ("split",), "#2563eb"),
    ("ClaimCheckRetrievalPipe", ("retrieval",), "#16a34a"),
]


def _edge_point(box: Box, towards: Box) -> tuple[float, float]:
    """Where the line from box's centre to towards' centre leaves box's rectangle."""
    dx, dy = towards.x - box.x, towards.y - box.y
    scale = min(
        (box.width / 2) / abs(dx) if dx else float("inf"),
        (box.height / 2) / abs(dy) if dy else float("inf"),
    )
    return box.x + dx * scale, box.y + dy * scale


def draw(out: Path) -> None:
    """Draw the flow and write it to ``out`` as PNG.

    :param out: the file to write.
    """
    plt.rcParams.update({"font.family": "DejaVu Sans", "svg.hashsalt": "cdk-claim-check"})
    figure, axes = plt.subplots(figsize=(16, 8.4), dpi=80)
    figure.subplots_adjust(left=0, right=1, bottom=0, top=1)
    axes.set_xlim(0, 16)
    axes.set_ylim(0.7, 9.1)
    axes.axis("off")
    axes.text(8, 8.6, "cdk-claim-check: only the claim check crosses the bus", ha="center", fontsize=16)

    for label, names, colour in FRAMES:
        inner = [BOXES[name] for name in names]
        left = min(b.x - b.width / 2 for b in inner) - 0.25
        bottom = min(b.y - b.height / 2 for b in inner) - 0.25
        right = max(b.x + b.width / 2 for b in inner) + 0.25
        top = max(b.y + b.height / 2 for b in inner) + 0.55
        size = (right - left, top - bottom)
        frame = Rectangle((left, bottom), *size, fill=False, linestyle="--", edgecolor=colour)
        axes.add_patch(frame)
        axes.text((left + right) / 2, top - 0.2, label, ha="center", va="center", fontsize=10, color=colour)

    for box in BOXES.values():
        axes.add_patch(
            FancyBboxPatch(
                (box.x - box.width / 2, box.y - box.height / 2),
                box.width,
                box.height,
                boxstyle="round,pad=0.02,rounding_size=0.12",
                facecolor=box.colour,
                edgecolor="#374151",
            )
        )
        axes.text(box.x, box.y, box.label, ha="center", va="center", fontsize=10.5)

    for start, end, label in ARROWS:
        a, b = BOXES[start], BOXES[end]
        tail, head = _edge_point(a, b), _edge_point(b, a)
        axes.add_patch(FancyArrowPatch(tail, head, arrowstyle="-|>", mutation_scale=16, color="#374151"))
        if label:
            mid_x, mid_y = (tail[0] + head[0]) / 2, (tail[1] + head[1]) / 2
            if abs(head[0] - tail[0]) >= abs(head[1] - tail[1]):  # mostly horizontal: label above
                axes.text(mid_x, mid_y + 0.12, label, ha="center", va="bottom", fontsize=9, color="#1f2937")
            else:  # mostly vertical: label to the right
                axes.text(mid_x + 0.15, mid_y, label, ha="left", va="center", fontsize=9, color="#1f2937")

    figure.savefig(out, format="png", metadata={"Software": None})
    plt.close(figure)


if __name__ == "__main__":
    draw(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
