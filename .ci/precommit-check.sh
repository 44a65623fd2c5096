#!/usr/bin/env bash
# precommit-check.sh — prove that a pre-commit hook repo builds and behaves:
#   the hook must FAIL on a staged file containing a fake OpenAI key and
#   PASS on a staged clean file.
# Vendored from the project's shared tools so a clean clone can run it (see .ci/run).
#
# Usage:  precommit-check.sh <hook-repo-path> <hook-id>
#
#   <hook-repo-path>  a git repo with .pre-commit-hooks.yaml at its root
#                     (for `language: rust` also a Cargo.toml at its root:
#                     pre-commit runs `cargo install --bins --root <env> --path .`).
#                     Only COMMITTED + tracked-modified/staged files are seen:
#                     try-repo ignores untracked files (it does `git add -u`).
#   <hook-id>         the `id:` of the hook to run.
#
# Env knobs:
#   MODE=try-repo (default) runs `pre-commit try-repo <repo> <id>` twice; try-repo
#        uses a fresh temporary store each call, so the hook is built twice.
#   MODE=config  writes a .pre-commit-config.yaml pinned to the repo's HEAD sha
#        and runs `pre-commit run`; with a persistent PRE_COMMIT_HOME the build
#        happens once (committed state only: commit your changes first).
#   PC_VENV   where pre-commit is installed on first use (default /tmp/precommit-venv)
#   PRE_COMMIT_HOME  pre-commit's store for MODE=config (default /tmp/precommit-check-home)
#   BAD_FILE / GOOD_FILE  file names to stage (default leak.py / clean.py)
#   BAD_CONTENT / GOOD_CONTENT  override the file contents.
#   KEEP=1    keep the throwaway repos for inspection.
# Exit: 0 when both assertions hold, 1 when one fails, 2 on usage/setup errors.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 <hook-repo-path> <hook-id>" >&2
  exit 2
fi
HOOK_REPO=$(cd "$1" && pwd)
HOOK_ID=$2
MODE=${MODE:-try-repo}
PC_VENV=${PC_VENV:-/tmp/precommit-venv}
BAD_FILE=${BAD_FILE:-leak.py}
GOOD_FILE=${GOOD_FILE:-clean.py}

[[ -f "$HOOK_REPO/.pre-commit-hooks.yaml" ]] || { echo "no .pre-commit-hooks.yaml in $HOOK_REPO" >&2; exit 2; }
git -C "$HOOK_REPO" rev-parse HEAD >/dev/null 2>&1 || { echo "$HOOK_REPO has no commit (git init + commit first)" >&2; exit 2; }
grep -Eq "^[[:space:]]*-[[:space:]]*id:[[:space:]]*['\"]?${HOOK_ID}['\"]?[[:space:]]*$" "$HOOK_REPO/.pre-commit-hooks.yaml" \
  || { echo "hook id '$HOOK_ID' not found in $HOOK_REPO/.pre-commit-hooks.yaml" >&2; exit 2; }
if [[ -n "$(git -C "$HOOK_REPO" ls-files --others --exclude-standard)" ]]; then
  echo "warning: $HOOK_REPO has untracked files; pre-commit will NOT see them:" >&2
  git -C "$HOOK_REPO" ls-files --others --exclude-standard | sed 's/^/  /' >&2
fi

# --- install pre-commit on first use (PyPI only) ---------------------------
if [[ ! -x "$PC_VENV/bin/pre-commit" ]]; then
  echo "installing pre-commit into $PC_VENV ..." >&2
  python3 -m venv "$PC_VENV"
  "$PC_VENV/bin/pip" install -q --disable-pip-version-check pre-commit
fi
PC="$PC_VENV/bin/pre-commit"
"$PC" --version >&2

