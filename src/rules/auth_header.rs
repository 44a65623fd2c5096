//! `missing-bearer`: an `Authorization` header to a Bearer-auth provider that does
//! not start with `Bearer `. Reads code facts (dicts, objects, request calls) and
//! `curl -H` commands.

use crate::analyze::lines::on_comment_line;
use crate::rules::auth::AuthFacts;
use crate::rules::keys::RawFinding;
use crate::syntax::curl::CurlCommand;
use crate::syntax::{Facts, Part, Value};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

pub const MISSING_BEARER: &str = "missing-bearer";

/// Whether a file can hold a finding, judged on the text before any parse: some
/// `Authorization` key (`"Authorization": …`, `Authorization: …`) is given a value
/// that does not start with a `Bearer ` string. The value is read from the first
/// line after the colon that holds more than whitespace and opening parentheses,
/// so a formatter's `"Authorization":\n    key,` or `"Authorization": (\n …)` is
/// judged by the value's first line. SDK sources and docs mention `authorization`
/// often, and parsing them all would cost more than the rest of the scan together.
pub fn worth_parsing(text: &str, python: bool) -> bool {
    static HEADER_VALUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)authorization["'`\]]{0,2}[ \t]*:[\s(]*([^\r\n]*)"#).expect("valid regex")
    });
    // Python has no bare object keys: a dict key closes its quote before the colon,
    // which leaves out `-H "Authorization: …"` examples inside docstrings.
    static PYTHON_KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)authorization["'][ \t]*:[\s(]*([^\r\n]*)"#).expect("valid regex")
    });
    let pattern = if python {
        &*PYTHON_KEY_VALUE
    } else {
        &*HEADER_VALUE
    };
    pattern
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        // A header quoted on a comment line sends no request.
        .filter(|value| !on_comment_line(text, value.start()))
        .any(|value| suspicious_value(value.as_str()))
}

fn suspicious_value(value: &str) -> bool {
    let unprefixed = value.trim_start_matches(['f', 'r', 'b', 'F', 'R', 'B']);
    if let Some(rest) = unprefixed.strip_prefix(['"', '\'', '`']) {
        let rest = rest.trim_start().to_ascii_lowercase();
        return !rest.starts_with("bearer ") || rest.starts_with("bearer :");
    }
    let lower = value.to_ascii_lowercase();
    if value.starts_with('$')
        || (lower.starts_with("bearer") && !lower.starts_with("bearer "))
        || lower
            .split_once(' ')
            .is_some_and(|(_, rest)| rest.starts_with('$'))
    {
        return true; // curl: `Authorization: $KEY`, `Bearer:$KEY`, `Token $KEY`
    }
    let word: String = value
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '"' | '\''))
        .collect::<String>()
        .to_ascii_lowercase();
    ["key", "token", "secret"].iter().any(|w| word.contains(w))
}

/// What an `Authorization` value starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Scheme {
    Bearer,
    /// `Bearer` glued to the key: `Bearer{key}`, `Bearersk-…`.
    BearerNoSpace,
    /// `Bearer: {key}`.
    BearerColon,
    /// `Token …`, `Basic …`.
    Other(String),
    /// The key itself, no scheme.
    BareKey,
    /// Built elsewhere; nothing to say.
    Unknown,
}

/// Judge the literal start of a header value. `then_expr` says an interpolated
/// expression follows the literal text.
fn scheme_of_literal(literal: &str, then_expr: bool) -> Scheme {
    let trimmed = literal.trim_start();
    let lower = trimmed.to_ascii_lowercase();
    if let Some(rest) = lower.strip_prefix("bearer") {
        return match rest.chars().next() {
            Some(' ') | Some('\t') => Scheme::Bearer,
            Some(':') => Scheme::BearerColon,
            None if then_expr => Scheme::BearerNoSpace,
            None => Scheme::Unknown, // just the word: a scheme variable joined later
            Some(_) => Scheme::BearerNoSpace,
        };
    }
    if trimmed.is_empty() {
        return if then_expr {
            Scheme::BareKey
        } else {
            Scheme::Unknown
        };
    }
    if trimmed.starts_with('$') || looks_like_key(trimmed) {
        return Scheme::BareKey;
    }
    match trimmed.split_once(' ') {
        Some((word, _)) if word.chars().all(|c| c.is_ascii_alphabetic()) => {
            Scheme::Other(word.to_string())
        }
        _ => Scheme::Unknown,
    }
}

