import xml.etree.ElementTree as ET
from decimal import Decimal

from gie.charts import BAR_WIDTH, Bar, bar_chart, column_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def _rects(figure: ET.Element) -> list[dict]:
    return [
        {name: float(rect.get(name)) for name in ("x", "y", "width", "height")}
        for rect in figure.iter(f"{SVG}rect")
    ]


def _texts(figure: ET.Element, css: str) -> list[ET.Element]:
    return [text for text in figure.iter(f"{SVG}text") if text.get("class") == css]


def test_bar_lengths_are_proportional_to_the_values():
    figure = _parse(
        bar_chart(
            [Bar("Poterie", Decimal("300.00")), Bar("Tissage", Decimal("150.00"))],
            title="Chiffre d'affaires",
        )
    )
    first, second = _rects(figure)
    assert first["width"] > 0
    assert abs(second["width"] - first["width"] / 2) < 0.11
    assert figure.find(f"{SVG}svg/{SVG}title").text == "Chiffre d'affaires"


def test_columns_are_proportional_and_stand_on_one_baseline():
    figure = _parse(column_chart([Bar("janv.", 40), Bar("févr.", 10), Bar("mars", 20)], title="t"))
    heights = [rect["height"] for rect in _rects(figure)]
    assert abs(heights[0] / heights[1] - 4) < 0.05 and abs(heights[2] / heights[1] - 2) < 0.05
    bottoms = {round(rect["y"] + rect["height"], 1) for rect in _rects(figure)}
    assert len(bottoms) == 1


def test_zero_and_empty_data_draw_without_dividing_by_zero():
    zero = _parse(bar_chart([Bar("A", Decimal("0.00")), Bar("B", 0)], title="t"))
    assert [rect["width"] for rect in _rects(zero)] == [0.0, 0.0]
    assert _rects(_parse(column_chart([], title="t"))) == []
    assert _rects(_parse(bar_chart([], title="t"))) == []
    negative = _parse(column_chart([Bar("A", Decimal("-5")), Bar("B", Decimal("5"))], title="t"))
    assert [rect["height"] > 0 for rect in _rects(negative)] == [False, True]


def test_labels_are_escaped_and_figures_repeated_in_a_table():
    figure = _parse(
        bar_chart(
            [Bar("<script>alert(1)</script> & co", 7)],
            title="A < B",
            format_value=lambda value: f"{value} MAD",
            headings=("Service", "Montant"),
        )
    )
    assert figure.find(f"{SVG}svg/{SVG}title").text == "A < B"
    table = figure.find("table")
    assert table.get("class") == "visually-hidden"
    assert [th.text for th in table.iter("th")] == [
        "Service",
        "Montant",
        "<script>alert(1)</script> & co",
    ]
    assert table.find("tbody/tr/td").text == "7 MAD"
    assert not list(figure.iter("script")) and not list(figure.iter(f"{SVG}script"))


def test_svg_uses_no_style_attribute_nor_style_element():
    markup = str(bar_chart([Bar("A", 1)], title="t")) + str(column_chart([Bar("A", 1)], title="t"))
    assert "style" not in markup


def test_right_to_left_mirrors_the_bars():
    bars = [Bar("الفخار", 300), Bar("النسيج", 150)]
    ltr, rtl = _parse(bar_chart(bars, title="t")), _parse(bar_chart(bars, title="t", rtl=True))
    for left, right in zip(_rects(ltr), _rects(rtl), strict=True):
        assert left["width"] == right["width"]
        assert abs((right["x"] + right["width"]) - (BAR_WIDTH - left["x"])) < 0.11
    ltr_labels, rtl_labels = _texts(ltr, "chart-label"), _texts(rtl, "chart-label")
    assert float(ltr_labels[0].get("x")) < BAR_WIDTH / 2 < float(rtl_labels[0].get("x"))
    assert rtl.find(f"{SVG}svg").get("direction") == "rtl"


def test_right_to_left_months_read_from_the_right():
    bars = [Bar("1", 1), Bar("2", 2), Bar("3", 3)]
    ltr = [rect["x"] for rect in _rects(_parse(column_chart(bars, title="t")))]
    rtl = [rect["x"] for rect in _rects(_parse(column_chart(bars, title="t", rtl=True)))]
    assert ltr == sorted(ltr) and rtl == sorted(rtl, reverse=True)
    assert ltr == list(reversed(rtl))


def test_short_labels_over_the_bars_and_exact_figures_in_tooltips_and_table():
    figure = _parse(
        column_chart(
            [Bar("janv.", Decimal("12345.67"))],
            title="t",
            format_value=lambda value: f"{value} MAD",
            format_label=lambda value: "12 k",
        )
    )
    assert [text.text for text in _texts(figure, "chart-value")] == ["12 k"]
    assert figure.find(f"{SVG}svg/{SVG}g/{SVG}title").text == "janv.: 12345.67 MAD"
    assert figure.find("table/tbody/tr/td").text == "12345.67 MAD"


def test_an_abridged_label_keeps_its_full_name_in_the_tooltip_and_the_table():
    figure = _parse(column_chart([Bar("nov.", 5, "novembre 2026")], title="t"))
    assert [text.text for text in _texts(figure, "chart-label")] == ["nov."]
    assert figure.find(f"{SVG}svg/{SVG}g/{SVG}title").text == "novembre 2026: 5"
    assert figure.find("table/tbody/tr/th").text == "novembre 2026"
