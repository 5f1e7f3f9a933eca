"""Plotly figures for the board, built from the tables of `leaderboard.transforms`.

Plotly renders a subset of HTML (<b>, <br>, <a href>) in every text it draws, and model names come
from files, so each name is HTML-escaped here before plotly sees it.
"""

import html
from itertools import cycle

import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from leaderboard.transforms import ROLE_ORDER, entry_label

ROLE_COLORS = {"teacher": "#1f77b4", "student": "#2ca02c", "baseline": "#ff7f0e", "reported": "#7f7f7f"}
ROLE_SYMBOLS = {"reported": "diamond-open"}  # published numbers look different from measured ones


def safe(text) -> str:
    """Text as plotly shows it literally."""
    return html.escape(str(text))


def _labels(table: pd.DataFrame) -> list[str]:
    return [safe(entry_label(m, f)) for m, f in zip(table["model"], table["format"])]


def score_vs_size(table: pd.DataFrame, column: str, links: list[tuple[str, str]]) -> go.Figure:
    """Score against parameter count (log axis), one colour per role, an arrow from teacher to student."""
    points = table[table["params"].notna() & table[column].notna()]
    fig = go.Figure()
    for role in ROLE_ORDER:
        part = points[points["role"] == role]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["params"].astype(float), y=part[column], mode="markers", name=role, text=_labels(part),
            marker={"color": ROLE_COLORS[role], "size": 11, "symbol": ROLE_SYMBOLS.get(role, "circle")},
            hovertemplate="%{text}<br>%{x:.3s} parameters<br>%{y:.1f}%<extra>" + role + "</extra>"))
    at = points.set_index("entry")
    shown = [(t, s) for t, s in links if t in at.index and s in at.index]
    for i, (teacher, student) in enumerate(shown):
        fig.add_trace(go.Scatter(
            x=[at.at[teacher, "params"], at.at[student, "params"]], y=[at.at[teacher, column], at.at[student, column]],
            mode="lines+markers", line={"color": "#888", "dash": "dot"}, hoverinfo="skip",
            marker={"symbol": "arrow", "angleref": "previous", "size": [1, 14], "color": "#888"},
            name="teacher → student", legendgroup="links", showlegend=i == 0))
    fig.update_layout(xaxis={"type": "log", "title": "parameters"}, yaxis={"title": f"{safe(column)} (%)"},
                      legend={"title": "role"}, margin={"t": 30})
    return fig


def gain_bars(gains: pd.DataFrame, labels: dict[str, str]) -> go.Figure:
    """Per-category gain (percentage points) of each student, one panel per kind of reference."""
    kinds = list(dict.fromkeys(gains["versus"]))
    fig = make_subplots(rows=1, cols=len(kinds), shared_yaxes=True, subplot_titles=[f"vs {k}" for k in kinds])
    colors = dict(zip(dict.fromkeys(gains["student"]), cycle(qualitative.Plotly)))
    in_legend = set()
    for col, versus in enumerate(kinds, 1):
        for student, rows in gains[gains["versus"] == versus].groupby("student", sort=False):
            fig.add_trace(go.Bar(
                x=rows["category"], y=rows["gain"], name=safe(labels[student]), legendgroup=student,
                showlegend=student not in in_legend, marker_color=colors[student],
                text=[f"{g:+.1f}" for g in rows["gain"]], hovertemplate="%{x}: %{y:+.1f} points<extra></extra>"),
                row=1, col=col)
            in_legend.add(student)
    fig.update_layout(barmode="group", legend={"title": "student"}, margin={"t": 40})
    fig.update_yaxes(title_text="gain (points)", zeroline=True, col=1)
    return fig


def heatmap(matrix: pd.DataFrame) -> go.Figure:
    """Benchmark-by-model scores (percent), best models at the top."""
    fig = go.Figure(go.Heatmap(
        z=matrix.values, x=[safe(c) for c in matrix.columns], y=[safe(i) for i in matrix.index],
        zmin=0, zmax=100, colorscale="Viridis", colorbar={"title": "%"},
        texttemplate="%{z:.0f}", hovertemplate="%{y}<br>%{x}: %{z:.1f}%<extra></extra>"))
    fig.update_layout(yaxis={"autorange": "reversed"}, height=max(300, 28 * len(matrix) + 120), margin={"t": 30})
    return fig