fn looks_like_key(text: &str) -> bool {
    ["sk-", "gsk_", "xai-", "pplx-", "sk-or-"]
        .iter()
        .any(|p| text.starts_with(p))
}

/// Whether a variable or env name holds a provider key.
fn is_key_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let last = lower.rsplit(['.', '[']).next().unwrap_or(&lower);
    (last.contains("key") || last.contains("token") || last.contains("secret"))
        && !last.contains("header")
}

fn is_openai_key_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("openai") && is_key_name(name)
}

/// The scheme of a code value, following one constant or assignment.
fn scheme_of_value(facts: &Facts, value: &Value) -> (Scheme, bool) {
    let value = facts.resolve(value);
    match value {
        Value::Str { text, .. } => (scheme_of_literal(text, false), false),
        Value::Template { parts, .. } => {
            let literal = value.literal_prefix().unwrap_or_default();
            let first_expr = parts.iter().find_map(|p| match p {
                Part::Expr(e) => Some(e),
                Part::Lit(_) => None,
            });
            let then_expr = first_expr.is_some();
            let scheme = scheme_of_literal(&literal, then_expr);
            let openai = first_expr.is_some_and(is_openai_key_value);
            // `f"{key}"` alone is the bare key; `f"{scheme} {key}"` is unknown.
            if scheme == Scheme::BareKey && parts.len() > 1 {
                return (Scheme::Unknown, false);
            }
            if scheme == Scheme::BareKey && !first_expr.is_some_and(is_key_value) {
                return (Scheme::Unknown, false);
            }
            (scheme, openai)
        }
        Value::Env { name, .. } if is_key_name(name) => (Scheme::BareKey, is_openai_key_name(name)),
        Value::Name { path, .. } if is_key_name(path) => {
            (Scheme::BareKey, is_openai_key_name(path))
        }
        _ => (Scheme::Unknown, false),
    }
}

fn is_key_value(value: &Value) -> bool {
    match value {
        Value::Env { name, .. } => is_key_name(name),
        Value::Name { path, .. } => is_key_name(path),
        _ => false,
    }
}

fn is_openai_key_value(value: &Value) -> bool {
    match value {
        Value::Env { name, .. } => is_openai_key_name(name),
        Value::Name { path, .. } => is_openai_key_name(path),
        _ => false,
    }
}

/// The host of each header object, from the request call it is passed to.
fn header_targets(facts: &Facts) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for call in &facts.calls {
        let url = call
            .positional
            .first()
            .and_then(|v| facts.url_text(v))
            .filter(|u| u.contains("://") || u.starts_with('/'))
            .or_else(|| {
                ["url", "baseURL", "base_url", "baseUrl"]
                    .iter()
                    .find_map(|k| call.keyword(k).and_then(|v| facts.url_text(v)))
            });
        let Some(url) = url else { continue };
        let mut objects: Vec<usize> = Vec::new();
        let visit = |v: &Value, objects: &mut Vec<usize>| {
            if let Value::Object { id, .. } = facts.resolve(v) {
                objects.push(*id);
            }
        };
        for (key, value) in &call.keywords {
            if key.eq_ignore_ascii_case("headers")
                || key == "default_headers"
                || key == "defaultHeaders"
            {
                visit(value, &mut objects);
            }
        }
        // `fetch(url, options)` with `options = { headers: {...} }`
        for value in call.positional.iter().skip(1) {
            if let Value::Object { id, .. } = facts.resolve(value) {
                for pair in facts.object_pairs(*id) {
                    if pair.key.eq_ignore_ascii_case("headers") {
                        visit(&pair.value, &mut objects);
                    }
                }
            }
        }
        out.extend(objects.into_iter().map(|id| (id, url.clone())));
    }
    out
}

