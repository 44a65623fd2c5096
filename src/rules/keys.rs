//! The `keys` engine: hardcoded-key, placeholder-key and malformed-key.
//!
//! It works on one text segment (a whole file, a notebook's code cells joined, or
//! one other notebook cell or output) and reports byte ranges in that segment.
//! Three sources of candidates:
//! - provider regexes from `rules/data/key-formats.toml` (real-shaped keys);
//! - runs of text around the OpenAI marker that fail those regexes (malformed);
//! - values assigned to key names (`api_key="…"`, `OPENAI_API_KEY=…`), judged as
//!   placeholders or as keys stored with whitespace, quotes or `Bearer `.

use super::key_formats::{KeyFormat, KeyFormats, entropy, is_key_char, is_sequential};
use crate::analyze::lines::line_start;
use crate::findings::Level;
use crate::source::{CommentStyle, FileKind};
use std::ops::Range;

pub const HARDCODED: &str = "hardcoded-key";
pub const PLACEHOLDER: &str = "placeholder-key";
pub const MALFORMED: &str = "malformed-key";

/// Minimum random characters on each side of the OpenAI marker in a whole key.
const MIN_SIDE: usize = 20;

/// A finding before suppression and position mapping.
#[derive(Debug, Clone)]
pub struct RawFinding {
    pub rule: &'static str,
    pub range: Range<usize>,
    pub message: String,
    /// Where a secret sits (segment offsets) and how to show it redacted.
    pub secret: Option<(Range<usize>, String)>,
    /// What the fingerprint hashes: the normalised secret or code.
    pub basis: String,
    pub level: Option<Level>,
    /// Text that fixes the finding when it replaces `range` (a model id, a variable
    /// name), offered by the language server as a quick fix.
    pub replacement: Option<String>,
}

/// Which of the engine's rules run on this segment, and what the prefilter saw.
#[derive(Debug, Clone, Copy, Default)]
pub struct Wanted {
    pub hardcoded: bool,
    pub placeholder: bool,
    pub malformed: bool,
    /// Bit `i` set when format `i`'s keywords occur in the file.
    pub formats: u64,
}

/// Facts about where the segment comes from.
#[derive(Debug, Clone, Copy)]
pub struct SegmentInfo {
    pub kind: FileKind,
    /// Tests, docs, examples or build output, where placeholders are deliberate,
    /// and type declarations, which assign no values.
    pub skip_placeholders: bool,
    pub show_secrets: bool,
}

/// Show the provider prefix and the last four characters: `sk-proj-...Ab1d`.
pub fn redact(secret: &str, prefix_len: usize, show: bool) -> String {
    if show {
        return secret.to_string();
    }
    let prefix: String = secret.chars().take(prefix_len).collect();
    let rest = secret.chars().count().saturating_sub(prefix_len);
    if rest <= 8 {
        return format!("{prefix}...");
    }
    let tail: String = secret.chars().skip(prefix_len + rest - 4).collect();
    format!("{prefix}...{tail}")
}

/// Redact every key-shaped string in free text, such as a warning that quotes a
/// malformed suppression comment.
pub fn redact_all(text: &str, formats: &KeyFormats, show: bool) -> String {
    if show {
        return text.to_string();
    }
    let mut out = text.to_string();
    for format in &formats.formats {
        out = format
            .regex
            .replace_all(&out, |caps: &regex::Captures| {
                let key = &caps[0];
                redact(key, format.family_of(key).prefix.len(), false)
            })
            .into_owned();
    }
    out
}

struct KeyHit {
    range: Range<usize>,
}

