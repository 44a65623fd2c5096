//! The `client-options` engine: `retries-disabled` (`max_retries=0` on an OpenAI
//! client) and `base-url` (a base URL on the API host that is not `…/v1`, or on a
//! host mistaken for it). Reads client constructors, `with_options`, module-client
//! assignments and `OPENAI_BASE_URL` in code and configuration.

use crate::analyze::code_view::CodeView;
use crate::analyze::lines::{argument_list_end, line_start};
use crate::analyze::{is_docs_or_build_path, is_test_path};
use crate::rules::keys::RawFinding;
use crate::rules::models::Models;
use crate::rules::openai_clients::{
    ClientClass, ClientSignals, Receiver, client_class, is_openai_call, mentions_sibling_sdk,
    receiver_of,
};
use crate::rules::retry_wrappers::retried_regions;
use crate::rules::sdk_client::{SdkClient, split_url};
use crate::source::FileKind;
use crate::syntax::config_env::EnvPattern;
use crate::syntax::{Call, Facts, Value};
use aho_corasick::AhoCorasick;
use regex::Regex;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

pub const RETRIES_DISABLED: &str = "retries-disabled";
pub const BASE_URL: &str = "base-url";

/// Which of the engine's rules run on this segment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted {
    pub retries: bool,
    pub base_url: bool,
}

/// Client classes whose retries and base URL are the SDK's.
const LANGCHAIN_CLIENTS: &[&str] = &["ChatOpenAI", "OpenAIEmbeddings"];

/// Calls that read an environment variable with a default: `os.getenv(NAME, default)`.
const ENV_DEFAULT_READS: &[&str] = &[
    "os.getenv",
    "getenv",
    "os.environ.get",
    "environ.get",
    "os.environ.setdefault",
];

pub struct ClientOptions<'a> {
    pub client: &'a SdkClient,
    pub models: &'a Models,
}

