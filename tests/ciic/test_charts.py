"""ciic.charts: figures from plain records, numbers in the page's language, the
data as a table too, no inline script."""

import json

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from ciic.charts import bar_chart, line_chart, pie_chart


def test_bar_chart_carries_the_figure_and_the_table():
    chart = bar_chart(
        id="votes",
        title="Votes",
        labels=["Park", "School"],
        series={"Online": [10, 4], "Paper": [2, 1]},
        x_title="Project",
        y_title="Votes",
        stacked=True,
    )
    data = chart.figure["data"]
    assert [t["type"] for t in data] == ["bar", "bar"]
    assert data[0]["x"] == ["Park", "School"] and data[0]["y"] == [10, 4]
    assert chart.figure["layout"]["barmode"] == "stack"
    assert chart.figure["config"]["displaylogo"] is False
    assert chart.columns == ["Project", "Online", "Paper"]
    assert chart.rows == [["Park", 10, 2], ["School", 4, 1]]
    json.dumps(chart.figure)  # plain JSON data


def test_horizontal_bars_swap_the_axes_and_grow_with_the_labels():
    chart = bar_chart(
        id="h",
        title="t",
        labels=[f"P{i}" for i in range(30)],
        series={"v": list(range(30))},
        horizontal=True,
    )
    trace = chart.figure["data"][0]
    assert trace["orientation"] == "h" and trace["y"][0] == "P0" and trace["x"][29] == 29
    assert chart.height > 360


def test_numbers_follow_the_active_language():
    with translation.override("ro"):
        ro = line_chart(id="a", title="t", x=[1, 2], series={"s": [1000.5, 2]})
    with translation.override("en"):
        en = line_chart(id="a", title="t", x=[1, 2], series={"s": [1000.5, 2]})
    assert ro.figure["layout"]["separators"] == ",."
    assert en.figure["layout"]["separators"] == ".,"


def test_line_chart_draws_the_target_and_dates():
    import datetime as dt

    chart = line_chart(
        id="held",
        title="Held",
        x=[dt.date(2026, 1, 1), dt.date(2026, 2, 1)],
        series={"Held": [3, 9]},
        target=44,
        target_label="Target",
    )
    target = chart.figure["data"][-1]
    assert target["name"] == "Target" and target["y"] == [44, 44]
    assert target["x"] == ["2026-01-01", "2026-02-01"]
    assert chart.rows[0] == ["2026-01-01", 3]


def test_pie_chart():
    chart = pie_chart(id="c", title="Channel", labels=["Online", "Paper"], values=[3, 1])
    assert chart.figure["data"][0]["type"] == "pie"
    assert chart.rows == [["Online", 3], ["Paper", 1]]


def test_the_include_renders_a_data_block_and_a_table_and_escapes_text():
    chart = bar_chart(
        id="x", title="<b>Votes</b>", labels=["</script><script>alert(1)"], series={"v": [1]}
    )
    html = render_to_string("includes/chart.html", {"chart": chart})
    assert '<script id="x-data" type="application/json">' in html
    assert "<script>alert(1)" not in html
    assert "&lt;b&gt;Votes&lt;/b&gt;" in html
    assert "<table>" in html and 'data-chart="x-data"' in html


@pytest.mark.urls("tests.ciic.chart_urls")
def test_the_page_loads_plotly_from_our_static_files(client, db):
    html = client.get("/test-charts/").content.decode()
    assert "/static/vendor/plotly/plotly-basic.min.js" in html
    assert "/static/js/charts.js" in html
    assert html.count('class="chart"') == 3
