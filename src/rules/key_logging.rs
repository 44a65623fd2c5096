//! `key-logged`: an API key value handed to `print`, a logger or `console.*`.
//!
//! A value counts as the key when it is an environment read of a key variable
//! (`os.environ["OPENAI_API_KEY"]`, `process.env.OPENAI_API_KEY`), a name that holds
//! one (`api_key`, `self.api_key`, `openaiApiKey`), or a name assigned from such a
//! read. F-strings, templates, concatenations, `%`-formatting, `str(…)`,
//! `"…".format(…)` and object literals are looked through; everything else
//! (`len(key)`, `key[:4]`, `bool(key)`, `mask(key)`, conditionals) is a derived
//! value and stays silent.

use crate::analyze::is_test_path;
use crate::analyze::lines::{line_start, lines_holding};
use crate::rules::key_formats::KeyFormats;
use crate::rules::keys::{RawFinding, redact};
use crate::syntax::{Call, Facts, Part, Value};
use aho_corasick::{AhoCorasick, MatchKind};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

pub const KEY_LOGGED: &str = "key-logged";

/// Methods of loggers and of `console` that write their arguments out.
const LOG_METHODS: &[&str] = &[
    "log",
    "info",
    "debug",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "fatal",
    "trace",
    "success",
    "dir",
];

/// Functions that print their arguments, as written in code.
const PRINTERS: &[&str] = &[
    "print",
    "pprint",
    "pprint.pprint",
    "sys.stdout.write",
    "sys.stderr.write",
    "click.echo",
    "typer.echo",
    "rich.print",
];

/// Where a call writes its arguments: `Some("the console")` for printers and
/// `console.*`, `Some("the log")` for loggers, `None` for anything else.
pub fn sink(callee: &str) -> Option<&'static str> {
    if PRINTERS.contains(&callee) {
        return Some("the console");
    }
    let (receiver, method) = callee.rsplit_once('.')?;
    let last = receiver.rsplit('.').next().unwrap_or(receiver).as_bytes();
    let is = |w: &str| last.eq_ignore_ascii_case(w.as_bytes());
    let ends = |w: &str| {
        last.len() >= w.len() && last[last.len() - w.len()..].eq_ignore_ascii_case(w.as_bytes())
    };
    if is("console") && (method == "print" || LOG_METHODS.contains(&method)) {
        return Some("the console");
    }
    if !LOG_METHODS.contains(&method) {
        return None;
    }
    let logger = is("logging") || is("log") || ends("logger") || ends("_log");
    logger.then_some("the log")
}

/// Words in front of `api_key` that make the name a flag, a label or a masked form
/// rather than the key: `has_api_key`, `masked_api_key`, `len_api_key`.
const NOT_THE_KEY: &[&str] = &[
    "has",
    "have",
    "is",
    "no",
    "not",
    "missing",
    "use",
    "uses",
    "using",
    "need",
    "needs",
    "require",
    "required",
    "requires",
    "valid",
    "invalid",
    "check",
    "masked",
    "mask",
    "redacted",
    "redact",
    "hidden",
    "hide",
    "safe",
    "short",
    "truncated",
    "trunc",
    "partial",
    "obfuscated",
    "hashed",
    "hash",
    "len",
    "length",
    "num",
    "count",
    "display",
    "printable",
    "censored",
    "sanitized",
    "fake",
    "dummy",
    "mock",
    "example",
    "sample",
    "placeholder",
];

/// The endings of a key's name (lowercase, separators removed). The prefilter's
/// keywords (`api_key`, `apikey`, `api_token`, `openai_key` in their code spellings)
/// cover exactly these.
const KEY_ENDINGS: &[&str] = &["apikey", "apitoken", "openaikey"];

