#!/usr/bin/env bash
# validate-sarif.sh — validate SARIF 2.1.0 files for GitHub code scanning.
# Vendored from the project's shared tools so a clean clone can validate on its own.
#
# Usage:  validate-sarif.sh [--strict] FILE.sarif [FILE.sarif ...]
#   exit 0 = valid, 1 = invalid (any layer reported an error), 2 = usage/setup error
#   --strict (or STRICT=1) also fails on warnings.
#
# Three layers, all offline after first-use install (npm + PyPI only):
#   1. JSON Schema: check-jsonschema against sarif-2.1.0.json shipped inside the
#      npm package @microsoft/sarif-multitool-linux (format checks on, so a
#      path with a space that is not percent-encoded fails 'uri-reference').
#   2. Microsoft SARIF Multitool `validate --rule-kind "Sarif;Gh"`: SARIF spec
#      rules (SARIF1xxx/2xxx) + GitHub ingestion rules (GH1xxx/GH2012).
#      The multitool ALWAYS exits 0 (sarif-sdk issue #1799), so its output log
#      is parsed. It also silently passes logs it cannot deserialize (e.g. an
#      invalid enum such as level "fatal"), which is why layer 1 exists.
#      The binary is called directly: the npm bin.js wrapper spawns with
#      shell:true, so the ';' in "Sarif;Gh" would be eaten by /bin/sh.
#   3. Extra GitHub upload checks (docs.github.com "SARIF support for code
#      scanning" + sarif-limits): size after gzip <= 10 MB, runs <= 20,
#      results/run <= 25,000, rules/run <= 25,000, locations/result <= 1,000,
#      tags/rule <= 20, unique tool+category per run, ruleId resolvable,
#      region sanity, security-severity/precision values.
#
# Env: SARIF_TOOLS_DIR (default /tmp/sarif-validate-tools), MULTITOOL_VERSION
#      (default 5.7.0), STRICT=1.
set -euo pipefail

STRICT=${STRICT:-0}
FILES=()
for a in "$@"; do
  case "$a" in
    --strict) STRICT=1 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) FILES+=("$a") ;;
  esac
