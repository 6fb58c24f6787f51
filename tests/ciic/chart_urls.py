"""A page with one chart of each kind, for the chart tests (mounted with
`@pytest.mark.urls("tests.ciic.chart_urls")`), plus the real site's URLs."""

from django.http import HttpResponse
from django.template import engines
from django.urls import include, path


def charts_page(request):  # type: ignore[no-untyped-def]
    from ciic.charts import bar_chart, line_chart, pie_chart

    charts = [
        bar_chart(
            id="votes",
            title="Voturi pe proiect",
            labels=["Parc", "Școală", "Bibliotecă"],
            series={"Voturi": [1234, 987, 15]},
            x_title="Proiect",
            y_title="Voturi",
            horizontal=True,
        ),
        line_chart(
            id="held",
            title="Ateliere ținute",
            x=["2026-01", "2026-02", "2026-03"],
            series={"Ținute": [3, 7, 12]},
            target=44,
            target_label="Țintă",
        ),
        pie_chart(id="channel", title="Canal", labels=["Online", "Hârtie"], values=[80, 20]),
    ]
    template = engines["django"].from_string(PAGE)
    return HttpResponse(template.render({"charts": charts}, request))


PAGE = """{% extends "base.html" %}
{% block content %}{% for chart in charts %}{% include "includes/chart.html" %}{% endfor %}{% endblock %}
{% block extra_js %}{% include "includes/chart_scripts.html" %}{% endblock %}"""


urlpatterns = [path("test-charts/", charts_page), path("", include("ciic.urls"))]
