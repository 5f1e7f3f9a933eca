"""Streamlit glue the pages share: where the results are, cached loading, and drawing helpers.

Nothing read from a file is ever passed to a Markdown or HTML element: names, questions and chains
of thought go through st.dataframe, st.text, st.code and st.json, which show text as text.
"""

import os
from pathlib import Path

import pandas as pd
import streamlit as st

from distill.benchmarks import CATEGORIES, FORMATS
from leaderboard import transforms
from distill.results import DEFAULT_DIR, Rejected, read_samples
from leaderboard.load import Board, fingerprint, load_board
from leaderboard.samples import sample_table

RESULTS_ENV = "DISTILL_RESULTS"


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
    return transforms.wide_table(transforms.filter_scores(board.scores, list(categories)), board.entries)


def snapshot() -> tuple[str, str]:
    """The results directory and a digest of its files: the cache key of all that is read from it."""
    root = str(results_dir())
    return root, fingerprint(root)


def board(key: tuple[str, str] | None = None) -> Board:
    return _board(*(key or snapshot()))


def wide(key: tuple[str, str], categories: list[str]) -> pd.DataFrame:
    """The main table over the chosen categories, cached like the board."""
    return _wide(*key, tuple(categories))


@st.cache_data(max_entries=4)
def _derived(root: str, files_digest: str) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    board = _board(root, files_digest)
    return transforms.gains(board.scores, board.entries), transforms.teacher_links(board.entries)


def gains(key: tuple[str, str]) -> pd.DataFrame:
    """Every student's gain over its references, computed once per change of the results."""
    return _derived(*key)[0]


def teacher_links(key: tuple[str, str], shown: pd.DataFrame) -> list[tuple[str, str]]:
    """(teacher entry, student entry) pairs among the entries shown, computed once per change of the results."""
    entries = set(shown["entry"])
    return [(t, s) for t, s in _derived(*key)[1] if t in entries and s in entries]


def entry_filters(entries: pd.DataFrame, prefix: str, search_and_size: bool = True) -> pd.DataFrame:
    """The sidebar's filters, the same on every page (their widget keys start with `prefix`); returns the
    entries they keep. An empty multiselect means no filter, so a fresh page shows everything."""
    with st.sidebar:
        search = st.text_input("Search models", key=f"{prefix}search", placeholder="name, base model or teacher") \
            if search_and_size else ""
        roles = st.multiselect("Role", [r for r in transforms.ROLE_ORDER if r in set(entries["role"])],
                               key=f"{prefix}roles", placeholder="all roles")
        formats = st.multiselect("Format", [f for f in FORMATS if f in set(entries["format"])],
                                 key=f"{prefix}formats", placeholder="all formats")
        size, unknown_size = ("0", "any"), True
        if search_and_size:
            size = st.select_slider("Parameters", list(transforms.SIZE_STEPS), value=size, key=f"{prefix}size")
            unknown_size = st.checkbox("Include models of unknown size", value=True, key=f"{prefix}unknown_size")
    return transforms.filter_entries(entries, roles or list(transforms.ROLE_ORDER), formats or list(FORMATS),
                                     search, size, unknown_size)


@st.cache_data(max_entries=64)
def _samples(path: str, mtime_ns: int, benchmark: str) -> tuple[pd.DataFrame | None, str | None]:
    try:
        return sample_table(read_samples(path), benchmark), None
    except Rejected as e:
        return None, str(e)


def samples(path: str, benchmark: str) -> tuple[pd.DataFrame | None, str | None]:
    """(the sample browser's table, None) for one samples file, or (None, why it cannot be read)."""
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError as e:
        return None, f"{Path(path).name} cannot be read ({e.strerror})"
    return _samples(path, mtime, benchmark)


def require_entries(loaded: Board) -> bool:
    """False, after saying how to add some, when the board has nothing to show."""
    if not loaded.entries.empty:
        return True
    st.info(f"No results to show from `{loaded.results_dir}` yet.\n\n"
            "Evaluate a model into it with `distill eval --model smollm2-135m-instruct --format fewshot_cot "
            "--limit 5`, or file any lm-eval output directory with `distill submit PATH --role baseline`. "
            f"To look at another directory, start the board with `{RESULTS_ENV}=DIR`.")
    if not loaded.rejected.empty:
        st.warning(f"{len(loaded.rejected)} files or tasks there were rejected; the Rejected files page says why.")
    return False


def plain(value) -> str:
    """Any metadata value as one line of text for a table cell; '' when missing."""
    if isinstance(value, (list, tuple)):
        return ", ".join(plain(v) for v in value)
    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def entry_labels(entries: pd.DataFrame) -> dict[str, str]:
    return {e: transforms.entry_label(m, f) for e, m, f in zip(entries["entry"], entries["model"], entries["format"])}


def score_table(table: pd.DataFrame, key: str) -> None:
    """A score table: percentages with two decimals (as papers print them), standard errors beside them,
    and a link to each model's page."""
    config = {"params": st.column_config.NumberColumn("params", format="compact"),
              "model": st.column_config.TextColumn("model", pinned=True),
              "benchmarks": st.column_config.NumberColumn("benchmarks", help="benchmarks the averages cover"),
              "page": st.column_config.LinkColumn("page", display_text="open", help="the model page")}
    for column in table.columns:
        if column.endswith(" ±"):
            config[column] = st.column_config.NumberColumn(column, format="± %.2f", help="standard error, points")
        elif column in ("overall", *CATEGORIES, *transforms.split_columns()):
            config[column] = st.column_config.NumberColumn(column, format="%.2f%%")
    st.dataframe(table.assign(page="model?entry=" + table["entry"]), hide_index=True, width="stretch",
                 column_config=config, placeholder="–", key=key)