pub fn check(text: &str, info: SegmentInfo, want: Wanted, formats: &KeyFormats) -> Vec<RawFinding> {
    let mut out = Vec::new();
    let mut keys: Vec<KeyHit> = Vec::new();

    for (i, format) in formats.formats.iter().enumerate() {
        if want.formats & (1 << i) == 0 {
            continue;
        }
        for m in format.regex.find_iter(text) {
            if !standalone(text, m.range()) {
                continue;
            }
            let key = m.as_str();
            let family = format.family_of(key);
            if is_filler(key_body(key, &family.prefix, format), format, formats) {
                continue;
            }
            keys.push(KeyHit { range: m.range() });
            if want.hardcoded {
                let shown = redact(key, family.prefix.len(), info.show_secrets);
                out.push(RawFinding {
                    rule: HARDCODED,
                    range: m.range(),
                    message: format!(
                        "Hardcoded {} {} `{shown}`: anyone who can read this file can use it, and \
                         leaked keys get disabled. Revoke it, then load it from `{}`",
                        format.provider, family.kind, format.env
                    ),
                    secret: Some((m.range(), shown)),
                    basis: key.to_string(),
                    level: None,
                    replacement: None,
                });
            }
        }
    }

    if want.malformed {
        for format in
            formats.formats.iter().enumerate().filter_map(|(i, f)| {
                (want.formats & (1 << i) != 0 && f.marker.is_some()).then_some(f)
            })
        {
            malformed_marker_runs(text, format, formats, &keys, info, &mut out);
        }
    }

    let placeholder_here =
        want.placeholder && !info.skip_placeholders && placeholder_applies(info.kind);
    if placeholder_here || (want.malformed && want.formats != 0) {
        let docs = std::cell::OnceCell::new();
        for caps in formats.assignment.captures_iter(text) {
            let (Some(whole), Some(name), Some(op)) =
                (caps.get(0), caps.name("name"), caps.name("op"))
            else {
                continue;
            };
            let Some(value) = assigned_value(text, whole.end(), op.as_str(), info.kind) else {
                continue;
            };
            // The pattern starts at the key word; the name may begin further left.
            let name_start = text[..name.start()]
                .char_indices()
                .rev()
                .take_while(|&(_, c)| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
                .last()
                .map_or(name.start(), |(i, _)| i);
            let name_range = name_start..name.end();
            let value = clip_to_enclosing_string(text, name_range.start, value, info.kind);
            let name = &text[name_range.clone()];
            if want.malformed {
                malformed_value(text, name, &value, &keys, formats, info, &mut out);
            }
            if placeholder_here
                && is_code_assignment(
                    text,
                    docs.get_or_init(|| BlockDocs::new(text, info.kind)),
                    name_range,
                    op.as_str(),
                    info.kind,
                )
            {
                placeholder_value(text, name, &value, formats, info, &mut out);
            }
        }
    }
    out
}

/// The key must not be glued to more key characters on either side.
fn standalone(text: &str, r: Range<usize>) -> bool {
    let before = text[..r.start].chars().next_back();
    let after = text[r.end..].chars().next();
    !before.is_some_and(is_key_char) && !after.is_some_and(is_key_char)
}

/// The random part of a key: without its prefix and marker.
fn key_body<'a>(key: &'a str, prefix: &str, format: &KeyFormat) -> std::borrow::Cow<'a, str> {
    let body = key.strip_prefix(prefix).unwrap_or(key);
    match &format.marker {
        Some(m) => body.replacen(m.as_str(), "", 1).into(),
        None => body.into(),
    }
}

/// Placeholders and fillers that have a key's shape: `sk-proj-XXXX…`, all zeros,
/// `abcdef…`, or an "example"/"your" key.
fn is_filler(body: impl AsRef<str>, format: &KeyFormat, formats: &KeyFormats) -> bool {
    let body = body.as_ref();
    let lower = body.to_ascii_lowercase();
    formats
        .placeholder_words_in_keys
        .iter()
        .any(|w| lower.contains(w.as_str()))
        || entropy(body) < format.min_entropy
        || is_sequential(body)
}

fn placeholder_applies(kind: FileKind) -> bool {
    kind.is_code() || kind == FileKind::DotEnv
}

/// Characters that end a "run" around a marker: a broken key is still delimited by
/// quotes, whitespace and punctuation, but may contain `…`, `.` or `+`.
fn ends_run(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '"' | '\''
                | '`'
                | '='
                | ':'
                | ','
                | ';'
                | '('
                | ')'
                | '['
                | ']'
                | '{'
                | '}'
                | '<'
                | '>'
                | '\\'
                | '|'
        )
}

