"""What distillation gained: each CoT or PoT student against its answer-only twin, untrained base and teacher (a
PoT student also against its CoT students: same teacher, and gold rationales), question by question (wins,
losses, the difference with its 95% interval, the exact paired p-value)."""

import streamlit as st

from leaderboard import compare, figures, ui


def paired_tests(rows, names: dict[str, str], widget_key: str, sides: tuple[str, str] = ("student", "reference")):
    """A table of paired tests (compare.PAIRED_COLUMNS), with what each column means; `sides` names the two
    models' columns."""
    table = rows.assign(student=rows["student"].map(names), reference=rows["reference"].map(names),
                        difference=rows.apply(compare.gain_text, axis=1))
    st.dataframe(table[["student", "versus", "reference", "column", "runs", "n", "wins", "losses", "student_pct",
                        "reference_pct", "difference", "p", "engines"]], hide_index=True, width="stretch",
                 key=widget_key,
                 column_config={
                     "student": st.column_config.TextColumn(sides[0], pinned=True),
                     "reference": st.column_config.TextColumn(sides[1]),
                     "column": st.column_config.TextColumn("test split"),
                     "runs": st.column_config.NumberColumn("seeds", help=f"the {sides[0]}'s seeds, pooled: each "
                                                           "(question, seed) is one pair; a question counts "
                                                           "once in the test"),
                     "n": st.column_config.NumberColumn("n", help="paired questions (times seeds)"),
                     "wins": st.column_config.NumberColumn("wins", help=f"questions only the {sides[0]} got right"),
                     "losses": st.column_config.NumberColumn("losses", help=f"questions only the {sides[1]} got "
                                                             "right"),
                     "student_pct": st.column_config.NumberColumn(f"{sides[0]} %", format="%.1f"),
                     "reference_pct": st.column_config.NumberColumn(f"{sides[1]} %", format="%.1f"),
                     "difference": st.column_config.TextColumn("difference, points [95% interval]", help=(
                         f"{sides[0]} minus {sides[1]} on the same questions; 'not significant' when the exact "
                         "paired p is 0.05 or more")),
                     "p": st.column_config.NumberColumn("p", format="%.4f", help="exact McNemar: two-sided "
                                                        "binomial test of wins against losses; with seeds, "
                                                        "each question's seeds flip together (sign-flip test)"),
                     "engines": st.column_config.TextColumn("different engines", help=(
                         "empty where one engine with the same weights ran both; otherwise what ran each: part of "
                         "the difference may come from the engine, not the training"))})


def any_two(board, key: tuple[str, str]) -> None:
    """Two entries the page does not pair, chosen by the reader, under the same test."""
    st.subheader("Any two models")
    st.caption("Two entries this page does not pair (two students trained on different rationales, a student "
               "and another teacher, two teachers): the same test on the questions both answered. Wins are the "
               "questions only the first got right.")
    measured = board.entries[board.entries["role"] != "reported"]
    one_per_group = measured[measured["seed_group"].isna() | ~measured["seed_group"].duplicated()]
    everyone = ui.names(key, groups=True)  # a seed group is one model, its seeds pooled
    options = sorted(one_per_group["entry"], key=lambda e: everyone[e])
    left, right = st.columns(2)
    with left:
        first = ui.url_widget(st.selectbox, "First", "gain_first", None, options, format_func=everyone.get,
                              placeholder="a model")
    with right:
        second = ui.url_widget(st.selectbox, "Second", "gain_second", None, options, format_func=everyone.get,
                               placeholder="another model")
    if first is None or second is None or first == second:
        return
    rows = compare.head_to_head(ui.questions(key)[0], board.entries, first, second)
    if rows.empty:
        st.info("These two answered no question in common.")
    else:
        paired_tests(rows, everyone, "gain_any_two", sides=("first", "second"))


st.title("What distillation gained")
key, board = ui.page_board()

chosen = ui.entry_filters(board.entries, prefix="gain_", search_and_size=False)
with st.sidebar:
    scope = ui.url_widget(st.radio, "Compare", "gain_scope", "per benchmark", ["per benchmark", "per test split"],
                          help="per benchmark pools the test splits of a benchmark that has several")
    versus = ui.url_widget(st.multiselect, "Against", "gain_versus", [], list(compare.VERSUS),
                           placeholder="every reference")

paired = ui.paired(key)
paired = paired[paired["student"].isin(chosen["entry"]) & paired["versus"].isin(versus or compare.VERSUS)]
paired = paired[paired["whole"]] if scope == "per benchmark" else paired[~paired["column"].str.endswith("(all)")]
unread = ui.questions(key)[1]
if len(unread):
    st.warning(f"{len(unread)} samples files could not be read; their questions are left out (Rejected files "
               "lists the board's other problems).")
if paired.empty:
    st.info("No CoT or PoT student (role student, format ft_cot or ft_pot) shown has its answer-only twin (same "
            "base model, ft_direct), its untrained base model, its teacher or (for PoT) a CoT student beside it "
            "with per-sample logs.")
    any_two(board, key)
    st.stop()

names = ui.names(key, groups=True)
st.caption("Each bar is one CoT or PoT student on the questions it and the reference both answered, question by "
           "question: the difference in accuracy (points) with its 95% interval (Newcombe's, from Wilson "
           "intervals). Green: the exact McNemar test on the questions only one of them got right (each question "
           "once, its seeds together) finds the "
           "difference significant at 0.05; grey and n.s.: it does not. Near that edge the interval and the "
           "exact test can disagree; the mark follows the test. Answer-only students are references here, "
           "never bars of their own.")
st.plotly_chart(figures.gain_bars(paired, names), key="gains")
mixed = paired[paired["engines"].notna() & (paired["versus"] != "teacher")]
if len(mixed):
    st.warning(f"{mixed['student'].nunique()} of these students ran on another engine or weights' type than the "
               "model they are compared with (see 'different engines' below): part of those differences may "
               "come from the engine, not from the training.")

st.subheader("The paired tests")
paired_tests(paired, names, "gain_table")
any_two(board, key)
