//! The `models` engine: `deprecated-model`, `unknown-model` and
//! `model-endpoint-mismatch`.
//!
//! Model ids come from call keywords (`model=`, `model:`, `model_name=`, v0
//! `engine=`), dict and object pairs (`"model": …`, request bodies), assignments to
//! model-named variables and constants and parameter defaults followed to their use,
//! the fallbacks of environment reads, `curl -d` bodies, YAML values from a YAML
//! parser, and other config values (JSON, TOML, `.env`, shell and Dockerfile
//! `KEY=value`, YAML templates that do not parse) read line by line. Code is parsed
//! only when a line pairs a model key with a quoted id that one of the rules could
//! report, or, when some model key takes a name or an environment read, a quoted id
//! is assigned, a default or a fallback somewhere.

use crate::analyze::code_view::CodeView;
use crate::analyze::is_test_path;
use crate::analyze::lines::line_start;
use crate::findings::Level;
use crate::rules::keys::RawFinding;
use crate::rules::models::{Deprecation, Family, ModelErrorKind, Models, Phase};
use crate::source::FileKind;
use crate::syntax::curl::CurlCommand;
use crate::syntax::yaml::Entry;
use crate::syntax::{Facts, Value};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use jiff::civil::Date;
use regex::Regex;
use std::cell::{OnceCell, RefCell};
use std::collections::{HashMap, HashSet};
use std::ops::Range;
use std::sync::LazyLock;

pub const DEPRECATED_MODEL: &str = "deprecated-model";
pub const UNKNOWN_MODEL: &str = "unknown-model";
pub const MODEL_ENDPOINT_MISMATCH: &str = "model-endpoint-mismatch";

/// The OpenAI API host; other hosts are proxies, local servers or other providers.
const OPENAI_HOST: &str = "api.openai.com";

/// Which of the engine's rules run on this segment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Wanted {
    pub deprecated: bool,
    pub unknown: bool,
    pub mismatch: bool,
}

impl Wanted {
    pub fn any(self) -> bool {
        self.deprecated || self.unknown || self.mismatch
    }
}

/// The model table and the endpoint-call markers derived from it, built once per scan.
pub struct ModelUsage {
    models: Models,
    /// SDK call names (`completions.create`, `createChatCompletion`) and endpoint paths
    /// (`/v1/embeddings`): where a file reaches an endpoint.
    markers: AhoCorasick,
}

impl ModelUsage {
    pub fn new(models: Models) -> ModelUsage {
        let mut patterns: Vec<String> = Vec::new();
        for e in &models.endpoints {
            patterns.extend(e.sdk_calls.iter().cloned());
            patterns.extend(e.legacy_sdk_calls.iter().cloned());
            patterns.extend(e.paths.iter().cloned());
        }
        patterns.sort();
        patterns.dedup();
        let markers = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .expect("endpoint markers are plain literals");
        ModelUsage { models, markers }
    }

    pub fn builtin() -> ModelUsage {
        ModelUsage::new(Models::builtin())
    }

    pub fn models(&self) -> &Models {
        &self.models
    }

    /// Run the wanted rules on one segment.
    pub fn check(&self, view: &CodeView, as_of: Date, want: Wanted, out: &mut Vec<RawFinding>) {
        if !want.any() || skip_path(view.path) || view.is_generated() {
            return;
        }
        let judge = Judge {
            models: &self.models,
            as_of,
            want,
        };
        let text = view.text;
        match view.kind {
            FileKind::Python | FileKind::JavaScript | FileKind::TypeScript => {
                let keys = model_keys(text, false);
                let docs = OnceCell::new();
                let families = OnceCell::new();
                let worth = |mut literals: Vec<Literal>| {
                    literals.retain(|l| judge.could_matter(l.id));
                    if !literals.is_empty() {
                        let docs = docs.get_or_init(|| Docs::new(text, view.kind, view.cells()));
                        literals.retain(|l| !docs.covers(text, l.key_start));
                    }
                    judge.worth_parsing(text, &literals, || {
                        families
                            .get_or_init(|| self.endpoint_families(text))
                            .clone()
                    })
                };
                // The ids after model keys first; ids elsewhere only when some model
                // key takes its value from a name or the environment.
                let parse = worth(keys.literals) || (keys.indirect && worth(quoted_ids(text)));
                if parse
                    && !routed_elsewhere(text)
                    && let Some(facts) = view.facts()
                {
                    check_facts(&judge, facts, text, view.kind == FileKind::Python, out);
                }
                if view.is_notebook() && text.contains("curl") {
                    check_carrier(&judge, view, out);
                }
            }
            FileKind::Yaml
            | FileKind::Json
            | FileKind::Toml
            | FileKind::DotEnv
            | FileKind::DotEnvTemplate
            | FileKind::Shell
            | FileKind::Dockerfile
            | FileKind::Markdown => {
                check_carrier(&judge, view, out);
            }
            FileKind::Notebook | FileKind::Text => {}
        }
        dedup(out);
    }

    /// The endpoint families a text reaches through SDK calls or endpoint paths.
    fn endpoint_families(&self, text: &str) -> Vec<Family> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        for m in self.markers.find_iter(text) {
            if bytes
                .get(m.end())
                .is_some_and(|&b| is_word_byte(b) || b == b'/')
            {
                continue;
            }
            let marker = &text[m.range()];
            let family = if marker.starts_with('/') {
                self.models.endpoint_for_path(marker).map(|e| e.id)
            } else {
                let mut start = m.start();
                while start > 0 && (is_word_byte(bytes[start - 1]) || bytes[start - 1] == b'.') {
                    start -= 1;
                }
                self.models
                    .endpoint_for_call(&text[start..m.end()])
                    .map(|c| c.endpoint.id)
            };
            if let Some(f) = family
                && !out.contains(&f)
            {
                out.push(f);
            }
        }
        out
    }
}

/// Paths whose model ids are fixtures or declarations, not requests: tests (mocked
/// clients and recorded cassettes), type stubs and changelogs. Generated code is
/// skipped too ([`CodeView::is_generated`]).
fn skip_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    is_test_path(path)
        || lower.ends_with(".pyi")
        || lower
            .rsplit('/')
            .next()
            .is_some_and(|n| n.starts_with("changelog"))
}

/// Whether the file sends its models somewhere other than OpenAI: an Azure client or
/// endpoint (model names there are deployment names), a non-OpenAI base URL, or a
/// LiteLLM proxy config (whose `model_name` is an alias).
fn routed_elsewhere(text: &str) -> bool {
    static AZURE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"AzureOpenAI|AzureChatOpenAI|azure_deployment|azureDeployment|azure_endpoint|azureEndpoint|AZURE_OPENAI|\.openai\.azure\.com|api_version|apiVersion|deployment_id|deploymentName|litellm_params|model_list:|(?i:api_type["']?\s*[:=]\s*["']?azure)"#,
        )
        .expect("valid regex")
    });
    static BASE_URL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            // Spelled out case by case: a case-sensitive alternation keeps the
            // literal prefilter, which matters on the largest library files.
            r#"(?:base_url|baseUrl|baseURL|BaseURL|BASE_URL|base_path|basePath|api_base|apiBase|API_BASE)["'\]]{0,2}[ \t]*[:=][ \t]*[fr]?["'`]?(https?://[^"'`\s,)}]+)"#,
        )
        .expect("valid regex")
    });
    AZURE
        .find_iter(text)
        .any(|m| !(m.as_str() == "apiVersion" && kubernetes_api_version(&text[m.end()..])))
        || BASE_URL
            .captures_iter(text)
            .filter_map(|c| c.get(1))
            .any(|url| host_of(url.as_str()) != OPENAI_HOST)
}

/// Whether the text after an `apiVersion` key is a Kubernetes API version (`: v1`,
/// `: apps/v1`, `: batch/v1beta1`), which says nothing about Azure: Azure's is a date.
fn kubernetes_api_version(after: &str) -> bool {
    static K8S: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^["']?[ \t]*:[ \t]*["']?(?:[a-z0-9.-]+/)?v[0-9]+(?:(?:alpha|beta)[0-9]+)?["']?[ \t\r]*(?:#.*)?$"#)
            .expect("valid regex")
    });
    K8S.is_match(after.lines().next().unwrap_or(""))
}

fn mentions_openai(text: &str) -> bool {
    static OPENAI: LazyLock<Regex> =
        LazyLock::new(|| Regex::new("(?i)openai").expect("valid regex"));
    OPENAI.is_match(text)
}

fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    host.split(':').next().unwrap_or(host)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A variable, key or keyword that holds a model id: `model`, `model_name`,
/// `modelName`, `OPENAI_MODEL`, `default_model`, `chatModel`, `engine`. Azure
/// deployment settings are not model ids.
pub fn is_model_key(key: &str) -> bool {
    let k = key.as_bytes();
    let has = |needle: &[u8]| {
        k.windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
    };
    if has(b"azure") || has(b"deployment") {
        return false;
    }
    if k.eq_ignore_ascii_case(b"engine") {
        return true;
    }
    let stem = match k.len().checked_sub(5) {
        Some(i) if k[i..].eq_ignore_ascii_case(b"_name") => &k[..i],
        _ => k.strip_suffix(b"Name").unwrap_or(k),
    };
    let Some(m) = stem.len().checked_sub(5) else {
        return false;
    };
    if !stem[m..].eq_ignore_ascii_case(b"model") {
        return false;
    }
    m == 0 || stem[m - 1] == b'_' || (stem[m] == b'M' && stem[m - 1].is_ascii_lowercase())
}

/// An argument or request field that carries the model: `model`, `model_name` /
/// `modelName` (LangChain), v0 `engine`. Custom keywords such as
/// `tokenizer_model=` are left alone: nothing says they reach an API.
fn is_model_argument(key: &str) -> bool {
    matches!(key, "model" | "model_name" | "modelName" | "engine")
}