impl ClientOptions<'_> {
    pub fn check(
        &self,
        view: &CodeView,
        want: Wanted,
        signals: ClientSignals,
        out: &mut Vec<RawFinding>,
    ) {
        let want = Wanted {
            retries: want.retries && signals.retries_setting,
            base_url: want.base_url && signals.base_url_setting,
        };
        if want == Wanted::default() || is_test_path(view.path) || is_docs_or_build_path(view.path)
        {
            return;
        }
        let text = view.text;
        match view.kind {
            FileKind::Python | FileKind::JavaScript | FileKind::TypeScript => {
                let retries = want.retries && retries_worth_parsing(text);
                let base = want.base_url && self.base_url_worth_parsing(text);
                if !(retries || base) {
                    return;
                }
                let Some(facts) = view.facts() else { return };
                if retries {
                    self.check_retries(facts, text, out);
                }
                if base {
                    self.check_base_urls(facts, text, out);
                }
            }
            FileKind::DotEnv
            | FileKind::DotEnvTemplate
            | FileKind::Shell
            | FileKind::Dockerfile
            | FileKind::Yaml
            | FileKind::Json
            | FileKind::Toml
                if want.base_url =>
            {
                self.check_config(view.kind, text, out);
            }
            _ => {}
        }
    }

    // -----------------------------------------------------------------------------
    // retries-disabled
    // -----------------------------------------------------------------------------

    fn check_retries(&self, facts: &Facts, text: &str, out: &mut Vec<RawFinding>) {
        let mut sites: Vec<(&Value, &str)> = Vec::new();
        for call in &facts.calls {
            let configures_client = match client_class(&call.callee) {
                Some(_) => true,
                None if matches!(call.method(), "with_options" | "withOptions") => {
                    match receiver_of(facts, call) {
                        Receiver::Client(_) => true,
                        Receiver::Other => false,
                        Receiver::Unknown => !mentions_sibling_sdk(text),
                    }
                }
                None => false,
            };
            if configures_client {
                sites.extend(
                    facts
                        .options_of(call)
                        .into_iter()
                        .filter(|(k, v)| is_retries_key(k) && is_zero(facts, v))
                        .map(|(_, v)| (v, call.callee.as_str())),
                );
            } else if self.models.endpoint_for_call(&call.callee).is_some() {
                // node per-request options: `create(body, { maxRetries: 0 })`
                for options in call.positional.iter().skip(1) {
                    if let Value::Object { id, .. } = facts.resolve(options) {
                        sites.extend(
                            facts
                                .object_pairs(*id)
                                .filter(|p| p.key == "maxRetries" && is_zero(facts, &p.value))
                                .map(|p| (&p.value, call.callee.as_str())),
                        );
                    }
                }
            }
        }
        for (target, _, value) in &facts.assignments {
            if target == "openai.max_retries" && is_zero(facts, value) {
                sites.push((value, "openai"));
            }
        }
        if sites.is_empty() {
            return;
        }
        let regions = retried_regions(facts);
        let inside =
            |r: &Range<usize>| regions.iter().any(|g| g.start <= r.start && r.end <= g.end);
        // A file that retries its OpenAI calls itself has turned the SDK's retries
        // off on purpose.
        if facts
            .calls
            .iter()
            .any(|c| inside(&c.range) && is_openai_call(facts, self.models, self.client, c))
        {
            return;
        }
        let mut seen = HashSet::new();
        for (value, via) in sites {
            let range = value.range();
            if inside(&range) || !seen.insert(range.clone()) {
                continue;
            }
            let python = text
                .get(..range.start)
                .and_then(|before| before.trim_end().strip_suffix('='))
                .is_some();
            out.push(RawFinding {
                rule: RETRIES_DISABLED,
                range,
                message: self.retries_message(python),
                secret: None,
                basis: format!("{via} retries 0"),
                level: None,
                replacement: None,
            });
        }
    }

    fn retries_message(&self, python: bool) -> String {
        let r = &self.client.retries;
        let (setting, default, errors, fix) = if python {
            (
                "`max_retries=0`",
                r.python_default,
                "`openai.RateLimitError`, `openai.APIConnectionError`",
                "remove it, or retry the call yourself with a bounded wrapper (tenacity `@retry(stop=stop_after_attempt(6), wait=wait_random_exponential(max=60))`)",
            )
        } else {
            (
                "`maxRetries: 0`",
                r.node_default,
                "`RateLimitError`, `APIConnectionError`",
                "remove it, or retry the call yourself with a bounded wrapper (`p-retry` with `retries: 5`)",
            )
        };
        format!(
            "{setting} turns off the SDK's automatic retries ({default} by default, with {}): a {} now fails the call at once ({errors}) instead of being retried; {fix}",
            r.backoff,
            r.retried_summary(),
        )
    }

    // -----------------------------------------------------------------------------
    // base-url
    // -----------------------------------------------------------------------------

    /// Whether code that names a base URL setting can hold a wrong one: a URL on
    /// the API host that does not end in `/v1`, one built on it, or a wrong host.
    fn base_url_worth_parsing(&self, text: &str) -> bool {
        let bytes = text.as_bytes();
        let host = &self.client.base_url.host;
        let api_path = self.client.base_url.path.as_bytes();
        // A request URL with an endpoint path (`requests.post(".../v1/chat/completions")`)
        // is everywhere and right; it is a wrong base URL only where its line sets
        // a base (`base_url=`, `OPENAI_BASE_URL=`, `getenv("OPENAI_API_BASE", …)`).
        // A bare URL on the host is suspect anywhere: it is only ever a base. A host
        // without a scheme is a comparison or prose (`hostname == "api.openai.com"`)
        // unless its line sets a base.
        let says_base = |at: usize| {
            let start_of_line = line_start(text, at);
            sets_a_base(&text[start_of_line..at])
        };
        let odd_api_url = memchr::memmem::find_iter(bytes, host.as_bytes()).any(|at| {
            let rest = &bytes[at + host.len()..];
            if rest
                .first()
                .is_none_or(|&b| matches!(b, b'"' | b'\'' | b'`' | b'\n' | b' '))
            {
                return bytes[..at].ends_with(b"://") || says_base(at);
            }
            if !says_base(at) {
                return false;
            }
            let Some(after) = rest.strip_prefix(api_path) else {
                return true;
            };
            let after = after.strip_prefix(b"/").unwrap_or(after);
            after
                .first()
                .is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'/' || b == b'-')
        });
        // `f"{API_ROOT}/v1"`, `BASE + "/v1"`: a URL built from one that already
        // ends in `/v1` is seen only after the parse. A longer path joined on
        // (`api_base + "/v1/messages"`) is a request URL unless its line sets a base.
        static JOINED_PATH: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r#"(?:\}|\+[ \t]*["'`])/v1(/?["'`])?"#).expect("valid regex")
        });
        // The joined URL is judged only when its first part is known text, so a
        // join onto a name no string is ever bound to cannot be a finding.
        let built_on_api_host = || {
            memchr::memmem::find(bytes, host.as_bytes()).is_some()
                && JOINED_PATH.captures_iter(text).any(|c| {
                    let Some(join) = c.get(0) else { return false };
                    (c.get(1).is_some() || says_base(join.start()))
                        && joined_part_may_be_known(text, join.start())
                })
        };
        static WRONG_HOSTS: LazyLock<AhoCorasick> = LazyLock::new(|| {
            let hosts = SdkClient::builtin().wrong_hosts;
            AhoCorasick::new(hosts.iter().map(|w| format!("://{}", w.host)))
                .expect("plain literals")
        });
        // Documentation links (`https://platform.openai.com/docs/…`) name the
        // wrong hosts everywhere; as a base URL they sit on a line that says so.
        let bare_base = |end: usize| {
            let path = text[end..]
                .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`'))
                .next()
                .unwrap_or("");
            matches!(path, "" | "/" | "/v1" | "/v1/")
        };
        let wrong_host = || {
            WRONG_HOSTS
                .find_iter(text)
                .any(|m| says_base(m.start()) || bare_base(m.end()))
        };
        odd_api_url || built_on_api_host() || wrong_host()
    }

    fn check_base_urls(&self, facts: &Facts, text: &str, out: &mut Vec<RawFinding>) {
        let mut values: Vec<&Value> = Vec::new();
        for call in &facts.calls {
            values.extend(self.base_url_arguments(facts, text, call));
        }
        for (target, _, value) in &facts.assignments {
            let env = &self.client.base_url.env;
            let sets_env = target.contains(env.as_str())
                && (target.contains("environ") || target.starts_with("process.env"));
            let module_client = target == "openai.base_url";
            let client_attribute = target.strip_suffix(".base_url").is_some_and(|receiver| {
                facts
                    .call_assigned_to(receiver, value.range().start)
                    .and_then(|c| client_class(&c.callee))
                    == Some(ClientClass::OpenAi)
            });
            if sets_env || module_client || client_attribute {
                values.push(value);
            }
        }
        let mut seen = HashSet::new();
        for value in values {
            let Some(url) = facts.known_text(value) else {
                continue;
            };
            // A constant is reported once, where it is written.
            let at = match facts.resolve(value) {
                literal @ Value::Str { .. } => literal.range(),
                _ => value.range(),
            };
            if !seen.insert(at.clone()) {
                continue;
            }
            if let Some(message) = self.base_url_problem(&url) {
                out.push(base_url_finding(at, &url, message));
            }
        }
    }

    /// The base URL values one call gives an OpenAI client.
    fn base_url_arguments<'f>(
        &self,
        facts: &'f Facts,
        text: &str,
        call: &'f Call,
    ) -> Vec<&'f Value> {
        let class = client_class(&call.callee);
        let last = call.callee.rsplit('.').next().unwrap_or(&call.callee);
        let keys: &[&str] = if class == Some(ClientClass::OpenAi) {
            &["base_url", "baseURL"]
        } else if LANGCHAIN_CLIENTS.contains(&last) {
            &["base_url", "openai_api_base"]
        } else if matches!(call.method(), "with_options" | "withOptions") {
            match receiver_of(facts, call) {
                Receiver::Client(ClientClass::OpenAi) => &["base_url", "baseURL"],
                Receiver::Unknown if !mentions_sibling_sdk(text) => &["base_url", "baseURL"],
                _ => &[],
            }
        } else if ENV_DEFAULT_READS.contains(&call.callee.as_str()) {
            // `os.getenv("OPENAI_BASE_URL", default)`: the default is the base URL
            // whenever the variable is unset.
            let reads_base_url = call
                .positional
                .first()
                .and_then(Value::as_str)
                .is_some_and(|n| n == self.client.base_url.env);
            return call
                .positional
                .get(1)
                .filter(|_| reads_base_url)
                .into_iter()
                .collect();
        } else {
            &[]
        };
        facts
            .options_of(call)
            .into_iter()
            .filter(|(k, _)| keys.contains(k))
            .map(|(_, v)| v)
            .collect()
    }

    /// `OPENAI_BASE_URL` in `.env`, compose, workflow, Kubernetes, Dockerfile,
    /// shell, JSON and TOML files.
    fn check_config(&self, kind: FileKind, text: &str, out: &mut Vec<RawFinding>) {
        static PATTERN: LazyLock<EnvPattern> =
            LazyLock::new(|| EnvPattern::new(&SdkClient::builtin().base_url.env));
        for value in PATTERN.values(kind, text) {
            for (url, range) in urls_in(&value.value, value.range.start) {
                if let Some(message) = self.base_url_problem(url) {
                    out.push(base_url_finding(range, url, message));
                }
            }
        }
    }

    /// What is wrong with a base URL, as a message; `None` when nothing is, or the
    /// host is neither the API host nor a known wrong one (proxies, local servers,
    /// Azure).
    fn base_url_problem(&self, url: &str) -> Option<String> {
        let parts = split_url(url)?;
        if !matches!(parts.scheme.to_ascii_lowercase().as_str(), "http" | "https") {
            return None;
        }
        let right = &self.client.base_url;
        if let Some(wrong) = self.client.wrong_host(parts.host) {
            return Some(format!(
                "`{}` is not the OpenAI API host: {}. The SDK sends every request there with the key in its `Authorization` header: it fails to connect (`APIConnectionError`, after {} retries) or reaches a server that is not OpenAI's and hands it the key. Write `{}`",
                parts.host, wrong.why, self.client.retries.python_default, right.url
            ));
        }
        if !self.client.is_api_host(parts.host) {
            return None;
        }
        let path = parts.path.trim_end_matches('/');
        if path == right.path {
            return None;
        }
        let origin = format!("{}://{}", parts.scheme, parts.host);
        let (what, request_path) = if path.is_empty() {
            (
                format!("has no `{}`", right.path),
                "/chat/completions".to_string(),
            )
        } else if path.starts_with(&format!("{0}{0}", right.path)) {
            (
                format!("has `{}` twice", right.path),
                format!("{path}/chat/completions"),
            )
        } else if let Some(endpoint) = path.strip_prefix(&format!("{}/", right.path)) {
            (
                format!("ends in an endpoint path (`/{endpoint}`)"),
                format!("{path}/chat/completions"),
            )
        } else {
            (
                format!(
                    "has the path `{path}`; the API is served under `{}`",
                    right.path
                ),
                format!("{path}/chat/completions"),
            )
        };
        let route = &self.client.unknown_route;
        Some(format!(
            "The base URL `{url}` {what}: the SDK appends the endpoint path to it, so a chat request goes to `{origin}{request_path}` and the API answers {} (`{}`). Write `{}`",
            route.status,
            route.message_for("POST", &request_path),
            right.url
        ))
    }
}

fn base_url_finding(range: Range<usize>, url: &str, message: String) -> RawFinding {
    RawFinding {
        rule: BASE_URL,
        range,
        message,
        secret: None,
        basis: url.trim_end_matches('/').to_ascii_lowercase(),
        level: None,
        replacement: None,
    }
}

/// `max_retries` (Python) or `maxRetries` (JavaScript).
fn is_retries_key(key: &str) -> bool {
    key == "max_retries" || key == "maxRetries"
}

/// The number 0, written or through a constant.
fn is_zero(facts: &Facts, value: &Value) -> bool {
    matches!(facts.resolve(value), Value::Number { text, .. } if text == "0")
}

/// Whether the part a path is joined onto at `join` (`}` closing an f-string or
/// template field, or `+`) can be known text after the parse: a string literal, an
/// expression, or a name the file binds to a string or to another name somewhere
/// (`base = "https://…"`, `base: str = f"…"`, `def f(base="…")`, `base = root`).
/// Names are resolved without regard to scope, so any binding in the file counts.
/// LiteLLM's `main.py` joins `/v1/messages` onto a parameter bound only to `None`
/// and to `or` chains, which the parse would read to find nothing.
fn joined_part_may_be_known(text: &str, join: usize) -> bool {
    let line = &text[line_start(text, join)..join];
    let part = if text.as_bytes()[join] == b'}' {
        match line.rfind(['{', '$']) {
            Some(open) => line[open..].trim_start_matches(['{', '$']).trim(),
            None => return true,
        }
    } else {
        let before = line.trim_end();
        if before.ends_with(['"', '\'', '`']) {
            return true; // a literal
        }
        let start = before
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .map_or(0, |i| i + 1);
        &before[start..]
    };
    let is_name = part.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && part
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
    !is_name || may_be_bound_to_text(text, part, 3, &mut Vec::new())
}