/// Lowercase words of an identifier: `openAIApiKey` gives `open ai api key`,
/// `OPENAI_API_KEY` gives `openai api key`.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p]);
        let next = chars.get(i + 1);
        let boundary = c.is_ascii_uppercase()
            && prev.is_some_and(|p| {
                p.is_ascii_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_ascii_uppercase() && next.is_some_and(|n| n.is_ascii_lowercase()))
            });
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a variable, attribute or environment name holds an API key: its last
/// segment ends with `api_key`, `api_token` or `openai_key` in any spelling
/// (`OPENAI_API_KEY`, `self.api_key`, `openaiApiKey`), and no word in front makes it
/// a flag or a masked form. `api_key_env`, `API_KEY_NAME` and `user_api_key_dict`
/// do not end with the key words.
pub fn is_key_name(path: &str) -> bool {
    let last = path.rsplit('.').next().unwrap_or(path);
    let words = words(last);
    let joined: String = words.concat();
    let Some(ending) = KEY_ENDINGS.iter().find(|e| joined.ends_with(*e)) else {
        return false;
    };
    let cut = joined.len() - ending.len();
    let mut at = 0;
    let mut on_boundary = cut == 0;
    for word in &words {
        if at >= cut {
            break;
        }
        if NOT_THE_KEY.contains(&word.as_str()) {
            return false;
        }
        at += word.len();
        on_boundary |= at == cut;
    }
    on_boundary
}

/// Whether a file can hold a finding, judged on the text before any parse: some
/// print or log call has, inside its parentheses and outside plain string
/// literals, a key-named identifier (`print(api_key)`, `f"{api_key}"`), the name
/// string of a key variable's environment read (`os.environ["OPENAI_API_KEY"]`),
/// or a name the file assigns from such a read. Tests are skipped: they print fake
/// keys on purpose, often to check that a secret type masks them. Minified lines
/// are skipped too.
pub fn worth_parsing(text: &str, path: &str) -> bool {
    static CALL_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        leftmost(&[
            "print", "log.", "Log.", "LOG.", "ogger.", "OGGER.", "logging.", "console.", "stdout.",
            "stderr.", "echo",
        ])
    });
    if is_test_path(path) {
        return false;
    }
    let lower = path.to_ascii_lowercase();
    let python = [".py", ".pyw", ".pyi", ".ipynb"]
        .iter()
        .any(|e| lower.ends_with(e));
    let bytes = text.as_bytes();
    let mut aliases: Option<Vec<&str>> = None;
    let mut skip_to = 0;
    for m in CALL_WORDS.find_iter(bytes) {
        if m.start() < skip_to {
            continue;
        }
        let start = bytes[..m.start()]
            .iter()
            .rposition(|&b| !is_path_byte(b))
            .map_or(0, |i| i + 1);
        let end = bytes[m.end()..]
            .iter()
            .position(|&b| !is_path_byte(b))
            .map_or(bytes.len(), |i| m.end() + i);
        skip_to = end;
        let open = end
            + bytes[end..]
                .iter()
                .position(|&b| b != b' ' && b != b'\t')
                .unwrap_or(0);
        if bytes.get(open) != Some(&b'(') || sink(&text[start..end]).is_none() {
            continue;
        }
        if line_len(bytes, start) > MAX_LINE {
            continue;
        }
        let args = &text[open..argument_end(bytes, open)];
        let keyish = args
            .as_bytes()
            .windows(3)
            .any(|w| w.eq_ignore_ascii_case(b"key") || w.eq_ignore_ascii_case(b"tok"));
        if !keyish
            && aliases
                .get_or_insert_with(|| key_aliases(text, python))
                .is_empty()
        {
            continue;
        }
        let mut names = Vec::new();
        argument_names(args, python, 0, &mut names);
        if names.iter().any(|n| names_key(n)) {
            return true;
        }
        let aliases = aliases.get_or_insert_with(|| key_aliases(text, python));
        if names.iter().any(|n| aliases.contains(n)) {
            return true;
        }
    }
    false
}