/// How a host takes its key, as far as missing-bearer is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostAuth {
    /// `Authorization: Bearer <key>` is the way.
    Bearer,
    /// Another header or scheme, or both forms are legitimate (Azure).
    Other,
    /// A host the table does not know.
    Unknown,
}

fn host_auth(auth: &AuthFacts, host: Option<&str>) -> HostAuth {
    match host.and_then(|h| auth.provider_for_host(h)) {
        Some(p) if p.check_bearer && p.authorization_scheme() == Some("Bearer") => HostAuth::Bearer,
        Some(_) => HostAuth::Other,
        None => HostAuth::Unknown,
    }
}

/// Whether a header is judged: it goes to a Bearer provider, or, with the host
/// unknown, its value is an OpenAI key variable, which tells where it goes.
fn judged(host: HostAuth, openai_key: bool) -> bool {
    match host {
        HostAuth::Bearer => true,
        HostAuth::Other => false,
        HostAuth::Unknown => openai_key,
    }
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    host.rsplit_once('@').map_or(host, |(_, h)| h)
}

fn message(scheme: &Scheme, target: &str) -> Option<String> {
    let what = match scheme {
        Scheme::Bearer | Scheme::Unknown => return None,
        Scheme::BareKey => "holds the bare key, without the `Bearer ` scheme".to_string(),
        Scheme::BearerNoSpace => "has no space after `Bearer`".to_string(),
        Scheme::BearerColon => "has a colon after `Bearer` (`Bearer: …`)".to_string(),
        Scheme::Other(word) => format!("uses the `{word}` scheme instead of `Bearer`"),
    };
    Some(format!(
        "`Authorization` header {target}{what}: the API finds no key and answers 401 \
         \"You didn't provide an API key. You need to provide your API key in an \
         Authorization header using Bearer auth\". Write `Authorization: Bearer <key>`"
    ))
}

fn target_words(host: Option<&str>) -> String {
    host.map(|h| format!("to {h} ")).unwrap_or_default()
}

fn finding(range: Range<usize>, basis: &str, text: String) -> RawFinding {
    RawFinding {
        rule: MISSING_BEARER,
        range,
        message: text,
        secret: None,
        basis: basis.to_string(),
        level: None,
        replacement: None,
    }
}

/// Headers in code.
pub fn check_code(facts: &Facts, text: &str, auth: &AuthFacts, out: &mut Vec<RawFinding>) {
    let targets = header_targets(facts);
    for pair in facts
        .pairs
        .iter()
        .filter(|p| p.key.eq_ignore_ascii_case("authorization"))
    {
        let url = targets
            .iter()
            .find(|(id, _)| *id == pair.object)
            .map(|(_, u)| u.as_str());
        let host = url.map(host_of);
        let host_auth = host_auth(auth, host);
        let azure_style = facts
            .object_pairs(pair.object)
            .any(|p| p.key.eq_ignore_ascii_case("api-key"));
        if azure_style {
            continue;
        }
        let (scheme, openai_key) = scheme_of_value(facts, &pair.value);
        if !judged(host_auth, openai_key) {
            continue;
        }
        let range = pair.value.range();
        if let Some(msg) = message(&scheme, &target_words(host)) {
            out.push(finding(range.clone(), &text[range], msg));
        }
    }
}