/// Whether the file binds `name` to a string somewhere, directly or through up to
/// `hops` other names (`base = root`, `root = "https://…"`), as `Facts::resolve`
/// follows them. A keyword argument (`f(base=base)`) reads like a binding and is
/// followed like one; `None`, a boolean or a name already followed (`a = b`,
/// `b = a`) adds no string. `seen` holds the names followed so far.
fn may_be_bound_to_text<'t>(
    text: &'t str,
    name: &'t str,
    hops: usize,
    seen: &mut Vec<&'t str>,
) -> bool {
    const NOT_TEXT: &[&str] = &[
        "None",
        "True",
        "False",
        "true",
        "false",
        "null",
        "undefined",
    ];
    if hops == 0 {
        return true;
    }
    seen.push(name);
    let Ok(binding) = Regex::new(&format!(
        r#"(?m)(?:^|[^\w.]){}[ \t]*(?::[^=\n]*)?=[ \t]*(?:[rRbBfFuU]{{0,2}}["'`]|([A-Za-z_][\w.]*)[ \t]*(?:[,);#]|//|$))"#,
        regex::escape(name)
    )) else {
        return true;
    };
    let mut aliases: Vec<&str> = Vec::new();
    for c in binding.captures_iter(text) {
        match c.get(1) {
            None => return true, // a string
            Some(alias) => aliases.push(alias.as_str()),
        }
    }
    aliases.sort_unstable();
    aliases.dedup();
    aliases.retain(|alias| !seen.contains(alias) && !NOT_TEXT.contains(alias));
    aliases
        .into_iter()
        .any(|alias| may_be_bound_to_text(text, alias, hops - 1, seen))
}

