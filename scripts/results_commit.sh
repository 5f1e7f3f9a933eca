#!/usr/bin/env bash
# Commit what the long runs (scripts/results_run.sh) have landed so far: results/, teacher_cots/ and the
# generated pages that describe them (README's results section, teacher_cots/README.md), all from one
# snapshot. A run may be appending to a teacher file meanwhile, so the snapshot is retried until no file
# changed between writing the pages and staging them, and no file ends in a half-written gzip member.
#   scripts/results_commit.sh ["message"]
set -euo pipefail
cd "$(dirname "$0")/.."
message=${1:-"Results landed so far by scripts/results_run.sh"}
PY=.venv/bin/python
# Every file to commit and its size; hidden ones (locks, staging folders) are the writers', never committed.
sizes() { find teacher_cots results -name '.*' -prune -o -type f -printf '%p %s\n' | sort; }
quiet() { $PY -c 'import sys; from pathlib import Path; from distill.jsonio import torn_end
sys.exit(any(torn_end(p) for p in Path("teacher_cots").glob("*/*.jsonl.gz")))'; }
for attempt in 1 2 3 4 5; do
  before=$(sizes)
  if quiet; then
    $PY -m leaderboard.readme
    $PY -m distill.datasheet
    git add results teacher_cots README.md
    if [ "$before" = "$(sizes)" ]; then
      # A BAD entry stops the commit; entries this machine cannot check (their test split cannot be
      # downloaded: BIG-bench's, say) are named and the rest is committed.
      if ! out=$(.venv/bin/distill verify results 2>&1); then
        if grep -q "^BAD" <<< "$out"; then echo "$out"; exit 1; fi
        tail -1 <<< "$out" >&2
      fi
      git commit -m "$message" -- results teacher_cots README.md || echo "nothing new to commit"
      exit 0
    fi
  fi
  echo "attempt $attempt: a teacher file was being written; trying again" >&2
  sleep 3
done
echo "no quiet moment in 5 attempts: try again" >&2
exit 1