fn malformed_marker_runs(
    text: &str,
    format: &KeyFormat,
    formats: &KeyFormats,
    keys: &[KeyHit],
    info: SegmentInfo,
    out: &mut Vec<RawFinding>,
) {
    let marker = format.marker.as_deref().unwrap_or_default();
    let mut from = 0;
    while let Some(found) = memchr::memmem::find(&text.as_bytes()[from..], marker.as_bytes()) {
        let at = from + found;
        from = at + marker.len();
        if keys.iter().any(|k| k.range.contains(&at)) {
            continue;
        }
        let start = text[..at]
            .char_indices()
            .rev()
            .find(|&(_, c)| ends_run(c))
            .map(|(i, c)| i + c.len_utf8())
            .unwrap_or(0);
        let end = text[at..]
            .char_indices()
            .find(|&(_, c)| ends_run(c))
            .map(|(i, _)| at + i)
            .unwrap_or(text.len());
        if let Some(defect) = run_defect(&text[start..end], at - start, format, formats) {
            let run = &text[start..end];
            let shown = redact(run, defect.prefix_len, info.show_secrets);
            out.push(RawFinding {
                rule: MALFORMED,
                range: start..end,
                message: format!(
                    "{} key `{shown}` cannot authenticate: {}. The API answers 401 \
                     `invalid_api_key`; {}",
                    format.provider, defect.what, defect.fix
                ),
                secret: Some((start..end, shown)),
                basis: run.to_string(),
                level: None,
                replacement: None,
            });
            from = from.max(end);
        }
    }
}

struct Defect {
    what: String,
    fix: &'static str,
    prefix_len: usize,
}

/// Why a run containing the marker is not a usable key, if it looks like one at all.
fn run_defect(
    run: &str,
    marker_at: usize,
    format: &KeyFormat,
    formats: &KeyFormats,
) -> Option<Defect> {
    let marker = format.marker.as_deref()?;
    let lower = run.to_ascii_lowercase();
    if !lower.starts_with("sk") {
        return None;
    }
    let before = &run[..marker_at];
    let after = &run[marker_at + marker.len()..];
    // The part of the prefix after `sk` and its separator, e.g. `proj-`.
    let family_end = {
        let rest = &before[2.min(before.len())..];
        let rest = rest.strip_prefix(['-', '_']).unwrap_or(rest);
        let fam = rest
            .split_once(['-', '_'])
            .filter(|(f, _)| {
                matches!(
                    f.to_ascii_lowercase().as_str(),
                    "proj" | "svcacct" | "admin" | "none"
                )
            })
            .map(|(f, _)| f.len() + 1)
            .unwrap_or(0);
        before.len() - rest.len() + fam
    };
    let random_before = &before[family_end.min(before.len())..];
    let body: String = format!("{random_before}{after}");
    if is_filler(&body, format, formats) {
        return None;
    }
    let key_chars = |s: &str| s.chars().filter(|&c| is_key_char(c)).count();
    let prefix_len = family_end.min(before.len());

    if let Some(bad) = run.chars().find(|&c| !is_key_char(c)) {
        // `sk-...T3BlbkFJ...` in docs is a redacted display, not a broken key.
        if (run.contains("...") || run.contains('…'))
            && (key_chars(random_before) < MIN_SIDE || key_chars(after) < MIN_SIDE)
        {
            return None;
        }
        if key_chars(random_before) < MIN_SIDE / 2 || key_chars(after) < MIN_SIDE / 2 {
            return None;
        }
        return Some(Defect {
            what: format!(
                "it contains `{bad}` (U+{:04X}), which never occurs in a key",
                bad as u32
            ),
            fix: "copy the key again from the dashboard",
            prefix_len,
        });
    }
    let wrong_prefix = !run.starts_with("sk-")
        || before[..family_end].contains('_')
        || before[2..family_end.max(2)]
            .split(['-', '_'])
            .any(|p| !p.is_empty() && !matches!(p, "proj" | "svcacct" | "admin" | "None"));
    if random_before.len() >= MIN_SIDE && after.len() >= MIN_SIDE {
        if wrong_prefix {
            let prefix = &before[..family_end];
            return Some(Defect {
                what: format!("it starts with `{prefix}`, not a valid `sk-` prefix"),
                fix: "OpenAI keys start with `sk-`, `sk-proj-`, `sk-svcacct-` or `sk-admin-`",
                prefix_len,
            });
        }
        return None;
    }
    if after.len() < MIN_SIDE && random_before.len() >= MIN_SIDE {
        return Some(Defect {
            what: format!(
                "it is truncated: only {} character(s) follow the `{marker}` marker, a whole key has at least {MIN_SIDE}",
                after.len()
            ),
            fix: "copy the whole key again",
            prefix_len,
        });
    }
    if random_before.len() < MIN_SIDE && after.len() >= MIN_SIDE && random_before.len() >= 4 {
        return Some(Defect {
            what: format!(
                "it is truncated: only {} character(s) precede the `{marker}` marker, a whole key has at least {MIN_SIDE}",
                random_before.len()
            ),
            fix: "copy the whole key again",
            prefix_len,
        });
    }
    None
}

