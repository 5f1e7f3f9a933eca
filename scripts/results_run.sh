#!/usr/bin/env bash
# The board's measured results: every recipe in turn, into results/. Hours on a 2-core CPU; resumable, so
# rerun it after an interruption (or in a later session) and it carries on where it stopped.
#   scripts/results_run.sh [--plan] [RECIPE...]   (default: every recipe but the demo, main ones first;
#                                                 --plan: list what is left and run nothing)
set -euo pipefail
cd "$(dirname "$0")/.."
plan=()
[ "${1:-}" != --plan ] || { plan=(--plan); shift; }
recipes=("$@")
# The sweeps that reuse the teacher's files (or add 1-2 hours of it) first; sampling 8 CoTs per question
# (sweep-samples) is over half a day of teacher time, so it comes last; its points land one by one.
[ $# -gt 0 ] || recipes=(symbolic arithmetic arithmetic-pot commonsense sweep-size sweep-length sweep-hint
                         sweep-student sweep-samples)
# A recipe that fails (a bad setting, a student that runs out of memory) does not hold up the ones after it: an
# unattended run of days goes on, and names the failed ones at the end. An interrupted one (a signal) stops it.
failed=()
for r in "${recipes[@]}"; do
  .venv/bin/distill run "recipes/$r.yaml" "${plan[@]}" && continue
  status=$?
  [ "$status" -lt 128 ] || exit "$status"
  failed+=("$r")
done
[ ${#failed[@]} -eq 0 ] || { echo "failed: ${failed[*]} (their errors are above; rerun them once fixed)" >&2; exit 1; }