/// Whether the start of a line, up to a URL, sets a base URL: a name holding
/// `base` (`base_url`, `baseURL`, `OPENAI_API_BASE`) followed by an assignment, a
/// key, an argument list or the next argument (`=`, `:`, `(`, `,`), not a
/// comparison (`api_base == …`) or prose ("the base model, see https://…").
fn sets_a_base(line: &str) -> bool {
    let bytes = line.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let lower = line.to_ascii_lowercase();
    lower.match_indices("base").any(|(at, _)| {
        let end = at + bytes[at..].iter().take_while(|&&b| word(b)).count();
        let rest = line[end..].trim_start_matches(['"', '\'', '`', ']', ' ', '\t']);
        match rest.as_bytes() {
            [b'=', b'=', ..] => false,
            [b'=' | b':' | b'(' | b',', ..] => true,
            _ => false,
        }
    })
}

/// Whether code can turn a client's retries off: a retries option or key written
/// as `0` (`max_retries=0`, `maxRetries: 0`, `openai.max_retries = 0`), or a
/// variable set to `0` (`max_retries = 0`) in a file where a client call can read
/// it. LiteLLM's `main.py` sets such a variable for its own router and builds its
/// clients without one; parsing its 340 KB for that was the scan's largest cost.
fn retries_worth_parsing(text: &str) -> bool {
    static ZERO: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i:max_retries|maxretries)["']?[ \t]*[:=][ \t]*0(?:[^0-9.xob]|$)"#)
            .expect("valid regex")
    });
    let mut variable = false;
    for m in ZERO.find_iter(text) {
        if !sets_a_variable(text, m.start(), m.as_str()) {
            return true;
        }
        variable = true;
    }
    variable && client_call_takes_retries(text)
}