/// A value assigned to a key name, as a byte range of its content.
struct Value {
    range: Range<usize>,
    quoted: bool,
}

/// Read the value after an assignment operator: a quoted literal on the same line,
/// or, in `.env`-like files, the unquoted rest of the line.
fn assigned_value(text: &str, pos: usize, op: &str, kind: FileKind) -> Option<Value> {
    let rest = &text[pos..];
    if op == "=" && rest.starts_with('=') {
        return None; // `==` is a comparison
    }
    let line_end = rest.find('\n').map(|i| pos + i).unwrap_or(text.len());
    let line = &text[pos..line_end];
    // String prefixes: Python f"", r"", b"", u"", rb"" (only when a quote follows).
    let prefix_len = line
        .char_indices()
        .take_while(|&(_, c)| matches!(c, 'f' | 'F' | 'r' | 'R' | 'b' | 'B' | 'u' | 'U'))
        .count();
    let prefix_len = if prefix_len <= 2 && line[prefix_len..].starts_with(['"', '\'', '`']) {
        prefix_len
    } else {
        0
    };
    let after_prefix = &line[prefix_len..];
    if let Some(q) = after_prefix
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\'' | '`'))
    {
        let start = pos + prefix_len + 1;
        let mut escaped = false;
        for (i, c) in text[start..line_end].char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                return Some(Value {
                    range: start..start + i,
                    quoted: true,
                });
            }
        }
        return None;
    }
    let unquoted = matches!(
        kind,
        FileKind::DotEnv
            | FileKind::DotEnvTemplate
            | FileKind::Shell
            | FileKind::Yaml
            | FileKind::Dockerfile
    );
    if !unquoted {
        return None;
    }
    let cut = line.find(" #").unwrap_or(line.len());
    let value = line[..cut].trim_end();
    (!value.is_empty()).then(|| Value {
        range: pos..pos + value.len(),
        quoted: false,
    })
}

/// A `name: value` written inside a string (`-H "Authorization: Bearer …"`) ends
/// where that string closes, not at the end of the line.
fn clip_to_enclosing_string(text: &str, name_start: usize, value: Value, kind: FileKind) -> Value {
    if value.quoted {
        return value;
    }
    let start_of_line = line_start(text, name_start);
    let LineState::InString(q) = line_state(&text[start_of_line..name_start], kind) else {
        return value;
    };
    match text[value.range.clone()].find(q) {
        Some(close) => Value {
            range: value.range.start..value.range.start + close,
            quoted: true,
        },
        None => value,
    }
}

fn is_auth_header(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with("authorization")
}

