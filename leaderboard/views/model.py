"""One model: its scores with their base rates, its answers, what it cost, how it was made, its seeds, and a
browser over its samples beside another model's."""

import streamlit as st

from distill.results import engine_label
from leaderboard import compare, transforms, ui
from leaderboard import samples as sample_tables
from leaderboard.load import COST_COLUMNS

st.title("Model")
key, board = ui.page_board()

labels = ui.names(key)
options = list(labels)
wanted = st.query_params.get("entry")
entry = st.selectbox("Model", options, index=options.index(wanted) if wanted in labels else 0,
                     format_func=labels.get, key="model_entry")
st.query_params["entry"] = entry  # the URL names the model, so it can be shared
meta = board.metadata[entry]
info = board.entries.set_index("entry").loc[entry]
scores = board.scores[board.scores["entry"] == entry]
seeds = transforms.seed_members(board.entries)[entry]

if info["role"] == "reported":
    st.warning("Published numbers from a paper, not measured here.")
source = meta.get("source")
facts = {"name": labels[entry], "entry": entry, "model": info["model"], "role": info["role"], "format": info["format"],
         "parameters": transforms.size_label(info["params"]), "base model": info["base_model"],
         "teacher": info["teacher"], "trained on": info["trained_on"], "seed": info["seed"],
         "seed group": info["seed_group"], "model source": info["model_source"], "source": info["source"],
         "url": source.get("url") if isinstance(source, dict) else None, "description": meta.get("description")}
st.dataframe([{"": k, "value": ui.plain(v)} for k, v in facts.items() if ui.plain(v)], hide_index=True, key="facts")

if len(seeds) > 1:
    st.subheader("Seeds")
    st.caption("The entries of this seed group differ only in their seed; the board shows them as one row "
               "(their mean, with the range across seeds). Each seed's own scores:")
    per_seed = transforms.wide_table(board.scores, board.entries.set_index("entry").loc[[e for e, _ in seeds]]
                                     .reset_index())
    split_cols = [c for c in transforms.split_columns() if c in per_seed.columns]
    st.dataframe(per_seed.assign(page="model?entry=" + per_seed["entry"])[["seed", "entry", *split_cols, "page"]],
                 hide_index=True, key="seeds", column_config={
                     "page": st.column_config.LinkColumn("page", display_text="open"),
                     **{c: st.column_config.NumberColumn(c, format="%.1f%%") for c in split_cols}})

st.subheader("Scores")
summary = ui.summary(key) if info["role"] != "reported" else None
per_task = scores.assign(benchmark=[transforms.column_label(b, s) for b, s in zip(scores["benchmark"],
                                                                                  scores["split"])])
per_task = per_task.assign(interval=[transforms.interval_text(v, n) for v, n in zip(per_task["score"], per_task["n"])],
                           n=per_task["n"].astype("Int64"),
                           score=per_task["score"] * 100)
columns = ["benchmark", "category", "score", "interval", "n"]
if summary is not None:
    mine = summary[summary["entry"] == entry].set_index("column")
    answered = [f"{a} ({int(k)} of {int(n)})" if k else "" for a, k, n in
                zip(mine["top_answer"], mine["top_count"], mine["n"])]
    flagged = ["same answer to ≥90%" if c else "≈ majority" if m else "" for c, m in
               zip(mine["constant"], mine["near_majority"])]
    mine = mine.assign(chance=mine["chance"] * 100, majority=mine["majority"] * 100, answered=answered, flag=flagged)
    per_task = per_task.join(mine[["chance", "majority", "answered", "flag"]], on="benchmark")
    columns += ["chance", "majority", "answered", "flag"]
st.dataframe(per_task[[*columns, "date", "lm_eval_version", "git_hash"]], hide_index=True, key="scores",
             placeholder="–", column_config={
                 "score": st.column_config.NumberColumn(format="%.1f%%"),
                 "interval": st.column_config.TextColumn("95% interval", help="Wilson interval and n"),
                 "chance": st.column_config.NumberColumn("chance", format="%.1f%%", help="guessing"),
                 "majority": st.column_config.NumberColumn("majority class", format="%.1f%%", help=(
                     "always giving the most common gold answer of these questions")),
                 "answered": st.column_config.TextColumn("most common answer", help="the answer the grader read "
                                                         "most often, and how often"),
                 "flag": st.column_config.TextColumn("base-rate flag", help="one answer to ≥90% of the questions, "
                                                     "or a score within its 95% interval of the majority class")})

if summary is not None:
    st.subheader("Answers given")
    st.caption("The answers the grader read from this model's outputs, per test split, beside how often each "
               "is the gold answer; a model that gives one answer everywhere scores the base rate of that answer.")
    st.dataframe(compare.answer_counts(ui.questions(key)[0], entry), hide_index=True, key="answers",
                 column_config={"share": st.column_config.NumberColumn("share of answers", format="%.1f%%"),
                                "gold": st.column_config.NumberColumn("gold", help="questions whose gold answer "
                                                                      "this is")})

