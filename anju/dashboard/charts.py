"""Server-drawn SVG geometry for the overview (no chart library, no script): the template draws
rectangles and lines at the coordinates computed here."""

from dataclasses import dataclass

ROW = 22  # px per bar
LABEL = 120  # px for the region names left of the bars
WIDTH = 420  # the whole chart
SPARK_W, SPARK_H = 240, 56


@dataclass
class BarShape:
    bar: object
    y: int
    width: float
    worst: bool

    @property
    def text_y(self) -> int:
        return self.y + ROW - 7

    @property
    def value_x(self) -> float:
        return LABEL + self.width + 4


def bar_chart(bars: list) -> dict:
    """One row per bar in the given order (the worst first), widths proportional to the value."""
    top = max((b.value for b in bars), default=0) or 1
    span = WIDTH - LABEL - 60
    shapes = [
        BarShape(b, i * ROW, round(span * b.value / top, 1), i == 0 and b.value > 0)
        for i, b in enumerate(bars)
    ]
    return {"rows": shapes, "height": max(len(shapes), 1) * ROW, "width": WIDTH, "label": LABEL}


def sparkline(trend: list[tuple]) -> dict:
    """Columns for twelve months with the value of the last one; heights proportional."""
    top = max((v for _, v in trend), default=0) or 1
    step = SPARK_W / max(len(trend), 1)
    columns = []
    for i, (month, value) in enumerate(trend):
        h = round((SPARK_H - 14) * value / top, 1)
        columns.append(
            {
                "x": round(i * step + 1, 1),
                "y": round(SPARK_H - 12 - h, 1),
                "w": round(step - 2, 1),
                "h": h,
                "label": f"{month.year}年{month.month}月",
                "short": f"{month.month}",
                "value": value,
            }
        )
    return {"columns": columns, "width": SPARK_W, "height": SPARK_H, "base": SPARK_H - 12}