fn malformed_value(
    text: &str,
    name: &str,
    value: &Value,
    keys: &[KeyHit],
    formats: &KeyFormats,
    info: SegmentInfo,
    out: &mut Vec<RawFinding>,
) {
    let r = value.range.clone();
    let content = &text[r.clone()];
    let Some(key) = keys
        .iter()
        .find(|k| k.range.start >= r.start && k.range.end <= r.end)
    else {
        whitespace_inside_key(text, name, value, formats, info, out);
        return;
    };
    let key_text = &text[key.range.clone()];
    let leading = &text[r.start..key.range.start];
    let trailing = &text[key.range.end..r.end];
    let prefix_len = formats
        .formats
        .iter()
        .find(|f| f.regex.is_match(key_text))
        .map(|f| f.family_of(key_text).prefix.len())
        .unwrap_or(3);
    let shown = redact(key_text, prefix_len, info.show_secrets);
    let escapes = |s: &str| s.contains("\\n") || s.contains("\\r") || s.contains("\\t");
    let what = if leading.trim().eq_ignore_ascii_case("bearer") && !is_auth_header(name) {
        format!(
            "`{name}` stores the key with `Bearer ` in front; the SDK adds the scheme itself, so \
             the request sends `Authorization: Bearer Bearer {shown}` and gets 401 `invalid_api_key`. \
             Store the bare key"
        )
    } else if value.quoted
        && !(is_auth_header(name) && leading.trim().eq_ignore_ascii_case("bearer"))
        && (leading.chars().any(char::is_whitespace)
            || trailing.chars().any(char::is_whitespace)
            || escapes(leading)
            || escapes(trailing))
    {
        let visible = content.replace(key_text, &shown);
        format!(
            "`{name}` holds the key `{shown}` with whitespace around it (`{visible}`); the API \
             compares keys exactly and answers 401 `invalid_api_key`. Remove the whitespace"
        )
    } else if leading.contains(['"', '\'']) || trailing.contains(['"', '\'']) {
        format!(
            "`{name}` holds the key `{shown}` with quote characters inside the value; they are \
             sent as part of the key and the API answers 401 `invalid_api_key`. Remove the inner quotes"
        )
    } else {
        return;
    };
    out.push(RawFinding {
        rule: MALFORMED,
        range: r.clone(),
        message: what,
        secret: Some((key.range.clone(), shown)),
        basis: content.to_string(),
        level: None,
        replacement: None,
    });
}

/// A key split by whitespace (`"sk-proj-abc def…"`): no format matches the value, but
/// the value without its whitespace is a whole key.
fn whitespace_inside_key(
    text: &str,
    name: &str,
    value: &Value,
    formats: &KeyFormats,
    info: SegmentInfo,
    out: &mut Vec<RawFinding>,
) {
    let content = text[value.range.clone()].trim();
    if !value.quoted || !content.chars().any(char::is_whitespace) {
        return;
    }
    let joined: String = content.chars().filter(|c| !c.is_whitespace()).collect();
    let Some((format, m)) = formats
        .formats
        .iter()
        .find_map(|f| f.regex.find(&joined).map(|m| (f, m)))
    else {
        return;
    };
    if m.start() != 0 || m.end() != joined.len() {
        return;
    }
    let family = format.family_of(&joined);
    if is_filler(key_body(&joined, &family.prefix, format), format, formats) {
        return;
    }
    let shown = redact(&joined, family.prefix.len(), info.show_secrets);
    out.push(RawFinding {
        rule: MALFORMED,
        range: value.range.clone(),
        message: format!(
            "`{name}` holds the {} {} `{shown}` with whitespace inside it; the API compares \
             keys exactly and answers 401 `invalid_api_key`. Paste the key again as one piece",
            format.provider, family.kind
        ),
        secret: Some((value.range.clone(), shown)),
        basis: joined,
        level: None,
        replacement: None,
    });
}