/// A leftmost-first automaton: the match kind that lets aho-corasick use its SIMD
/// searcher.
fn leftmost(words: &[&str]) -> AhoCorasick {
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(words)
        .expect("plain literals")
}

/// Lines longer than this are minified code, not hand-written calls.
const MAX_LINE: usize = 3000;

fn line_len(bytes: &[u8], at: usize) -> usize {
    let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    end - start
}

/// A key name, also behind a method that returns the same string (`api_key.strip`).
fn names_key(id: &str) -> bool {
    let id = match id.rsplit_once('.') {
        Some((receiver, method)) if SAME_STRING_METHODS.contains(&method) => receiver,
        _ => id,
    };
    // Cheap test first: every key name holds `key` or `token` in some case.
    let has_word = id
        .as_bytes()
        .windows(3)
        .any(|w| w.eq_ignore_ascii_case(b"key") || w.eq_ignore_ascii_case(b"tok"));
    has_word && is_key_name(id)
}

fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'$')
}

/// The end of a call's arguments: the matching `)`, or a bound for calls that
/// span many lines.
fn argument_end(bytes: &[u8], open: usize) -> usize {
    const MAX_ARGS: usize = 2000;
    let limit = (open + MAX_ARGS).min(bytes.len());
    let mut depth = 0usize;
    for (i, &b) in bytes[open..limit].iter().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return open + i + 1;
                }
            }
            _ => {}
        }
    }
    limit
}

/// Names in argument text that the engine could read as a key: identifiers in
/// code and in interpolations (`f"{key}"`, `${key}`), and the content of a string
/// that names an environment variable (`os.environ["X"]`, `getenv("X")`), each
/// only where the value is used whole: not cut (`key[:4]`), measured (`len(key)`),
/// tested (`key is None`, `"a" if key else "b"`) or passed to another function
/// (`mask(key)`). Plain string literals and comments are skipped.
fn argument_names<'a>(args: &'a str, python: bool, depth: usize, out: &mut Vec<&'a str>) {
    let b = args.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            let s = i;
            while i < b.len() && is_path_byte(b[i]) {
                i += 1;
            }
            let word = &args[s..i];
            let quote = b.get(i).is_some_and(|&q| q == b'"' || q == b'\'');
            if python && quote && word.len() <= 2 && word.bytes().all(|p| b"rRbBfFuU".contains(&p))
            {
                let fstring = word.contains(['f', 'F']);
                i = string_end(args, i, python, fstring, depth, out);
                continue;
            }
            if let Some((name, end)) = env_access(args, s, i) {
                if used_whole(b, s, end) {
                    out.push(name);
                }
                i = end;
                continue;
            }
            if used_whole(b, s, i) {
                out.push(word);
            }
            continue;
        }
        match c {
            b'"' | b'\'' | b'`' => i = string_end(args, i, python, c == b'`', depth, out),
            b'#' if python => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
            }
            b'/' if !python && b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
            }
            _ => i += 1,
        }
    }
}

/// `os.environ["X"]`, `os.getenv("X", …)`, `process.env["X"]` starting with the
/// word at `s..word_end`: the variable name and where the access ends.
fn env_access(args: &str, s: usize, word_end: usize) -> Option<(&str, usize)> {
    let b = args.as_bytes();
    let word = &args[s..word_end];
    let open = *b.get(word_end)?;
    let getter = ["environ.get", "getenv", "env.get", "setdefault"]
        .iter()
        .any(|g| word.ends_with(g));
    let mapping = word.ends_with("environ") || word.ends_with("env");
    if !((open == b'(' && getter) || (open == b'[' && mapping)) {
        return None;
    }
    let q = *b.get(word_end + 1)?;
    if q != b'"' && q != b'\'' {
        return None;
    }
    let close = memchr::memchr(q, &b[word_end + 2..])? + word_end + 2;
    let name = &args[word_end + 2..close];
    if name.is_empty() || !name.bytes().all(is_path_byte) {
        return None;
    }
    let end = if open == b'[' {
        (b.get(close + 1) == Some(&b']')).then_some(close + 2)?
    } else {
        word_end + 1 + paren_len(&b[word_end + 1..])?
    };
    Some((name, end))
}

