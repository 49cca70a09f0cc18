"""
The report's chart, drawn on the server as SVG: energy as bars (left axis), sessions as a line
(right axis), one point per day or month. No JavaScript and nothing loaded from elsewhere.
"""

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import formats

WIDTH, HEIGHT = 960, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 48, 12, 36
TICKS = 4
# At most this many x labels, so they never overlap.
MAX_LABELS = 12


@dataclass(frozen=True)
class Bucket:
    """One day or month of the chart: its first day, what it sums, and its label."""

    start: date
    energy_kwh: Decimal
    sessions: int
    monthly: bool = False

    @property
    def label(self):
        # In the page's language: 15.01.2025, Jan. 2025 in German.
        return formats.date_format(self.start, "M Y" if self.monthly else "SHORT_DATE_FORMAT")


def nice_ceiling(value):
    """The smallest of 1, 2, 2.5, 5 × 10^n that is at least ``value`` (an axis maximum)."""
    if value <= 0:
        return 1
    magnitude = 1
    while magnitude * 10 < value:
        magnitude *= 10
    while magnitude > value:
        magnitude /= 10
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def energy_sessions_chart(buckets):
    """Geometry for ``templates/portal/_chart.html``; None when there is nothing to draw."""
    if not buckets:
        return None
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    energy_max = nice_ceiling(float(max(b.energy_kwh for b in buckets)))
    # Whole sessions on every tick of the right axis.
    sessions_max = TICKS * math.ceil(nice_ceiling(max(b.sessions for b in buckets)) / TICKS)
    slot = plot_width / len(buckets)
    bar_width = max(1.0, slot * 0.7)
    label_every = max(1, -(-len(buckets) // MAX_LABELS))
    bars, points = [], []
    for index, bucket in enumerate(buckets):
        centre = LEFT + slot * (index + 0.5)
        height = plot_height * float(bucket.energy_kwh) / energy_max
        bars.append(
            {
                "x": round(centre - bar_width / 2, 1),
                "y": round(TOP + plot_height - height, 1),
                "width": round(bar_width, 1),
                "height": round(height, 1),
                "bucket": bucket,
                "label_x": round(centre, 1),
                "show_label": index % label_every == 0,
            }
        )
        points.append(
            (round(centre, 1), round(TOP + plot_height * (1 - bucket.sessions / sessions_max), 1))
        )
    ticks = [
        {
            "y": round(TOP + plot_height * (1 - i / TICKS), 1),
            "energy": energy_max * i / TICKS,
            "sessions": sessions_max * i / TICKS,
        }
        for i in range(TICKS + 1)
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": TOP + plot_height,
        "label_y": TOP + plot_height + 16,
        "bars": bars,
        "line": " ".join(f"{x},{y}" for x, y in points),
        "points": points,
        "ticks": ticks,
        "buckets": buckets,
    }