fn placeholder_value(
    text: &str,
    name: &str,
    value: &Value,
    formats: &KeyFormats,
    info: SegmentInfo,
    out: &mut Vec<RawFinding>,
) {
    let raw = &text[value.range.clone()];
    let content = raw.trim();
    let content = if is_auth_header(name) {
        match content.split_once(char::is_whitespace) {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
            _ => return,
        }
    } else {
        content
    };
    // Minified bundles carry documentation strings on very long lines.
    let line_len = value.range.start - line_start(text, value.range.start);
    if line_len > 1000 || !is_placeholder(content, formats) {
        return;
    }
    let fix = match info.kind {
        FileKind::Python => "read the key from the environment: `os.environ[\"OPENAI_API_KEY\"]`",
        FileKind::JavaScript | FileKind::TypeScript => {
            "read the key from the environment: `process.env.OPENAI_API_KEY`"
        }
        FileKind::DotEnv => "put the real key here and keep this file out of git",
        _ => "export the real key in the environment instead",
    };
    // A real key that happens to look like a fill-in (a run of `x` in its random
    // part) must not be printed in full by the placeholder message or snippet.
    let shown = redact_all(content, formats, info.show_secrets);
    let secret = (shown != content).then(|| {
        let start = content.as_ptr() as usize - text.as_ptr() as usize;
        (start..start + content.len(), shown.clone())
    });
    out.push(RawFinding {
        rule: PLACEHOLDER,
        range: value.range.clone(),
        message: format!(
            "`{shown}` is a placeholder, not an API key: a request with it gets 401 \
             \"Incorrect API key provided\" (`invalid_api_key`). Replace it; {fix}"
        ),
        secret,
        basis: format!("{name}={content}"),
        level: None,
        replacement: None,
    });
}

