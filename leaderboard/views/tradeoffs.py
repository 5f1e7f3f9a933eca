"""Sweeps: one recipe run at several values of one setting (training questions, teacher mode, CoTs per question,
student model, training split); per sweep and benchmark, the student's and its answer-only twin's accuracy
against that value, the teacher's as a line, and the paired p-value of student against twin at each point;
for a benchmark with several test splits (lengths), the student's accuracy on each, one line per value."""

import streamlit as st

from leaderboard import compare, figures, ui

st.title("Trade-offs")
key, board = ui.page_board()
if board.entries["sweep"].isna().all():  # checked first: the points need every samples file read
    st.info("No entry here is part of a sweep yet. A `distill run` recipe with `sweep: {setting: [values]}` "
            "runs once per value and records each run's point in its metadata (`sweep`: name, axis, value); "
            "those entries are plotted here.")
    st.stop()

points = ui.tradeoffs(key)
if points.empty:
    st.info("The entries of a sweep here include no CoT or PoT student (role student, format ft_cot or ft_pot): "
            "only students are plotted against what their sweep varies.")
    st.stop()

names = ui.names(key, groups=True)
st.caption("Accuracy (percent) at each value of the swept setting: the student (a seed group pooled over its "
           "seeds) and its answer-only twin, each with its 95% Wilson interval, over every question it was asked "
           "(all test splits of a benchmark that has several; a question counts once, whatever its seeds); the "
           "dashed line is the teacher. Above each point, the exact paired p-value of student against twin on the "
           "questions both answered (a question counts once, its seeds together); * and green: p < 0.05. Numeric "
           "settings spanning a factor of 4 or more are drawn on a log axis. A benchmark with several test splits "
           "(lengths) also gets the student's accuracy split by split, one line per value.")
by_split = ui.tradeoffs(key, by_split=True)
for (sweep, benchmark), part in points.groupby(["sweep", "benchmark"], sort=False):
    # The sweep's name comes from a file: the figure's title shows it as text, a Markdown subheader would not.
    st.plotly_chart(figures.tradeoff(part, names), key=f"tradeoff:{sweep}:{benchmark}")
    table = part.assign(value=part["value"].map(ui.plain), student=part["student"].map(names),
                        twin=part["twin"].map(names).fillna(compare.UNFILED))
    st.dataframe(table[["value", "student", "runs", "train_examples", "teacher_train_pct", "student_pct",
                        "student_n", "twin", "twin_pct", "teacher_pct", "p"]],
                 hide_index=True, width="stretch", key=f"tradeoff_table:{sweep}:{benchmark}",
                 column_config={
                     "value": st.column_config.TextColumn(str(part["axis"].iloc[0])),
                     "runs": st.column_config.NumberColumn("seeds"),
                     "train_examples": st.column_config.NumberColumn(
                         "kept CoTs", help="the teacher's chains (or programs) the filter kept: what the student "
                         "learned from"),
                     "teacher_train_pct": st.column_config.NumberColumn(
                         "teacher right in training %", format="%.1f",
                         help="the teacher's final answers on the student's training questions, before filtering"),
                     "student_pct": st.column_config.NumberColumn("student %", format="%.1f"),
                     "student_n": st.column_config.NumberColumn("n", help="questions, times seeds"),
                     "twin_pct": st.column_config.NumberColumn("twin %", format="%.1f"),
                     "teacher_pct": st.column_config.NumberColumn("teacher %", format="%.1f"),
                     "p": st.column_config.NumberColumn("p", format="%.4f", help="exact paired test, student "
                                                        "against twin, on the questions both answered")})
    splits = by_split[(by_split["sweep"] == sweep) & (by_split["benchmark"] == benchmark)]
    if splits["split"].nunique() > 1:  # test lengths: where a point gains (or loses) may hide in the pooled score
        st.plotly_chart(figures.tradeoff_splits(splits, names), key=f"tradeoff_splits:{sweep}:{benchmark}")