# The fake key is assembled at run time so this script itself never contains
# a key-shaped literal (keeps secret scanners / push protection quiet).
# Shape of a current project key: sk-proj- + 74 + marker + 74 (base64url),
# random each run so no fixed key exists anywhere.
P1=sk; P2=proj; MARK=$(printf '%s' T3Blbk FJ)
rnd() { python3 -c 'import secrets,string,sys; a=string.ascii_letters+string.digits; print("".join(secrets.choice(a) for _ in range(int(sys.argv[1]))), end="")' "$1"; }
FAKE_KEY="${P1}-${P2}-$(rnd 74)${MARK}$(rnd 74)"
BAD_CONTENT=${BAD_CONTENT:-"import openai
client = openai.OpenAI(api_key=\"${FAKE_KEY}\")
"}
GOOD_CONTENT=${GOOD_CONTENT:-"import os
import openai
client = openai.OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])
"}

WORK=$(mktemp -d /tmp/precommit-check.XXXXXX)
cleanup() { if [[ "${KEEP:-0}" != 1 ]]; then rm -rf "$WORK"; else echo "kept $WORK" >&2; fi; }
trap cleanup EXIT

# run_case <name> <filename> <content>  -> prints output, returns hook exit code
run_case() {
  local name=$1 fname=$2 content=$3 dir="$WORK/$1"
  mkdir -p "$dir"
  git -C "$dir" init -q
  git -C "$dir" config user.email precommit-check@example.invalid
  git -C "$dir" config user.name precommit-check
  printf '%s' "$content" > "$dir/$fname"
  git -C "$dir" add -- "$fname"          # hooks run on STAGED files by default
  local rc=0
  if [[ "$MODE" == try-repo ]]; then
    (cd "$dir" && "$PC" try-repo "$HOOK_REPO" "$HOOK_ID" --verbose --color never) >"$WORK/$name.log" 2>&1 || rc=$?
  else
    local rev; rev=$(git -C "$HOOK_REPO" rev-parse HEAD)
    cat > "$WORK/$name-config.yaml" <<EOF
repos:
  - repo: $HOOK_REPO
    rev: $rev
    hooks:
      - id: $HOOK_ID
EOF
    (cd "$dir" && PRE_COMMIT_HOME=${PRE_COMMIT_HOME:-/tmp/precommit-check-home} \
      "$PC" run -c "$WORK/$name-config.yaml" "$HOOK_ID" --verbose --color never) >"$WORK/$name.log" 2>&1 || rc=$?
  fi
  sed "s/^/  [$name] /" "$WORK/$name.log" >&2
  return $rc
}

status=0
echo "== case 1: staged '$BAD_FILE' with a fake key -> hook must FAIL" >&2
if run_case bad "$BAD_FILE" "$BAD_CONTENT"; then
  echo "ASSERTION FAILED: hook '$HOOK_ID' passed on a file containing a fake key" >&2
  status=1
elif grep -q "An unexpected error has occurred\|error: failed to\|could not compile\|Traceback" "$WORK/bad.log"; then
  echo "ASSERTION FAILED: hook did not run (install/build error), see log above" >&2
  status=1
elif ! grep -Eq "^${HOOK_ID}|Failed" "$WORK/bad.log"; then
  echo "ASSERTION FAILED: no 'Failed' line from pre-commit" >&2
  status=1
else
  echo "ok: hook failed on the fake key" >&2
fi

echo "== case 2: staged '$GOOD_FILE' without a key -> hook must PASS" >&2
if run_case good "$GOOD_FILE" "$GOOD_CONTENT"; then
  if grep -q "(no files to check)Skipped" "$WORK/good.log"; then
    echo "ASSERTION FAILED: hook skipped the clean file (check types/files filters)" >&2
    status=1
  else
    echo "ok: hook passed on the clean file" >&2
  fi
else
  echo "ASSERTION FAILED: hook '$HOOK_ID' failed on a clean file" >&2
  status=1
fi

if [[ $status -eq 0 ]]; then echo "PASS: $HOOK_ID ($MODE) from $HOOK_REPO" >&2; else echo "FAIL: $HOOK_ID ($MODE)" >&2; fi
exit $status