/// Obvious "fill me in" values. Env references, interpolations and values that local
/// servers accept (`EMPTY`, `ollama`, `sk-no-key-required`) are not placeholders.
pub fn is_placeholder(value: &str, formats: &KeyFormats) -> bool {
    if value.is_empty() || value.starts_with('$') || value.starts_with('%') {
        return false;
    }
    // f-string or template interpolation: `{key}`, `${KEY}`, `{{ secrets.KEY }}`.
    if value.contains('{') && value.contains('}') && !value.contains('<') {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    let words = words_of(value);
    if words.iter().any(|w| {
        formats.placeholder_words_in_values.contains(w)
            || (w.len() >= 3 && w.chars().all(|c| c == 'x'))
    }) || formats
        .placeholder_symbols_in_values
        .iter()
        .any(|s| value.contains(s.as_str()))
    {
        return true;
    }
    // `sk-`, `sk-proj-` with nothing after, or a body of one repeated character.
    if let Some(body) = lower
        .strip_prefix("sk-proj-")
        .or_else(|| lower.strip_prefix("sk-"))
    {
        let mut chars = body.chars().filter(|c| *c != '-' && *c != '_');
        return match chars.next() {
            None => true,
            Some(first) => body.len() >= 4 && chars.all(|c| c == first),
        };
    }
    false
}

/// Lowercase words of a value, split at punctuation and camelCase humps:
/// `sk-yourKeyHERE` gives `sk`, `your`, `key`, `here`.
fn words_of(value: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for c in value.chars() {
        if (!c.is_alphanumeric() || (c.is_uppercase() && prev_lower)) && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        if c.is_alphanumeric() {
            current.extend(c.to_lowercase());
        }
        prev_lower = c.is_lowercase();
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Where a position sits on its line.
#[derive(Debug, PartialEq, Eq)]
enum LineState {
    Code,
    /// Inside a string opened by this quote on the same line.
    InString(char),
    /// Inside a Python triple-quoted string that opened on this line.
    InDocString,
    Comment,
}

/// Scan a line prefix, tracking quotes, to learn what `prefix`'s end is inside.
fn line_state(prefix: &str, kind: FileKind) -> LineState {
    let style = kind.comment_style();
    let mut quote: Option<char> = None;
    let mut triple: Option<&str> = None;
    let mut prev = '\0';
    let mut i = 0;
    while i < prefix.len() {
        let rest = &prefix[i..];
        let c = rest.chars().next().unwrap_or('\0');
        if kind == FileKind::Python
            && quote.is_none()
            && let Some(t) = ["\"\"\"", "\'\'\'"]
                .into_iter()
                .find(|t| rest.starts_with(*t))
        {
            triple = match triple {
                Some(open) if open == t => None,
                Some(open) => Some(open),
                None => Some(t),
            };
            i += 3;
            continue;
        }
        if triple.is_none() {
            match quote {
                Some(q) if c == q && prev != '\\' => quote = None,
                Some(_) => {}
                None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
                None if c == '#' && style == CommentStyle::Hash => return LineState::Comment,
                None if c == '/' && prev == '/' && style == CommentStyle::Slash => {
                    return LineState::Comment;
                }
                None => {}
            }
        }
        prev = c;
        i += c.len_utf8();
    }
    match (triple, quote) {
        (Some(_), _) => LineState::InDocString,
        (None, Some(q)) => LineState::InString(q),
        (None, None) => LineState::Code,
    }
}

/// Where docstrings and block comments open and close in a segment, found once so
/// that each assignment's check is a binary search, not a scan from the file start.
struct BlockDocs {
    kind: FileKind,
    /// Python: starts of `"""` and `'''`, in order.
    triple_quotes: Vec<usize>,
    /// JavaScript and TypeScript: starts of `/*` and of `*/`.
    opens: Vec<usize>,
    closes: Vec<usize>,
}

impl BlockDocs {
    fn new(text: &str, kind: FileKind) -> BlockDocs {
        let starts = |needle: &str| {
            text.match_indices(needle)
                .map(|(i, _)| i)
                .collect::<Vec<_>>()
        };
        let mut docs = BlockDocs {
            kind,
            triple_quotes: Vec::new(),
            opens: Vec::new(),
            closes: Vec::new(),
        };
        match kind {
            FileKind::Python => {
                docs.triple_quotes = starts("\"\"\"");
                docs.triple_quotes.extend(starts("\'\'\'"));
                docs.triple_quotes.sort_unstable();
            }
            FileKind::JavaScript | FileKind::TypeScript => {
                docs.opens = starts("/*");
                docs.closes = starts("*/");
            }
            _ => {}
        }
        docs
    }

    /// Whether the line starting at `line_start` is inside a docstring or block
    /// comment that opened on an earlier line.
    fn covers(&self, text: &str, line_start: usize) -> bool {
        let before =
            |list: &[usize], width: usize| list.partition_point(|&p| p + width <= line_start);
        match self.kind {
            FileKind::Python => before(&self.triple_quotes, 3) % 2 == 1,
            FileKind::JavaScript | FileKind::TypeScript => {
                let last = |list: &[usize]| before(list, 2).checked_sub(1).map(|i| list[i]);
                text[line_start..].trim_start().starts_with('*')
                    || last(&self.opens)
                        .is_some_and(|open| last(&self.closes).is_none_or(|close| close < open))
            }
            _ => false,
        }
    }
}

/// Whether an assignment to a key name is code that runs: not in a comment or
/// docstring, and not text inside a string (an error message that *shows*
/// `api_key='your_key'`). A quoted dict key (`{"api_key": …}`) is code.
fn is_code_assignment(
    text: &str,
    docs: &BlockDocs,
    name: Range<usize>,
    op: &str,
    kind: FileKind,
) -> bool {
    if matches!(kind, FileKind::Shell | FileKind::DotEnv) && op != "=" {
        return false; // `${KEY:-default}` is an expansion, not an assignment
    }
    if text[..name.start].ends_with("${") {
        return false;
    }
    let start_of_line = line_start(text, name.start);
    if docs.covers(text, start_of_line) {
        return false;
    }
    match line_state(&text[start_of_line..name.start], kind) {
        LineState::Code => true,
        LineState::InString(q) => text[name.end..].starts_with(q),
        LineState::InDocString | LineState::Comment => false,
    }
}

/// Re-exported for the prefilter: what the key rules need to see in a file.
pub fn format_keywords(formats: &KeyFormats) -> impl Iterator<Item = (usize, &str)> {
    formats
        .formats
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.keywords.iter().map(move |k| (i, k.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formats() -> KeyFormats {
        KeyFormats::builtin()
    }

    #[test]
    fn redaction_shows_prefix_and_last_four() {
        assert_eq!(
            redact("sk-proj-abcdefghijklmnop", 8, false),
            "sk-proj-...mnop"
        );
        assert_eq!(redact("sk-proj-abcd", 8, false), "sk-proj-...");
        assert_eq!(redact("sk-proj-abcd", 8, true), "sk-proj-abcd");
    }

    #[test]
    fn placeholders() {
        let f = formats();
        for p in [
            "sk-YOUR_KEY_HERE",
            "sk-xxxxxxxx",
            "sk-...",
            "sk-proj-XXXX",
            "YOUR_API_KEY",
            "<your-key>",
            "sk-",
            "sk-aaaaaaaa",
        ] {
            assert!(is_placeholder(p, &f), "{p}");
        }
        for p in [
            "",
            "EMPTY",
            "ollama",
            "sk-no-key-required",
            "sk-1234",
            "${OPENAI_API_KEY}",
            "$KEY",
            "{api_key}",
            "not-needed",
        ] {
            assert!(!is_placeholder(p, &f), "{p}");
        }
    }

    #[test]
    fn code_assignments() {
        let at = |text: &str, kind| {
            let i = text.find("api_key").unwrap();
            is_code_assignment(text, &BlockDocs::new(text, kind), i..i + 7, "=", kind)
        };
        let py = FileKind::Python;
        assert!(at("client = OpenAI(api_key=\"x\")", py));
        assert!(at("d = {\"api_key\": \"x\"}", py));
        assert!(!at("x = 1  # OpenAI(api_key=\"x\")", py));
        assert!(!at("raise E(\"use Tool(api_key='your_key')\")", py));
        assert!(!at(
            "\"\"\"Return ``{\"api_key\": \"<token>\"}``.\"\"\"",
            py
        ));
        assert!(!at(
            "def f():\n    \"\"\"\n    OpenAI(api_key=\"x\")\n    \"\"\"",
            py
        ));
        assert!(at(
            "def f():\n    \"\"\"Doc.\"\"\"\n    OpenAI(api_key=\"x\")",
            py
        ));
        let js = FileKind::JavaScript;
        assert!(!at("// new OpenAI({ api_key: 'x' })", js));
        assert!(!at("/**\n * api_key: 'x'\n */", js));
        assert!(at("const c = { api_key: 'x' };", js));
        let sh = "echo ${api_key:-x}";
        let i = sh.find("api_key").unwrap();
        assert!(!is_code_assignment(
            sh,
            &BlockDocs::new(sh, FileKind::Shell),
            i..i + 7,
            ":",
            FileKind::Shell
        ));
    }

    #[test]
    fn placeholder_words_are_whole_words() {
        let f = formats();
        assert!(!is_placeholder("COHERE_API_KEY", &f));
        assert!(is_placeholder("yourApiKey", &f));
        assert!(!is_placeholder("[REDACTED]", &f));
    }
}

#[cfg(test)]
mod placeholder_redaction_tests {
    use super::*;
    use crate::rules::synthetic;

    #[test]
    fn a_key_judged_a_placeholder_is_still_redacted() {
        let formats = KeyFormats::builtin();
        let mut key = synthetic::key(&formats, "openai-project").unwrap();
        // camelCase humps in a random body can spell a placeholder word
        key.replace_range(12..23, "aYourKeyHer");
        let text = format!("api_key = \"{key}\"\n");
        let info = SegmentInfo {
            kind: FileKind::Python,
            skip_placeholders: false,
            show_secrets: false,
        };
        let want = Wanted {
            hardcoded: true,
            placeholder: true,
            malformed: true,
            formats: u64::MAX,
        };
        let found = check(&text, info, want, &formats);
        assert!(
            found.iter().any(|f| f.rule == PLACEHOLDER),
            "the word `your` makes this a placeholder"
        );
        for f in &found {
            assert!(
                !f.message.contains(&key),
                "{} message shows the whole value",
                f.rule
            );
            if f.rule == PLACEHOLDER {
                assert!(f.secret.is_some(), "the snippet must redact it too");
            }
        }
    }
}
