//! The `transport` engine: `insecure-transport`. Plain `http://api.openai.com` (and
//! `ws://`) anywhere keylint reads, and TLS certificate checks turned off on the way
//! to OpenAI: `verify=False` / `ssl=False` on requests to the API or on the HTTP
//! client an OpenAI client uses, `rejectUnauthorized: false` agents,
//! `NODE_TLS_REJECT_UNAUTHORIZED=0` and `curl -k`.

use crate::analyze::code_view::CodeView;
use crate::analyze::lines::on_comment_line;
use crate::analyze::{is_docs_or_build_path, is_test_path};
use crate::rules::auth::AuthFacts;
use crate::rules::keys::RawFinding;
use crate::rules::model_usage::fenced_blocks;
use crate::rules::models::Models;
use crate::rules::openai_clients::{ClientSignals, client_class, names_api_host, talks_to_openai};
use crate::rules::sdk_client::{SdkClient, split_url};
use crate::source::FileKind;
use crate::syntax::config_env::EnvPattern;
use crate::syntax::curl::CurlCommand;
use crate::syntax::{Call, Facts, Part, Value, curl, toml_doc};
use regex::Regex;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::LazyLock;

pub const INSECURE_TRANSPORT: &str = "insecure-transport";

/// The variable that turns off certificate checks for a whole Node process.
const NODE_TLS: &str = "NODE_TLS_REJECT_UNAUTHORIZED";

/// Python keywords that take `False` to skip certificate checks: requests and
/// httpx `verify`, aiohttp `ssl` and its older `verify_ssl`.
const TLS_KEYWORDS: &[&str] = &["verify", "ssl", "verify_ssl"];

/// Request methods of requests, httpx and aiohttp (module functions and sessions).
const REQUEST_METHODS: &[&str] = &[
    "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
];

/// HTTP client classes whose TLS settings apply to every request made with them,
/// by their imported names: httpx (and httpx2, which openai-python 3 uses), the
/// SDK's own httpx defaults, aiohttp's connector.
const HTTP_CLIENTS: &[&str] = &[
    "httpx.Client",
    "httpx.AsyncClient",
    "httpx2.Client",
    "httpx2.AsyncClient",
    "openai.DefaultHttpxClient",
    "openai.DefaultAsyncHttpxClient",
    "aiohttp.TCPConnector",
];

const TRUST_A_PROXY_PY: &str = "behind a TLS-inspecting proxy, give its CA bundle instead (`verify=\"/path/to/ca.pem\"`, or `SSL_CERT_FILE`)";
const TRUST_A_PROXY_NODE: &str =
    "for a TLS-inspecting proxy, trust its CA with `NODE_EXTRA_CA_CERTS=/path/to/ca.pem`";
const INTERCEPTED: &str = "anyone who can intercept the connection (a hostile network, a compromised proxy) can present any certificate and read the API key and every prompt and reply";

pub struct Transport<'a> {
    pub client: &'a SdkClient,
    pub models: &'a Models,
    pub auth: &'a AuthFacts,
}