/// Bytes up to and including the `)` that closes a call opened just before `b`.
fn paren_len(b: &[u8]) -> Option<usize> {
    let mut depth = 1usize;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// Whether the value at `s..e` is used whole, judged by its neighbours: the
/// engine reads a key out of a whole argument, an interpolation, a concatenation,
/// a `%`-format argument, a dict or object value, `str(…)`, `"…".format(…)` and
/// string methods that return the same text.
fn used_whole(b: &[u8], s: usize, e: usize) -> bool {
    let after = e + b[e..]
        .iter()
        .take_while(|&&c| c == b' ' || c == b'\t')
        .count();
    let ok_after = match b.get(after) {
        None => true,
        Some(b')' | b',' | b'}' | b'+' | b'!' | b':' | b';' | b'\n' | b'\r') => true,
        Some(b'?') => b.get(after + 1) == Some(&b'?'),
        Some(b'.') => {
            let rest = &b[after + 1..];
            let len = rest
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
            rest.get(len) == Some(&b'(')
                && SAME_STRING_METHODS
                    .iter()
                    .any(|m| m.as_bytes() == &rest[..len])
        }
        Some(b'|') => b.get(after + 1) == Some(&b'|'),
        Some(b'(') => {
            let word = &b[s..e];
            let method = word.rsplit(|&c| c == b'.').next().unwrap_or(word);
            SAME_STRING_METHODS.iter().any(|m| m.as_bytes() == method)
        }
        _ => false,
    };
    if !ok_after {
        return false;
    }
    let before = s - b[..s]
        .iter()
        .rev()
        .take_while(|&&c| c == b' ' || c == b'\t' || c == b'\n' || c == b'\r')
        .count();
    match before.checked_sub(1).map(|i| b[i]) {
        None => true,
        Some(b'(') => {
            let callee_end = before - 1;
            let callee_start = b[..callee_end]
                .iter()
                .rposition(|&c| !is_path_byte(c))
                .map_or(0, |i| i + 1);
            let callee = &b[callee_start..callee_end];
            callee.is_empty()
                || callee.ends_with(b"format")
                || PASS_THROUGH.iter().any(|p| p.as_bytes() == callee)
                || std::str::from_utf8(callee).is_ok_and(|c| sink(c).is_some())
        }
        // `%` is Python's `"key: %s" % key`; in JavaScript, a modulo costs a parse.
        Some(b',' | b'{' | b'+' | b':' | b'=' | b'[' | b'?' | b'|' | b'$' | b'%') => true,
        _ => false,
    }
}

/// The string literal opening at `at` ends where? Interpolations of f-strings and
/// template literals are read as code on the way.
fn string_end<'a>(
    args: &'a str,
    at: usize,
    python: bool,
    interpolates: bool,
    depth: usize,
    out: &mut Vec<&'a str>,
) -> usize {
    let b = args.as_bytes();
    let q = b[at];
    let triple = python && b.get(at + 1) == Some(&q) && b.get(at + 2) == Some(&q);
    let mut i = at + if triple { 3 } else { 1 };
    while i < b.len() {
        let c = b[i];
        if c == b'\\' {
            i += 2;
            continue;
        }
        if c == q && (!triple || (b.get(i + 1) == Some(&q) && b.get(i + 2) == Some(&q))) {
            return i + if triple { 3 } else { 1 };
        }
        let opens = if q == b'`' {
            c == b'$' && b.get(i + 1) == Some(&b'{')
        } else {
            c == b'{' && b.get(i + 1) != Some(&b'{')
        };
        if interpolates && opens {
            let from = if q == b'`' { i + 2 } else { i + 1 };
            let close = brace_end(b, from);
            if depth < 4 {
                argument_names(&args[from..close], python, depth + 1, out);
            }
            i = close + 1;
            continue;
        }
        if interpolates && q != b'`' && c == b'{' {
            i += 2; // `{{` is a literal brace
            continue;
        }
        if c == b'\n' && !triple && q != b'`' {
            return i; // an unclosed one-line string
        }
        i += 1;
    }
    b.len()
}

