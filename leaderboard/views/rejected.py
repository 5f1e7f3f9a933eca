"""Files, tasks and scores the loader could not put on the board, each with the reason."""

import streamlit as st

from leaderboard import ui

st.title("Rejected files")
rejected = ui.board().rejected
if rejected.empty:
    st.success(f"Every file under `{ui.results_dir()}` loaded.")
else:
    st.caption("Each was left out on its own; everything else loaded. Paths are relative to the results "
               "directory. Fix the file, or file lm-eval output with `distill submit`, which checks it first.")
    st.dataframe(rejected, hide_index=True, width="stretch")