/// Whether a `max_retries = 0` match at `name_start` is a statement that sets a
/// variable or an attribute (not `openai.max_retries`), rather than an argument
/// (`OpenAI(\n    max_retries=0,`) or a key (`maxRetries: 0`).
fn sets_a_variable(text: &str, name_start: usize, matched: &str) -> bool {
    let bytes = text.as_bytes();
    let name_len = matched
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    let after_name = &matched[name_len..];
    if after_name.trim_start().starts_with([':', '"', '\'']) {
        return false; // a key
    }
    let chain_start = bytes[..name_start]
        .iter()
        .rposition(|&b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'.'))
        .map_or(0, |i| i + 1);
    if &text[chain_start..name_start] == "openai." {
        return false;
    }
    let before = bytes[..chain_start]
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map(|i| bytes[i]);
    !matches!(before, Some(b'(' | b',' | b'{' | b'['))
}

/// Whether some client construction or `with_options` call can read a retries
/// variable: its arguments name the option, unpack or spread options (`**kw`,
/// `...opts`), or are one options object (`new OpenAI(options)`).
fn client_call_takes_retries(text: &str) -> bool {
    static CALLS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::new(["OpenAI", "with_options", "withOptions"]).expect("plain literals")
    });
    let bytes = text.as_bytes();
    CALLS.find_iter(bytes).any(|m| {
        let open = m.end()
            + bytes[m.end()..]
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t'))
                .count();
        if bytes.get(open) != Some(&b'(') {
            return false;
        }
        let args = text[open + 1..argument_list_end(bytes, open)].trim();
        let one_name = !args.is_empty()
            && args
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
        one_name
            || ["max_retries", "maxRetries", "**", "..."]
                .iter()
                .any(|w| args.contains(w))
    })
}