/// A model id written after a model key.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Literal<'a> {
    id: &'a str,
    /// The id itself, without quotes.
    range: Range<usize>,
    /// Where the key starts.
    key_start: usize,
}

/// Every `<model key> = "<id>"`, `<model key>: "<id>"` (also `"model": "…"`,
/// `model: str = "…"`) in `text`. With `unquoted`, config spellings without quotes
/// count too (`model: gpt-4`, `OPENAI_MODEL=gpt-4`).
#[cfg(test)]
fn model_literals(text: &str, unquoted: bool) -> Vec<Literal<'_>> {
    model_keys(text, unquoted).literals
}

/// What a scan of a text's model keys found.
struct ModelKeys<'a> {
    /// The ids written right after a model key (see `model_literals`).
    literals: Vec<Literal<'a>>,
    /// Some model key takes a value that is not a literal the scan can read:
    /// `model=model`, `MODEL = os.getenv(…)`, `{ model }`, YAML `model: &m gpt-4`.
    /// The id, if any, is elsewhere: a parameter default, an environment fallback.
    indirect: bool,
}

fn model_keys(text: &str, unquoted: bool) -> ModelKeys<'_> {
    // Leftmost-first keeps the SIMD (Teddy) searcher; standard semantics would not.
    static KEY_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(["model", "Model", "MODEL", "engine", "Engine", "ENGINE"])
            .expect("plain literals")
    });
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut indirect = false;
    let mut done = 0;
    for m in KEY_WORDS.find_iter(text) {
        if m.start() < done {
            continue;
        }
        let mut start = m.start();
        while start > 0 && is_word_byte(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = m.end();
        while end < bytes.len() && is_word_byte(bytes[end]) {
            end += 1;
        }
        done = end;
        let Some(range) = value_after(bytes, end, unquoted) else {
            if !indirect
                && (takes_value(bytes, end) || (unquoted && env_name_value(bytes, start)))
                && is_model_key(&text[start..end])
            {
                indirect = true;
            }
            continue;
        };
        if is_model_key(&text[start..end]) {
            done = range.end;
            out.push(Literal {
                id: &text[range.clone()],
                range,
                key_start: start,
            });
        }
    }
    ModelKeys {
        literals: out,
        indirect,
    }
}

/// Whether the string opening at `quote` is assigned (`=`, not `==`), a default
/// (`default=`), the right side of `??`, `||` or `or`, or a later argument of an
/// environment getter (`os.getenv("M", "…")`, also split over lines).
fn bound_or_fallback(text: &str, quote: usize) -> bool {
    const GETTERS: &[&[u8]] = &[b"getenv", b"environ.get", b"setdefault"];
    let b = text.as_bytes();
    let mut end = quote;
    while end > 0 && b[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    let before = &b[..end];
    match before.last() {
        Some(b'=') => !matches!(
            end.checked_sub(2).map(|i| b[i]),
            Some(b'=' | b'!' | b'<' | b'>')
        ),
        Some(b',') => {
            // The bracket this argument list opens with, a few lines up at most.
            let mut depth = 0usize;
            let mut i = end - 1;
            while i > end.saturating_sub(200) {
                i -= 1;
                match b[i] {
                    b')' | b']' | b'}' => depth += 1,
                    b'(' | b'[' | b'{' if depth == 0 => {
                        return b[i] == b'(' && GETTERS.iter().any(|g| b[..i].ends_with(g));
                    }
                    b'(' | b'[' | b'{' => depth -= 1,
                    _ => {}
                }
            }
            false
        }
        _ => {
            before.ends_with(b"??")
                || before.ends_with(b"||")
                || (before.ends_with(b"or")
                    && !end.checked_sub(3).is_some_and(|i| is_word_byte(b[i])))
        }
    }
}

/// Whether the word starting at `at` is the value of a `name:` key: a Kubernetes
/// `env` entry (`- name: OPENAI_MODEL`), whose `value:` comes on the next line.
fn env_name_value(b: &[u8], at: usize) -> bool {
    let mut i = at;
    if i > 0 && matches!(b[i - 1], b'"' | b'\'') {
        i -= 1;
    }
    while i > 0 && matches!(b[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    b[..i].ends_with(b"name:")
}

/// Whether the key ending at `at` is given a value (`=`, `:`) or is a JavaScript
/// shorthand property (`{ model }`, `{ model, … }`).
fn takes_value(b: &[u8], at: usize) -> bool {
    let mut i = at;
    while i < b.len() && i - at < 3 && matches!(b[i], b'"' | b'\'' | b'`' | b']') {
        i += 1;
    }
    while i < b.len() && matches!(b[i], b' ' | b'\t') {
        i += 1;
    }
    match b.get(i) {
        Some(b'=') => b.get(i + 1) != Some(&b'='),
        Some(b':') => b.get(i + 1) != Some(&b':'),
        Some(b',' | b'}') => true,
        _ => false,
    }
}

/// Quoted `gpt`, `davinci` or `dall-e` ids (the words the prefilter let the file in
/// by) in the places a model reaches its key indirectly from: a parameter default or
/// assignment (`m = "gpt-4-32k"`) and an environment fallback (`os.getenv("M",
/// "text-davinci-003")`, `?? "…"`, `|| "…"`, `or "…"`). Ids in lists, type unions and
/// tables (the SDK's `Literal["gpt-4o", …]`) are not bound to anything and would
/// only cost parses. `key_start` is the opening quote.
fn quoted_ids(text: &str) -> Vec<Literal<'_>> {
    static ID_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostFirst)
            .build(["gpt", "GPT", "davinci", "dall-e"])
            .expect("plain literals")
    });
    let id_byte =
        |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_' | b':' | b'/');
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut done = 0;
    for m in ID_WORDS.find_iter(text) {
        if m.start() < done {
            continue;
        }
        let mut start = m.start();
        while start > 0 && m.start() - start < 100 && id_byte(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = m.end();
        while end < bytes.len() && end - m.end() < 100 && id_byte(bytes[end]) {
            end += 1;
        }
        done = end;
        let (Some(&open), Some(&close)) = (
            start.checked_sub(1).and_then(|i| bytes.get(i)),
            bytes.get(end),
        ) else {
            continue;
        };
        if open == close
            && matches!(open, b'"' | b'\'' | b'`')
            && bound_or_fallback(text, start - 1)
            && plausible_id(&bytes[start..end])
        {
            out.push(Literal {
                id: &text[start..end],
                range: start..end,
                key_start: start - 1,
            });
        }
    }
    out
}

/// The id after a key ending at `at`: closing quotes, an operator, then the value.
fn value_after(b: &[u8], at: usize, unquoted: bool) -> Option<Range<usize>> {
    let skip_blank = |mut i: usize| {
        while i < b.len() && matches!(b[i], b' ' | b'\t') {
            i += 1;
        }
        i
    };
    let mut i = at;
    let mut n = 0;
    while i < b.len() && n < 3 && matches!(b[i], b'"' | b'\'' | b'`' | b']' | b'\\') {
        i += 1;
        n += 1;
    }
    i = skip_blank(i);
    match *b.get(i)? {
        b'=' if b.get(i + 1) != Some(&b'=') => i += 1,
        b':' if b.get(i + 1) == Some(&b'=') => i += 2, // walrus
        b':' if b.get(i + 1) != Some(&b':') => {
            i = skip_blank(i + 1);
            // `model: str = "x"`: a Python annotation before the value
            if !unquoted && b.get(i).is_some_and(|c| c.is_ascii_alphabetic()) {
                let mut j = i;
                while j < b.len()
                    && j - i < 60
                    && (is_word_byte(b[j]) || matches!(b[j], b'[' | b']' | b'.' | b' ' | b'|'))
                {
                    j += 1;
                }
                if b.get(j) == Some(&b'=') && b.get(j + 1) != Some(&b'=') {
                    i = j + 1;
                }
            }
        }
        _ => return None,
    }
    i = skip_blank(i);
    // String prefixes: r"", b"", u"", f"".
    let mut p = i;
    while p < b.len()
        && p - i < 2
        && matches!(b[p], b'r' | b'R' | b'b' | b'B' | b'u' | b'U' | b'f' | b'F')
    {
        p += 1;
    }
    let mut q = p;
    if b.get(q) == Some(&b'\\') {
        q += 1;
    }
    if let Some(&quote) = b.get(q).filter(|c| matches!(c, b'"' | b'\'' | b'`')) {
        let start = q + 1;
        let mut end = start;
        while end < b.len() && end - start <= 100 && !matches!(b[end], b'\\' | b'\n' | b'\r') {
            if b[end] == quote {
                break;
            }
            end += 1;
        }
        let closed = match b.get(end) {
            Some(&c) if c == quote => true,
            Some(b'\\') => b.get(end + 1) == Some(&quote),
            _ => false,
        };
        return (closed && plausible_id(&b[start..end])).then_some(start..end);
    }
    if !unquoted || p != i {
        return None;
    }
    let start = i;
    let mut end = start;
    while end < b.len()
        && (b[end].is_ascii_alphanumeric() || matches!(b[end], b'.' | b'-' | b'_' | b':' | b'/'))
    {
        end += 1;
    }
    let ends_value = b
        .get(end)
        .is_none_or(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b',' | b'#' | b'}' | b']'));
    (ends_value && plausible_id(&b[start..end])).then_some(start..end)
}

/// Non-empty, one word, starting with a letter or digit, no interpolation.
fn plausible_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id[0].is_ascii_alphanumeric()
        // Interpolation, templates and regex syntax are not ids.
        && !id
            .iter()
            .any(|c| c.is_ascii_whitespace() || b"{}$<>%*?^|()[]\\+,;=".contains(c))
}

