"""Does a GSM-Symbolic student solve new problems, or new numbers in problems it was trained on?

reasoning-gym draws each GSM-Symbolic question from one of about a hundred templates (a GSM8K problem
with its names and numbers made variables), so the test split holds new instances of templates that the
training split also holds. This script recovers each question's template and tallies a student's test
accuracy, and its answer-only twin's, by how many of its training examples came from the same template.

    .venv/bin/python scripts/gsm_templates.py \\
        results/<student>__ft_pot artifacts/runs/arithmetic-pot/train/<benchmark>.<source>.ft_pot.jsonl

A template is known by the names of its variables (reasoning-gym's metadata has no template id), so two
templates with the same variable names count as one.
"""

import argparse
import collections
from pathlib import Path

from distill import data
from distill import results as results_format
from distill.errors import DistillError
from distill.jsonio import read_jsonl
from distill.results import Rejected
from distill.sources import gsm_symbolic

BINS = ((0, 0), (1, 4), (5, 9), (10, None))  # training examples from the test question's template


def templates(seed: int) -> dict[str, tuple[str, ...]]:
    """Question text -> its template's variable names, from the draws distill.sources.gsm_symbolic makes."""
    found = {}
    for _, _, item in gsm_symbolic.draws(seed):
        found.setdefault(gsm_symbolic.question_text(item), tuple(sorted(item["metadata"]["variables"])))
    return found


def _twin(student: Path) -> Path:
    """The answer-only twin's entry beside a student's, as its metadata names it."""
    twin = results_format.read_metadata(student).get("answer_only_twin")
    if not twin:
        raise DistillError(f"{student} names no answer_only_twin: pass --twin")
    return student.parent / results_format.entry_name(twin, "ft_direct")


def correct_by_id(entry: Path) -> dict[str, float]:
    """Each test question's exact match in an entry's gsm_symbolic samples."""
    samples = results_format.benchmark_samples(entry, "gsm_symbolic")
    if samples is None:
        raise SystemExit(f"{entry}: no samples of gsm_symbolic")
    return {s["doc"]["id"]: s["exact_match"] for s in results_format.read_samples(samples)}


def label(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else str(low) if low == high else f"{low}-{high}"


def tally(scores: dict[str, float], ids: list[str]) -> str:
    """Right answers among ids and their share; "-" when the entry has not answered all of them."""
    if not ids or any(i not in scores for i in ids):
        return "-"
    right = sum(scores[i] for i in ids)
    return f"{right:.0f} ({right / len(ids):.0%})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("student", type=Path, help="the student's results/ entry")
    parser.add_argument("train_file", type=Path, help="the JSONL file it was trained on (distill filter's output)")
    parser.add_argument("--twin", type=Path, help="its answer-only twin's entry (default: the one its metadata names)")
    args = parser.parse_args()

    try:
        twin = args.twin or _twin(args.student)
        trained_ids = [r["id"] for r in read_jsonl(args.train_file)]
    except (Rejected, DistillError, OSError) as e:
        parser.error(str(e))
    manifest = data.read_manifest(data.benchmark_dir("gsm_symbolic"))
    if manifest is None:
        parser.error("gsm_symbolic is not prepared here: run `distill data prepare --benchmarks gsm_symbolic`")
    template = templates(manifest["seed"])
    train = {r["id"]: r["question"] for r in data.load_split("gsm_symbolic", "train")}
    trained = collections.Counter(template[train[i]] for i in trained_ids)
    student, answers = correct_by_id(args.student), correct_by_id(twin)
    test = data.load_split("gsm_symbolic", "test")
    for entry, scores in ((args.student, student), (twin, answers)):
        if len(scores) < len(test):
            print(f"{entry.name} answered {len(scores)} of the {len(test)} test questions: its column has '-' "
                  "where it did not answer every question of the row")
    seen = sum(template[r["question"]] in {template[q] for q in train.values()} for r in test)
    print(f"{len(test)} test questions from {len({template[r['question']] for r in test})} templates; "
          f"{seen} from a template in the training split; {len(trained)} templates in {args.train_file.name}")
    print("| training examples from its template | test questions | student | answer-only twin |")
    print("| --- | ---: | ---: | ---: |")
    for low, high in BINS:
        ids = [r["id"] for r in test if low <= trained[template[r["question"]]] <= (high if high is not None else 1e9)]
        print(f"| {label(low, high)} | {len(ids)} | {tally(student, ids)} | {tally(answers, ids)} |")


if __name__ == "__main__":
    main()