done
if [[ ${#FILES[@]} -eq 0 ]]; then
  echo "usage: $0 [--strict] FILE.sarif [...]" >&2; exit 2
fi

TOOLS=${SARIF_TOOLS_DIR:-/tmp/sarif-validate-tools}
MT_VER=${MULTITOOL_VERSION:-5.7.0}
MT_PKG="$TOOLS/npm/node_modules/@microsoft/sarif-multitool-linux"
MT="$MT_PKG/Sarif.Multitool"
SCHEMA="$MT_PKG/sarif-2.1.0.json"
VENV="$TOOLS/venv"

# ---- first-use install -----------------------------------------------------
if [[ ! -f "$MT" || ! -f "$SCHEMA" ]]; then
  echo "installing @microsoft/sarif-multitool@$MT_VER into $TOOLS/npm ..." >&2
  mkdir -p "$TOOLS/npm"
  [[ -f "$TOOLS/npm/package.json" ]] || echo '{"name":"sarif-validate-tools","private":true}' > "$TOOLS/npm/package.json"
  npm install --prefix "$TOOLS/npm" --no-audit --no-fund --loglevel=error \
      "@microsoft/sarif-multitool@$MT_VER" "@microsoft/sarif-multitool-linux@$MT_VER" >&2 \
    || { echo "npm install failed" >&2; exit 2; }
fi
# npm may skip the package's postinstall (`chmod u+x Sarif.Multitool`) under an
# install-scripts policy; do it ourselves.
[[ -x "$MT" ]] || chmod u+x "$MT"
if [[ ! -x "$VENV/bin/check-jsonschema" ]]; then
  echo "installing check-jsonschema into $VENV ..." >&2
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check 'check-jsonschema>=0.29' 'jsonschema[format-nongpl]>=4.18' >&2 \
    || { echo "pip install failed" >&2; exit 2; }
fi
# The self-contained .NET binary needs libicu unless globalization is invariant.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1

overall=0
for f in "${FILES[@]}"; do
  if [[ ! -f "$f" ]]; then echo "$f: no such file" >&2; overall=1; continue; fi
  abs=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
  echo "== $f"
  errs=0; warns=0

  # ---- layer 1: JSON schema ------------------------------------------------
  if out=$("$VENV/bin/check-jsonschema" --schemafile "$SCHEMA" "$abs" 2>&1); then
    echo "  [schema]    ok"
  else
    echo "$out" | sed 's/^/  [schema]    /'
    errs=$((errs+1))
  fi

  # ---- layer 2: SARIF multitool (spec + GitHub ingestion rules) -----------
  tmp=$(mktemp -d)
  mt_log="$tmp/validation.sarif"
  if ! "$MT" validate "$abs" --rule-kind "Sarif;Gh" -o "$mt_log" --log ForceOverwrite >"$tmp/mt.out" 2>&1; then
    sed 's/^/  [multitool] /' "$tmp/mt.out"
    echo "  [multitool] error: multitool crashed" ; errs=$((errs+1))
  fi
  if [[ ! -s "$mt_log" ]]; then
    echo "  [multitool] error: no validation log written"; errs=$((errs+1))
  else
    out=$(python3 - "$mt_log" 2>&1 <<'PY'
import json, sys
log = json.load(open(sys.argv[1]))
e = w = 0
for run in log.get("runs", []):
    rules = run.get("tool", {}).get("driver", {}).get("rules", []) or []
    for r in run.get("results", []) or []:
        lvl = r.get("level")
        if lvl is None:
            idx = r.get("ruleIndex")
            if isinstance(idx, int) and 0 <= idx < len(rules):
                lvl = rules[idx].get("defaultConfiguration", {}).get("level")
        lvl = lvl or "warning"
        msg = r.get("message", {})
        text = msg.get("text") or ""
        args = [str(a) for a in msg.get("arguments") or []]
        if not text and msg.get("id"):
            # the multitool writes templated messages: rule.messageStrings[id] + arguments
            rule = {}
            idx = r.get("ruleIndex")
            if isinstance(idx, int) and 0 <= idx < len(rules):
                rule = rules[idx]
            else:
                rule = next((x for x in rules if x.get("id") == r.get("ruleId")), {})
            tmpl = (rule.get("messageStrings", {}).get(msg["id"], {}) or {}).get("text", "")
            text = tmpl
            for i, a in enumerate(args):
                text = text.replace("{%d}" % i, a)
        if not text:
            text = " | ".join(args)
        print(f"  [multitool] {lvl} {r.get('ruleId')}: {text}"[:400])
        if lvl == "error": e += 1
        elif lvl == "warning": w += 1
    for inv in run.get("invocations", []) or []:
        for n in (inv.get("toolExecutionNotifications") or []) + (inv.get("toolConfigurationNotifications") or []):
            if n.get("level", "warning") == "error":
                print(f"  [multitool] error (tool notification): {n.get('message', {}).get('text')}")
                e += 1
        if inv.get("executionSuccessful") is False:
            print("  [multitool] error: executionSuccessful=false"); e += 1
print("COUNTS", e, w)
PY
)
    grep -v '^COUNTS ' <<<"$out" || true
    read -r _ e w < <(grep '^COUNTS ' <<<"$out") || { e=1; w=0; echo "  [multitool] error: could not read the validation log"; }
    if [[ "$e" == 0 && "$w" == 0 ]]; then echo "  [multitool] ok"; fi
    errs=$((errs+e)); warns=$((warns+w))
  fi
  rm -rf "$tmp"

  # ---- layer 3: GitHub upload limits and conventions -----------------------
  out=$(python3 - "$abs" 2>&1 <<'PY'
import gzip, json, math, re, sys
path = sys.argv[1]
E, W = [], []
raw = open(path, "rb").read()
gz = len(gzip.compress(raw))
if gz > 10 * 1024 * 1024:
    E.append(f"gzip-compressed size {gz} bytes > 10 MB upload limit")
try:
    log = json.loads(raw)
except Exception as ex:
    print(f"  [github]    error: not JSON: {ex}"); print("COUNTS", 1, 0); sys.exit(0)
if not isinstance(log, dict):
    print("  [github]    error: top level is not an object"); print("COUNTS", 1, 0); sys.exit(0)
if log.get("version") != "2.1.0": E.append("version must be \"2.1.0\"")
if not log.get("$schema"): W.append("$schema missing (GitHub docs mark it required; use https://json.schemastore.org/sarif-2.1.0.json)")
runs = log.get("runs") or []
if not isinstance(runs, list): runs = []
if len(runs) > 20: E.append(f"{len(runs)} runs > 20 runs per file")
seen = {}
def d(x): return x if isinstance(x, dict) else {}
for ri, run in enumerate(runs):
    run = d(run)
    drv = d(d(run.get("tool")).get("driver"))
    name = drv.get("name")
    if not name: E.append(f"runs[{ri}].tool.driver.name missing/empty")
    aid = d(run.get("automationDetails")).get("id", "")
    category = aid.rsplit("/", 1)[0] if "/" in aid else ""
    key = (name, drv.get("version"), drv.get("semanticVersion"), category)
    if key in seen:
        E.append(f"runs[{ri}] has the same tool and category as runs[{seen[key]}]: GitHub rejects multiple runs with the same category in one upload (2025-07 change); set distinct automationDetails.id categories or split files")
    seen[key] = ri
    rules = drv.get("rules") or []
    ext = d(run.get("tool")).get("extensions") or []
    if len(ext) > 100: E.append(f"runs[{ri}]: {len(ext)} tool extensions > 100")
    if len(rules) > 25000: E.append(f"runs[{ri}]: {len(rules)} rules > 25,000")
    ids = {}
    for k, rule in enumerate(rules):
        rule = d(rule); rid = rule.get("id")
        if rid in ids: E.append(f"runs[{ri}].tool.driver.rules[{k}]: duplicate id {rid!r}")
        ids[rid] = k
        p = d(rule.get("properties"))
        tags = p.get("tags") or []
        if len(tags) > 20: E.append(f"rules[{k}] {rid}: {len(tags)} tags > 20")
        elif len(tags) > 10: W.append(f"rules[{k}] {rid}: only the first 10 of {len(tags)} tags are shown")
        if len(rule.get("name") or "") > 255: W.append(f"rules[{k}] {rid}: name > 255 chars")
        for fld in ("shortDescription", "fullDescription"):
            t = d(rule.get(fld)).get("text") or ""
            if not t: W.append(f"rules[{k}] {rid}: {fld}.text missing (GitHub: required)")
            elif len(t) > 1024: W.append(f"rules[{k}] {rid}: {fld}.text > 1024 chars")
        if not d(rule.get("help")).get("text"): W.append(f"rules[{k}] {rid}: help.text missing (GitHub: required)")
        lvl = d(rule.get("defaultConfiguration")).get("level")
        if lvl is not None and lvl not in ("note", "warning", "error"):
            W.append(f"rules[{k}] {rid}: defaultConfiguration.level {lvl!r} not one of note/warning/error")
        if "precision" in p and p["precision"] not in ("very-high", "high", "medium", "low"):
            W.append(f"rules[{k}] {rid}: properties.precision {p['precision']!r} not very-high/high/medium/low")
        if "problem.severity" in p and p["problem.severity"] not in ("error", "warning", "recommendation"):
            W.append(f"rules[{k}] {rid}: properties.problem.severity {p['problem.severity']!r} not error/warning/recommendation")
        if "security-severity" in p:
            ss = p["security-severity"]
            try:
                v = float(ss); ok = isinstance(ss, str) and 0.0 < v <= 10.0 and math.isfinite(v)
            except (TypeError, ValueError):
                ok = False
            if not ok: W.append(f"rules[{k}] {rid}: security-severity {ss!r} should be a string number in (0.0, 10.0]; otherwise GitHub shows no security severity")
            if "security" not in tags: W.append(f"rules[{k}] {rid}: has security-severity but no 'security' tag")
    results = run.get("results")
    if results is None: E.append(f"runs[{ri}].results missing (GitHub: required, may be [])"); results = []
    if len(results) > 25000: E.append(f"runs[{ri}]: {len(results)} results > 25,000 (upload rejected)")
    elif len(results) > 5000: W.append(f"runs[{ri}]: {len(results)} results; only the top 5,000 are kept")
    if results and not run.get("columnKind"):
        W.append(f"runs[{ri}]: columnKind missing (SARIF 3.14.27 SHALL when results exist; GitHub/CodeQL use \"utf16CodeUnits\")")
    for j, res in enumerate(results):
        res = d(res); where = f"runs[{ri}].results[{j}]"
        rid = res.get("ruleId"); rix = res.get("ruleIndex")
        if rid is None and rix is None: E.append(f"{where}: neither ruleId nor ruleIndex")
        if rid is not None and rules and rid not in ids:
            # hierarchical ids "hardcoded-key/sub" resolve to base rule hardcoded-key (SARIF 3.27.5)
            if rid.split("/")[0] not in ids: E.append(f"{where}: ruleId {rid!r} not in tool.driver.rules")
        if isinstance(rix, int):
            if not (0 <= rix < len(rules)): E.append(f"{where}: ruleIndex {rix} out of range")
            elif rid is not None and d(rules[rix]).get("id") != rid and d(rules[rix]).get("id") != rid.split("/")[0]:
                E.append(f"{where}: ruleIndex {rix} points at {d(rules[rix]).get('id')!r} but ruleId is {rid!r}")
        if not d(res.get("message")).get("text"): E.append(f"{where}: message.text missing/empty")
        locs = res.get("locations") or []
        if not locs: E.append(f"{where}: no locations (GitHub cannot display it)")
        if len(locs) > 1000: E.append(f"{where}: {len(locs)} locations > 1,000")
        elif len(locs) > 10: W.append(f"{where}: {len(locs)} locations; GitHub uses only the first")
        for cf in res.get("codeFlows") or []:
            for tf in d(cf).get("threadFlows") or []:
                n = len(d(tf).get("locations") or [])
                if n > 10000: E.append(f"{where}: threadFlow with {n} locations > 10,000")
        if not d(res.get("partialFingerprints")).get("primaryLocationLineHash"):
            W.append(f"{where}: partialFingerprints.primaryLocationLineHash missing (upload-sarif action fills it; the REST API does not -> duplicate alerts)")
        if locs:
            pl = d(d(locs[0]).get("physicalLocation"))
            al = d(pl.get("artifactLocation")); uri = al.get("uri")
            if not uri: E.append(f"{where}: locations[0].physicalLocation.artifactLocation.uri missing")
            else:
                if re.search(r"[ \\\"<>{}|^`]", uri): E.append(f"{where}: uri {uri!r} is not a valid URI reference (percent-encode spaces as %20, use '/')")
                if re.match(r"^[A-Za-z]:", uri): E.append(f"{where}: uri {uri!r} looks like a Windows path; use file:///C:/... or a relative path")
                if uri.startswith("/") and not uri.startswith("//"):
                    E.append(f"{where}: uri {uri!r} is an absolute path without scheme; use a repo-relative uri + uriBaseId %SRCROOT%")
                if uri.startswith("file:"): W.append(f"{where}: absolute file URI {uri!r}; GitHub converts it using checkout_path/workingDirectory, a repo-relative uri is more robust")
                if re.search(r"(^|/)\.\.?(/|$)", uri): W.append(f"{where}: uri {uri!r} has ./ or ../ segments; GitHub matches paths literally")
            reg = d(pl.get("region"))
            if not reg: W.append(f"{where}: no region (GitHub fingerprints/annotates line 1)")
            else:
                sl, sc, el, ec = (reg.get(k) for k in ("startLine", "startColumn", "endLine", "endColumn"))
                if sl is None: E.append(f"{where}: region.startLine missing")
                for k, v in (("startColumn", sc), ("endLine", el), ("endColumn", ec)):
                    if v is None: W.append(f"{where}: region.{k} missing (GitHub lists it as required)")
                if isinstance(sl, int) and isinstance(el, int) and el < sl: E.append(f"{where}: endLine {el} < startLine {sl}")
                if (isinstance(sc, int) and isinstance(ec, int) and ec < sc
                        and (el is None or el == sl)):
                    E.append(f"{where}: endColumn {ec} < startColumn {sc} on the same line (endColumn is exclusive, 1-based)")
for m in E: print(f"  [github]    error: {m}")
for m in W: print(f"  [github]    warning: {m}")
if not E and not W: print("  [github]    ok")
print("COUNTS", len(E), len(W))
PY
)
  grep -v '^COUNTS ' <<<"$out" || true
  read -r _ e w < <(grep '^COUNTS ' <<<"$out") || { e=1; w=0; echo "  [github]    error: internal check crashed"; }
  errs=$((errs+e)); warns=$((warns+w))

  if (( errs > 0 )) || { [[ "$STRICT" == 1 ]] && (( warns > 0 )); }; then
    echo "INVALID: $f ($errs error(s), $warns warning(s))"; overall=1
  else
    echo "VALID: $f ($warns warning(s))"
  fi
done
exit $overall