fn brace_end(b: &[u8], from: usize) -> usize {
    let mut depth = 1usize;
    for (i, &c) in b.iter().enumerate().skip(from) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    b.len()
}

/// Names assigned from an environment read of a key variable:
/// `key = os.environ["OPENAI_API_KEY"]`, `const k = process.env.OPENAI_API_KEY`.
fn key_aliases(text: &str, python: bool) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let reads =
        memchr::memmem::find_iter(bytes, b"env").filter(|&at| reads_environment_at(bytes, at));
    for line in lines_holding(text, reads) {
        let line = text[line].trim_start();
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let line = ["const ", "let ", "var "]
            .iter()
            .find_map(|k| line.strip_prefix(k))
            .unwrap_or(line)
            .trim_start();
        let name_len = line.bytes().take_while(|&b| is_path_byte(b)).count();
        let (name, rest) = line.split_at(name_len);
        let Some(eq) = rest.find('=') else {
            continue;
        };
        let (lhs_rest, rhs) = (&rest[..eq], &rest[eq + 1..]);
        let annotated = lhs_rest.trim().is_empty() || lhs_rest.trim_start().starts_with(':');
        if name.is_empty() || !annotated || rhs.starts_with('=') || names_key(name) {
            continue;
        }
        let mut names = Vec::new();
        argument_names(rhs, python, 0, &mut names);
        if names.iter().any(|n| names_key(n)) {
            out.push(name);
        }
    }
    out
}

/// Whether the `env` at `at` is part of an environment read: `environ`, `getenv`,
/// `process.env`, `import.meta.env`, `Deno.env`. All five contain `env`, which
/// one substring search finds far faster than a search for the five words, whose
/// first letters (`get`, `pro`, `imp`) start much of any program: 2 ms against
/// 33 ms on the 57 MB of corpus files this rule reads.
fn reads_environment_at(bytes: &[u8], at: usize) -> bool {
    const READS: &[(&[u8], usize)] = &[
        (b"environ", 0),
        (b"getenv", 3),
        (b"process.env", 8),
        (b"import.meta.env", 12),
        (b"Deno.env", 5),
    ];
    READS
        .iter()
        .any(|(word, before)| at >= *before && bytes[at - before..].starts_with(word))
}

/// A name's value: the last assignment to it before `at`, else a module constant.
fn assigned<'a>(facts: &'a Facts, path: &str, at: usize) -> Option<&'a Value> {
    facts
        .assignments
        .iter()
        .rfind(|(target, r, _)| target == path && r.start < at)
        .map(|(_, _, v)| v)
        .or_else(|| facts.constants.get(path))
}

/// Calls that hand their argument through unchanged: `str(key)`, `"{}".format(key)`,
/// `key.strip()`.
const PASS_THROUGH: &[&str] = &["str", "repr", "String"];
const SAME_STRING_METHODS: &[&str] = &[
    "strip",
    "rstrip",
    "lstrip",
    "trim",
    "trimStart",
    "trimEnd",
    "toString",
    "get_secret_value",
];

struct Lookup<'a> {
    facts: &'a Facts,
    text: &'a str,
    formats: &'a KeyFormats,
    calls: HashMap<(usize, usize), &'a Call>,
}

