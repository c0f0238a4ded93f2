"""Bar charts drawn on the server as inline SVG: presentation attributes and the CSS
classes of app.css only (the CSP forbids inline styles and scripts), a title for screen
readers and the same figures in a visually hidden table. In right-to-left pages the chart
mirrors: category labels on the right with bars growing leftwards, months read right to
left."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH = 640  #: of the column charts, drawn across a page
BAR_WIDTH = 480  #: of the bar charts, drawn in half a page
FONT_SIZE = 12
LABEL_CHARACTERS = 24  #: longer category labels are cut, the full one stays in the table


@dataclass(frozen=True)
class Bar:
    label: str  #: drawn under or beside the bar
    value: Decimal | int
    full_label: str = ""  #: for the tooltip and the table when `label` is abridged

    @property
    def name(self) -> str:
        return self.full_label or self.label


def _coordinate(value: float) -> str:
    return f"{value:.1f}"


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= LABEL_CHARACTERS else label[: LABEL_CHARACTERS - 1] + "…"


def _scale(bars: Sequence[Bar], length: float) -> Callable[[Decimal | int], float]:
    """Bar length proportional to the value; negative values draw no bar, and a chart whose
    values are all zero draws none at all."""
    highest = max((float(bar.value) for bar in bars), default=0.0)
    if highest <= 0:
        return lambda value: 0.0
    return lambda value: max(float(value), 0.0) / highest * length


def _anchor(side: str, rtl: bool) -> str:
    """text-anchor placing a text's left or right edge on its x; "start" means the right
    edge in a right-to-left SVG."""
    if side == "middle":
        return "middle"
    return "start" if (side == "left") != rtl else "end"


def _text(x: float, y: float, content: str, *, side: str, rtl: bool, css: str) -> str:
    return (
        f'<text x="{_coordinate(x)}" y="{_coordinate(y)}" text-anchor="{_anchor(side, rtl)}" '
        f'font-size="{FONT_SIZE}" fill="currentColor" class="{css}">{escape(content)}</text>'
    )


def _rect(x: float, y: float, width: float, height: float) -> str:
    return (
        f'<rect x="{_coordinate(x)}" y="{_coordinate(y)}" width="{_coordinate(width)}" '
        f'height="{_coordinate(height)}" fill="#0b6e4f" class="chart-bar"/>'
    )


def _svg(width: int, height: float, title: str, items: list[str], rtl: bool) -> str:
    return (
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {width} {_coordinate(height)}" '
        f'class="chart-svg" role="img" aria-label="{escape(title)}" '
        f'direction="{"rtl" if rtl else "ltr"}"><title>{escape(title)}</title>'
        + "".join(items)
        + "</svg>"
    )


def _figure(svg: str, bars, title: str, headings, format_value) -> Markup:
    rows = "".join(
        f'<tr><th scope="row">{escape(bar.name)}</th>'
        f'<td class="num">{escape(format_value(bar.value))}</td></tr>'
        for bar in bars
    )
    table = (
        f'<table class="visually-hidden"><caption>{escape(title)}</caption>'
        f'<thead><tr><th scope="col">{escape(headings[0])}</th>'
        f'<th scope="col">{escape(headings[1])}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    return Markup(
        f'<figure class="chart"><figcaption>{escape(title)}</figcaption>{svg}{table}</figure>'
    )


def column_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    format_value: Callable = str,
    format_label: Callable | None = None,
    headings: tuple[str, str] = ("", ""),
    rtl: bool = False,
) -> Markup:
    """Vertical bars in order (months, oldest first): left to right, or right to left.
    `format_value` writes the exact figures (table, tooltips), `format_label` the short ones
    drawn over the bars."""
    bars = list(bars)
    format_label = format_label or format_value
    height, top, bottom, side = 220.0, 22.0, 24.0, 8.0
    plot = height - top - bottom
    slot = (WIDTH - 2 * side) / max(len(bars), 1)
    length = _scale(bars, plot)
    items = [
        f'<line x1="{side}" y1="{top + plot}" x2="{WIDTH - side}" y2="{top + plot}" '
        f'stroke="#9aa5b1" stroke-width="1" class="chart-axis"/>'
    ]
    for index, bar in enumerate(bars):
        position = len(bars) - 1 - index if rtl else index
        centre = side + slot * (position + 0.5)
        bar_height = length(bar.value)
        label = f"{bar.name}: {format_value(bar.value)}"
        items.append(
            f"<g><title>{escape(label)}</title>"
            + _rect(centre - slot * 0.3, top + plot - bar_height, slot * 0.6, bar_height)
            + _text(
                centre,
                top + plot - bar_height - 5,
                format_label(bar.value),
                side="middle",
                rtl=rtl,
                css="chart-value",
            )
            + _text(
                centre, height - 7, _short(bar.label), side="middle", rtl=rtl, css="chart-label"
            )
            + "</g>"
        )
    return _figure(_svg(WIDTH, height, title, items, rtl), bars, title, headings, format_value)


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    format_value: Callable = str,
    format_label: Callable | None = None,
    headings: tuple[str, str] = ("", ""),
    rtl: bool = False,
) -> Markup:
    """Horizontal bars, one per category, labels on the reading start side."""
    bars = list(bars)
    format_label = format_label or format_value
    row, label_width, value_width, padding = 26.0, 150.0, 80.0, 6.0
    height = max(len(bars), 1) * row + 2 * padding
    length = _scale(bars, BAR_WIDTH - label_width - value_width)
    items = []
    for index, bar in enumerate(bars):
        top = padding + index * row
        middle = top + row / 2 + FONT_SIZE / 3
        bar_length = length(bar.value)
        if rtl:
            origin = BAR_WIDTH - label_width
            label_x, bar_x, value_x = origin + padding, origin - bar_length, origin - bar_length - 4
            label_side, value_side = "left", "right"
        else:
            origin = label_width
            label_x, bar_x, value_x = origin - padding, origin, origin + bar_length + 4
            label_side, value_side = "right", "left"
        label = f"{bar.name}: {format_value(bar.value)}"
        items.append(
            f"<g><title>{escape(label)}</title>"
            + _text(label_x, middle, _short(bar.label), side=label_side, rtl=rtl, css="chart-label")
            + _rect(bar_x, top + 4, bar_length, row - 8)
            + _text(
                value_x,
                middle,
                format_label(bar.value),
                side=value_side,
                rtl=rtl,
                css="chart-value",
            )
            + "</g>"
        )
    return _figure(_svg(BAR_WIDTH, height, title, items, rtl), bars, title, headings, format_value)