impl Transport<'_> {
    pub fn check(&self, view: &CodeView, signals: ClientSignals, out: &mut Vec<RawFinding>) {
        if !(signals.openai_host || signals.tls_setting)
            || is_test_path(view.path)
            || is_docs_or_build_path(view.path)
        {
            return;
        }
        let text = view.text;
        let mut found = Vec::new();
        match view.kind {
            FileKind::Python | FileKind::JavaScript | FileKind::TypeScript => {
                if code_worth_parsing(text, view.kind, signals)
                    && let Some(facts) = view.facts()
                {
                    self.check_code(facts, view.kind == FileKind::Python, &mut found);
                }
                if view.is_notebook() && text.contains("curl") {
                    self.check_curl(view.curl(), &mut found);
                }
            }
            FileKind::Markdown => {
                // Only code blocks, which readers run as written.
                for block in fenced_blocks(text) {
                    let body = &text[block.clone()];
                    let mut inner = Vec::new();
                    self.check_lines(FileKind::Shell, body, &mut inner);
                    self.check_curl(&curl::commands(body), &mut inner);
                    found.extend(inner.into_iter().map(|mut f| {
                        f.range = f.range.start + block.start..f.range.end + block.start;
                        f
                    }));
                }
            }
            FileKind::Toml => self.check_toml(text, &mut found),
            FileKind::DotEnv
            | FileKind::DotEnvTemplate
            | FileKind::Shell
            | FileKind::Dockerfile
            | FileKind::Yaml
            | FileKind::Json => {
                self.check_lines(view.kind, text, &mut found);
                if matches!(
                    view.kind,
                    FileKind::Shell | FileKind::Dockerfile | FileKind::Yaml
                ) && text.contains("curl")
                {
                    self.check_curl(view.curl(), &mut found);
                }
            }
            FileKind::Notebook | FileKind::Text => {}
        }
        let mut seen = HashSet::new();
        out.extend(found.into_iter().filter(|f| seen.insert(f.range.start)));
    }

    // -----------------------------------------------------------------------------
    // Code
    // -----------------------------------------------------------------------------

    fn check_code(&self, facts: &Facts, python: bool, out: &mut Vec<RawFinding>) {
        for value in &facts.strings {
            match value {
                Value::Str { text: s, range } if !s.contains('\n') => {
                    for m in plain_api_urls(s) {
                        let at = range.start + m.start..range.start + m.end;
                        out.push(plain_url_finding(at, &s[m]));
                    }
                }
                Value::Template { parts, range } => {
                    let literal: String = parts
                        .iter()
                        .filter_map(|p| match p {
                            Part::Lit(s) => Some(s.as_str()),
                            Part::Expr(_) => None,
                        })
                        .collect();
                    if !literal.contains('\n')
                        && let Some(m) = plain_api_urls(&literal).into_iter().next()
                    {
                        out.push(plain_url_finding(range.clone(), &literal[m]));
                    }
                }
                _ => {}
            }
        }
        // Computed once: most files with a TLS setting never need it.
        let mut calls_api: Option<bool> = None;
        let mut file_calls_api = || {
            *calls_api.get_or_insert_with(|| {
                facts.strings.iter().any(|s| {
                    facts
                        .url_text(s)
                        .is_some_and(|t| names_api_host(&t, self.client))
                })
            })
        };
        if python {
            for call in &facts.calls {
                let Some((key, value)) = tls_off_keyword(facts, call) else {
                    continue;
                };
                if let Some(target) = self.python_tls_target(facts, call, &mut file_calls_api) {
                    out.push(finding(
                        value.range(),
                        &format!("{key}=False {}", call.callee),
                        format!(
                            "`{key}=False` turns off TLS certificate checks on {target}: {INTERCEPTED}. Remove it; {TRUST_A_PROXY_PY}"
                        ),
                    ));
                }
            }
            for (target, _, value) in &facts.assignments {
                if target.ends_with(".verify") && is_false(facts, value) && file_calls_api() {
                    out.push(finding(
                        value.range(),
                        &format!("{target} = False"),
                        format!(
                            "`{target} = False` turns off TLS certificate checks for every request of this session, in a file that calls api.openai.com: {INTERCEPTED}. Remove it; {TRUST_A_PROXY_PY}"
                        ),
                    ));
                }
            }
            return;
        }
        let talks = talks_to_openai(facts, self.models, self.client);
        for call in &facts.calls {
            let callee = call.callee.strip_prefix("new ").unwrap_or(&call.callee);
            if !callee
                .rsplit('.')
                .next()
                .unwrap_or(callee)
                .ends_with("Agent")
                || !talks
            {
                continue;
            }
            if let Some(value) = reject_unauthorized_false(facts, call) {
                out.push(finding(
                    value.range(),
                    &format!("rejectUnauthorized false {callee}"),
                    format!(
                        "`rejectUnauthorized: false` turns off TLS certificate checks for every request made through this agent, in a file that talks to OpenAI: {INTERCEPTED}. Remove it; {TRUST_A_PROXY_NODE}"
                    ),
                ));
            }
        }
        for (target, _, value) in &facts.assignments {
            let global_agent = talks
                && target.contains("globalAgent")
                && target.ends_with("rejectUnauthorized")
                && is_false(facts, value);
            let node_tls = target.starts_with("process.env")
                && target.contains(NODE_TLS)
                && is_zero_setting(facts.string_of(value).or(match facts.resolve(value) {
                    Value::Number { text, .. } => Some(text.as_str()),
                    _ => None,
                }));
            if global_agent || node_tls {
                out.push(finding(
                    value.range(),
                    target,
                    if node_tls {
                        node_tls_message()
                    } else {
                        format!(
                            "`{target} = false` turns off TLS certificate checks for every HTTPS request of the process, OpenAI's included: {INTERCEPTED}. Remove it; {TRUST_A_PROXY_NODE}"
                        )
                    },
                ));
            }
        }
    }

    /// What a Python call with TLS checks off reaches at OpenAI, in words; `None`
    /// when it is not shown to reach OpenAI.
    fn python_tls_target(
        &self,
        facts: &Facts,
        call: &Call,
        file_calls_api: &mut dyn FnMut() -> bool,
    ) -> Option<String> {
        let method = call.method();
        if REQUEST_METHODS.contains(&method) && call.callee.contains('.') {
            let url_value = if method == "request" {
                call.positional.get(1)
            } else {
                call.positional.first()
            }
            .or_else(|| call.keyword("url"))?;
            let url = facts.url_text(url_value)?;
            return match split_url(&url) {
                Some(parts) => self
                    .openai_host(parts.host)
                    .then(|| format!("this request to {}", parts.host)),
                // `f"{base}/v1/chat/completions"`: the path says where it goes.
                None => (self.models.endpoint_for_path(&url).is_some() && file_calls_api())
                    .then(|| format!("this request to `{url}`")),
            };
        }
        let is_http_client = facts
            .qualified(&call.callee)
            .is_some_and(|q| HTTP_CLIENTS.contains(&q.as_str()));
        if !is_http_client {
            return None;
        }
        // The client handed to an OpenAI client as its `http_client`.
        let handed_to = facts.calls.iter().find_map(|c| {
            let v = c.keyword("http_client")?;
            let same = facts.call_of(v).is_some_and(|h| h.range == call.range);
            same.then_some(c)
        });
        if let Some(owner) = handed_to {
            let owner_name = owner.callee.rsplit('.').next().unwrap_or(&owner.callee);
            let openai_owner =
                client_class(&owner.callee).is_some() || owner_name.contains("OpenAI");
            return openai_owner.then(|| format!("the HTTP client `{}` uses", owner.callee));
        }
        match call
            .keyword("base_url")
            .and_then(|v| facts.url_text(v))
            .and_then(|u| split_url(&u).map(|p| p.host.to_string()))
        {
            Some(host) => self
                .openai_host(&host)
                .then(|| format!("an HTTP client for {host}")),
            None => file_calls_api()
                .then(|| "an HTTP client in a file that calls api.openai.com".to_string()),
        }
    }

    /// The API host or an Azure OpenAI resource.
    fn openai_host(&self, host: &str) -> bool {
        self.client.is_api_host(host)
            || self
                .auth
                .provider_for_host(host)
                .is_some_and(|p| p.id == "openai" || p.id == "azure-openai")
    }

    // -----------------------------------------------------------------------------
    // Configuration, shell, Markdown
    // -----------------------------------------------------------------------------

    /// Plain URLs and `NODE_TLS_REJECT_UNAUTHORIZED=0` in line-based text.
    fn check_lines(&self, kind: FileKind, text: &str, out: &mut Vec<RawFinding>) {
        for m in plain_api_urls(text) {
            if !on_comment_line(text, m.start) {
                let shown = &text[m.clone()];
                out.push(plain_url_finding(m.clone(), shown));
            }
        }
        node_tls_settings(kind, text, out);
    }

    fn check_toml(&self, text: &str, out: &mut Vec<RawFinding>) {
        let Ok(entries) = toml_doc::entries(text) else {
            return;
        };
        for e in &entries {
            for m in plain_api_urls(&e.value) {
                // Basic strings with escapes shift offsets: report the whole value.
                let at = if text.get(e.range.clone()) == Some(e.value.as_str()) {
                    e.range.start + m.start..e.range.start + m.end
                } else {
                    e.range.clone()
                };
                out.push(plain_url_finding(at, &e.value[m]));
            }
        }
        node_tls_settings(FileKind::Toml, text, out);
    }

    /// `curl -k` / `--insecure` to an OpenAI host.
    fn check_curl(&self, commands: &[CurlCommand], out: &mut Vec<RawFinding>) {
        for cmd in commands {
            let Some(flag) = &cmd.insecure else { continue };
            let Some(host) = cmd.urls.iter().find_map(|u| {
                split_url(&u.text)
                    .map(|p| p.host.to_string())
                    .filter(|h| self.openai_host(h))
            }) else {
                continue;
            };
            out.push(finding(
                flag.range.clone(),
                &format!("curl {} {host}", flag.text),
                format!(
                    "`{}` makes curl skip TLS certificate checks on this request to {host}: {INTERCEPTED}. Remove it; for a TLS-inspecting proxy, pass its CA with `--cacert /path/to/ca.pem`",
                    flag.text
                ),
            ));
        }
    }
}