cost = {ui.COST_LABELS[c]: info[c] for c in COST_COLUMNS if ui.plain(info[c])}
if cost:
    st.subheader("What it cost")
    st.dataframe([{"": k, "value": ui.plain(v)} for k, v in cost.items()], hide_index=True, key="cost")

st.subheader("How it was made")
for part in ("training", "data"):
    if meta.get(part) is not None:
        st.caption(part)
        st.json(meta[part], expanded=False)
runs = meta.get("runs") or []
if runs:
    st.dataframe([{"engine": engine_label(r), **{k: ui.plain(r.get(k)) for k in (
        "date", "tasks", "limit", "eval_seconds", "lm_eval_version", "git_hash")}} for r in runs],
                 hide_index=True, key="runs")
    for run in runs:
        for field in ("command", "lm_eval_command"):
            if run.get(field):
                st.code(str(run[field]), language="bash", wrap_lines=True)
elif info["role"] != "reported":
    st.caption("No runs recorded in metadata.json.")

st.subheader("Samples")
with_samples = scores[scores["samples_file"].notna()]
if with_samples.empty:
    st.info("No per-sample logs for this entry" + (" (published numbers have none)." if info["role"] == "reported"
                                                    else "."))
    st.stop()

column_of = {transforms.column_label(b, s): (b, s) for b, s in zip(with_samples["benchmark"], with_samples["split"])}
benchmark, split = column_of[st.selectbox("Benchmark", list(column_of), key="sample_benchmark")]
mine = with_samples[(with_samples["benchmark"] == benchmark) & (with_samples["split"] == split)].iloc[0]

# Any other entry with samples of the same questions, whatever its format; its teacher first.
same_questions = board.scores[(board.scores["benchmark"] == benchmark) & (board.scores["split"] == split)
                              & board.scores["samples_file"].notna() & (board.scores["entry"] != entry)]
teachers = [t for t, s in ui.teacher_links(key, board.entries) if s == entry]
others = sorted(same_questions["entry"], key=lambda e: (e not in teachers, labels[e]))
other = st.selectbox("Side by side with", [None, *others], index=1 if others and others[0] in teachers else 0,
                     format_func=lambda e: "nobody" if e is None else labels[e],
                     key=f"sample_other:{entry}:{benchmark}:{split}")  # a new model or benchmark starts afresh
only_wrong = st.checkbox("Only questions this model got wrong", key="sample_wrong")

table, error = ui.samples(mine["samples_file"], benchmark, mine["format"])
if error:
    st.error("This samples file cannot be read:")
    st.text(error)
    st.stop()
if other is not None:
    other_file = same_questions[same_questions["entry"] == other]["samples_file"].iloc[0]
    other_format = same_questions[same_questions["entry"] == other]["format"].iloc[0]
    other_table, other_error = ui.samples(other_file, benchmark, other_format)
    if other_error:
        st.error("The other model's samples file cannot be read:")
        st.text(other_error)
    else:
        table = sample_tables.side_by_side(table, other_table)
if only_wrong:
    table = sample_tables.only_wrong(table)
st.caption(f"{len(table)} questions. `correct` is lm-eval's verdict; `extracted` is what the grader "
           "(distill.grading) reads from the output; `wrong step`, on last_letter and coin_flip, that the chain "
           "states a step its question contradicts (a wrong letter for a word, the wrong people or count), as "
           "the filter checks the teacher's chains: a right answer reached that way is luck.")
st.dataframe(table.drop(columns=[c for c in table.columns if c.startswith("output")]), hide_index=True,
             key="sample_table")
if table.empty:
    st.stop()

picked = table.iloc[st.selectbox("Question", range(len(table)), format_func=lambda i: table["id"].iloc[i],
                                  key="sample_id")]
st.text(picked["question"])
st.text(f"gold answer: {picked['gold']}")
sides = [(labels[entry], "")] + ([(labels[other], " (other)")] if other is not None and "output (other)" in picked
                                 else [])
for column, (label, suffix) in zip(st.columns(len(sides)), sides):
    with column:
        verdict = {True: "right", False: "wrong"}.get(picked[f"correct{suffix}"], "not graded")
        wrong_step = picked[f"wrong step{suffix}"] == True  # noqa: E712 (None: steps not checked)
        step = ", through a step the question contradicts" if wrong_step else ""
        st.text(f"{label}: answered {picked[f'extracted{suffix}']!s}, {verdict}{step}")
        st.code(picked[f"output{suffix}"], language=None, wrap_lines=True)
