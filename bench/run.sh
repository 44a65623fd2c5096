#!/usr/bin/env bash
# run.sh - reproducible keylint benchmark.
#
# usage:
#   bash bench/run.sh [CORPUS]
#   CORPUS=/path/to/corpus OUT=/path/to/results bash bench/run.sh
#
#   CORPUS  corpus root built by bench/corpus.sh (default /tmp/keylint-corpus);
#           built first (pinned PyPI sdists + npm tarballs, ~550 MB, 60 planted
#           fake keys) when DIR/planted-manifest.tsv or DIR/single/ is missing
#   OUT     where hyperfine exports, the JSON report and the summary go
#           (default $CORPUS/results; kept out of the repository)
#
# Measures, on the release build:
#   a. throughput: keylint vs ripgrep over $CORPUS/src, one hyperfine run,
#      default threads and -j1 for both (warm page cache: --warmup 2 --runs 5)
#   b. single-file latency: keylint on one ~20 KB Python file (100 runs)
#   c. peak RSS of the full-corpus scan (GNU time %M), default threads and -j1
#   d. recall: every planted key (planted-manifest.tsv) must be reported as
#      hardcoded-key at its path and line; findings outside planted/ are listed
#      as path:line:rule
# and prints a summary block at the end.
#
# Needs: cargo, hyperfine, rg, python3, GNU /usr/bin/time.
# Never prints a key: keylint redacts secrets in every format unless
# --show-secrets, the manifest's key column is never read into the output,
# and ripgrep is only ever run with -c (counts), -l or --files.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
CORPUS=${1:-${CORPUS:-/tmp/keylint-corpus}}
OUT=${OUT:-$CORPUS/results}
SRC=$CORPUS/src
TARGET_DIR=${CARGO_TARGET_DIR:-target}
[[ $TARGET_DIR == /* ]] || TARGET_DIR=$ROOT/$TARGET_DIR
KEYLINT=$TARGET_DIR/release/keylint

# The planted keys' shape (OpenAI project/legacy keys), as ripgrep sees it.
KEY_RE='sk-[A-Za-z0-9_-]{20,140}T3BlbkFJ[A-Za-z0-9_-]{20,140}'
# Make ripgrep walk the same files as keylint (see bench/README.md):
#   --hidden             keylint walks hidden files (.env is hidden)
#   default ignore rules keylint, like rg, honours .gitignore (inside a git
#                        repository only), git's global/exclude files, .ignore
#   -g '!DIR/'           keylint skips dependency and VCS folders (src/walk.rs);
#                        the trailing / makes the glob match directories only
#   --max-filesize 10M   keylint's default --max-file-size
# .keylintignore and .rgignore: neither exists in the corpus.
RG_FLAGS="--hidden --max-filesize 10M"
for d in node_modules bower_components jspm_packages .venv venv site-packages \
         dist-packages __pypackages__ .tox .nox __pycache__ .hg .svn .git; do
  RG_FLAGS+=" -g '!$d/'"
done

log() { printf '[bench] %s\n' "$*" >&2; }
need() { command -v "$1" >/dev/null 2>&1 || { log "missing: $1"; exit 2; }; }
need cargo; need hyperfine; need rg; need python3
[[ -x /usr/bin/time ]] || { log "missing: GNU /usr/bin/time"; exit 2; }

# ---- corpus -----------------------------------------------------------------
if [[ ! -f $CORPUS/planted-manifest.tsv || ! -f $CORPUS/single/editor_save.py ]]; then
  log "building the corpus in $CORPUS (bench/corpus.sh)"
  bash "$HERE/corpus.sh" "$CORPUS" all
fi
[[ -d $SRC ]] || { log "no $SRC"; exit 2; }
mkdir -p "$OUT"

# ---- build ------------------------------------------------------------------
log "cargo build --release"
(cd "$ROOT" && cargo build --release --quiet)
[[ -x $KEYLINT ]] || { log "no $KEYLINT"; exit 2; }

CORPUS_BYTES=$(find "$SRC" -type f -printf '%s\n' | awk '{t += $1} END {printf "%d", t}')
CORPUS_FILES=$(find "$SRC" -type f | wc -l)
CPUS=$(nproc)

# ---- sanity: both tools see the same files, rg exits 0 --------------------
# keylint reads every walked file (text is scanned, binary is counted as skipped);
# rg --files lists the files it would search with the same walk flags.
KL_JSON=$OUT/keylint-corpus.json
log "keylint --format json over the corpus (for the file count and recall)"
"$KEYLINT" scan "$SRC" --format json --fail-on never -q -o "$KL_JSON"
read -r KL_SCANNED KL_BINARY KL_FINDINGS < <(python3 - "$KL_JSON" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
print(s["files_scanned"], s["binary_files_skipped"], s["findings"])
PY
)
KL_WALKED=$((KL_SCANNED + KL_BINARY))
RG_WALKED=$(eval "rg --files $RG_FLAGS \"\$SRC\"" | wc -l)
RG_WALKED_NOIGN=$(rg --files --hidden --no-ignore "$SRC" | wc -l)
log "files walked: keylint $KL_WALKED ($KL_SCANNED text + $KL_BINARY binary), rg $RG_WALKED, rg --no-ignore $RG_WALKED_NOIGN, on disk $CORPUS_FILES"
if [[ $KL_WALKED -ne $RG_WALKED ]]; then
  log "WARNING: keylint and rg walk different numbers of files; the comparison is not like for like"
fi
# rg exits 1 when nothing matches, which hyperfine treats as a failure; the
# planted keys guarantee matches, so check once instead of hiding failures with -i.
RG_MATCH_FILES=$(eval "rg -l $RG_FLAGS -e \"\$KEY_RE\" \"\$SRC\"" | wc -l) || true
[[ $RG_MATCH_FILES -gt 0 ]] || { log "rg finds no key-shaped string; corpus broken?"; exit 2; }

# ---- a. throughput ----------------------------------------------------------
# -N: no intermediate shell (nothing to subtract). --output=pipe: stdout goes
# through a pipe for every command, so no tool can take a shortcut when it sees
# stdout is /dev/null (GNU grep then stops at the first match; hyperfine's
# --help warns about it). Both tools print only a few lines, so the pipe costs
# next to nothing.
log "a. throughput (hyperfine --warmup 2 --runs 5)"
# hyperfine splits command strings like a shell: quote the paths
QK=$(printf %q "$KEYLINT"); QS=$(printf %q "$SRC")
KL_CMD="$QK scan $QS --format concise --fail-on never -q"
RG_CMD="rg -c $RG_FLAGS -e '$KEY_RE' $QS"
RG_CMD_J1="rg -j1 -c $RG_FLAGS -e '$KEY_RE' $QS"
printf '[bench]   %s\n' "keylint: $KL_CMD" "rg:      $RG_CMD" >&2
hyperfine -N --warmup 2 --runs 5 --output=pipe \
  --export-markdown "$OUT/throughput.md" --export-json "$OUT/throughput.json" \
  -n "keylint" "$KL_CMD" \
  -n "keylint -j1" "$KL_CMD -j1" \
  -n "rg" "$RG_CMD" \
  -n "rg -j1" "$RG_CMD_J1"

# ---- b. single-file latency -------------------------------------------------
log "b. single-file latency (hyperfine -N --warmup 10 --runs 100)"
SINGLE=$CORPUS/single/editor_save.py
SINGLE_BYTES=$(stat -c %s "$SINGLE")
hyperfine -N --warmup 10 --runs 100 --output=pipe \
  --export-markdown "$OUT/single.md" --export-json "$OUT/single.json" \
  -n "keylint (1 file)" "$QK scan $(printf %q "$SINGLE") --format concise --fail-on never"
# the fixture's one key must be found (count only; nothing of the key is printed)
SINGLE_HITS=$("$KEYLINT" scan "$SINGLE" --format concise --fail-on never | grep -c 'hardcoded-key' || true)

# ---- c. peak RSS --------------------------------------------------------------
log "c. peak RSS (/usr/bin/time -f %M)"
rss_mb() {  # args: extra keylint flags; prints peak RSS in MB (KiB / 1024)
  local f; f=$(mktemp)
  /usr/bin/time -f %M -o "$f" "$KEYLINT" scan "$SRC" --format concise --fail-on never -q "$@" >/dev/null
  awk '{printf "%.1f", $1 / 1024}' "$f"; rm -f "$f"
}
RSS_DEFAULT=$(rss_mb)
RSS_J1=$(rss_mb -j1)
RSS_SINGLE=$(f=$(mktemp); /usr/bin/time -f %M -o "$f" "$KEYLINT" scan "$SINGLE" --format concise --fail-on never >/dev/null; awk '{printf "%.1f", $1 / 1024}' "$f"; rm -f "$f")

# ---- d. recall ----------------------------------------------------------------
log "d. recall against planted-manifest.tsv"
python3 - "$KL_JSON" "$CORPUS/planted-manifest.tsv" "$SRC" "$OUT/recall.txt" <<'PY'
import csv, json, os, sys
from collections import Counter

report, manifest, src, out = sys.argv[1:5]
doc = json.load(open(report))
prefix = os.path.abspath(src).rstrip("/") + "/"

def rel(p):  # keylint prints paths as given on the command line (here absolute)
    return p[len(prefix):] if p.startswith(prefix) else p

found = {}  # (path, line) -> set of rules
for f in doc["findings"]:
    found.setdefault((rel(f["path"]), f["start"]["line"]), set()).add(f["rule"])

rows = []
with open(manifest, newline="") as fh:
    lines = [l for l in fh if not l.startswith("#")]
for r in csv.DictReader(lines, delimiter="\t"):
    # the key is the last column; keep only what is needed, never the key
    rows.append((r["id"], r["path"], int(r["line"]), r["shape"], r["kind"]))

planted_at = {(p, ln) for _, p, ln, _, _ in rows}
misses = [r for r in rows if "hardcoded-key" not in found.get((r[1], r[2]), set())]
hits = len(rows) - len(misses)

lines_out = [f"recall {hits}/{len(rows)}"]
for i, p, ln, shape, kind in misses:
    got = ",".join(sorted(found.get((p, ln), set()))) or "nothing"
    lines_out.append(f"  MISS id={i} {p}:{ln} shape={shape} kind={kind} (reported: {got})")

# findings in planted/ that are not the planted keys (the copies are real files,
# so the same real tokens as in the originals may show up here too)
extra_planted = sorted((p, ln, rule) for (p, ln), rules in found.items()
                       if p.startswith("planted/") and (p, ln) not in planted_at
                       for rule in rules)
outside = sorted((p, ln, rule) for (p, ln), rules in found.items()
                 if not p.startswith("planted/") for rule in rules)
by_rule = Counter(r for _, _, r in outside)
lines_out.append(f"findings outside planted/: {len(outside)}"
                 + (" (" + ", ".join(f"{k} {v}" for k, v in sorted(by_rule.items())) + ")" if outside else ""))
for p, ln, rule in outside:
    lines_out.append(f"  {p}:{ln}:{rule}")
lines_out.append(f"findings in planted/ not at a planted line: {len(extra_planted)}")
for p, ln, rule in extra_planted:
    lines_out.append(f"  {p}:{ln}:{rule}")
text = "\n".join(lines_out) + "\n"
open(out, "w").write(text)
sys.stdout.write(text)
PY
RECALL_LINE=$(head -1 "$OUT/recall.txt")
OUTSIDE_LINE=$(grep '^findings outside planted/' "$OUT/recall.txt")

# ---- summary ----------------------------------------------------------------
python3 - "$OUT/throughput.json" "$OUT/single.json" > "$OUT/figures.txt" <<'PY'
import json, sys
t = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
s = json.load(open(sys.argv[2]))["results"][0]
def ms(r): return f'{r["mean"]*1000:.2f} ± {r["stddev"]*1000:.2f} ms'
def sec(r): return f'{r["mean"]:.3f} ± {r["stddev"]:.3f} s'
for name in ("keylint", "keylint -j1", "rg", "rg -j1"):
    print(f"THR\t{name}\t{sec(t[name])}\t{t[name]['mean']:.6f}")
print(f'RATIO\t{t["keylint"]["mean"] / t["rg"]["mean"]:.2f}')
print(f'RATIO_J1\t{t["keylint -j1"]["mean"] / t["rg -j1"]["mean"]:.2f}')
print(f"SINGLE\t{ms(s)}\t{s['min']*1000:.2f}\t{s['max']*1000:.2f}\t{s.get('median', s['mean'])*1000:.2f}")
PY
fig() { awk -F'\t' -v k="$1" -v n="${2:-}" '$1 == k && (n == "" || $2 == n)' "$OUT/figures.txt"; }
MB=$(awk -v b="$CORPUS_BYTES" 'BEGIN {printf "%.0f", b / 1e6}')
thr_line() {  # name
  local row mean; row=$(fig THR "$1"); mean=$(cut -f4 <<<"$row")
  printf '%-12s %s  (%s MB/s)\n' "$1" "$(cut -f3 <<<"$row")" "$(awk -v b="$CORPUS_BYTES" -v m="$mean" 'BEGIN {printf "%.0f", b / 1e6 / m}')"
}
{
  echo "==================== keylint benchmark summary ===================="
  echo "date        $(date -u +%F)   machine: $CPUS cores, $(uname -sm)"
  echo "keylint     $("$KEYLINT" --version | awk '{print $2}')  ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?'))"
  echo "ripgrep     $(rg --version | head -1)   hyperfine $(hyperfine --version | awk '{print $2}')"
  echo "corpus      $SRC: $MB MB, $CORPUS_FILES files; walked: keylint $KL_WALKED ($KL_BINARY binary), rg $RG_WALKED"
  echo "-- a. full-corpus wall time (mean ± σ of 5 runs, warm cache)"
  thr_line "keylint"; thr_line "keylint -j1"; thr_line "rg"; thr_line "rg -j1"
  echo "ratio       keylint/rg $(fig RATIO | cut -f2)x   (-j1: $(fig RATIO_J1 | cut -f2)x)   target <= 1.5x"
  echo "-- b. single file ($SINGLE_BYTES bytes, 100 runs, incl. process start)"
  echo "keylint     $(fig SINGLE | cut -f2)  (min $(fig SINGLE | cut -f3) ms, max $(fig SINGLE | cut -f4) ms)   target <= 10 ms; key found: $SINGLE_HITS/1"
  echo "-- c. peak RSS (GNU time %M)"
  echo "full corpus $RSS_DEFAULT MB (default threads), $RSS_J1 MB (-j1); single file $RSS_SINGLE MB   target <= 150 MB"
  echo "-- d. recall"
  echo "$RECALL_LINE (hardcoded-key at the planted path:line); $OUTSIDE_LINE"
  echo "all findings: $KL_FINDINGS; details: $OUT/recall.txt"
  echo "exports     $OUT/throughput.md $OUT/single.md"
  echo "==================================================================="
} | tee "$OUT/summary.txt"
