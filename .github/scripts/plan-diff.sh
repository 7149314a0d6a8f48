#!/usr/bin/env bash
# The offline plan's diff for one stack, for reviewers:
#
#   .github/scripts/plan-diff.sh STACK BASE_REV OUT_DIR
#
# Renders Pulumi.<STACK>.yaml with `npm run render` (mock runtime: no cloud, secrets shown as
# [secret]) on the pull request's head (the current checkout) and on BASE_REV (a git worktree),
# writes OUT_DIR/{base,head}/ and OUT_DIR/plan.diff (`diff -ruN`), and appends the diff to
# $GITHUB_STEP_SUMMARY (when set) in a fenced diff block cut to MAX_BYTES (default 60000).
# A stack new in this change, or a base that cannot render, is diffed against an empty plan.
set -euo pipefail

stack=${1:?usage: plan-diff.sh STACK BASE_REV OUT_DIR}
base_rev=${2:?usage: plan-diff.sh STACK BASE_REV OUT_DIR}
out=${3:?usage: plan-diff.sh STACK BASE_REV OUT_DIR}
max_bytes=${MAX_BYTES:-60000}
config="Pulumi.${stack}.yaml"
summary=${GITHUB_STEP_SUMMARY:-/dev/null}

rm -rf "$out"
mkdir -p "$out/base" "$out/head"
out=$(cd "$out" && pwd)
worktree="$out/worktree"
note=""

cleanup() { git worktree remove --force "$worktree" >/dev/null 2>&1 || true; }
trap cleanup EXIT

npm run --silent render -- --config "$config" --out "$out/head"

git worktree add --detach "$worktree" "$base_rev" >/dev/null
if [ ! -f "$worktree/$config" ]; then
  note="The stack is new in this pull request: the whole plan is shown."
else
  # Same lock file: reuse the installed packages instead of a second npm ci.
  if cmp -s package-lock.json "$worktree/package-lock.json"; then
    ln -s "$PWD/node_modules" "$worktree/node_modules"
  else
    (cd "$worktree" && npm ci --no-audit --no-fund >/dev/null)
  fi
  if ! (cd "$worktree" && npm run --silent render -- --config "$config" --out "$out/base") >"$out/base.log" 2>&1; then
    note="The base revision could not render this stack (see the job log): the whole plan is shown."
    cat "$out/base.log" >&2
    rm -rf "$out/base" && mkdir -p "$out/base"
  fi
fi

rc=0
(cd "$out" && diff -ruN base head) >"$out/plan.raw.diff" || rc=$?
if [ "$rc" -gt 1 ]; then
  echo "diff failed (rc $rc)" >&2
  exit "$rc"
fi
# Drop the files' times from the ---/+++ headers: they only say when the render ran.
sed -E 's/^((---|\+\+\+) [^\t]+)\t.*$/\1/' "$out/plan.raw.diff" >"$out/plan.diff"

{
  echo "### Offline plan of \`$stack\`: generated files, base → head"
  echo
  [ -z "$note" ] || { echo "$note"; echo; }
  if [ ! -s "$out/plan.diff" ]; then
    echo "No change in plan.json or in any generated file."
  else
    size=$(wc -c <"$out/plan.diff")
    echo "<details open><summary>$(grep -c '^diff ' "$out/plan.diff" || true) file(s) changed, ${size} bytes of diff</summary>"
    echo
    echo '`````diff'
    if [ "$size" -le "$max_bytes" ]; then
      cat "$out/plan.diff"
    else
      # Cut at a line boundary, never inside a multi-byte character.
      head -c "$max_bytes" "$out/plan.diff" | sed '$d'
      echo "... truncated: $size bytes in all; download the plan-$stack artifact for the whole diff"
    fi
    echo '`````'
    echo
    echo "</details>"
  fi
  echo
} >>"$summary"
echo "plan diff of $stack: $(wc -l <"$out/plan.diff") line(s) in $out/plan.diff"
