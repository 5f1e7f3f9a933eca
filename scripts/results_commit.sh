#!/usr/bin/env bash
# Commit what the long runs (scripts/results_run.sh) have landed so far: results/, teacher_cots/ and the
# generated pages that describe them (README's results section, teacher_cots/README.md), all from one
# snapshot. A run may be appending to a teacher file meanwhile, so the snapshot is retried until no file
# changed between writing the pages and staging them, and no file ends in a half-written gzip member. What is
# committed is that staged snapshot (the index), not the files as they are by the time `distill verify` ends.
#   scripts/results_commit.sh ["message"]
set -euo pipefail
cd "$(dirname "$0")/.."
message=${1:-"Results landed so far by scripts/results_run.sh"}
PY=.venv/bin/python
PATHS=(results teacher_cots README.md)
# Every file to commit and its size; hidden ones (locks, staging folders) are the writers', never committed.
sizes() { find "$@" -name '.*' -prune -o -type f -printf '%p %s\n' | sort; }
quiet() { $PY -c 'import sys; from pathlib import Path; from distill.jsonio import torn_end
sys.exit(any(torn_end(p) for p in Path("teacher_cots").glob("*/*.jsonl.gz")))'; }
# A snapshot that is not committed is unstaged again, so that no later `git commit` takes it in unverified.
unstage() { git reset -q -- "${PATHS[@]}"; }
others=$(git diff --cached --name-only -- . ':!results' ':!teacher_cots' ':!README.md')
if [ -n "$others" ]; then
  echo "other changes are staged; commit or unstage them first:" >&2; echo "$others" >&2; exit 1
fi
for attempt in 1 2 3 4 5; do
  before=$(sizes teacher_cots results)
  if quiet; then
    $PY -m leaderboard.readme
    $PY -m distill.datasheet
    git add "${PATHS[@]}"
    staged=$(sizes results)
    if [ "$before" = "$(sizes teacher_cots results)" ]; then
      # A BAD entry stops the commit; entries this machine cannot check (their test split cannot be
      # downloaded: BIG-bench's, say) are named and the rest is committed.
      if ! out=$(.venv/bin/distill verify results 2>&1); then
        if grep -q "^BAD" <<< "$out"; then echo "$out"; unstage; exit 1; fi
        tail -1 <<< "$out" >&2
      fi
      if [ "$staged" = "$(sizes results)" ]; then  # what verify read is what was staged
        git commit -m "$message" || echo "nothing new to commit"
        exit 0
      fi
    fi
  fi
  echo "attempt $attempt: a file was being written; trying again" >&2
  sleep 3
done
unstage
echo "no quiet moment in 5 attempts: try again" >&2
exit 1
