"""One model: its scores, how it was made, and a browser over its samples beside another model's."""

import streamlit as st

from leaderboard import samples as sample_tables
from leaderboard import transforms, ui

st.title("Model")
board = ui.board()
if not ui.require_entries(board):
    st.stop()

labels = ui.entry_labels(board.entries)
options = list(labels)
wanted = st.query_params.get("entry")
entry = st.selectbox("Model", options, index=options.index(wanted) if wanted in labels else 0,
                     format_func=labels.get, key="model_entry")
st.query_params["entry"] = entry  # the URL names the model, so it can be shared
meta = board.metadata[entry]
info = board.entries.set_index("entry").loc[entry]
scores = board.scores[board.scores["entry"] == entry]

if info["role"] == "reported":
    st.warning("Published numbers from a paper, not measured here.")
source = meta.get("source")
facts = {"model": info["model"], "role": info["role"], "format": info["format"],
         "parameters": transforms.size_label(info["params"]), "base model": info["base_model"],
         "teacher": info["teacher"], "model source": info["model_source"], "source": info["source"],
         "url": source.get("url") if isinstance(source, dict) else None, "description": meta.get("description")}
st.dataframe([{"": k, "value": ui.plain(v)} for k, v in facts.items() if ui.plain(v)], hide_index=True, key="facts")

st.subheader("Scores")
columns = [transforms.column_label(b, s) for b, s in zip(scores["benchmark"], scores["split"])]
per_task = scores.assign(benchmark=columns, score=scores["score"] * 100, stderr=scores["stderr"].astype(float) * 100)
st.dataframe(per_task[["benchmark", "category", "score", "stderr", "n", "date", "lm_eval_version", "git_hash"]],
             hide_index=True, key="scores",
             column_config={"score": st.column_config.NumberColumn(format="%.2f%%"),
                            "stderr": st.column_config.NumberColumn("±", format="± %.2f")}, placeholder="–")

st.subheader("How it was made")
for key in ("training", "data"):
    if meta.get(key) is not None:
        st.caption(key)
        st.json(meta[key], expanded=False)
runs = meta.get("runs") or []
if runs:
    st.dataframe([{k: ui.plain(r.get(k)) for k in ("date", "backend", "tasks", "limit", "lm_eval_version", "git_hash")}
                  for r in runs], hide_index=True, key="runs")
    for run in runs:
        for key in ("command", "lm_eval_command"):
            if run.get(key):
                st.code(str(run[key]), language="bash", wrap_lines=True)
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
teachers = [t for t, s in transforms.teacher_links(board.entries) if s == entry]
others = sorted(same_questions["entry"], key=lambda e: (e not in teachers, labels[e]))
other = st.selectbox("Side by side with", [None, *others], index=1 if others and others[0] in teachers else 0,
                     format_func=lambda e: "nobody" if e is None else labels[e],
                     key=f"sample_other:{entry}:{benchmark}:{split}")  # a new model or benchmark starts afresh
only_wrong = st.checkbox("Only questions this model got wrong", key="sample_wrong")

table, error = ui.samples(mine["samples_file"], benchmark)
if error:
    st.error("This samples file cannot be read:")
    st.text(error)
    st.stop()
if other is not None:
    other_file = same_questions[same_questions["entry"] == other]["samples_file"].iloc[0]
    other_table, other_error = ui.samples(other_file, benchmark)
    if other_error:
        st.error("The other model's samples file cannot be read:")
        st.text(other_error)
    else:
        table = sample_tables.side_by_side(table, other_table)
if only_wrong:
    table = sample_tables.only_wrong(table)
st.caption(f"{len(table)} questions. `correct` is lm-eval's verdict; `extracted` is what the grader "
           "(distill.grading) reads from the output.")
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
        st.text(f"{label}: answered {picked[f'extracted{suffix}']!s}, {verdict}")
        st.code(picked[f"output{suffix}"], language=None, wrap_lines=True)
