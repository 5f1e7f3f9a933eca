"""The main table: one row per model and format, category and overall averages, one column per benchmark.

Numbers measured here and numbers published in papers are drawn as two separate tables.
"""

import streamlit as st

from distill.benchmarks import CATEGORIES
from leaderboard import transforms, ui

st.title("Teaching small language models to reason")
key = ui.snapshot()
board = ui.board(key)
if not ui.require_entries(board):
    st.stop()

entries = board.entries
chosen = ui.entry_filters(entries, prefix="")
with st.sidebar:
    categories = st.multiselect("Category", CATEGORIES, key="categories", placeholder="all categories")
    show_stderr = st.toggle("Show standard errors", value=True, key="show_stderr")

table = ui.wide(key, categories or list(CATEGORIES))
table = table[table["entry"].isin(chosen["entry"])]
if not show_stderr:
    table = table[[c for c in table.columns if not c.endswith(" ±")]]

st.caption("Exact match in percent, ± its standard error. A benchmark with several test lengths counts once "
           "(the mean of its splits) in the category and overall averages; `benchmarks` says how many each "
           "average covers. Click a column to sort.")
if len(board.rejected):
    st.warning(f"{len(board.rejected)} files or tasks were rejected and are not shown.")
    st.page_link("views/rejected.py", label="See why", icon=":material/report:")

measured = table[table["role"] != "reported"]
measured_total = int((entries["role"] != "reported").sum())
st.subheader(f"Measured here: {len(measured)} of {measured_total} entries")
if not measured_total:
    st.info("Nothing measured here yet: `distill eval --model M --format F` files a run, "
            "`distill submit PATH --role R` any lm-eval output.")
elif measured.empty:
    st.info("No measured entry matches these filters.")
else:
    ui.score_table(measured.dropna(axis=1, how="all"), key="main_table")
    st.caption(f"Test questions per split (the first N of each; the CPU here cannot run every test set): "
               f"{transforms.test_sizes_text(board.scores)}.")

reported = table[table["role"] == "reported"]
if not reported.empty:
    st.subheader("Published in papers, not measured here")
    st.caption("Numbers as their papers report them (source column), kept apart from runs made here.")
    ui.score_table(reported.dropna(axis=1, how="all"), key="reported_table")
