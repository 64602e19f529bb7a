"""Server-drawn SVG geometry for the overview (no chart library, no script): the template draws
rectangles and text at the coordinates computed here.

Every number the template prints is formatted here, once, as a string: numbers handed to the
template would each go through Django's localisation, which dominated the page's time."""

from dataclasses import dataclass

ROW = 22  # px per bar
LABEL = 120  # px for the region names left of the bars
WIDTH = 420  # the whole chart
SPARK_W, SPARK_H = 240, 56


def _n(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


@dataclass
class BarShape:
    bar: object
    y: str
    rect_y: str
    text_y: str
    width: str
    value_x: str
    value_text: str
    worst: bool


def bar_chart(bars: list, *, with_rate: bool = True) -> dict:
    """One row per bar in the given order (the worst first), widths proportional to the value."""
    top = max((b.value for b in bars), default=0) or 1
    span = WIDTH - LABEL - 70
    shapes = []
    for i, b in enumerate(bars):
        width = span * b.value / top
        text = str(b.value) + (f" · {b.rate_text}" if with_rate else "")
        shapes.append(
            BarShape(
                bar=b,
                y=str(i * ROW),
                rect_y=str(i * ROW + 3),
                text_y=str(i * ROW + ROW - 7),
                width=_n(width),
                value_x=_n(LABEL + width + 4),
                value_text=text,
                worst=i == 0 and b.value > 0,
            )
        )
    return {
        "rows": shapes,
        "height": str(max(len(shapes), 1) * ROW),
        "width": str(WIDTH),
        "label": str(LABEL),
        "name_x": str(LABEL - 6),
    }


def sparkline(trend: list[tuple]) -> dict:
    """Columns for twelve months, heights proportional, with each month's value."""
    top = max((v for _, v in trend), default=0) or 1
    step = SPARK_W / max(len(trend), 1)
    columns = []
    for i, (month, value) in enumerate(trend):
        h = (SPARK_H - 14) * value / top
        columns.append(
            {
                "x": _n(i * step + 1),
                "y": _n(SPARK_H - 12 - h),
                "w": _n(step - 2),
                "h": _n(h),
                "label": f"{month.year}年{month.month}月",
                "short": str(month.month),
                "value": str(value),
            }
        )
    return {
        "columns": columns,
        "width": str(SPARK_W),
        "height": str(SPARK_H),
        "base": str(SPARK_H - 12),
        "tick_y": str(SPARK_H - 1),
    }