/// Every `http://` / `https://` URL in a config value (also inside a shell default
/// such as `${OPENAI_BASE_URL:-https://…}`), with its range; `offset` is where the
/// value starts.
fn urls_in(value: &str, offset: usize) -> Vec<(&str, Range<usize>)> {
    let mut out = Vec::new();
    for (at, _) in value.match_indices("://") {
        let start = value[..at]
            .bytes()
            .rposition(|b| !b.is_ascii_alphabetic())
            .map_or(0, |i| i + 1);
        let end = value[at..]
            .find(|c: char| c.is_whitespace() || matches!(c, '}' | '"' | '\'' | ',' | ')' | '`'))
            .map_or(value.len(), |i| at + i);
        if start < at {
            out.push((&value[start..end], offset + start..offset + end));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> ClientOptions<'static> {
        static CLIENT: LazyLock<SdkClient> = LazyLock::new(SdkClient::builtin);
        static MODELS: LazyLock<Models> = LazyLock::new(Models::builtin);
        ClientOptions {
            client: &CLIENT,
            models: &MODELS,
        }
    }

    fn run(path: &str, text: &str) -> Vec<RawFinding> {
        let kind = FileKind::from_path(std::path::Path::new(path));
        let view = CodeView::new(text, kind, path);
        let mut out = Vec::new();
        engine().check(
            &view,
            Wanted {
                retries: true,
                base_url: true,
            },
            ClientSignals::of(text),
            &mut out,
        );
        out
    }

    fn shown<'t>(text: &'t str, found: &[RawFinding]) -> Vec<(&'static str, &'t str)> {
        let mut found: Vec<&RawFinding> = found.iter().collect();
        found.sort_by_key(|f| f.range.start);
        found
            .iter()
            .map(|f| (f.rule, &text[f.range.clone()]))
            .collect()
    }

    #[test]
    fn a_line_sets_a_base_only_by_assignment_key_or_argument() {
        for sets in [
            "client = OpenAI(base_url=",
            "export const openai = new OpenAI({ baseURL: ",
            "API_BASE = os.getenv(\"OPENAI_API_BASE\", ",
            "    \"base_url\": ",
            "client.set_base_url(",
        ] {
            assert!(sets_a_base(sets), "{sets}");
        }
        for prose in [
            "if api_base is None or urlparse(api_base).hostname == ",
            "    Inferred from the OpenAI api_base host (",
            "* The name of the base model to fine-tune. See [Models](",
            "parsed_url.hostname == ",
        ] {
            assert!(!sets_a_base(prose), "{prose}");
        }
    }

    #[test]
    fn a_host_compared_or_in_prose_is_not_worth_a_parse() {
        let e = engine();
        assert!(!e.base_url_worth_parsing("if parsed.hostname == \"api.openai.com\":\n    pass\n"));
        assert!(!e.base_url_worth_parsing(
            "\"\"\"Inferred from the api_base host (eu.api.openai.com -> EU)\"\"\"\n"
        ));
        assert!(e.base_url_worth_parsing("URL = \"https://api.openai.com\"\n"));
        assert!(e.base_url_worth_parsing("client = OpenAI(base_url=\"api.openai.com\")\n"));
        let joined = "URL = \"https://api.openai.com/v1\"\n";
        assert!(!e.base_url_worth_parsing(&format!(
            "{joined}api_base = x\nurl = api_base + \"/v1/messages\"\n"
        )));
        assert!(e.base_url_worth_parsing(&format!(
            "{joined}client = OpenAI(base_url=f\"{{URL}}/v1\")\n"
        )));
        // A join onto a name bound only to `None` or an `or` chain stays unknown.
        let litellm = "def completion(ctx, api_base=None):\n    api_base = ctx.api_base\n    call(api_base=api_base)\n    api_base = (\n        api_base\n        or \"https://api.openai.com/v1\"\n    )\n    api_base = api_base or os.environ.get(\"B\")\n\ndef messages(api_base=None):\n    api_base = api_base + \"/v1/messages\"\n";
        assert!(!e.base_url_worth_parsing(litellm));
        for known in [
            "api_base = \"https://api.openai.com\"\nbase_url = api_base + \"/v1/messages\"\n",
            "def f(api_base: str = \"https://api.openai.com\"):\n    base_url = api_base + \"/v1/x\"\n",
            "ROOT = \"https://api.openai.com\"\napi_base = ROOT\nbase_url = api_base + \"/v1/x\"\n",
            "self.root = \"https://api.openai.com\"\napi_base = self.root\nbase_url = api_base + \"/v1/x\"\n",
            "const root = 'https://api.openai.com';\nconst baseURL = `${root}/v1/x`;\n",
            "base_url = \"https://api.openai.com\" + \"/v1/x\"\n",
            "base_url = get_root() + \"/v1/x\"  # https://api.openai.com\n",
        ] {
            assert!(e.base_url_worth_parsing(known), "{known}");
        }
        assert!(!retries_worth_parsing("kwargs[\"max_retries\"] = 0\n"));
        assert!(retries_worth_parsing("options = {\"max_retries\": 0}\n"));
        // A variable set to 0 counts where a client call can read it.
        let router = "if router:\n    max_retries = 0\nclient = openai.OpenAI(api_key=k)\n";
        assert!(!retries_worth_parsing(router));
        for reads in [
            "max_retries = 0\nclient = OpenAI(\n    max_retries=max_retries,\n)\n",
            "max_retries = 0\nclient = OpenAI(**kwargs)\n",
            "const maxRetries = 0;\nconst opts = { maxRetries };\nnew OpenAI(opts);\n",
            "self.max_retries = 0\nclient.with_options(max_retries=self.max_retries)\n",
        ] {
            assert!(retries_worth_parsing(reads), "{reads}");
        }
        // Arguments, keys and the module client are settings themselves.
        for setting in [
            "client = OpenAI(\n    api_key=k,\n    max_retries=0\n)\n",
            "openai.max_retries = 0\n",
            "client.chat.completions.create(body, {\n  maxRetries: 0,\n});\n",
        ] {
            assert!(retries_worth_parsing(setting), "{setting}");
        }
    }

    #[test]
    fn base_url_problems() {
        let e = engine();
        for fine in [
            "https://api.openai.com/v1",
            "https://api.openai.com/v1/",
            "http://localhost:11434/v1",
            "https://oai.helicone.ai/v1",
            "https://gateway.ai.cloudflare.com/v1/acc/gw/openai",
            "https://openrouter.ai/api/v1",
            "https://myres.openai.azure.com/openai/v1/",
            "https://api.openai.com.proxy.example/v1/v1",
        ] {
            assert_eq!(e.base_url_problem(fine), None, "{fine}");
        }
        let m = e.base_url_problem("https://api.openai.com").unwrap();
        assert!(
            m.contains("`https://api.openai.com/chat/completions`")
                && m.contains("404 (`Invalid URL (POST /chat/completions)`)")
                && m.ends_with("Write `https://api.openai.com/v1`"),
            "{m}"
        );
        let m = e.base_url_problem("https://api.openai.com/v1/v1").unwrap();
        assert!(
            m.contains("twice") && m.contains("/v1/v1/chat/completions"),
            "{m}"
        );
        let m = e
            .base_url_problem("https://api.openai.com/v1/chat/completions")
            .unwrap();
        assert!(m.contains("(`/chat/completions`)"), "{m}");
        let m = e.base_url_problem("https://api.openai.org/v1").unwrap();
        assert!(m.contains("`.com`"), "{m}");
    }

    #[test]
    fn gates() {
        assert!(retries_worth_parsing("OpenAI(max_retries=0)"));
        assert!(retries_worth_parsing(
            "MAX_RETRIES = 0\nOpenAI(max_retries=MAX_RETRIES)"
        ));
        assert!(!retries_worth_parsing("OpenAI(max_retries=5)"));
        assert!(!retries_worth_parsing("OpenAI(max_retries=0.5)"));
        let e = engine();
        assert!(!e.base_url_worth_parsing(
            "OpenAI(base_url=x)\nrequests.post('https://api.openai.com/v1', json=b)"
        ));
        assert!(
            !e.base_url_worth_parsing("OpenAI(base_url=x)\nfetch('https://api.openai.com/v1')")
        );
        assert!(e.base_url_worth_parsing("OpenAI(base_url='https://api.openai.com')"));
        assert!(e.base_url_worth_parsing("OpenAI(base_url='https://api.openai.com/v1/chat')"));
        assert!(e.base_url_worth_parsing("new OpenAI({ baseURL: 'https://api.open-ai.com/v1' })"));
        assert!(e.base_url_worth_parsing(
            "ROOT = 'https://api.openai.com/v1'\nOpenAI(base_url=f'{ROOT}/v1')"
        ));
    }

    #[test]
    fn retries_in_code() {
        let text = "from openai import OpenAI\nclient = OpenAI(max_retries=0)\nfast = client.with_options(max_retries=0)\nopenai.max_retries = 0\n";
        assert_eq!(
            shown(text, &run("app.py", text)),
            [
                (RETRIES_DISABLED, "0"),
                (RETRIES_DISABLED, "0"),
                (RETRIES_DISABLED, "0")
            ]
        );
        let js = "const client = new OpenAI({ maxRetries: 0 });\nawait client.chat.completions.create({ model: 'x' }, { maxRetries: 0 });\n";
        let found = run("app.ts", js);
        assert_eq!(found.len(), 2);
        assert!(
            found[0].message.starts_with("`maxRetries: 0`"),
            "{}",
            found[0].message
        );
        let found = run("app.py", "client = OpenAI(max_retries=0)\n");
        assert!(
            found[0]
                .message
                .starts_with("`max_retries=0` turns off the SDK's automatic retries (2 by default"),
            "{}",
            found[0].message
        );
        for silent in [
            "client = Anthropic(max_retries=0)\n",
            "a = Anthropic()\nb = a.with_options(max_retries=0)\nimport openai\n",
            "from tenacity import retry, stop_after_attempt\nclient = OpenAI(max_retries=0)\n@retry(stop=stop_after_attempt(5))\ndef ask():\n    return client.chat.completions.create(model='x', messages=[])\n",
            "client = OpenAI(max_retries=0)\nfor attempt in range(5):\n    try:\n        client.chat.completions.create(model='x', messages=[])\n        break\n    except openai.RateLimitError:\n        time.sleep(2 ** attempt)\n",
            "client = OpenAI(max_retries=2)\n",
        ] {
            assert!(run("app.py", silent).is_empty(), "{silent}");
        }
        assert!(run("tests/test_app.py", "client = OpenAI(max_retries=0)\n").is_empty());
    }

    #[test]
    fn base_urls_in_code_and_config() {
        let py = "import os, openai\nBASE = 'https://api.openai.com'\nclient = OpenAI(base_url=BASE)\nother = OpenAI(base_url=BASE)\nopenai.base_url = 'https://api.openai.com/v1/v1'\nos.environ['OPENAI_BASE_URL'] = 'https://api.open-ai.com/v1'\nurl = os.getenv('OPENAI_BASE_URL', 'https://api.openai.com/v1/chat/completions')\nlocal = OpenAI(base_url='http://localhost:11434/v1')\n";
        assert_eq!(
            shown(py, &run("app.py", py)),
            [
                (BASE_URL, "https://api.openai.com"),
                (BASE_URL, "https://api.openai.com/v1/v1"),
                (BASE_URL, "https://api.open-ai.com/v1"),
                (BASE_URL, "https://api.openai.com/v1/chat/completions"),
            ]
        );
        let js = "const client = new OpenAI({ baseURL: `https://api.openai.com` });\nconst az = new AzureOpenAI({ baseURL: 'https://api.openai.com' });\n";
        assert_eq!(
            shown(js, &run("a.js", js)),
            [(BASE_URL, "https://api.openai.com")]
        );
        let env = "OPENAI_API_KEY=x\nOPENAI_BASE_URL=https://api.openai.com\n";
        assert_eq!(
            shown(env, &run(".env", env)),
            [(BASE_URL, "https://api.openai.com")]
        );
        let compose = "services:\n  api:\n    environment:\n      OPENAI_BASE_URL: ${OPENAI_BASE_URL:-https://api.openai.com/}\n";
        assert_eq!(
            shown(compose, &run("compose.yaml", compose)),
            [(BASE_URL, "https://api.openai.com/")]
        );
        assert!(run(".env", "OPENAI_BASE_URL=https://openrouter.ai/api/v1\n").is_empty());
        // The scheme is found after any character, multi-byte ones included.
        let odd = "OPENAI_BASE_URL=\"é:https://api.openai.com\"\n";
        assert_eq!(
            shown(odd, &run(".env", odd)),
            [(BASE_URL, "https://api.openai.com")]
        );
        assert!(run("docs/setup.md", "OPENAI_BASE_URL=https://api.openai.com\n").is_empty());
    }
}