/// Whether code can hold a finding: a plain-HTTP API URL, or a TLS setting turned
/// off (`verify=False`; for JavaScript the setting's name is enough).
fn code_worth_parsing(text: &str, kind: FileKind, signals: ClientSignals) -> bool {
    static PY_TLS_OFF: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:verify|ssl)[ \t]*=[ \t]*False").expect("valid regex"));
    if signals.openai_host && !plain_api_urls(text).is_empty() {
        return true;
    }
    signals.tls_setting
        && match kind {
            FileKind::Python => PY_TLS_OFF.is_match(text),
            _ => text.contains("rejectUnauthorized") || text.contains(NODE_TLS),
        }
}

fn node_tls_settings(kind: FileKind, text: &str, out: &mut Vec<RawFinding>) {
    static PATTERN: LazyLock<EnvPattern> = LazyLock::new(|| EnvPattern::new(NODE_TLS));
    for v in PATTERN.values(kind, text) {
        if is_zero_setting(Some(&v.value)) {
            out.push(finding(v.range, NODE_TLS, node_tls_message()));
        }
    }
}

fn node_tls_message() -> String {
    format!(
        "`{NODE_TLS}=0` turns off TLS certificate checks for every HTTPS request the Node process makes, the OpenAI API's included: {INTERCEPTED}. Remove it; {TRUST_A_PROXY_NODE}"
    )
}

