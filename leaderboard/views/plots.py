"""Score against size with teacher-to-student arrows, students' gains per category, a benchmark heatmap."""

import streamlit as st

from distill.benchmarks import CATEGORIES
from leaderboard import figures, transforms, ui

st.title("Plots")
key = ui.snapshot()
board = ui.board(key)
if not ui.require_entries(board):
    st.stop()

entries = board.entries
table = ui.wide(key, list(CATEGORIES))
chosen = ui.entry_filters(entries, prefix="plot_", search_and_size=False)
table = table[table["entry"].isin(chosen["entry"])]

st.subheader("Score against size")
columns = ["overall", *CATEGORIES, *[c for c in transforms.split_columns() if c in table.columns]]
column = st.selectbox("Score", [c for c in columns if table[c].notna().any()], key="plot_score")
if column is None:
    st.info("No scores match these filters.")
else:
    st.plotly_chart(figures.score_vs_size(table, column, ui.teacher_links(key, chosen)), key="scatter")
    unsized = int((table["params"].isna() & table[column].notna()).sum())
    st.caption("Dotted arrows run from each teacher to the students distilled from its chains of thought. "
               "Open diamonds are published numbers."
               + (f" {unsized} entries of unknown size are not drawn." if unsized else ""))

st.subheader("What distillation gained")
gains = ui.gains(key)  # references may be filtered out; their students are not
gains = gains[gains["student"].isin(chosen["entry"])]
if gains.empty:
    st.info("No student on the board has its answer-only baseline (same base model, ft_direct) or its "
            "untrained base model beside it yet.")
else:
    st.plotly_chart(figures.gain_bars(gains, ui.entry_labels(entries)), key="gains")
    st.caption("Percentage points, over the benchmarks both models have. Reported numbers are never mixed in.")

st.subheader("Benchmark by model")
if not table.empty:
    shown = st.slider("Models", 1, len(table), min(30, len(table)), key="heatmap_rows",
                      help="the best models by overall average") if len(table) > 1 else 1
    st.plotly_chart(figures.heatmap(transforms.heatmap_matrix(table.head(shown))), key="heatmap")