/// `curl -H "Authorization: …"` in shell, Dockerfile, YAML and Markdown.
pub fn check_curl(
    commands: &[CurlCommand],
    text: &str,
    auth: &AuthFacts,
    out: &mut Vec<RawFinding>,
) {
    for cmd in commands {
        let host = cmd.urls.first().map(|u| host_of(&u.text).to_string());
        let host_auth = host_auth(auth, host.as_deref());
        for header in &cmd.headers {
            let Some((name, value)) = header.text.split_once(':') else {
                continue;
            };
            if !name.trim().eq_ignore_ascii_case("authorization") {
                continue;
            }
            let scheme = scheme_of_literal(value, false);
            let openai_key = {
                let v = value
                    .trim()
                    .trim_start_matches('$')
                    .trim_start_matches("{{");
                is_openai_key_name(v)
            };
            if !judged(host_auth, openai_key) {
                continue;
            }
            let value_start = name.len() + 1 + (value.len() - value.trim_start().len());
            let range = header.source_range(value_start..header.text.len());
            if let Some(msg) = message(&scheme, &target_words(host.as_deref())) {
                out.push(finding(range.clone(), &text[range], msg));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_schemes() {
        assert_eq!(scheme_of_literal("Bearer sk-x", false), Scheme::Bearer);
        assert_eq!(scheme_of_literal("bearer ", true), Scheme::Bearer);
        assert_eq!(scheme_of_literal("Bearer", true), Scheme::BearerNoSpace);
        assert_eq!(scheme_of_literal("Bearer:", true), Scheme::BearerColon);
        assert_eq!(scheme_of_literal("Bearer: $K", false), Scheme::BearerColon);
        assert_eq!(
            scheme_of_literal(" $OPENAI_API_KEY", false),
            Scheme::BareKey
        );
        assert_eq!(
            scheme_of_literal("Token abc", false),
            Scheme::Other("Token".into())
        );
        assert_eq!(scheme_of_literal("", false), Scheme::Unknown);
        assert_eq!(scheme_of_literal("", true), Scheme::BareKey);
    }

    #[test]
    fn only_suspicious_header_lines_are_parsed() {
        for bad in [
            r#"headers = {"Authorization": os.environ["OPENAI_API_KEY"]}"#,
            r#"headers = {"Authorization": f"Bearer{key}"}"#,
            "  Authorization: `Bearer: ${k}`,",
            r#"-H "Authorization: $OPENAI_API_KEY""#,
            "{ Authorization: apiKey }",
            r#"h = {"Authorization": "Token abc"}"#,
            "headers = {\n    \"Authorization\":\n        key,\n}",
            "headers = {\"Authorization\": (\n    \"Token \" + key\n)}",
            "{\n  Authorization:\r\n    process.env.OPENAI_API_KEY,\n}",
        ] {
            assert!(worth_parsing(bad, false), "{bad}");
        }
        for fine in [
            r#"headers = {"Authorization": f"Bearer {key}"}"#,
            "authorization?: string;",
            "Authorization: `Bearer ${this.apiKey}`",
            "# The Authorization header carries the key.",
            "auth = request.headers.get('authorization')",
            r#"token = headers.get("Authorization", "")"#,
            "h = {\n    \"Authorization\":\n        f\"Bearer {key}\",\n}",
            "h = {\"Authorization\": (\n    \"Bearer \" + key\n)}",
        ] {
            assert!(!worth_parsing(fine, false), "{fine}");
        }
    }

    #[test]
    fn python_needs_a_dict_key() {
        assert!(worth_parsing(r#"h = {"Authorization": key}"#, true));
        assert!(worth_parsing("h = {\"Authorization\":\n    key}", true));
        assert!(!worth_parsing(
            r#"    -H 'Authorization: Bearersk-1234'"#,
            true
        ));
        assert!(!worth_parsing(
            "    # langfuse returns {'Authorization': 'Basic <base64(user:password)>'}",
            true
        ));
        assert!(!worth_parsing(
            "// fetch(url, { headers: { Authorization: apiKey } })",
            false
        ));
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("https://api.openai.com/v1/x"), "api.openai.com");
        assert_eq!(host_of("https://u:p@h.example:8080?q"), "h.example:8080");
        assert_eq!(host_of("api.groq.com/openai"), "api.groq.com");
    }
}
