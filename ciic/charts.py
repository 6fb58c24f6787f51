"""Charts for dashboards and results pages: plotly figures built from plain
records, drawn in the browser by plotly.js served from our own static files.

Every feature (assessment, voting, workshops) builds its charts here, from
plain values, so each page looks and behaves the same and no page loads
anything from another host:

- a builder (`bar_chart`, `line_chart`, `pie_chart`) returns a `Chart`: the
  plotly figure as JSON-ready data, plus the same numbers as a table;
- the page includes `includes/chart.html` once per chart (a `<figure>` with
  the figure in a `<script type="application/json">` data block, which the
  Content-Security-Policy allows because it never runs, and the table in a
  `<details>` for screen readers and for visitors without JavaScript);
- and `includes/chart_scripts.html` once, in `{% block extra_js %}`: the
  plotly.js basic bundle (`static/vendor/plotly/`, bar, line and pie traces,
  1.2 MB, 0.4 MB compressed) and `static/js/charts.js`, which draws every
  chart of the page.

Numbers follow the active language (`separators`: "1.234,5" in Romanian,
"1,234.5" in English). plotly is imported here only (STYLE.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language

# Colour-blind-safe palette (Okabe-Ito) with enough contrast on white.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"


@dataclass(frozen=True)
class Chart:
    """A chart ready for `includes/chart.html`. `figure` is plotly's JSON
    (data, layout, config); `columns`/`rows` hold the same numbers as a table."""

    id: str
    title: str
    figure: dict[str, Any]
    columns: list[str]
    rows: list[list[Any]]
    description: str = ""
    height: int = 360
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"


def _separators() -> str:
    # plotly's `separators`: decimal mark, then thousands separator.
    return ".," if (get_language() or "ro").startswith("en") else ",."


def _layout(*, x_title: str, y_title: str, height: int, **extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "height": height,
        "margin": {"l": 56, "r": 16, "t": 16, "b": 48},
        "font": {"family": FONT, "size": 14, "color": "#1d2733"},
        "colorway": PALETTE,
        "separators": _separators(),
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "legend": {"orientation": "h", "y": -0.2},
        "xaxis": {"title": {"text": x_title}, "automargin": True, "gridcolor": "#e3e7ec"},
        "yaxis": {"title": {"text": y_title}, "automargin": True, "gridcolor": "#e3e7ec"},
    }
    layout.update(extra)
    return layout


def _figure(traces: list[Any], layout: dict[str, Any]) -> dict[str, Any]:
    import plotly.graph_objects as go

    fig = go.Figure(data=traces, layout=layout)
    # Through plotly's own encoder (numpy values, dates), then plain JSON data.
    data = json.loads(fig.to_json())
    data.pop("layout", None)
    return {
        "data": data["data"],
        "layout": layout,
        "config": {"displaylogo": False, "responsive": True, "displayModeBar": False},
    }


def bar_chart(
    *,
    id: str,
    title: str,
    labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    x_title: str = "",
    y_title: str = "",
    horizontal: bool = False,
    stacked: bool = False,
    description: str = "",
    height: int | None = None,
) -> Chart:
    """Bars for each label, one colour per series ({series name: values})."""
    import plotly.graph_objects as go

    traces = []
    for name, values in series.items():
        if horizontal:
            traces.append(go.Bar(name=name, y=list(labels), x=list(values), orientation="h"))
        else:
            traces.append(go.Bar(name=name, x=list(labels), y=list(values)))
    height = height or (max(240, 28 * len(labels) + 96) if horizontal else 360)
    layout = _layout(
        x_title=y_title if horizontal else x_title,
        y_title=x_title if horizontal else y_title,
        height=height,
        barmode="stack" if stacked else "group",
        showlegend=len(series) > 1,
    )
    if horizontal:
        layout["yaxis"]["autorange"] = "reversed"
    columns = [x_title or "", *series.keys()]
    rows = [[label, *(vals[i] for vals in series.values())] for i, label in enumerate(labels)]
    return Chart(
        id=id,
        title=title,
        figure=_figure(traces, layout),
        columns=columns,
        rows=rows,
        description=description,
        height=height,
    )


def line_chart(
    *,
    id: str,
    title: str,
    x: Sequence[Any],
    series: Mapping[str, Sequence[float]],
    x_title: str = "",
    y_title: str = "",
    target: float | None = None,
    target_label: str = "",
    description: str = "",
) -> Chart:
    """Lines over `x` (numbers, dates or labels); `target` draws a dashed line."""
    import plotly.graph_objects as go

    xs = [v.isoformat() if hasattr(v, "isoformat") else v for v in x]
    traces: list[Any] = [
        go.Scatter(name=name, x=xs, y=list(values), mode="lines+markers")
        for name, values in series.items()
    ]
    if target is not None and xs:
        traces.append(
            go.Scatter(
                name=target_label or str(target),
                x=[xs[0], xs[-1]],
                y=[target, target],
                mode="lines",
                line={"dash": "dash", "color": "#555555"},
            )
        )
    layout = _layout(x_title=x_title, y_title=y_title, height=360, showlegend=len(traces) > 1)
    columns = [x_title or "", *series.keys()]
    rows = [[xv, *(vals[i] for vals in series.values())] for i, xv in enumerate(xs)]
    return Chart(
        id=id,
        title=title,
        figure=_figure(traces, layout),
        columns=columns,
        rows=rows,
        description=description,
    )


def pie_chart(
    *,
    id: str,
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    value_title: str = "",
    description: str = "",
) -> Chart:
    """Shares of a whole, as a ring with the percentages written on it."""
    import plotly.graph_objects as go

    traces = [go.Pie(labels=list(labels), values=list(values), hole=0.45, sort=False)]
    layout = _layout(x_title="", y_title="", height=320, showlegend=True)
    return Chart(
        id=id,
        title=title,
        figure=_figure(traces, layout),
        columns=["", value_title],
        rows=[[label, values[i]] for i, label in enumerate(labels)],
        description=description,
        height=320,
    )
