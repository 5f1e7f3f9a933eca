"""Streamlit glue the pages share: where the results are, cached loading, and drawing helpers.

Nothing read from a file is ever passed to a Markdown or HTML element: names, questions and chains
of thought go through st.dataframe, st.text, st.code and st.json, which show text as text.
"""

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from distill.benchmarks import FORMATS, PROGRAM_FORMATS
from distill.results import DEFAULT_DIR, Rejected, read_samples
from leaderboard import compare, transforms
from leaderboard.load import Board, fingerprint, load_board, read_outcomes
from leaderboard.samples import sample_table

RESULTS_ENV = "DISTILL_RESULTS"
COST_LABELS = {"train_seconds": "training wall time (s)", "train_tokens": "training tokens",
               "train_steps": "training steps", "hardware": "training hardware", "precision": "precision",
               "train_examples": "training examples", "train_questions": "training questions",
               "teacher_tokens": "teacher tokens", "teacher_accuracy": "teacher accuracy on its training questions",
               "teacher_seconds": "teacher time (s)", "eval_seconds": "evaluation time (s)",
               "engine": "evaluated by (engine, weights)"}


def results_dir() -> Path:
    """`$DISTILL_RESULTS`, else ./results, where every distill command files entries by default."""
    return Path(os.environ.get(RESULTS_ENV) or DEFAULT_DIR)


# Keyed by a fingerprint of every file's size and mtime: a rerun costs only stat calls until results
# change, and then the board reloads on its own.
@st.cache_data(show_spinner="Reading results...", max_entries=4)
def _board(root: str, files_digest: str) -> Board:
    return load_board(root)


@st.cache_data(max_entries=16)
def _wide(root: str, files_digest: str, categories: tuple[str, ...]) -> pd.DataFrame:
    board = _board(root, files_digest)
    table = transforms.wide_table(transforms.filter_scores(board.scores, list(categories)), board.entries)
    return transforms.collapse_seeds(table)


def snapshot() -> tuple[str, str]:
    """The results directory and a digest of its files: the cache key of all that is read from it."""
    root = str(results_dir())
    return root, fingerprint(root)


def board(key: tuple[str, str] | None = None) -> Board:
    return _board(*(key or snapshot()))


def wide(key: tuple[str, str], categories: list[str]) -> pd.DataFrame:
    """One row per entry or seed group over the chosen categories, before averaging (transforms.with_averages
    averages over the rows a page shows), cached like the board."""
    return _wide(*key, tuple(categories))