/// `0`, as Node reads the variable (any other value leaves the checks on).
fn is_zero_setting(value: Option<&str>) -> bool {
    value.is_some_and(|v| v.trim() == "0")
}

fn is_false(facts: &Facts, value: &Value) -> bool {
    matches!(facts.resolve(value), Value::Bool { value: false, .. })
}

/// `verify=False`, `ssl=False`, `verify_ssl=False`.
fn tls_off_keyword<'f>(facts: &'f Facts, call: &'f Call) -> Option<(&'f str, &'f Value)> {
    call.keywords
        .iter()
        .find(|(k, v)| TLS_KEYWORDS.contains(&k.as_str()) && is_false(facts, v))
        .map(|(k, v)| (k.as_str(), v))
}

/// `rejectUnauthorized: false` in an agent's options, or in its `connect` /
/// `requestTls` / `proxyTls` options (undici).
fn reject_unauthorized_false<'f>(facts: &'f Facts, call: &'f Call) -> Option<&'f Value> {
    for (key, value) in facts.options_of(call) {
        if key == "rejectUnauthorized" && is_false(facts, value) {
            return Some(value);
        }
        if matches!(key, "connect" | "requestTls" | "proxyTls")
            && let Value::Object { id, .. } = facts.resolve(value)
            && let Some(p) = facts
                .object_pairs(*id)
                .find(|p| p.key == "rejectUnauthorized" && is_false(facts, &p.value))
        {
            return Some(&p.value);
        }
    }
    None
}

fn finding(range: Range<usize>, basis: &str, message: String) -> RawFinding {
    RawFinding {
        rule: INSECURE_TRANSPORT,
        range,
        message,
        secret: None,
        basis: basis.to_string(),
        level: None,
        replacement: None,
    }
}

fn plain_url_finding(range: Range<usize>, shown: &str) -> RawFinding {
    let secure = if shown.to_ascii_lowercase().starts_with("ws") {
        "wss"
    } else {
        "https"
    };
    let host = shown.split_once("://").map_or(shown, |(_, h)| h);
    finding(
        range,
        &shown.to_ascii_lowercase(),
        format!(
            "`{shown}` is not encrypted: the request, with the API key in its `Authorization` header and every prompt and reply, crosses the network in clear text, readable by anyone on the path, whatever the server answers. Use `{secure}://{host}`"
        ),
    )
}

