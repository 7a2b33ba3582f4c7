"""Shared Plotly look and the safe embedding of figures in pages.

Each dashboard builds its figures in Python from the same rows as its tiles
and tables, then passes them through ``figure_json`` into the ``chart`` macro
of ``templates/_partials/_chart.html``; ``static/js/app.js`` draws them.
"""

import plotly.graph_objects as go
import plotly.io as pio

# Colour-blind-safe palette (Okabe-Ito); series are also told apart by
# marker symbol and dash so no chart relies on colour alone.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442"]
DASHES = ["solid", "dash", "dot", "dashdot"]
SYMBOLS = ["circle", "square", "diamond", "triangle-up"]

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        colorway=PALETTE,
        font=dict(family="system-ui, -apple-system, 'PingFang SC', 'Noto Sans CJK SC', sans-serif",
                  size=13),
        margin=dict(l=48, r=16, t=32, b=40),
        hovermode="x unified",
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis=dict(gridcolor="#e5e7eb"),
        yaxis=dict(gridcolor="#e5e7eb", rangemode="tozero"),
    )
)


def new_figure(**layout):
    """An empty figure with the product's template and ``layout`` applied."""
    figure = go.Figure(layout=dict(template=TEMPLATE, **layout))
    return figure


def figure_json(figure):
    """The figure as JSON that is safe inside ``<script type=application/json>``:
    ``<``, ``>`` and ``&`` are escaped so no text can close the element."""
    text = pio.to_json(figure, validate=False, engine="json")
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