impl<'a> Lookup<'a> {
    /// How `value` carries a key, for the message (`` `OPENAI_API_KEY` ``), or `None`.
    fn key_in(&self, value: &Value, depth: usize) -> Option<String> {
        if depth > 4 {
            return None;
        }
        match value {
            Value::Env { name, .. } => is_key_name(name).then(|| format!("`{name}`")),
            Value::Name { path, range } => {
                let value = assigned(self.facts, path, range.start);
                if is_key_name(path) {
                    match value {
                        // A literal: a local server's dummy (`EMPTY`) or a variable
                        // name, unless it is real-shaped.
                        Some(Value::Str { text, .. }) => self
                            .formats
                            .formats
                            .iter()
                            .any(|f| f.regex.is_match(text))
                            .then(|| format!("`{path}`")),
                        Some(Value::Number { .. } | Value::Bool { .. }) => None,
                        Some(t @ Value::Template { .. }) => self.key_in(t, depth + 1),
                        Some(Value::Other { range }) if self.masks(range) => None,
                        _ => Some(format!("`{path}`")),
                    }
                } else {
                    match value {
                        Some(v @ (Value::Env { .. } | Value::Name { .. })) => self
                            .key_in(v, depth + 1)
                            .map(|k| format!("`{path}`, which holds {k}")),
                        _ => None,
                    }
                }
            }
            Value::Template { parts, .. } => parts.iter().find_map(|p| match p {
                Part::Expr(e) => self.key_in(e, depth + 1),
                Part::Lit(_) => None,
            }),
            Value::Object { id, .. } => self
                .facts
                .object_pairs(*id)
                .find_map(|p| self.key_in(&p.value, depth + 1)),
            Value::Other { range } => {
                let call = self.calls.get(&(range.start, range.end))?;
                self.through_call(call, depth)
            }
            _ => None,
        }
    }

    /// An assigned expression that masks or cuts the key: `key[:8] + "*" * 15`,
    /// `mask(key)`, `key.slice(-4)`.
    fn masks(&self, range: &Range<usize>) -> bool {
        const MASKING: &[&str] = &[
            "[:",
            "[-",
            "mask",
            "redact",
            "\"*",
            "'*",
            "***",
            "...",
            "…",
            ".slice(",
            ".substring(",
            ".substr(",
            "len(",
            "bool(",
        ];
        let text = self.text.get(range.clone()).unwrap_or("");
        MASKING.iter().any(|m| text.contains(m))
    }