/// Every `http://api.openai.com` and `ws://api.openai.com` (any case) whose host
/// ends there, as the range of scheme and host.
fn plain_api_urls(text: &str) -> Vec<Range<usize>> {
    static PLAIN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?-u:\b)(?:http|ws)://(?:[^/\s@]*@)?api\.openai\.com")
            .expect("valid regex")
    });
    if memchr::memmem::find(text.as_bytes(), b"://").is_none() {
        return Vec::new();
    }
    let bytes = text.as_bytes();
    PLAIN
        .find_iter(text)
        .filter(|m| {
            let next = bytes.get(m.end()).copied();
            let after = bytes.get(m.end() + 1).copied();
            let longer_host = next.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'-')
                || (next == Some(b'.') && after.is_some_and(|b| b.is_ascii_alphanumeric()));
            !longer_host
        })
        .map(|m| m.range())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(path: &str, text: &str) -> Vec<(String, String)> {
        static CLIENT: LazyLock<SdkClient> = LazyLock::new(SdkClient::builtin);
        static MODELS: LazyLock<Models> = LazyLock::new(Models::builtin);
        static AUTH: LazyLock<AuthFacts> = LazyLock::new(AuthFacts::builtin);
        let engine = Transport {
            client: &CLIENT,
            models: &MODELS,
            auth: &AUTH,
        };
        let kind = FileKind::from_path(std::path::Path::new(path));
        let view = CodeView::new(text, kind, path);
        let mut out = Vec::new();
        engine.check(&view, ClientSignals::of(text), &mut out);
        out.sort_by_key(|f| f.range.start);
        out.into_iter()
            .map(|f| (text[f.range].to_string(), f.message))
            .collect()
    }

    fn spans(path: &str, text: &str) -> Vec<String> {
        run(path, text).into_iter().map(|(s, _)| s).collect()
    }

    #[test]
    fn plain_urls() {
        let ranges = |t: &str| -> Vec<String> {
            plain_api_urls(t)
                .into_iter()
                .map(|r| t[r].to_string())
                .collect()
        };
        assert_eq!(
            ranges("a http://api.openai.com/v1 b HTTP://API.OPENAI.COM ws://api.openai.com."),
            [
                "http://api.openai.com",
                "HTTP://API.OPENAI.COM",
                "ws://api.openai.com"
            ]
        );
        assert!(
            ranges(
                "https://api.openai.com http://api.openai.com.evil.example http://localhost:8080"
            )
            .is_empty()
        );
    }

    #[test]
    fn code() {
        let py = "import requests\nBASE = 'http://api.openai.com/v1'\n# http://api.openai.com in a comment\nrequests.post('https://api.openai.com/v1/chat/completions', json=b, verify=False)\nrequests.get('https://internal.example/x', verify=False)\n";
        assert_eq!(spans("app.py", py), ["http://api.openai.com", "False"]);
        let handed = "import httpx\nfrom openai import OpenAI\nclient = OpenAI(http_client=httpx.Client(verify=False))\nother = httpx.Client(base_url='https://internal.example', verify=False)\n";
        let found = run("app.py", handed);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].1.contains("the HTTP client `OpenAI` uses"),
            "{}",
            found[0].1
        );
        let named = "import httpx, openai\nhttp = httpx.AsyncClient(verify=False)\nclient = openai.AsyncOpenAI(http_client=http)\n";
        assert_eq!(spans("app.py", named), ["False"]);
        let js = "import OpenAI from 'openai';\nimport https from 'https';\nconst agent = new https.Agent({ rejectUnauthorized: false });\nprocess.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';\nconst client = new OpenAI();\n";
        assert_eq!(spans("app.ts", js), ["false", "0"]);
        let db = "import OpenAI from 'openai';\nconst pool = new Pool({ ssl: { rejectUnauthorized: false } });\nconst client = new OpenAI();\n";
        assert!(spans("db.ts", db).is_empty());
        assert!(spans("tests/test_app.py", py).is_empty());
    }

    #[test]
    fn config_and_shell() {
        let env = "OPENAI_API_KEY=x\nNODE_TLS_REJECT_UNAUTHORIZED=0\n# OPENAI_BASE_URL=http://api.openai.com/v1\n";
        assert_eq!(spans(".env", env), ["0"]);
        let sh = "curl -sk https://api.openai.com/v1/models -H \"Authorization: Bearer $OPENAI_API_KEY\"\ncurl http://api.openai.com/v1/models\ncurl -k https://localhost:8443/v1\n";
        assert_eq!(spans("call.sh", sh), ["-sk", "http://api.openai.com"]);
        let md = "Run `http://api.openai.com` never.\n```sh\ncurl --insecure https://api.openai.com/v1/models\n```\n";
        assert_eq!(spans("README.md", md), ["--insecure"]);
        let toml = "[env]\nOPENAI_BASE_URL = \"http://api.openai.com/v1\"\nNODE_TLS_REJECT_UNAUTHORIZED = \"0\"\ndoc = '''\nhttp://api.openai.com\n'''\n";
        assert_eq!(spans("fly.toml", toml), ["http://api.openai.com", "0"]);
        let compose = "services:\n  web:\n    environment:\n      - OPENAI_API_KEY\n      - NODE_TLS_REJECT_UNAUTHORIZED=0\n";
        assert_eq!(spans("compose.yaml", compose), ["0"]);
        assert!(spans("notes.txt", "http://api.openai.com").is_empty());
    }
}
