"""Score against size with teacher-to-student arrows, score against cost, a benchmark heatmap; base rates as lines."""

import streamlit as st

from distill.benchmarks import CATEGORIES
from leaderboard import figures, transforms, ui

st.title("Plots")
key, board = ui.page_board()

entries = board.entries
chosen = ui.entry_filters(entries, prefix="plot_", search_and_size=False)
table = ui.wide(key, list(CATEGORIES))
table = transforms.with_averages(transforms.shown_rows(table, chosen, transforms.seed_members(entries)))
columns = [c for c in [*transforms.AVERAGES, *transforms.split_columns()] if c in table.columns
           and table[c].notna().any()]

st.subheader("Score against size")
# By default the score most entries have: an average covers only the rows that have all of its benchmarks.
most = max(columns, key=lambda c: table[c].notna().sum()) if columns else None
column = ui.url_widget(st.selectbox, "Score", "plot_score", most, columns,
                       help="an average is drawn only for rows that cover every benchmark it compares")
if column is None:
    st.info("No scores match these filters.")
    st.stop()
# The base rates go through the same averaging as the rows, so an average gets the average base rate.
rates = transforms.with_averages(ui.rate_rows(key, table)).set_index("name")
lines = rates[column].to_dict() if column in rates.columns else {}
st.plotly_chart(figures.score_vs_size(table, column, ui.teacher_links(key, chosen), lines), key="scatter")
unsized = int((table["params"].isna() & table[column].notna()).sum())
st.caption("Dotted arrows run from each teacher to the students distilled from its chains of thought. Open "
           "diamonds are published numbers. Grey lines: always giving the majority answer, and guessing, over "
           "the questions most entries were asked. Hover a point for its interval and n."
           + (f" {unsized} entries of unknown size are not drawn." if unsized else ""))

st.subheader("Score against cost")
costs = {c: label for c, label in ui.COST_LABELS.items() if c in table.columns and table[c].dtype.kind == "f"
         and table[c].notna().any() and c != "teacher_accuracy"}
if not costs:
    st.info("No entry shown records what it cost to make (metadata `training`, `data`, `cost`).")
else:
    cost = ui.url_widget(st.selectbox, "Cost", "plot_cost", next(iter(costs)), list(costs), format_func=costs.get)
    st.plotly_chart(figures.score_vs_cost(table, column, cost, costs[cost], lines), key="cost")
    st.caption("Only entries whose metadata records this cost are drawn: students carry their training and "
               "teacher data; untrained models and teachers have none.")

st.subheader("Benchmark by model")
ranked = transforms.ranked(table, column)
if not ranked.empty:
    shown = st.slider("Models", 1, len(ranked), min(30, len(ranked)), key="heatmap_rows",
                      help="the best by the score above") if len(ranked) > 1 else 1
    st.plotly_chart(figures.heatmap(transforms.heatmap_matrix(ranked.head(shown))), key="heatmap")