# Every samples file is read once per change of the results, and only when a page first needs answers
# (base rates, flags, paired tests); later views get the small tables below from the cache.
@st.cache_data(show_spinner="Reading every answer...", max_entries=2)
def _questions(root: str, files_digest: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    return read_outcomes(_board(root, files_digest))


@st.cache_data(max_entries=4)
def _summary(root: str, files_digest: str) -> pd.DataFrame:
    return compare.summary(_questions(root, files_digest)[0])


@st.cache_data(max_entries=4)
def _flags(root: str, files_digest: str) -> pd.Series:
    summary = _summary(root, files_digest)
    members = transforms.seed_members(_board(root, files_digest).entries)
    return compare.flags(summary.assign(entry=[members[e][0][0] for e in summary["entry"]]))  # as its group's row


@st.cache_data(show_spinner="Comparing students with their references...", max_entries=4)
def _paired(root: str, files_digest: str) -> pd.DataFrame:
    return compare.paired(_questions(root, files_digest)[0], _board(root, files_digest).entries)


@st.cache_data(show_spinner=False, max_entries=8)  # what it waits on, _paired, says what it does
def _tradeoffs(root: str, files_digest: str, by_split: bool) -> pd.DataFrame:
    return compare.tradeoffs(_paired(root, files_digest), _board(root, files_digest).entries,
                             _questions(root, files_digest)[0], by_split)


@st.cache_data(max_entries=4)
def _derived(root: str, files_digest: str) -> tuple[dict[str, str], dict[str, str], list[tuple[str, str]]]:
    entries = _board(root, files_digest).entries
    return (transforms.display_names(entries), transforms.display_names(entries, groups=True),
            transforms.teacher_links(entries))


def questions(key: tuple[str, str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(every entry's per-question outcomes, the samples files that could not be read)."""
    return _questions(*key)


def summary(key: tuple[str, str]) -> pd.DataFrame:
    """Per entry and split: n, score, most common answer, majority and chance rates, flags (compare.summary)."""
    return _summary(*key)


def paired(key: tuple[str, str]) -> pd.DataFrame:
    """Every CoT and PoT student's paired tests against its references (compare.paired)."""
    return _paired(*key)


def tradeoffs(key: tuple[str, str], by_split: bool = False) -> pd.DataFrame:
    """Every sweep point's student, twin and teacher accuracy and its paired p-value (compare.tradeoffs), per
    benchmark or, with `by_split`, per test split."""
    return _tradeoffs(*key, by_split)


def names(key: tuple[str, str], groups: bool = False) -> dict[str, str]:
    """entry -> display name (transforms.display_names); with `groups`, a seed group's entries share its name."""
    return _derived(*key)[1 if groups else 0]


def teacher_links(key: tuple[str, str], shown: pd.DataFrame) -> list[tuple[str, str]]:
    """(teacher entry, student entry) pairs among the entries shown, computed once per change of the results."""
    entries = set(shown["entry"])
    return [(t, s) for t, s in _derived(*key)[2] if t in entries and s in entries]


def flags(key: tuple[str, str], table: pd.DataFrame) -> list[str | None]:
    """The base-rate flags of each row of `table` (a seed group's row: those of any of its seeds)."""
    flag_of = _flags(*key)
    return [flag_of.get(e) for e in table["entry"]]


def rate_rows(key: tuple[str, str], table: pd.DataFrame) -> pd.DataFrame:
    """The base-rate rows for `table` (compare.rate_rows)."""
    return compare.rate_rows(compare.base_rates(summary(key)), table)


def rates_help(key: tuple[str, str]) -> dict[str, str]:
    """split column -> its base rates as a tooltip: 'chance 50.0%; majority class 56.7% of the first 30'."""
    rates = compare.base_rates(summary(key))
    helps = {}
    for column, part in rates.groupby("column", sort=False):
        majority = ", ".join(f"{m:.1f}% of the first {int(n)}" for n, m in zip(part["n"], part["majority"]))
        helps[column] = f"{column}: chance {part['chance'].iloc[0]:.1f}%; always the majority answer {majority}"
    return helps


def _from_url(key: str, default, options):
    """A widget's value as the URL gives it, if it is one the widget can take; else `default`."""
    values = st.query_params.get_all(key)
    if not values:
        return default
    if isinstance(default, bool):
        return values[-1] == "true"
    if isinstance(default, list):
        return [v for v in values if v in options]
    if isinstance(default, tuple):
        return tuple(values) if len(values) == len(default) and all(v in options for v in values) else default
    return values[-1] if options is None or values[-1] in options else default


def url_widget(widget, label: str, key: str, default, options=None, **kwargs):
    """`widget` (st.multiselect, st.selectbox, st.toggle, ...) whose value also lives in the URL as ?key=...:
    a link opens the view it was copied from, and each change rewrites the address. Defaults stay out of
    the URL, so a plain link opens a plain view."""
    if isinstance(default, tuple):  # a range slider learns that it is one from its value argument
        kwargs["value"] = st.session_state.get(key) or _from_url(key, default, options)
    elif key not in st.session_state:
        st.session_state[key] = _from_url(key, default, options)
    value = widget(label, *([] if options is None else [options]), key=key, **kwargs)
    if value == default or (isinstance(value, tuple) and list(value) == list(default)):
        st.query_params.pop(key, None)
    elif isinstance(value, bool):
        st.query_params[key] = "true" if value else "false"
    else:
        st.query_params[key] = list(value) if isinstance(value, (list, tuple)) else str(value)
    return value


def entry_filters(entries: pd.DataFrame, prefix: str, search_and_size: bool = True) -> pd.DataFrame:
    """The sidebar's filters, the same on every page (their widget keys, which are also their URL parameters,
    start with `prefix`); returns the entries they keep. An empty multiselect means no filter, so a fresh
    page shows everything."""
    with st.sidebar:
        search = url_widget(st.text_input, "Search models", f"{prefix}search", "",
                            placeholder="name, base model or teacher") if search_and_size else ""
        roles = url_widget(st.multiselect, "Role", f"{prefix}roles", [],
                           [r for r in transforms.ROLE_ORDER if r in set(entries["role"])], placeholder="all roles")
        formats = url_widget(st.multiselect, "Format", f"{prefix}formats", [],
                             [f for f in FORMATS if f in set(entries["format"])], placeholder="all formats")
        size, unknown_size = ("0", "any"), True
        if search_and_size:
            size = url_widget(st.select_slider, "Parameters", f"{prefix}size", size, list(transforms.SIZE_STEPS))
            unknown_size = url_widget(st.checkbox, "Include models of unknown size", f"{prefix}unknown_size", True)
        # A sweep files a student and twin per value and seed: dozens of rows that the trade-offs page draws.
        sweep_points = entries["sweep"].notna().any() and url_widget(
            st.toggle, "Include sweep points", f"{prefix}sweep_points", False,
            help="the students a sweep recipe trained at each value of its setting (the Trade-offs page plots them)")
    return transforms.filter_entries(entries, roles or list(transforms.ROLE_ORDER), formats or list(FORMATS),
                                     search, size, unknown_size, bool(sweep_points))


@st.cache_data(max_entries=64)
def _samples(path: str, mtime_ns: int, benchmark: str, program: bool) -> tuple[pd.DataFrame | None, str | None]:
    try:
        return sample_table(read_samples(path), benchmark, program), None
    except Rejected as e:
        return None, str(e)


def samples(path: str, benchmark: str, fmt: str) -> tuple[pd.DataFrame | None, str | None]:
    """(the sample browser's table, None) for one samples file, or (None, why it cannot be read)."""
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError as e:
        return None, f"{Path(path).name} cannot be read ({e.strerror})"
    return _samples(path, mtime, benchmark, fmt in PROGRAM_FORMATS)


def page_board() -> tuple[tuple[str, str], Board]:
    """A page's cache key and board. A board with nothing to show stops the page here, after saying how to add
    results."""
    key = snapshot()
    loaded = board(key)
    if loaded.entries.empty:
        st.info(f"No results to show from `{loaded.results_dir}` yet.\n\n"
                "Evaluate a model into it with `distill eval --model smollm2-135m-instruct --format fewshot_cot "
                "--limit 5`, or file any lm-eval output directory with `distill submit PATH --role baseline`. "
                f"To look at another directory, start the board with `{RESULTS_ENV}=DIR`.")
        if not loaded.rejected.empty:
            st.warning(f"{len(loaded.rejected)} files or tasks there were rejected; the Rejected files page says "
                       "why.")
        st.stop()
    return key, loaded


def plain(value) -> str:
    """Any metadata value as one line of text for a table cell; '' when missing; whole numbers without '.0'."""
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def score_table(table: pd.DataFrame, key: str, helps: dict[str, str] | None = None) -> None:
    """A score table: percentages with one decimal, 95% intervals with their n beside them, a link to each
    model's page, and column tooltips (`helps`: the base rates of each split)."""
    helps = helps or {}
    config = {"rank": st.column_config.NumberColumn("rank", pinned=True, help=(
                  "place by the ranking column; blank: the row lacks a split that column averages, so it is not "
                  "ranked")),
              "name": st.column_config.TextColumn("name", pinned=True, help="what the entry is: base ← teacher "
                                                  "CoT or answers · what it was trained on; `entry` is its id"),
              "params": st.column_config.NumberColumn("params", format="compact"),
              "coverage": st.column_config.TextColumn("coverage", help="benchmarks this row has every compared "
                                                      "split of, out of those compared; averages need them all"),
              "flags": st.column_config.TextColumn("base-rate flags", width="medium", help=(
                  "splits where one answer was given to ≥90% of the questions, or where the score is within its "
                  "95% interval of always giving the majority answer")),
              "seeds": st.column_config.TextColumn("seeds", help="a seed group's seeds: its scores are their mean, "
                                                   "its intervals their range"),
              "page": st.column_config.LinkColumn("page", display_text="open", help="the model page")}
    for column in table.columns:
        if column in transforms.AVERAGES:
            config[column] = st.column_config.NumberColumn(column, format="%.1f%%", help=(
                "mean of the benchmarks' scores (a benchmark's splits count once), only for rows that cover "
                "every benchmark compared"))
        elif column in transforms.split_columns():
            config[column] = st.column_config.NumberColumn(column, format="%.1f%%", help=helps.get(column))
        elif column.endswith(" 95%"):
            config[column] = st.column_config.TextColumn(column, help="95% Wilson interval (percent) and the "
                                                                      "number of questions n")
        elif column in COST_LABELS:
            config[column] = st.column_config.Column(COST_LABELS[column], help=f"cost: {COST_LABELS[column]}")
    shown = table.drop(columns=[c for c in table.columns if c.endswith(" n") or c in ("seed", "seed_group")])
    st.dataframe(shown.assign(page="model?entry=" + shown["entry"]), hide_index=True, width="stretch",
                 column_config=config, placeholder="–", key=key)
