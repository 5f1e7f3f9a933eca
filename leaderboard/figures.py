"""Plotly figures for the board, built from the tables of `leaderboard.transforms` and `leaderboard.compare`.

Plotly renders a subset of HTML (<b>, <br>, <a href>) in every text it draws, and model names come
from files, so each name is HTML-escaped here before plotly sees it.
"""

import html
import itertools

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from distill.benchmarks import split_suffix
from leaderboard.compare import p_text
from leaderboard.transforms import ROLE_ORDER, interval_column

ROLE_COLORS = {"teacher": "#1f77b4", "student": "#2ca02c", "baseline": "#ff7f0e", "reported": "#7f7f7f"}
ROLE_SYMBOLS = {"reported": "diamond-open"}  # published numbers look different from measured ones
RATE_LINES = {"chance": "dot", "majority class": "dash"}  # base rates, drawn under the points
SIGNIFICANT, NOT_SIGNIFICANT = "#2ca02c", "#c7c7c7"
# The lines of a trade-off plot: TRADEOFF_COLUMNS prefix -> legend name and colour.
TRADEOFF_LINES = {"student": ("student", ROLE_COLORS["student"]), "twin": ("answer-only twin", ROLE_COLORS["baseline"])}
AXIS_TITLES = {"train_questions": "training questions", "samples": "teacher CoTs per question (K)",
               "mode": "teacher prompt mode", "student": "student model", "train_split": "training split"}
# The lines of a by-split trade-off plot, one per swept value: none of them the teacher's blue.
VALUE_COLORS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")
LOG_SPAN = 4  # a numeric sweep whose largest value is this many times its smallest gets a log x axis


def safe(text) -> str:
    """Text as plotly shows it literally."""
    return html.escape(str(text))


def _hover(part: pd.DataFrame, column: str) -> list[str]:
    """Each point's name and what its score rests on: the interval and n of a split, the coverage of an average."""
    if interval_column(column) in part.columns:
        details = list(part[interval_column(column)].fillna(""))
    elif "coverage" in part.columns:
        details = [f"covers {c} benchmarks" for c in part["coverage"]]
    else:
        details = [""] * len(part)
    return [f"{safe(n)}<br>{safe(d)}" for n, d in zip(part["name"], details)]


def _percent_axis(column: str) -> dict:
    """The whole 0-100 range, so the base-rate lines are always in view and distances read true."""
    return {"title": f"{safe(column)} (%)", "range": [-3, 103]}


def _rate_lines(fig: go.Figure, rates: dict[str, float]) -> None:
    for label, value in rates.items():
        if pd.notna(value):
            fig.add_hline(y=value, line={"dash": RATE_LINES[label], "color": "#999", "width": 1},
                          annotation_text=f"{label} {value:.1f}%", annotation_position="bottom right",
                          annotation_font={"color": "#777", "size": 11})


def _by_role(fig: go.Figure, points: pd.DataFrame, x: str, column: str, x_format: str) -> None:
    for role in ROLE_ORDER:
        part = points[points["role"] == role]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part[x].astype(float), y=part[column], mode="markers", name=role, text=_hover(part, column),
            marker={"color": ROLE_COLORS[role], "size": 11, "symbol": ROLE_SYMBOLS.get(role, "circle")},
            hovertemplate="%{text}<br>%{x:" + x_format + "}<br>%{y:.1f}%<extra>" + role + "</extra>"))


def score_vs_size(table: pd.DataFrame, column: str, links: list[tuple[str, str]],
                  rates: dict[str, float] | None = None) -> go.Figure:
    """Score against parameter count (log axis), one colour per role, an arrow from teacher to student,
    and the split's chance and majority-class rates as horizontal lines."""
    points = table[table["params"].notna() & table[column].notna()]
    fig = go.Figure()
    _by_role(fig, points, "params", column, ".3s")
    at = points.set_index("entry")
    shown = [(t, s) for t, s in links if t in at.index and s in at.index]
    for i, (teacher, student) in enumerate(shown):
        fig.add_trace(go.Scatter(
            x=[at.at[teacher, "params"], at.at[student, "params"]], y=[at.at[teacher, column], at.at[student, column]],
            mode="lines+markers", line={"color": "#888", "dash": "dot"}, hoverinfo="skip",
            marker={"symbol": "arrow", "angleref": "previous", "size": [1, 14], "color": "#888"},
            name="teacher → student", legendgroup="links", showlegend=i == 0))
    _rate_lines(fig, rates or {})
    fig.update_layout(xaxis={"type": "log", "title": "parameters"}, yaxis=_percent_axis(column),
                      legend={"title": "role"}, margin={"t": 30})
    return fig


def score_vs_cost(table: pd.DataFrame, column: str, cost: str, cost_label: str,
                  rates: dict[str, float] | None = None) -> go.Figure:
    """Score against what making the entry cost (log axis), one colour per role, base rates as lines."""
    points = table[table[cost].notna() & table[column].notna()]
    fig = go.Figure()
    _by_role(fig, points, cost, column, ".3s")
    _rate_lines(fig, rates or {})
    fig.update_layout(xaxis={"type": "log", "title": safe(cost_label)}, yaxis=_percent_axis(column),
                      legend={"title": "role"}, margin={"t": 30})
    return fig