    fn through_call(&self, call: &Call, depth: usize) -> Option<String> {
        let method = call.method();
        if PASS_THROUGH.contains(&call.callee.as_str()) || method == "format" {
            return call
                .positional
                .iter()
                .chain(call.keywords.iter().map(|(_, v)| v))
                .find_map(|v| self.key_in(v, depth + 1));
        }
        if SAME_STRING_METHODS.contains(&method) && call.callee.contains('.') {
            let inside = |r: &Range<usize>| {
                call.callee_range.start <= r.start && r.end <= call.callee_range.end
            };
            if let Some(read) = self
                .facts
                .env_reads
                .iter()
                .find(|r| inside(&r.range) && is_key_name(&r.name))
            {
                return Some(format!("`{}`", read.name));
            }
            let receiver = &call.callee[..call.callee.len() - method.len() - 1];
            let receiver = Value::Name {
                path: receiver.to_string(),
                range: call.callee_range.clone(),
            };
            return self.key_in(&receiver, depth + 1);
        }
        None
    }
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// A key-shaped literal on the lines of `range`, redacted, so the snippet of a
/// finding never shows a key even when the key rules are not selected.
pub fn secret_on_lines(
    text: &str,
    range: &Range<usize>,
    formats: &KeyFormats,
    show: bool,
) -> Option<(Range<usize>, String)> {
    let start = line_start(text, range.start);
    let end = text[range.end..]
        .find('\n')
        .map_or(text.len(), |i| range.end + i);
    formats.formats.iter().find_map(|format| {
        let m = format.regex.find(&text[start..end])?;
        let key = m.as_str();
        let shown = redact(key, format.family_of(key).prefix.len(), show);
        Some((start + m.start()..start + m.end(), shown))
    })
}

/// Print and log calls whose arguments carry a key.
pub fn check_code(
    facts: &Facts,
    text: &str,
    formats: &KeyFormats,
    show_secrets: bool,
    out: &mut Vec<RawFinding>,
) {
    let lookup = Lookup {
        facts,
        text,
        formats,
        calls: facts
            .calls
            .iter()
            .map(|c| ((c.range.start, c.range.end), c))
            .collect(),
    };
    for call in &facts.calls {
        let Some(sink) = sink(&call.callee) else {
            continue;
        };
        // JavaScript object arguments also appear as keywords: skip those copies.
        let keywords = call.keywords.iter().map(|(_, v)| v).filter(|v| {
            !call
                .positional
                .iter()
                .any(|p| contains(&p.range(), &v.range()))
        });
        let hit = call
            .positional
            .iter()
            .chain(keywords)
            .find_map(|arg| Some((arg, lookup.key_in(arg, 0)?)));
        let Some((arg, what)) = hit else {
            continue;
        };
        let range = arg.range();
        out.push(RawFinding {
            rule: KEY_LOGGED,
            range: range.clone(),
            message: format!(
                "`{}` writes the API key ({what}) to {sink}: output and logs are kept, \
                 shipped to log services and pasted into issues, and whoever reads them \
                 can use the key. Log whether the key is set, or a masked form such as \
                 its last four characters",
                call.callee
            ),
            secret: secret_on_lines(text, &range, formats, show_secrets),
            basis: format!("{}({})", call.callee, &text[range]),
            level: None,
            replacement: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names() {
        for yes in [
            "api_key",
            "self.api_key",
            "openai.api_key",
            "OPENAI_API_KEY",
            "AZURE_OPENAI_API_KEY",
            "openaiApiKey",
            "openAIApiKey",
            "OPENAI_KEY",
            "REPLICATE_API_TOKEN",
            "this.apiKey",
            "settings.OPENAI_API_KEY",
            "user_api_key",
            "APIKEY",
        ] {
            assert!(is_key_name(yes), "{yes}");
        }
        for no in [
            "api_key_env",
            "API_KEY_NAME",
            "user_api_key_dict",
            "has_api_key",
            "masked_api_key",
            "isApiKeySet",
            "hasApiKey",
            "key",
            "token",
            "HF_TOKEN",
            "OPENAI_API_KEY_PATH",
            "snapikey",
            "api_keys",
        ] {
            assert!(!is_key_name(no), "{no}");
        }
    }

    #[test]
    fn sinks() {
        for (callee, sink_name) in [
            ("print", "the console"),
            ("console.log", "the console"),
            ("console.error", "the console"),
            ("logger.info", "the log"),
            ("self.logger.debug", "the log"),
            ("logging.warning", "the log"),
            ("verbose_logger.exception", "the log"),
            ("log.error", "the log"),
            ("sys.stdout.write", "the console"),
        ] {
            assert_eq!(sink(callee), Some(sink_name), "{callee}");
        }
        for callee in [
            "Math.log",
            "np.log",
            "logger.setLevel",
            "self.print",
            "blog.info",
        ] {
            assert_eq!(sink(callee), None, "{callee}");
        }
    }

    #[test]
    fn only_log_calls_with_key_names_are_parsed() {
        for bad in [
            "print(os.environ['OPENAI_API_KEY'])",
            "console.log(`key ${process.env.OPENAI_API_KEY}`)",
            "logger.info(\n    f\"using {self.api_key}\"\n)",
            "k = os.getenv(\"OPENAI_API_KEY\")\nprint(k)",
            "const k = process.env.OPENAI_API_KEY;\nconsole.log(\"key\", k);",
            "print(\"key: %s\" % api_key)",
        ] {
            assert!(worth_parsing(bad, "app.py"), "{bad}");
        }
        for fine in [
            "print('hello')\napi_key = os.environ['OPENAI_API_KEY']",
            "print(\"set OPENAI_API_KEY first\")",
            "logger.warning(\"DD_API_KEY is required\")",
            "logger.debug(\"setting api_key={}\".format(x))",
            "logger.info(user_api_key_dict.user_id)",
            "Math.log(apiKey.length)",
            "k = os.getenv(\"OPENAI_API_KEY\")\nprint(len(key))",
            "print(\"key ends in %s\" % api_key[-4:])",
        ] {
            assert!(!worth_parsing(fine, "app.py"), "{fine}");
        }
        assert!(!worth_parsing("print(api_key)", "tests/test_secrets.py"));
    }

    #[test]
    fn argument_names_skip_plain_strings() {
        fn names(args: &str, python: bool) -> Vec<&str> {
            let mut out = Vec::new();
            argument_names(args, python, 0, &mut out);
            out
        }
        let none: [&str; 0] = [];
        assert_eq!(
            names(r#"("set api_key=%s", api_key is not None)"#, true),
            none
        );
        assert_eq!(names(r#"("key %s", api_key)"#, true), ["api_key"]);
        assert_eq!(
            names(r#"("key %s" % api_key, "%s" % (k,), "%d" % len(j))"#, true),
            ["api_key", "k"]
        );
        assert_eq!(
            names(
                r#"("%s" % api_key[-4:], "%s" % ("set" if k else "no"))"#,
                true
            ),
            none
        );
        assert_eq!(names(r#"(f"key={api_key[:4]} {{x}} {k!r}")"#, true), ["k"]);
        assert_eq!(
            names(r#"(os.environ["OPENAI_API_KEY"])"#, true),
            ["OPENAI_API_KEY"]
        );
        assert_eq!(
            names(r#"(os.getenv("OPENAI_API_KEY", "")[:4])"#, true),
            none
        );
        assert_eq!(names(r#"(os.environ.get("K").strip())"#, true), ["K"]);
        assert_eq!(
            names("(`key ${process.env.KEY} ${`n ${a}`}`)", false),
            ["process.env.KEY", "a"]
        );
        assert_eq!(names("(x) # print(api_key)\n", true), ["x"]);
        assert_eq!(names(r#"("""api_key""", k)"#, true), ["k"]);
        assert_eq!(names(r#"("say \"api_key\"", k)"#, false), ["k"]);
        assert_eq!(
            names("(len(k), mask(k), str(k), \"{}\".format(k))", true),
            ["k", "k"]
        );
        assert_eq!(
            names(
                "(\"set\" if k else \"missing\", not k, k ? 1 : 2, k ?? 3)",
                false
            ),
            ["k"]
        );
        assert_eq!(
            names("({ apiKey }, { key: apiKey }, [apiKey])", false),
            ["apiKey", "key", "apiKey"]
        );
    }

    #[test]
    fn aliases_of_key_reads() {
        let text = "k = os.environ['OPENAI_API_KEY']\nm: str = os.getenv(\"MODEL\")\nif x == os.environ.get('OPENAI_API_KEY'): pass\n";
        assert_eq!(key_aliases(text, true), ["k"]);
        let js = "export const key = process.env.OPENAI_API_KEY ?? '';\nlet apiKey = process.env.OPENAI_API_KEY;";
        assert_eq!(key_aliases(js, false), ["key"]);
        let more = "a = getenv('OPENAI_API_KEY')\nconst b = import.meta.env.VITE_OPENAI_KEY\nconst c = Deno.env.get('OPENAI_API_KEY')\nd = venv('OPENAI_API_KEY')\n";
        assert_eq!(key_aliases(more, false), ["a", "b", "c"]);
    }

    #[test]
    fn words_split_code_conventions() {
        assert_eq!(words("openAIApiKey"), ["open", "ai", "api", "key"]);
        assert_eq!(words("OPENAI_API_KEY"), ["openai", "api", "key"]);
        assert_eq!(words("HTTPServer2Key"), ["http", "server2", "key"]);
    }
}
