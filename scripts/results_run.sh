#!/usr/bin/env bash
# The board's measured results: every recipe in turn, into results/. Hours on a 2-core CPU; resumable, so
# rerun it after an interruption (or in a later session) and it carries on where it stopped.
#   scripts/results_run.sh [RECIPE...]   (default: every recipe but the demo, main ones first)
set -euo pipefail
cd "$(dirname "$0")/.."
recipes=("$@")
[ $# -gt 0 ] || recipes=(symbolic arithmetic arithmetic-pot commonsense sweep-samples arithmetic-k4 sweep-size
                         sweep-hint sweep-student sweep-length)
for r in "${recipes[@]}"; do
  .venv/bin/distill run "recipes/$r.yaml"
done