def gain_bars(paired: pd.DataFrame, names: dict[str, str]) -> go.Figure:
    """One horizontal bar per CoT or PoT student and benchmark in each panel (one panel per reference): the paired
    difference in points with its 95% interval, green where the exact test finds it significant at 0.05,
    grey and labelled "n.s." where it does not."""
    kinds = list(dict.fromkeys(paired["versus"]))
    fig = make_subplots(rows=1, cols=len(kinds), shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=[f"vs {safe(k)}" for k in kinds])
    labels = [safe(f"{names.get(s, s)} · {c}") for s, c in zip(paired["student"], paired["column"])]
    paired = paired.assign(label=labels)
    # One symmetric scale for every panel, wide enough for the intervals and their labels: bars compare.
    bound = max(20.0, 1.5 * max(paired["low"].abs().max(), paired["high"].abs().max()))
    for col, versus in enumerate(kinds, 1):
        rows = paired[paired["versus"] == versus]
        for significant, part in rows.groupby("significant", sort=False):
            hover = [f"{label}<br>vs {safe(names.get(r, r))}<br>{won} wins, {lost} losses of {n} pairs<br>"
                     f"{d:+.1f} points [{lo:+.1f}, {hi:+.1f}], p = {p:.3g}"
                     for label, r, won, lost, n, d, lo, hi, p in zip(part["label"], part["reference"], part["wins"],
                                                                     part["losses"], part["n"], part["difference"],
                                                                     part["low"], part["high"], part["p"])]
            fig.add_trace(go.Bar(
                y=part["label"], x=part["difference"], orientation="h",
                error_x={"type": "data", "symmetric": False, "array": part["high"] - part["difference"],
                         "arrayminus": part["difference"] - part["low"], "color": "#444", "thickness": 1.2},
                marker_color=SIGNIFICANT if significant else NOT_SIGNIFICANT, hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>", legendgroup=str(significant),
                name="significant (p < 0.05)" if significant else "not significant (n.s.)",
                showlegend=not any(t.legendgroup == str(significant) for t in fig.data)), row=1, col=col)
            ahead = part["difference"] >= 0  # the value and its mark, past the interval's end away from 0
            gap = bound * 0.03
            fig.add_trace(go.Scatter(
                y=part["label"], x=(part["high"] + gap).where(ahead, part["low"] - gap),
                mode="text", textposition=["middle right" if a else "middle left" for a in ahead],
                text=[f"{d:+.1f}" + ("" if significant else " n.s.") for d in part["difference"]],
                hoverinfo="skip", showlegend=False, cliponaxis=False), row=1, col=col)
    fig.update_xaxes(title_text="difference (points)", zeroline=True, zerolinecolor="#444", range=[-bound, bound])
    fig.update_yaxes(autorange="reversed", categoryorder="array", categoryarray=list(dict.fromkeys(labels)))
    fig.update_layout(height=max(280, 34 * len(set(labels)) + 170), margin={"t": 80, "l": 10}, bargap=0.35,
                      legend={"orientation": "h", "x": 0, "y": 1.12, "yanchor": "bottom"})
    return fig


def heatmap(matrix: pd.DataFrame) -> go.Figure:
    """Benchmark-by-model scores (percent), best models at the top."""
    fig = go.Figure(go.Heatmap(
        z=matrix.values, x=[safe(c) for c in matrix.columns], y=[safe(i) for i in matrix.index],
        zmin=0, zmax=100, colorscale="Viridis", colorbar={"title": "%"},
        texttemplate="%{z:.0f}", hovertemplate="%{y}<br>%{x}: %{z:.1f}%<extra></extra>"))
    fig.update_layout(yaxis={"autorange": "reversed"}, height=max(300, 28 * len(matrix) + 120), margin={"t": 30})
    return fig