/// Ids that belong to another provider or a router: `claude-…`, `gemini-…`,
/// `meta-llama/…`, `ollama:llama3`, `ft:` fine-tunes. unknown-model never guesses at
/// them.
fn foreign_id(id: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "claude",
        "gemini",
        "gemma",
        "llama",
        "meta-",
        "mistral",
        "mixtral",
        "codestral",
        "command",
        "qwen",
        "deepseek",
        "phi-",
        "grok",
        "sonar",
        "titan",
        "amazon",
        "anthropic",
        "cohere",
        "jamba",
        "yi-",
        "glm",
        "kimi",
        "moonshot",
    ];
    let lower = id.to_ascii_lowercase();
    id.contains(['/', ':', '@']) || PREFIXES.iter().any(|p| lower.starts_with(p))
}

struct Judge<'m> {
    models: &'m Models,
    as_of: Date,
    want: Wanted,
}

impl<'m> Judge<'m> {
    /// The id's deprecation row, when it is deprecated or shut down at `as_of`.
    fn deprecation(&self, id: &str) -> Option<(&'m Deprecation, Phase)> {
        if !self.want.deprecated {
            return None;
        }
        let d = self.models.deprecation(id)?;
        let phase = d.phase(self.as_of);
        (phase != Phase::Active).then_some((d, phase))
    }

    /// unknown-model's "did you mean". Files repeat the same ids, so answers are
    /// cached per thread.
    fn suggestion(&self, id: &str) -> Option<&'m str> {
        if !self.want.unknown || foreign_id(id) || self.models.is_known(id) {
            return None;
        }
        thread_local! {
            static CACHE: RefCell<HashMap<String, Option<String>>> = RefCell::new(HashMap::new());
        }
        let best = CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if let Some(hit) = cache.get(id) {
                return hit.clone();
            }
            let best = self.models.closest_known(id).map(str::to_string);
            if cache.len() >= 4096 {
                cache.clear();
            }
            cache.insert(id.to_string(), best.clone());
            best
        })?;
        self.models.known_ids().find(|k| *k == best)
    }

    /// Whether a literal could lead to a finding: deprecated, close to a known id,
    /// or known (and so possibly sent to an endpoint that rejects it).
    fn could_matter(&self, id: &str) -> bool {
        self.deprecation(id).is_some()
            || self.suggestion(id).is_some()
            || (self.want.mismatch && self.models.is_known(id))
    }

    /// Whether a parse could find something: an id deprecated-model or unknown-model
    /// reports, or a known id next to a call or path of an endpoint that rejects it.
    fn worth_parsing(
        &self,
        text: &str,
        literals: &[Literal],
        families: impl FnOnce() -> Vec<Family>,
    ) -> bool {
        if literals.is_empty() {
            return false;
        }
        if literals
            .iter()
            .any(|l| self.deprecation(l.id).is_some() || self.suggestion(l.id).is_some())
        {
            return true;
        }
        if !self.want.mismatch {
            return false;
        }
        let known: Vec<&str> = literals
            .iter()
            .map(|l| l.id)
            .filter(|id| self.models.is_known(id))
            .collect();
        if known.is_empty() || text.is_empty() {
            return false;
        }
        let families = families();
        known.iter().any(|id| {
            families
                .iter()
                .any(|&f| self.models.mismatch(f, id).is_some())
        })
    }

    /// deprecated-model and unknown-model on one literal. `fallback_of` names the
    /// environment variable when the literal is that variable's fallback.
    fn literal(
        &self,
        id: &str,
        range: Range<usize>,
        fallback_of: Option<&str>,
        out: &mut Vec<RawFinding>,
    ) {
        let subject = subject(id, fallback_of);
        if let Some((d, phase)) = self.deprecation(id) {
            let (message, level) = self.deprecated_message(id, &subject, d, phase);
            out.push(RawFinding {
                rule: DEPRECATED_MODEL,
                range: range.clone(),
                message,
                secret: None,
                basis: id.to_string(),
                level: Some(level),
                replacement: self.drop_in_replacement(d),
            });
        }
        if let Some(best) = self.suggestion(id) {
            out.push(RawFinding {
                rule: UNKNOWN_MODEL,
                range,
                message: self.unknown_message(id, &subject, best),
                secret: None,
                basis: id.to_string(),
                level: None,
                replacement: Some(best.to_string()),
            });
        }
    }

    /// model-endpoint-mismatch for `id` sent to `endpoint`; `via` names the call or URL.
    fn endpoint(
        &self,
        endpoint: Family,
        sent: (&str, Option<&str>),
        range: Range<usize>,
        via: &str,
        out: &mut Vec<RawFinding>,
    ) {
        let (id, fallback_of) = sent;
        if !self.want.mismatch {
            return;
        }
        let Some(m) = self.models.mismatch(endpoint, id) else {
            return;
        };
        let path = self.path_of(endpoint);
        let answer = match m.error {
            Some(e) => format!("the API answers {} \"{}\"", e.status, e.message_for(id)),
            None => "the API rejects the request".to_string(),
        };
        let home = self.models.endpoint(m.model_family);
        let home_path = home
            .and_then(|e| e.paths.first())
            .map_or(m.model_family.as_str(), String::as_str);
        let home_call = home
            .and_then(|e| e.sdk_calls.first())
            .map(|c| format!(" (`client.{c}`)"))
            .unwrap_or_default();
        let gone = match self.models.deprecation(id) {
            Some(d) if d.phase(self.as_of) == Phase::ShutDown => {
                format!(" (the model itself was shut down on {})", d.shutdown)
            }
            _ => String::new(),
        };
        out.push(RawFinding {
            rule: MODEL_ENDPOINT_MISMATCH,
            range,
            message: format!(
                "{} is {} and {path} does not serve it: {answer}. Send it to {home_path}{home_call}{gone}, or use a model {path} accepts",
                subject(id, fallback_of),
                family_noun(m.model_family)
            ),
            secret: None,
            basis: format!("{via} {id}"),
            level: None,
            replacement: None,
        });
    }

    fn path_of(&self, family: Family) -> String {
        self.models
            .endpoint(family)
            .and_then(|e| e.paths.first())
            .cloned()
            .unwrap_or_else(|| family.to_string())
    }

    fn deprecated_message(
        &self,
        id: &str,
        subject: &str,
        d: &Deprecation,
        phase: Phase,
    ) -> (String, Level) {
        let advice = self.replacement_advice(d);
        match phase {
            Phase::ShutDown => {
                let answer = match self.models.model_error(ModelErrorKind::ShutDown) {
                    Some(e) => format!(
                        "{} `{}`: \"{}\"",
                        e.status,
                        e.code.as_deref().unwrap_or(&e.kind),
                        e.message_for(id)
                    ),
                    None => "an error".to_string(),
                };
                (
                    format!(
                        "{subject} was shut down on {}; requests now fail with {answer}. {advice}",
                        d.shutdown
                    ),
                    Level::Error,
                )
            }
            _ => (
                format!(
                    "{subject} is deprecated (announced {}) and shuts down on {}; after that every request with it fails. {advice}",
                    d.notice, d.shutdown
                ),
                Level::Warning,
            ),
        }
    }

    /// The replacement as an id to write in place of the deprecated one: only when
    /// OpenAI names exactly one known model (not "gpt-5 or gpt-4.1", not "gpt-4o on
    /// /v1/chat/completions") and that model still answers.
    fn drop_in_replacement(&self, d: &Deprecation) -> Option<String> {
        let replacement = d.replacement.as_deref()?;
        if !self.models.is_known(replacement) {
            return None;
        }
        let gone = self
            .models
            .deprecation(replacement)
            .is_some_and(|r| r.phase(self.as_of) == Phase::ShutDown);
        (!gone).then(|| replacement.to_string())
    }

    /// "OpenAI suggests X (as of DATE)", warning when X is itself going away.
    fn replacement_advice(&self, d: &Deprecation) -> String {
        let Some(replacement) = &d.replacement else {
            return "OpenAI names no replacement".to_string();
        };
        let mut advice = format!(
            "OpenAI suggests {replacement} (as of {})",
            d.replacement_retrieved
        );
        let mut seen = HashSet::new();
        let notes: Vec<String> = replacement
            .split(|c: char| c.is_whitespace() || c == ',' || c == '/')
            .filter(|w| seen.insert(*w))
            .filter_map(|w| {
                let r = self.models.deprecation(w)?;
                match r.phase(self.as_of) {
                    Phase::ShutDown => Some(format!("{w} was itself shut down on {}", r.shutdown)),
                    Phase::Deprecated => Some(format!("{w} itself shuts down on {}", r.shutdown)),
                    Phase::Active => None,
                }
            })
            .collect();
        if !notes.is_empty() {
            advice.push_str(&format!("; note that {}", notes.join(" and ")));
        }
        advice
    }

    fn unknown_message(&self, id: &str, subject: &str, best: &str) -> String {
        let answer = match self.models.model_error(ModelErrorKind::Unknown) {
            Some(e) => format!(
                "the API answers {} `{}`: \"{}\"",
                e.status,
                e.code.as_deref().unwrap_or(&e.kind),
                e.message_for(id)
            ),
            None => "the API rejects it".to_string(),
        };
        let caveat = match self.models.deprecation(best) {
            Some(d) if d.phase(self.as_of) == Phase::ShutDown => {
                format!(" (note: `{best}` itself was shut down on {})", d.shutdown)
            }
            Some(d) if d.phase(self.as_of) == Phase::Deprecated => {
                format!(" (note: `{best}` shuts down on {})", d.shutdown)
            }
            _ => String::new(),
        };
        format!("{subject} is not an OpenAI model id: {answer}. Did you mean `{best}`?{caveat}")
    }
}

/// How a message names the id: `` `gpt-4` ``, or for an environment variable's
/// fallback `` `gpt-4` (the fallback when `OPENAI_MODEL` is unset) ``.
fn subject(id: &str, fallback_of: Option<&str>) -> String {
    match fallback_of {
        Some(var) => format!("`{id}` (the fallback when `{var}` is unset)"),
        None => format!("`{id}`"),
    }
}

