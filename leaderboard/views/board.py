"""The main table: one row per model and format (or seed group), averages over fully covered benchmarks, one
column per test split with its 95% interval, base-rate flags, optional cost columns.

Numbers measured here and numbers published in papers are drawn as two separate tables.
"""

import streamlit as st

from distill.benchmarks import CATEGORIES
from leaderboard import transforms, ui
from leaderboard.load import COST_COLUMNS

st.title("Teaching small language models to reason")
key, board = ui.page_board()

entries = board.entries
chosen = ui.entry_filters(entries, prefix="")
with st.sidebar:
    categories = ui.url_widget(st.multiselect, "Category", "categories", [], list(CATEGORIES),
                               placeholder="all categories")
table = ui.wide(key, categories or list(CATEGORIES))
splits = [c for c in transforms.split_columns() if c in table.columns]
with st.sidebar:
    rank_by = ui.url_widget(st.selectbox, "Rank by", "rank_by", "overall", [*transforms.AVERAGES, *splits],
                            help="an average ranks only the rows that cover every benchmark it compares")
    show_intervals = ui.url_widget(st.toggle, "Show 95% intervals", "show_intervals", True)
    show_cost = ui.url_widget(st.toggle, "Show cost columns", "show_cost", False,
                              help="what made each entry: training time, tokens and hardware, teacher tokens")
members = transforms.seed_members(entries)
table = transforms.shown_rows(table, chosen, members)
hidden = [c for c in table.columns if (not show_intervals and c.endswith(" 95%")) or (not show_cost
                                                                                      and c in COST_COLUMNS)]

st.caption("Exact match in percent. An average (overall, a category) is the mean of its benchmarks, a benchmark "
           "with several test lengths counting once, and is given only to rows that have every split the "
           "rows shown have (`coverage`), so an entry tested on one benchmark is never ranked above one tested "
           "on six. Intervals are 95% Wilson intervals with the number of questions n; hover a column name "
           "for its base rates. Click a column to sort.")
if len(board.rejected):
    st.warning(f"{len(board.rejected)} files or tasks were rejected and are not shown.")
    st.page_link("views/rejected.py", label="See why", icon=":material/report:")

measured = table[table["role"] != "reported"]
measured_total = int((entries["role"] != "reported").sum())
shown = sum(len(members[e]) for e in measured["entry"])  # a seed group's row counts each of its seeds
st.subheader(f"Measured here: {shown} of {measured_total} entries")
if not measured_total:
    st.info("Nothing measured here yet: `distill eval --model M --format F` files a run, "
            "`distill submit PATH --role R` any lm-eval output.")
elif measured.empty:
    st.info("No measured entry matches these filters.")
else:
    measured = transforms.ranked(transforms.with_averages(measured), rank_by)
    measured.insert(measured.columns.get_loc("coverage") + 1, "flags", ui.flags(key, measured))
    if show_cost:  # beside the names, where they are seen
        at = measured.columns.get_loc("coverage") + 1
        measured = measured[[*measured.columns[:at], *COST_COLUMNS,
                             *[c for c in measured.columns[at:] if c not in COST_COLUMNS]]]
    ui.score_table(measured.drop(columns=hidden).dropna(axis=1, how="all"), key="main_table", helps=ui.rates_help(key))
    rates = ui.rate_rows(key, measured)
    st.caption("Base rates, percent (always the majority answer / guessing): " + ", ".join(
        f"{c} {rates.at[1, c]:.1f} / {rates.at[0, c]:.1f}" for c in splits if c in rates.columns) + ". "
        f"Test questions per split (the first N of each): {transforms.test_sizes_text(board.scores)}.")

reported = table[table["role"] == "reported"]
if not reported.empty:
    st.subheader("Published in papers, not measured here")
    st.caption("Numbers as their papers report them (source column), kept apart from runs made here.")
    reported = transforms.ranked(transforms.with_averages(reported), rank_by if rank_by in reported else "overall")
    ui.score_table(reported.drop(columns=hidden).dropna(axis=1, how="all"), key="reported_table")