def tradeoff(points: pd.DataFrame, names: dict[str, str] | None = None) -> go.Figure:
    """One sweep on one benchmark (rows of compare.tradeoffs), titled by both: accuracy against the swept value
    for the student and its answer-only twin with their 95% intervals, the teacher as a dashed horizontal line,
    and above each point the p-value of student against twin, starred and green where it is below 0.05.

    The x axis is logarithmic for numbers spanning a factor of LOG_SPAN or more (training-set sizes, samples
    per question), linear for other numbers, and categorical for text (modes, model names)."""
    names = names or {}
    x, axis = _sweep_axis(list(points["value"]))
    swept = points["axis"].iloc[0]
    axis["title"] = safe(AXIS_TITLES.get(swept, swept))
    fig = go.Figure()
    for who, (label, color) in TRADEOFF_LINES.items():
        pct = points[f"{who}_pct"]
        hover = [f"{safe(names.get(e, e))}<br>{v:.1f}% [{lo:.1f}, {hi:.1f}] (n={n:.0f})" if pd.notna(v) else ""
                 for e, v, lo, hi, n in zip(points[who], pct, points[f"{who}_low"], points[f"{who}_high"],
                                            points[f"{who}_n"])]
        fig.add_trace(go.Scatter(
            x=x, y=pct, mode="lines+markers", name=label, line={"color": color}, marker={"color": color, "size": 9},
            error_y={"type": "data", "symmetric": False, "array": points[f"{who}_high"] - pct,
                     "arrayminus": pct - points[f"{who}_low"], "color": color, "thickness": 1.2},
            text=hover, hovertemplate="%{text}<extra>" + label + "</extra>"))
    for teacher in points["teacher_pct"].dropna().unique():  # one teacher in a sweep, but never hide another
        fig.add_hline(y=teacher, line={"dash": "dash", "color": ROLE_COLORS["teacher"], "width": 1.5},
                      annotation_text=f"teacher {teacher:.1f}%", annotation_position="bottom right",
                      annotation_font={"color": ROLE_COLORS["teacher"], "size": 11})
    tested = points["p"].notna()
    fig.add_trace(go.Scatter(  # a row of p-values above the 0-100 range, one under each x
        x=[v for v, t in zip(x, tested) if t], y=[106] * int(tested.sum()), mode="text", name="p, student vs twin",
        text=[p_text(p).replace(" ", "") + (" *" if s else "") for p, s in zip(points["p"][tested],
                                                                                points["significant"][tested])],
        textfont={"color": [SIGNIFICANT if s else "#777" for s in points["significant"][tested]], "size": 11},
        hoverinfo="skip", showlegend=False, cliponaxis=False))
    title = f"{points['sweep'].iloc[0]} · {points['benchmark'].iloc[0]}"
    fig.update_layout(title=safe(title), xaxis=axis, yaxis={"title": "accuracy (%)", "range": [-3, 110]},
                      margin={"t": 50}, legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"})
    return fig


def tradeoff_splits(points: pd.DataFrame, names: dict[str, str] | None = None) -> go.Figure:
    """One sweep on one benchmark, test split by test split (rows of compare.tradeoffs with by_split): x the
    split, in the registry's order (test lengths, for instance), one line per swept value for the student with
    its 95% interval, and the teacher dashed; the hover gives the answer-only twin and the p-value of student
    against twin."""
    names = names or {}
    swept = safe(AXIS_TITLES.get(points["axis"].iloc[0], points["axis"].iloc[0]))
    fig = go.Figure()
    for (value, part), color in zip(points.groupby("value", sort=False), itertools.cycle(VALUE_COLORS)):
        hover = [f"{safe(names.get(e, e))}: {v:.1f}% [{lo:.1f}, {hi:.1f}] (n={n:.0f})<br>twin {t:.1f}%, {p_text(p)}"
                 if pd.notna(p) else f"{safe(names.get(e, e))}: {v:.1f}%"
                 for e, v, lo, hi, n, t, p in zip(part["student"], part["student_pct"], part["student_low"],
                                                  part["student_high"], part["student_n"], part["twin_pct"], part["p"])]
        fig.add_trace(go.Scatter(
            x=[split_suffix(s) for s in part["split"]], y=part["student_pct"], mode="lines+markers",
            name=f"{swept} = {safe(value if isinstance(value, str) else f'{value:g}')}", line={"color": color},
            marker={"color": color}, text=hover, hovertemplate="%{text}<extra></extra>",
            error_y={"type": "data", "symmetric": False, "array": part["student_high"] - part["student_pct"],
                     "arrayminus": part["student_pct"] - part["student_low"], "color": color, "thickness": 1.2}))
    teacher = points.drop_duplicates("split").dropna(subset=["teacher_pct"])
    if not teacher.empty:
        fig.add_trace(go.Scatter(x=[split_suffix(s) for s in teacher["split"]], y=teacher["teacher_pct"],
                                 mode="lines+markers", name="teacher",
                                 line={"dash": "dash", "color": ROLE_COLORS["teacher"]}))
    order = list(dict.fromkeys(split_suffix(s) for s in points["split"]))
    fig.update_layout(title=safe(f"{points['sweep'].iloc[0]} · {points['benchmark'].iloc[0]}, by test split"),
                      xaxis={"title": "test split", "type": "category", "categoryorder": "array",
                             "categoryarray": order},
                      yaxis={"title": "student accuracy (%)", "range": [-3, 103]}, margin={"t": 50},
                      legend={"orientation": "h", "x": 0, "y": -0.2, "yanchor": "top"})
    return fig


def _sweep_axis(values: list) -> tuple[list, dict]:
    """(x of each value, plotly axis settings): see `tradeoff`; ticks sit at the values swept."""
    if any(isinstance(v, str) for v in values):
        x = [safe(v) for v in values]  # model names, from files
        return x, {"type": "category", "categoryorder": "array", "categoryarray": list(dict.fromkeys(x))}
    x = [float(v) for v in values]
    log = min(x) > 0 and max(x) >= LOG_SPAN * min(x)
    return x, {"type": "log" if log else "linear", "tickmode": "array", "tickvals": sorted(set(x)),
               "ticktext": [f"{v:g}" for v in sorted(set(x))]}