fn family_noun(family: Family) -> &'static str {
    match family {
        Family::Chat => "a chat model",
        Family::Responses => "a Responses-API-only model",
        Family::Completions => "a legacy completions model",
        Family::Embeddings => "an embedding model",
        Family::Images => "an image model",
        Family::AudioTranscription => "a transcription model",
        Family::AudioTranslation => "a translation model",
        Family::AudioSpeech => "a text-to-speech model",
        Family::Moderation => "a moderation model",
        Family::Realtime => "a realtime model",
        Family::Edits => "an edits model",
        Family::FineTunes => "a fine-tuning model",
        Family::Videos => "a video model",
    }
}

/// Keep the first finding of each rule at each range.
fn dedup(out: &mut Vec<RawFinding>) {
    let mut seen = HashSet::new();
    out.retain(|f| {
        !matches!(
            f.rule,
            DEPRECATED_MODEL | UNKNOWN_MODEL | MODEL_ENDPOINT_MISMATCH
        ) || seen.insert((f.rule, f.range.clone()))
    });
}

// ---------------------------------------------------------------------------------
// Code
// ---------------------------------------------------------------------------------

/// A model id sent somewhere, from code.
struct Use<'f> {
    id: &'f str,
    /// The string literal (deprecated-model and unknown-model report here).
    literal: Range<usize>,
    /// The environment variable whose fallback the literal is, if it is one.
    fallback_of: Option<&'f str>,
    /// The value at the call (model-endpoint-mismatch reports here).
    at: Range<usize>,
    /// The endpoint the call or URL reaches, and how (`client.completions.create`).
    endpoint: Option<(Family, &'f str)>,
}

/// A string a value sends: the id, its literal's range, and the environment
/// variable it is the fallback of (`os.getenv("M", "gpt-4")`, `process.env.M ??
/// "gpt-4"`: the API gets the literal whenever the variable is unset).
type Sent<'f> = (&'f str, Range<usize>, Option<&'f str>);

/// The string a value sends, following names and environment fallbacks.
fn literal_of<'f>(facts: &'f Facts, value: &'f Value) -> Option<Sent<'f>> {
    let mut value = facts.resolve(value);
    let mut fallback_of = None;
    // `os.getenv("A") or os.getenv("B", "x")` nests; a few levels are plenty.
    for _ in 0..3 {
        match value {
            Value::Str { text, range } => return Some((text, range.clone(), fallback_of)),
            Value::Env {
                name,
                fallback: Some(fallback),
                ..
            } => {
                fallback_of.get_or_insert(name.as_str());
                value = facts.resolve(fallback);
            }
            _ => return None,
        }
    }
    None
}

/// The object literal a value is: itself, a name assigned one, or the argument of
/// `json.dumps(…)` / `JSON.stringify(…)`.
fn object_of(facts: &Facts, value: &Value, depth: usize) -> Option<usize> {
    if depth == 0 {
        return None;
    }
    match facts.resolve(value) {
        Value::Object { id, .. } => Some(*id),
        Value::Other { range } => {
            let call = facts.calls.iter().find(|c| c.range == *range)?;
            let method = call.method();
            if method == "stringify" || method == "dumps" {
                object_of(facts, call.positional.first()?, depth - 1)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The request body objects of a raw HTTP call: `json=`/`data=`/`body:` values and
/// the objects after the URL (axios' body, fetch's options and their `body`).
fn body_objects(facts: &Facts, call: &crate::syntax::Call) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for (key, value) in &call.keywords {
        if matches!(key.as_str(), "json" | "data" | "body" | "content")
            && let Some(id) = object_of(facts, value, 3)
        {
            out.push(id);
        }
    }
    for value in call.positional.iter().skip(1) {
        if let Some(id) = object_of(facts, value, 3) {
            out.push(id);
            for pair in facts.object_pairs(id) {
                if matches!(pair.key.as_str(), "body" | "data" | "json")
                    && let Some(inner) = object_of(facts, &pair.value, 3)
                {
                    out.push(inner);
                }
            }
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn check_facts(judge: &Judge, facts: &Facts, text: &str, python: bool, out: &mut Vec<RawFinding>) {
    let openai_file = mentions_openai(text);
    let mut uses: Vec<Use> = Vec::new();
    let mut urls: Vec<(usize, String)> = Vec::new();
    for (index, call) in facts.calls.iter().enumerate() {
        let sdk = judge.models.endpoint_for_call(&call.callee);
        for (key, value) in &call.keywords {
            if !is_model_argument(key) {
                continue;
            }
            let Some((id, literal, fallback_of)) = literal_of(facts, value) else {
                continue;
            };
            let to_sdk = sdk.filter(|m| key == "model" || (m.legacy && key == "engine"));
            uses.push(Use {
                id,
                literal,
                fallback_of,
                at: value.range(),
                endpoint: to_sdk.map(|m| (m.endpoint.id, call.callee.as_str())),
            });
        }
        if sdk.is_some() {
            continue;
        }
        // A raw HTTP request to an endpoint path.
        let url = call
            .positional
            .first()
            .and_then(|v| facts.url_text(v))
            .or_else(|| call.keyword("url").and_then(|v| facts.url_text(v)));
        let Some(url) = url else { continue };
        if judge.models.endpoint_for_path(&url).is_none() {
            continue;
        }
        let to_openai = if url.contains("://") {
            host_of(&url) == OPENAI_HOST
        } else {
            openai_file // `f"{base}/v1/completions"`: the host is not written here
        };
        if to_openai {
            urls.push((index, url));
        }
    }
    for (index, url) in &urls {
        let call = &facts.calls[*index];
        let Some(endpoint) = judge.models.endpoint_for_path(url) else {
            continue;
        };
        for object in body_objects(facts, call) {
            for pair in facts.object_pairs(object).filter(|p| p.key == "model") {
                if let Some((id, literal, fallback_of)) = literal_of(facts, &pair.value) {
                    uses.push(Use {
                        id,
                        literal,
                        fallback_of,
                        at: pair.value.range(),
                        endpoint: Some((endpoint.id, url.as_str())),
                    });
                }
            }
        }
    }
    for pair in facts
        .pairs
        .iter()
        .filter(|p| p.key != "engine" && is_model_argument(&p.key))
    {
        if let Some((id, literal, fallback_of)) = literal_of(facts, &pair.value) {
            uses.push(Use {
                id,
                literal,
                fallback_of,
                at: pair.value.range(),
                endpoint: None,
            });
        }
    }
    // A model-named variable on its own: a module constant or a class attribute
    // (settings classes), set to a literal or to an environment read with a literal
    // fallback. Locals, parameter defaults and `self.x` count only where they reach
    // a `model=` / `"model":` above: `model = "gpt-3.5-turbo-0301"` for a tokenizer
    // is not a request.
    for (target, at, value) in &facts.assignments {
        let name = target.rsplit('.').next().unwrap_or(target);
        if !is_model_key(name)
            || !(facts.constants.get(target) == Some(value)
                || (python && !target.contains('.') && in_python_class_body(text, at.start)))
        {
            continue;
        }
        let (id, range, fallback_of) = match value {
            Value::Str { text, range } => (text, range, None),
            Value::Env {
                name,
                fallback: Some(fallback),
                ..
            } => match fallback.as_ref() {
                Value::Str { text, range } => (text, range, Some(name.as_str())),
                _ => continue,
            },
            _ => continue,
        };
        uses.push(Use {
            id,
            literal: range.clone(),
            fallback_of,
            at: range.clone(),
            endpoint: None,
        });
    }

    let mut seen = HashSet::new();
    for u in &uses {
        if seen.insert(u.literal.clone()) {
            judge.literal(u.id, u.literal.clone(), u.fallback_of, out);
        }
    }
    let mut seen = HashSet::new();
    for u in &uses {
        if let Some((family, via)) = u.endpoint
            && seen.insert(u.at.clone())
        {
            judge.endpoint(family, (u.id, u.fallback_of), u.at.clone(), via, out);
        }
    }
}

// ---------------------------------------------------------------------------------
// Config files, shell, Markdown: lines and curl commands
// ---------------------------------------------------------------------------------

/// Byte ranges of the bodies of fenced code blocks (```` ``` ```` or `~~~`).
pub fn fenced_blocks(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut open: Option<(usize, u8)> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let fence = [b'`', b'~']
            .into_iter()
            .find(|&c| trimmed.len() >= 3 && trimmed.bytes().take(3).all(|b| b == c));
        match (open, fence) {
            (None, Some(c)) => open = Some((at + line.len(), c)),
            (Some((start, c)), Some(d)) if c == d && trimmed.trim_end().bytes().all(|b| b == c) => {
                out.push(start..at);
                open = None;
            }
            _ => {}
        }
        at += line.len();
    }
    if let Some((start, _)) = open {
        out.push(start..text.len());
    }
    out
}

/// The source span of a curl command: from `curl` to its last word.
fn curl_span(cmd: &CurlCommand) -> Range<usize> {
    let end = cmd
        .urls
        .iter()
        .chain(&cmd.headers)
        .chain(&cmd.data)
        .map(|w| w.range.end)
        .max()
        .unwrap_or(cmd.range.end);
    cmd.range.start..end
}

/// The `model` of a JSON request body: the id and its byte range in `body`. The body
/// is parsed with serde_json; a body that is not JSON (shell splices, comments) is
/// searched for a `"model": "…"` field instead.
fn body_model(body: &str) -> Option<(&str, Range<usize>)> {
    static FIELD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""model"\s*:\s*"([^"\\]*)""#).expect("valid regex"));
    let parsed = serde_json::from_str::<serde_json::Value>(body).ok();
    let want = match &parsed {
        Some(v) => Some(v.get("model")?.as_str()?.to_string()),
        None => None,
    };
    FIELD
        .captures_iter(body)
        .filter_map(|c| c.get(1))
        .find(|m| want.as_deref().is_none_or(|w| w == m.as_str()))
        .filter(|m| plausible_id(m.as_str().as_bytes()))
        .map(|m| (m.as_str(), m.range()))
}

/// Whether a curl URL reaches OpenAI: its host, or an `$OPENAI_…` variable.
fn curl_to_openai(url: &str) -> bool {
    if url.starts_with('$') {
        return url.to_ascii_uppercase().contains("OPENAI");
    }
    host_of(url) == OPENAI_HOST
}

/// Config values and curl commands, in a non-code file or a notebook's code. `fences`
/// limits Markdown to its code blocks.
fn check_carrier(judge: &Judge, view: &CodeView, out: &mut Vec<RawFinding>) {
    let text = view.text;
    let markdown = view.kind == FileKind::Markdown;
    let config = !markdown && view.kind != FileKind::Python;
    let yaml = view.kind == FileKind::Yaml;
    // Markdown: only the curl commands in code blocks, which readers run as written;
    // snippets in documentation are not requests.
    let (mut literals, indirect) = if config {
        let keys = model_keys(text, true);
        (keys.literals, keys.indirect)
    } else {
        (Vec::new(), false)
    };
    // The line scan is the cheap gate; in YAML a value it cannot read (`model:
    // &anchor gpt-4`, a value on the next line) may still be an id the parser reads.
    let parser_may_read = yaml && indirect;
    let has_curl = text.contains("curl");
    if literals.is_empty() && !parser_may_read && !has_curl {
        return;
    }
    let commands: &[CurlCommand] = if has_curl { view.curl() } else { &[] };
    let spans: Vec<Range<usize>> = commands.iter().map(curl_span).collect();
    let interesting = parser_may_read
        || literals
            .iter()
            .any(|l| judge.deprecation(l.id).is_some() || judge.suggestion(l.id).is_some());
    if !interesting && commands.is_empty() {
        return;
    }
    if routed_elsewhere(text) {
        return;
    }
    // YAML as written is read with the parser; a template that is not YAML (Helm,
    // Jinja) keeps the line reading.
    if yaml && let Ok(entries) = view.yaml() {
        literals = yaml_literals(text, entries);
    }
    let fences = if markdown {
        fenced_blocks(text)
    } else {
        Vec::new()
    };
    let in_fence = |at: usize| !markdown || fences.iter().any(|r| r.contains(&at));
    for lit in &literals {
        if !in_fence(lit.range.start)
            || spans.iter().any(|s| s.contains(&lit.range.start))
            || commented_out(text, lit.key_start)
        {
            continue;
        }
        judge.literal(lit.id, lit.range.clone(), None, out);
    }
    for cmd in commands {
        if !in_fence(cmd.range.start) {
            continue;
        }
        let Some(url) = cmd.urls.first() else {
            continue;
        };
        if !curl_to_openai(&url.text) {
            continue;
        }
        let endpoint = judge.models.endpoint_for_path(&url.text).map(|e| e.id);
        for data in &cmd.data {
            let Some((id, sub)) = body_model(&data.text) else {
                continue;
            };
            let range = data.source_range(sub);
            judge.literal(id, range.clone(), None, out);
            if let Some(family) = endpoint {
                judge.endpoint(family, (id, None), range, &url.text, out);
            }
        }
    }
}

/// Where Python docstrings and JavaScript block comments are, so that model lines in
/// documentation do not make a file worth parsing.
struct Docs {
    python: bool,
    /// Python: starts of `"""` and `'''`.
    triple_quotes: Vec<usize>,
    /// JavaScript and TypeScript: starts of `/*` and of `*/`.
    opens: Vec<usize>,
    closes: Vec<usize>,
    /// Where each notebook cell starts: Jupyter compiles cells apart, so a docstring
    /// left open in one cell does not run into the next.
    cell_starts: Vec<usize>,
}

impl Docs {
    fn new(text: &str, kind: FileKind, cells: &[Range<usize>]) -> Docs {
        let starts =
            |needle: &str| memchr::memmem::find_iter(text.as_bytes(), needle).collect::<Vec<_>>();
        let python = kind == FileKind::Python;
        let mut docs = Docs {
            python,
            triple_quotes: Vec::new(),
            opens: Vec::new(),
            closes: Vec::new(),
            cell_starts: cells.iter().map(|c| c.start).collect(),
        };
        if python {
            docs.triple_quotes = starts("\"\"\"");
            docs.triple_quotes.extend(starts("'''"));
            docs.triple_quotes.sort_unstable();
        } else {
            docs.opens = starts("/*");
            docs.closes = starts("*/");
        }
        docs
    }

    /// Whether `at` is in a comment, a docstring or a block comment.
    fn covers(&self, text: &str, at: usize) -> bool {
        let start_of_line = line_start(text, at);
        let before = text[start_of_line..at].trim_start();
        if before.starts_with('#') || before.starts_with("//") || before.starts_with('*') {
            return true;
        }
        let cell_start = match self.cell_starts.partition_point(|&s| s <= at) {
            0 => 0,
            i => self.cell_starts[i - 1],
        };
        // The markers between the start of `at`'s cell (or of the text) and `at`.
        fn between(list: &[usize], from: usize, at: usize, width: usize) -> &[usize] {
            let first = list.partition_point(|&p| p < from);
            let end = list.partition_point(|&p| p + width <= at);
            &list[first..end.max(first)]
        }
        let before = |list, width| between(list, cell_start, at, width);
        if self.python {
            before(&self.triple_quotes, 3).len() % 2 == 1
        } else {
            let closes = before(&self.closes, 2);
            before(&self.opens, 2)
                .last()
                .is_some_and(|open| closes.last().is_none_or(|close| close < open))
        }
    }
}

/// Whether the Python statement at `at` sits directly in a class body: it starts its
/// line (a parameter of `def ask(self, model="x"):` does not), and the nearest
/// less-indented line above it opens a `class`.
fn in_python_class_body(text: &str, at: usize) -> bool {
    let start_of_line = line_start(text, at);
    if !text[start_of_line..at].trim_start().is_empty() {
        return false;
    }
    let indent = |line: &str| line.len() - line.trim_start_matches([' ', '\t']).len();
    let own = indent(&text[start_of_line..]);
    if own == 0 {
        return false;
    }
    for line in text[..start_of_line].lines().rev() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') || indent(line) >= own {
            continue;
        }
        return trimmed.starts_with("class ");
    }
    false
}

/// Model values of a parsed YAML file: scalars under a model key (`model: gpt-4`,
/// `OPENAI_MODEL: gpt-4`, also anchored, tagged or on the next line), Kubernetes
/// `env` entries (`- name: OPENAI_MODEL` then `value: gpt-4`), and, read line by line
/// like those files, compose `environment: [OPENAI_MODEL=gpt-4]` items and scalars
/// that hold a shell script or another config file (`run: |` with
/// `OPENAI_MODEL=gpt-4`, a ConfigMap's `config.yaml: |`). Other multi-line text
/// (prompts, descriptions, issue-template placeholders) is prose, not settings.
fn yaml_literals<'a>(text: &'a str, entries: &[Entry]) -> Vec<Literal<'a>> {
    let mut out = Vec::new();
    // The mapping and name position of a `name: <model key>` just before.
    let mut env_name: Option<(&[String], usize)> = None;
    for entry in entries {
        let after_name = env_name.take();
        let Some(raw) = text.get(entry.value_range.clone()) else {
            continue;
        };
        let (key, parent) = match entry.path.split_last() {
            Some((key, parent)) => (Some(key.as_str()), parent),
            None => (None, &[][..]),
        };
        if let (Some(key), Some(key_range)) = (key, &entry.key_range) {
            if is_model_key(key) {
                push_scalar(text, entry, raw, key_range.start, &mut out);
                continue;
            }
            if key == "name" && is_model_key(&entry.value) {
                env_name = Some((parent, entry.value_range.start));
                continue;
            }
            if key == "value"
                && let Some((name_parent, name_start)) = after_name
                && name_parent == parent
            {
                push_scalar(text, entry, raw, name_start, &mut out);
                continue;
            }
        }
        // A list item (`script: [- export OPENAI_MODEL=gpt-4]`) belongs to its list's key.
        let (holder, item) = match key {
            Some("-") => (parent.last().map(String::as_str), true),
            other => (other, false),
        };
        let env_item = item && matches!(holder, Some("environment" | "env"));
        if env_item || holder.is_some_and(holds_lines) {
            let base = entry.value_range.start;
            out.extend(model_keys(raw, true).literals.into_iter().map(|l| {
                let range = base + l.range.start..base + l.range.end;
                Literal {
                    id: &text[range.clone()],
                    range,
                    key_start: base + l.key_start,
                }
            }));
        }
    }
    out
}

/// A scalar entry as a literal, when its written text is a plausible id.
fn push_scalar<'a>(
    text: &'a str,
    entry: &Entry,
    raw: &str,
    key_start: usize,
    out: &mut Vec<Literal<'a>>,
) {
    if let Some(inner) = scalar_text_range(raw, &entry.value)
        && plausible_id(entry.value.as_bytes())
    {
        let range = entry.value_range.start + inner.start..entry.value_range.start + inner.end;
        out.push(Literal {
            id: &text[range.clone()],
            range,
            key_start,
        });
    }
}

/// Keys whose value is a shell script (CI steps, compose and Kubernetes commands) or
/// a whole config file (a ConfigMap's `app.yaml: |`).
fn holds_lines(key: &str) -> bool {
    const SCRIPTS: &[&str] = &[
        "run",
        "script",
        "before_script",
        "after_script",
        "command",
        "entrypoint",
        "args",
        "cmd",
    ];
    const CONFIG_FILES: &[&str] = &[
        ".yaml", ".yml", ".json", ".toml", ".env", ".ini", ".cfg", ".conf",
    ];
    let lower = key.to_ascii_lowercase();
    SCRIPTS.contains(&lower.as_str()) || CONFIG_FILES.iter().any(|e| lower.ends_with(e))
}

/// Where a scalar's value sits in its text as written: plain, or inside its quotes,
/// after any `&anchor` and `!tag`. `None` when the written text is not the value
/// itself (escapes, folded lines, block scalars).
fn scalar_text_range(raw: &str, value: &str) -> Option<Range<usize>> {
    let mut start = 0;
    while raw[start..].starts_with(['&', '!']) {
        let rest = &raw[start..];
        let word = rest.find([' ', '\t', '\n', '\r']).unwrap_or(rest.len());
        let blank = rest[word..].len() - rest[word..].trim_start().len();
        if blank == 0 {
            return None;
        }
        start += word + blank;
    }
    let body = &raw[start..];
    if body == value {
        return Some(start..raw.len());
    }
    let quoted = body.len() >= 2
        && body.starts_with(['"', '\''])
        && body.as_bytes()[0] == body.as_bytes()[body.len() - 1];
    (quoted && &body[1..body.len() - 1] == value).then(|| start + 1..raw.len() - 1)
}

/// A `#` or `//` comment starts before `at` on its line.
fn commented_out(text: &str, at: usize) -> bool {
    let start_of_line = line_start(text, at);
    let before = &text[start_of_line..at];
    let trimmed = before.trim_start();
    trimmed.starts_with('#')
        || trimmed.starts_with("//")
        || before.contains(" #")
        || before.contains("\t#")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    const ALL: Wanted = Wanted {
        deprecated: true,
        unknown: true,
        mismatch: true,
    };

    fn run(path: &str, text: &str) -> Vec<RawFinding> {
        run_at(path, text, "2026-11-25")
    }

    fn run_at(path: &str, text: &str, as_of: &str) -> Vec<RawFinding> {
        static ENGINE: LazyLock<ModelUsage> = LazyLock::new(ModelUsage::builtin);
        let kind = FileKind::from_path(std::path::Path::new(path));
        let view = CodeView::new(text, kind, path);
        let mut out = Vec::new();
        ENGINE.check(&view, date(as_of), ALL, &mut out);
        out
    }

    fn rules(found: &[RawFinding]) -> Vec<&'static str> {
        found.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn model_keys() {
        for k in [
            "model",
            "Model",
            "MODEL",
            "model_name",
            "modelName",
            "MODEL_NAME",
            "OPENAI_MODEL",
            "default_model",
            "defaultModel",
            "chatModel",
            "llm_model_name",
            "engine",
        ] {
            assert!(is_model_key(k), "{k}");
        }
        for k in [
            "models",
            "remodel",
            "model_type",
            "model_kwargs",
            "azure_model",
            "deployment_model",
            "search_engine",
            "modelValue",
            "DEFAULTMODEL",
        ] {
            assert!(!is_model_key(k), "{k}");
        }
    }

    #[test]
    fn literals_after_model_keys() {
        let ids = |text: &str, unquoted: bool| -> Vec<String> {
            model_literals(text, unquoted)
                .into_iter()
                .map(|l| l.id.to_string())
                .collect()
        };
        let code = r#"
client.chat.completions.create(model="gpt-4", messages=m)
body = {"model": 'gpt-4o', "x": 1}
const r = await openai.chat.completions.create({ model: `o3-pro` });
MODEL_NAME: str = "gpt-3.5-turbo"
if model == "gpt-4": pass
model = os.environ["MODEL"]
model = f"gpt-{v}"
m = (model := "o1")
x = {\"model\": \"gpt-4-o\"}
"#;
        assert_eq!(
            ids(code, false),
            [
                "gpt-4",
                "gpt-4o",
                "o3-pro",
                "gpt-3.5-turbo",
                "o1",
                "gpt-4-o"
            ]
        );
        let config = "model: gpt-4 # old\nOPENAI_MODEL=gpt-3.5-turbo\nengine = \"davinci\"\nmodel: {nested: 1}\nmodel_name: ${MODEL}\n";
        assert_eq!(ids(config, true), ["gpt-4", "gpt-3.5-turbo", "davinci"]);
        assert!(ids("model: gpt-4", false).is_empty(), "code needs quotes");
        let text = "x = 1\nmodel = \"gpt-4\"\n";
        let lit = &model_literals(text, false)[0];
        assert_eq!(&text[lit.range.clone()], "gpt-4");
    }

    #[test]
    fn deprecated_levels_follow_the_date() {
        let found = run(
            "app.py",
            "client.chat.completions.create(model=\"gpt-4\")\n",
        );
        assert_eq!(rules(&found), [DEPRECATED_MODEL]);
        assert_eq!(found[0].level, Some(Level::Error));
        let msg = &found[0].message;
        assert!(msg.contains("shut down on 2026-10-23"), "{msg}");
        assert!(
            msg.contains("\"The model `gpt-4` has been deprecated, learn more here"),
            "{msg}"
        );
        assert!(
            msg.contains("OpenAI suggests gpt-5.5 (as of 2026-06-27)"),
            "{msg}"
        );

        let found = run_at(
            "app.py",
            "client.chat.completions.create(model=\"gpt-4\")\n",
            "2026-05-01",
        );
        assert_eq!(found[0].level, Some(Level::Warning));
        assert!(found[0].message.contains("shuts down on 2026-10-23"));
        assert!(run_at("app.py", "create(model=\"gpt-4\")\n", "2026-01-01").is_empty());

        let gpt5 = run("app.py", "llm = ChatOpenAI(model=\"gpt-5\")\n");
        assert_eq!(gpt5[0].level, Some(Level::Warning));
    }

    #[test]
    fn replacements_that_are_themselves_going_away() {
        let found = run(
            "app.py",
            "openai.Completion.create(engine=\"text-davinci-003\")\n",
        );
        let msg = &found[0].message;
        assert!(
            msg.contains("gpt-3.5-turbo-instruct was itself shut down on 2026-09-28"),
            "{msg}"
        );
    }

    #[test]
    fn a_quick_fix_replacement_is_one_model_that_still_answers() {
        let replacement = |id: &str| {
            let found = run("app.py", &format!("create(model=\"{id}\")\n"));
            assert!(!found.is_empty(), "{id} is reported");
            found[0].replacement.clone()
        };
        // One known id that still answers.
        assert_eq!(replacement("gpt-4").as_deref(), Some("gpt-5.5"));
        // "gpt-5 or gpt-4.1": a choice, not a drop-in.
        assert_eq!(replacement("gpt-4-0314"), None);
        // gpt-3.5-turbo-instruct was itself shut down.
        assert_eq!(replacement("text-davinci-003"), None);
        // unknown-model offers its suggestion.
        let found = run("app.py", "create(model=\"gpt-4o-mnii\")\n");
        assert_eq!(rules(&found), [UNKNOWN_MODEL]);
        assert_eq!(found[0].replacement.as_deref(), Some("gpt-4o-mini"));
    }

    #[test]
    fn constants_are_followed_and_reported_once() {
        let text = "MODEL = \"gpt-4\"\n\ndef ask():\n    return client.chat.completions.create(model=MODEL)\n";
        let found = run("app.py", text);
        assert_eq!(rules(&found), [DEPRECATED_MODEL]);
        assert_eq!(&text[found[0].range.clone()], "gpt-4");
        let text =
            "CHAT_MODEL = \"gpt-4o\"\nclient.completions.create(model=CHAT_MODEL, prompt=p)\n";
        let found = run("app.py", text);
        assert_eq!(rules(&found), [MODEL_ENDPOINT_MISMATCH]);
        assert_eq!(
            &text[found[0].range.clone()],
            "CHAT_MODEL",
            "reported at the call"
        );
    }

    #[test]
    fn unknown_models_get_a_suggestion() {
        let found = run(
            "app.py",
            "client.chat.completions.create(model=\"gpt-4-o\")\n",
        );
        assert_eq!(rules(&found), [UNKNOWN_MODEL]);
        assert!(found[0].message.contains("Did you mean `gpt-4o`?"));
        assert!(
            found[0]
                .message
                .contains("does not exist or you do not have access")
        );
        for quiet in [
            "create(model=\"ft:gpt-4o-mini-2024-07-18:acme::abc123\")",
            "create(model=\"claude-3-opus\")",
            "create(model=\"meta-llama/Llama-3-8b\")",
            "create(model=os.environ[\"MODEL\"])",
            "create(model=args.model)",
            "pipeline(model=\"gpt2\")",
            "create(model=\"gpt-35-turbo\")",
        ] {
            assert!(run("app.py", quiet).is_empty(), "{quiet}");
        }
    }

    #[test]
    fn mismatches_on_sdk_calls_urls_and_curl() {
        let found = run(
            "app.py",
            "client.completions.create(model=\"gpt-4o\", prompt=p)\n",
        );
        assert_eq!(rules(&found), [MODEL_ENDPOINT_MISMATCH]);
        let msg = &found[0].message;
        assert!(
            msg.contains("This is a chat model and not supported in the v1/completions endpoint"),
            "{msg}"
        );
        assert!(
            msg.contains("/v1/chat/completions (`client.chat.completions.create`)"),
            "{msg}"
        );

        let found = run(
            "app.py",
            "client.chat.completions.create(model=\"gpt-5.5-pro\")\n",
        );
        assert!(found[0].message.contains("only supported in v1/responses"));
        let found = run(
            "app.ts",
            "await openai.embeddings.create({ model: \"gpt-4o\", input });\n",
        );
        assert!(found[0].message.contains("403"), "{}", found[0].message);

        let py = "import requests\nrequests.post(\"https://api.openai.com/v1/completions\", json={\"model\": \"gpt-4o\", \"prompt\": p})\n";
        assert_eq!(rules(&run("app.py", py)), [MODEL_ENDPOINT_MISMATCH]);
        let js = "const r = await fetch(\"https://api.openai.com/v1/embeddings\", {\n  method: \"POST\",\n  body: JSON.stringify({ model: \"gpt-4o-mini\", input }),\n});\n";
        assert_eq!(rules(&run("app.js", js)), [MODEL_ENDPOINT_MISMATCH]);
        let axios = "axios.post(\"https://api.openai.com/v1/completions\", { model: \"gpt-4o\", prompt });\n";
        assert_eq!(rules(&run("app.js", axios)), [MODEL_ENDPOINT_MISMATCH]);
        let sh = "curl https://api.openai.com/v1/completions \\\n  -H \"Authorization: Bearer $OPENAI_API_KEY\" \\\n  -d '{\"model\": \"gpt-4o\", \"prompt\": \"hi\"}'\n";
        let found = run("call.sh", sh);
        assert_eq!(rules(&found), [MODEL_ENDPOINT_MISMATCH]);
        assert_eq!(&sh[found[0].range.clone()], "gpt-4o");

        // Right endpoints, other hosts.
        for quiet in [
            (
                "app.py",
                "client.chat.completions.create(model=\"gpt-4o\")\n",
            ),
            ("app.py", "client.responses.create(model=\"gpt-5.5-pro\")\n"),
            (
                "app.py",
                "client.embeddings.create(model=\"text-embedding-3-small\")\n",
            ),
            (
                "app.py",
                "requests.post(\"https://api.groq.com/openai/v1/completions\", json={\"model\": \"gpt-4o\"})\n",
            ),
            (
                "call.sh",
                "curl http://localhost:8000/v1/completions -d '{\"model\": \"gpt-4o\"}'\n",
            ),
        ] {
            assert!(run(quiet.0, quiet.1).is_empty(), "{}", quiet.1);
        }
    }

    #[test]
    fn config_files_line_by_line() {
        let found = run(
            "config.yaml",
            "llm:\n  model: gpt-3.5-turbo\n  # model: gpt-4\n",
        );
        assert_eq!(rules(&found), [DEPRECATED_MODEL]);
        let found = run(".env", "OPENAI_API_KEY=\nOPENAI_MODEL=gpt-4-o\n");
        assert_eq!(rules(&found), [UNKNOWN_MODEL]);
        let found = run("settings.json", "{\n  \"model\": \"text-davinci-003\"\n}\n");
        assert_eq!(rules(&found), [DEPRECATED_MODEL]);
        let found = run("pyproject.toml", "[tool.app]\nmodel = \"gpt-4\"\n");
        assert_eq!(rules(&found), [DEPRECATED_MODEL]);
        assert!(run("config.yaml", "model: gpt-4o\n").is_empty());
        assert!(
            run(
                ".env",
                "AZURE_OPENAI_ENDPOINT=https://x.openai.azure.com\nOPENAI_MODEL=gpt-4\n"
            )
            .is_empty()
        );
        assert!(
            run(
                ".env",
                "OPENAI_BASE_URL=http://localhost:11434/v1\nOPENAI_MODEL=gpt-4\n"
            )
            .is_empty()
        );
        assert!(run("proxy.yaml", "model_list:\n  - model_name: gpt-4\n    litellm_params:\n      model: openai/gpt-4\n").is_empty());
    }

    #[test]
    fn markdown_speaks_only_through_curl_in_fences() {
        let md = "Use `model: gpt-4` in prose.\n\nmodel: \"gpt-4\"\n\n```python\nclient.chat.completions.create(model=\"gpt-4\")\n```\n";
        assert!(
            run("README.md", md).is_empty(),
            "snippets are documentation"
        );
        let curl = "```sh\ncurl https://api.openai.com/v1/chat/completions -d '{\"model\": \"gpt-5-pro\"}'\n```\n";
        let found = run("README.md", curl);
        assert_eq!(rules(&found), [DEPRECATED_MODEL, MODEL_ENDPOINT_MISMATCH]);
        assert_eq!(&curl[found[0].range.clone()], "gpt-5-pro");
        let prose =
            "curl https://api.openai.com/v1/chat/completions -d '{\"model\": \"gpt-5-pro\"}'\n";
        assert!(run("README.md", prose).is_empty());
    }

    #[test]
    fn assignments_count_as_constants_class_attributes_or_uses() {
        let settings = "class Settings(BaseSettings):\n    \"\"\"App settings.\"\"\"\n\n    openai_model: str = \"gpt-3.5-turbo\"\n";
        assert_eq!(rules(&run("settings.py", settings)), [DEPRECATED_MODEL]);
        let tokenizer = "def encoding(model_name):\n    if model_name == \"gpt-4\":\n        model = \"gpt-4-0314\"\n    return tiktoken.encoding_for_model(model)\n";
        assert!(run("tokens.py", tokenizer).is_empty());
        let local = "def ask(client):\n    model = \"gpt-4-0314\"\n    return client.chat.completions.create(model=model)\n";
        assert_eq!(rules(&run("ask.py", local)), [DEPRECATED_MODEL]);
        let attr = "class Bot:\n    def __init__(self):\n        self.model = \"gpt-4\"\n        self.tokenizer_model = \"gpt-4\"\n\n    def ask(self):\n        return self.client.chat.completions.create(model=self.model)\n";
        let found = run("bot.py", attr);
        assert_eq!(
            rules(&found),
            [DEPRECATED_MODEL],
            "only the attribute that is sent"
        );
        assert!(attr[..found[0].range.start].ends_with("self.model = \""));
    }

    #[test]
    fn routed_elsewhere_files_and_skipped_paths_stay_silent() {
        for text in [
            "client = AzureOpenAI(api_version=\"2024-02-01\")\nclient.chat.completions.create(model=\"gpt-4\")\n",
            "client = OpenAI(base_url=\"https://openrouter.ai/api/v1\")\nclient.chat.completions.create(model=\"gpt-4-o\")\n",
        ] {
            assert!(run("app.py", text).is_empty(), "{text}");
        }
        // Kubernetes' `apiVersion: apps/v1` is not Azure's dated `api_version`.
        let k8s = "apiVersion: apps/v1\nkind: Deployment\nspec:\n  env:\n    - name: OPENAI_MODEL\n      value: gpt-4\n";
        assert_eq!(rules(&run("deploy.yaml", k8s)), [DEPRECATED_MODEL]);
        let azure_ts = "const client = new OpenAI({ apiVersion: \"2024-02-01\" });\nawait client.chat.completions.create({ model: \"gpt-4\" });\n";
        assert!(run("azure.ts", azure_ts).is_empty());
        assert!(kubernetes_api_version(": batch/v1beta1 # jobs\r\n"));
        assert!(kubernetes_api_version(": \"v1\""));
        assert!(!kubernetes_api_version(": \"2024-02-01\""));
        assert!(!kubernetes_api_version(": process.env.API_VERSION,"));
        let base = "client = OpenAI(base_url=\"https://api.openai.com/v1\")\nclient.chat.completions.create(model=\"gpt-4\")\n";
        assert_eq!(rules(&run("app.py", base)), [DEPRECATED_MODEL]);
        let text = "client.chat.completions.create(model=\"gpt-4\")\n";
        for path in [
            "tests/test_chat.py",
            "src/chat.test.ts",
            "types.pyi",
            "dist/index.js",
        ] {
            assert!(run(path, text).is_empty(), "{path}");
        }
        // Comments and docstrings are not requests.
        assert!(
            run(
                "app.py",
                "# client.chat.completions.create(model=\"gpt-4\")\n"
            )
            .is_empty()
        );
        assert!(run("app.py", "\"\"\"\nmodel=\"gpt-4\"\n\"\"\"\n").is_empty());
    }

    #[test]
    fn only_files_with_something_to_say_are_parsed() {
        let engine = ModelUsage::builtin();
        let judge = Judge {
            models: engine.models(),
            as_of: date("2026-11-25"),
            want: ALL,
        };
        let worth = |text: &str| {
            let lits = model_literals(text, false);
            judge.worth_parsing(text, &lits, || engine.endpoint_families(text))
        };
        assert!(worth("create(model=\"gpt-4\")"));
        assert!(worth("create(model=\"gpt-4-o\")"));
        assert!(worth("client.completions.create(model=\"gpt-4o\")"));
        assert!(worth(
            "fetch('https://api.openai.com/v1/embeddings', {body: {model: 'gpt-4o'}})"
        ));
        assert!(!worth("client.chat.completions.create(model=\"gpt-4o\")"));
        assert!(!worth("client.chat.completions.create(model=model)"));
        assert!(!worth("model = \"my-own-thing\""));
        assert!(!worth("# gpt-4 is great"));
    }

    #[test]
    fn endpoint_families_in_text() {
        let engine = ModelUsage::builtin();
        let f = |t: &str| engine.endpoint_families(t);
        assert_eq!(f("client.chat.completions.create("), [Family::Chat]);
        assert_eq!(f("client.completions.create("), [Family::Completions]);
        assert_eq!(f("openai.Completion.create("), [Family::Completions]);
        assert_eq!(f("openai.createChatCompletion({"), [Family::Chat]);
        assert_eq!(
            f("\"https://api.openai.com/v1/embeddings\""),
            [Family::Embeddings]
        );
        assert_eq!(f("\"/v1/chat/completions\""), [Family::Chat]);
        assert!(f("completions.created_at").is_empty());
    }

    #[test]
    fn curl_bodies() {
        assert_eq!(
            body_model(r#"{"model": "gpt-4o", "messages": []}"#).map(|(id, _)| id),
            Some("gpt-4o")
        );
        assert_eq!(
            body_model(r#"{"messages": [{"model": "x"}], "model": "o3"}"#).map(|(id, _)| id),
            Some("o3")
        );
        assert_eq!(body_model(r#"{"model": "$MODEL"}"#).map(|(id, _)| id), None);
        assert_eq!(
            body_model(r#"{"model": "gpt-4", "n": $N}"#).map(|(id, _)| id),
            Some("gpt-4"),
            "not JSON: the regex fallback"
        );
    }

    #[test]
    fn documentation_lines_do_not_count() {
        let py = "def f():\n    \"\"\"Call it:\n\n    model=\"gpt-4\"\n    \"\"\"\n# model=\"gpt-4\"\nm = {\"model\": \"gpt-4\"}\n";
        let docs = Docs::new(py, FileKind::Python, &[]);
        let covered: Vec<bool> = model_literals(py, false)
            .iter()
            .map(|l| docs.covers(py, l.key_start))
            .collect();
        assert_eq!(covered, [true, true, false]);
        let js = "/**\n * model: \"gpt-4\"\n */\nconst a = { model: \"gpt-4\" }; /* x */\n";
        let docs = Docs::new(js, FileKind::JavaScript, &[]);
        let covered: Vec<bool> = model_literals(js, false)
            .iter()
            .map(|l| docs.covers(js, l.key_start))
            .collect();
        assert_eq!(covered, [true, false]);
        // A notebook cell that leaves a docstring open does not cover the next cell.
        let cells = "s = \"\"\"open\n\nm = {\"model\": \"gpt-4\"}\n";
        let second = cells.find("m =").unwrap();
        let docs = Docs::new(cells, FileKind::Python, &[0..10, second..cells.len()]);
        let literal = &model_literals(cells, false)[0];
        assert!(!docs.covers(cells, literal.key_start));
        assert!(Docs::new(cells, FileKind::Python, &[]).covers(cells, literal.key_start));
    }

    #[test]
    fn parameter_defaults_that_reach_a_model_argument() {
        let py = "def ask(prompt, model=\"gpt-3.5-turbo-0301\"):\n    return client.chat.completions.create(model=model, messages=[])\n";
        let found = run("ask.py", py);
        assert_eq!(rules(&found), [DEPRECATED_MODEL]);
        assert_eq!(&py[found[0].range.clone()], "gpt-3.5-turbo-0301");
        let ts = "export async function ask(prompt: string, m: string = \"gpt-4o\") {\n  return client.completions.create({ model: m, prompt });\n}\n";
        let found = run("ask.ts", ts);
        assert_eq!(rules(&found), [MODEL_ENDPOINT_MISMATCH]);
        assert_eq!(&ts[found[0].range.clone()], "m", "reported at the call");
        // A default that only feeds a tokenizer, in a function or a method, is not
        // sent; another function's parameter of the same name is the caller's.
        let quiet = "def count(text, model=\"gpt-3.5-turbo-0301\"):\n    return len(tiktoken.encoding_for_model(model).encode(text))\n\ndef ask(prompt, model):\n    return client.chat.completions.create(model=model, messages=[])\n\nclass Bot:\n    def tokens(self, text, model=\"gpt-4-0314\"):\n        return tiktoken.encoding_for_model(model)\n";
        assert!(run("tokens.py", quiet).is_empty());
    }

    #[test]
    fn environment_fallbacks_are_what_the_api_gets_when_unset() {
        let py = "MODEL = os.getenv(\"OPENAI_MODEL\", \"text-davinci-003\")\n";
        let found = run("settings.py", py);
        assert_eq!(rules(&found), [DEPRECATED_MODEL]);
        assert_eq!(&py[found[0].range.clone()], "text-davinci-003");
        assert!(
            found[0].message.starts_with(
                "`text-davinci-003` (the fallback when `OPENAI_MODEL` is unset) was shut down"
            ),
            "{}",
            found[0].message
        );
        let js = "const model = process.env.OPENAI_MODEL ?? \"gpt-4o\";\nawait client.completions.create({ model, prompt });\n";
        let found = run("app.js", js);
        assert_eq!(rules(&found), [MODEL_ENDPOINT_MISMATCH]);
        assert!(
            found[0]
                .message
                .contains("(the fallback when `OPENAI_MODEL` is unset) is a chat model")
        );
        let found = run(
            "app.py",
            "r = client.chat.completions.create(model=os.environ.get(\"M\") or \"gpt-4-o\")\n",
        );
        assert_eq!(rules(&found), [UNKNOWN_MODEL]);
        for quiet in [
            "MODEL = os.getenv(\"OPENAI_MODEL\", \"default\")\nr = client.chat.completions.create(model=MODEL)\n",
            "r = client.chat.completions.create(model=os.getenv(\"OPENAI_MODEL\", \"\"))\n",
            "r = client.chat.completions.create(model=os.getenv(\"OPENAI_MODEL\", \"gpt-5.5\"))\n",
        ] {
            assert!(run("app.py", quiet).is_empty(), "{quiet}");
        }
    }

    #[test]
    fn indirect_model_keys_open_the_gate_to_quoted_ids() {
        let keys = super::model_keys("r = create(model=model)\n", false);
        assert!(keys.literals.is_empty() && keys.indirect);
        assert!(super::model_keys("create({ model, messages })", false).indirect);
        assert!(!super::model_keys("import model\nmodel.fit()\n", false).indirect);
        let text = "a = 'gpt-4-32k'; b = \"openai/gpt-4o\"; c = gpt4; d = `dall-e-2`";
        let ids: Vec<&str> = quoted_ids(text).iter().map(|l| l.id).collect();
        assert_eq!(ids, ["gpt-4-32k", "openai/gpt-4o", "dall-e-2"]);
        assert_eq!(&text[quoted_ids(text)[0].key_start..][..1], "'");
        let text = "def f(m: str = \"gpt-4\"):\nM = os.getenv(\n    \"M\",\n    \"davinci-002\",\n)\nm = x or 'gpt-4o'\nn = y ?? 'gpt-5'\nfor_ = color 'gpt-6'\nif m == \"gpt-3\": pass\nmodel: Literal[\"gpt-4o\", \"gpt-4o-mini\"]\nf(\"x\", \"gpt-4.1\")\n";
        let ids: Vec<&str> = quoted_ids(text).iter().map(|l| l.id).collect();
        assert_eq!(ids, ["gpt-4", "davinci-002", "gpt-4o", "gpt-5"]);
        // A deprecated id in a table, with no model key reading a name, is not
        // worth a parse.
        let table = "LIMITS = {\"gpt-4-0314\": 8192}\nr = client.chat.completions.create(model=\"gpt-5.5\")\n";
        assert!(run("limits.py", table).is_empty());
    }

    #[test]
    fn yaml_is_read_with_the_parser() {
        let yaml = "defaults:\n  model: &chat gpt-4-0613\n  tagged_model: !!str \"gpt-4-0314\"\n  next:\n    model:\n      gpt-3.5-turbo-0613\n---\nllm:\n  model: text-davinci-003\n";
        let found = run("config.yaml", yaml);
        let ids: Vec<&str> = found.iter().map(|f| &yaml[f.range.clone()]).collect();
        assert_eq!(
            ids,
            [
                "gpt-4-0613",
                "gpt-4-0314",
                "gpt-3.5-turbo-0613",
                "text-davinci-003"
            ]
        );
        // Scripts and embedded config files are read line by line; prose is not.
        let workflow = "jobs:\n  t:\n    steps:\n      - run: |\n          export OPENAI_MODEL=gpt-4-0613\n      - name: Lint\n        with:\n          prompt: |\n            Pretend you are model: gpt-4\n";
        let found = run(".github/workflows/ci.yml", workflow);
        assert_eq!(found.len(), 1);
        assert_eq!(&workflow[found[0].range.clone()], "gpt-4-0613");
        let config_map =
            "kind: ConfigMap\ndata:\n  app.yaml: |\n    llm:\n      model: gpt-4-0314\n";
        assert_eq!(rules(&run("cm.yaml", config_map)), [DEPRECATED_MODEL]);
        let compose = "services:\n  api:\n    environment:\n      - OPENAI_MODEL=gpt-4-0613\n      - OTHER=gpt-4\n";
        let found = run("compose.yaml", compose);
        assert_eq!(found.len(), 1);
        assert_eq!(&compose[found[0].range.clone()], "gpt-4-0613");
        let k8s = "env:\n  - name: OPENAI_MODEL\n    value: \"gpt-4-0314\"\n  - name: OTHER\n    value: gpt-4\n";
        let found = run("pod.yaml", k8s);
        assert_eq!(found.len(), 1);
        assert_eq!(&k8s[found[0].range.clone()], "gpt-4-0314");
        let template = "issue:\n  placeholder: |\n    model: gpt-4\n    temperature: 0\n";
        assert!(run("bug.yml", template).is_empty());
        // Not YAML as written: lines.
        let helm = "llm:\n  {{- if .Values.llm }}\n  model: gpt-4\n  {{- end }}\n";
        assert_eq!(rules(&run("values.yaml", helm)), [DEPRECATED_MODEL]);
        assert_eq!(scalar_text_range("'gpt-4'", "gpt-4"), Some(1..6));
        assert_eq!(scalar_text_range("&a !!str gpt-4", "gpt-4"), Some(9..14));
        assert_eq!(scalar_text_range("\"gpt\\x2d4\"", "gpt-4"), None);
        assert_eq!(scalar_text_range("|\n  gpt-4\n", "gpt-4\n"), None);
    }

    #[test]
    fn fences() {
        let md = "a\n```py\nx\n```\nb\n~~~\ny\n";
        let f = fenced_blocks(md);
        assert_eq!(f.len(), 2);
        assert_eq!(&md[f[0].clone()], "x\n");
        assert_eq!(&md[f[1].clone()], "y\n");
    }

    #[test]
    fn hosts() {
        assert_eq!(host_of("https://api.openai.com/v1"), OPENAI_HOST);
        assert_eq!(host_of("http://localhost:8000/v1"), "localhost");
        assert!(curl_to_openai("$OPENAI_BASE_URL/chat/completions"));
        assert!(!curl_to_openai("$BASE/chat/completions"));
    }
}
