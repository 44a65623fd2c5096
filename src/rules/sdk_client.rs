//! The SDK client table (`rules/data/sdk-client.toml`): the default base URL, the
//! unknown-route answer, the SDKs' automatic retries and hosts mistaken for the API
//! host. Used by base-url, retries-disabled, unbounded-retry and insecure-transport.
//! Also the URL reading those rules share.

use super::models::{Confidence, parse_date, require};
use jiff::civil::Date;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ClientFile {
    base_url: BaseUrlRow,
    unknown_route: RouteErrorRow,
    retries: RetriesRow,
    quota_error: QuotaErrorRow,
    #[serde(default)]
    wrong_host: Vec<WrongHostRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct BaseUrlRow {
    url: String,
    host: String,
    path: String,
    env: String,
    source: String,
    reviewed: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RouteErrorRow {
    status: u16,
    message: String,
    #[serde(rename = "type")]
    kind: String,
    source: String,
    confidence: Confidence,
    reviewed: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RetriesRow {
    python_default: u32,
    node_default: u32,
    retried_statuses: Vec<u16>,
    retries_server_errors: bool,
    retries_connection_errors: bool,
    backoff: String,
    readme: String,
    source: String,
    reviewed: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct QuotaErrorRow {
    status: u16,
    message: String,
    #[serde(rename = "type")]
    kind: String,
    code: String,
    source: String,
    confidence: Confidence,
    reviewed: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct WrongHostRow {
    host: String,
    why: String,
    source: String,
    reviewed: String,
}

/// The SDKs' default base URL.
#[derive(Debug, Clone)]
pub struct BaseUrl {
    /// `https://api.openai.com/v1`
    pub url: String,
    /// `api.openai.com`
    pub host: String,
    /// `/v1`
    pub path: String,
    /// `OPENAI_BASE_URL`, the variable both SDKs read it from.
    pub env: String,
    pub source: String,
    pub reviewed: Date,
}

/// The API's answer to a path it does not serve.
#[derive(Debug, Clone)]
pub struct RouteError {
    pub status: u16,
    /// With `{method}` and `{path}` placeholders.
    pub message: String,
    pub kind: String,
    pub source: String,
    pub confidence: Confidence,
    pub reviewed: Date,
    pub note: Option<String>,
}

impl RouteError {
    /// The message for a request: `Invalid URL (POST /chat/completions)`.
    pub fn message_for(&self, method: &str, path: &str) -> String {
        self.message
            .replace("{method}", method)
            .replace("{path}", path)
    }
}

/// The SDKs' automatic retries.
#[derive(Debug, Clone)]
pub struct Retries {
    pub python_default: u32,
    pub node_default: u32,
    pub retried_statuses: Vec<u16>,
    pub retries_server_errors: bool,
    pub retries_connection_errors: bool,
    pub backoff: String,
    /// The READMEs' own sentence about retries, verbatim.
    pub readme: String,
    pub source: String,
    pub reviewed: Date,
    pub note: Option<String>,
}

impl Retries {
    /// What the SDK retries, for messages: `429, 408, 409, 5xx or connection error`.
    pub fn retried_summary(&self) -> String {
        let mut statuses: Vec<String> = self.retried_statuses.iter().map(u16::to_string).collect();
        // The rate limit first: it is the retry people rely on.
        statuses.sort_by_key(|s| s != "429");
        if self.retries_server_errors {
            statuses.push("5xx".to_string());
        }
        let mut out = statuses.join(", ");
        if self.retries_connection_errors {
            out.push_str(" or connection error");
        }
        out
    }
}

/// The 429 of an account without credit.
#[derive(Debug, Clone)]
pub struct QuotaError {
    pub status: u16,
    /// Verbatim.
    pub message: String,
    pub kind: String,
    pub code: String,
    pub source: String,
    pub confidence: Confidence,
    pub reviewed: Date,
    pub note: Option<String>,
}

impl QuotaError {
    /// The message's first sentence, for findings.
    pub fn first_sentence(&self) -> &str {
        match self.message.find(". ") {
            Some(i) => &self.message[..=i],
            None => &self.message,
        }
    }
}

/// A host that is not the API host.
#[derive(Debug, Clone)]
pub struct WrongHost {
    pub host: String,
    /// Why it is wrong, for messages.
    pub why: String,
    pub source: String,
    pub reviewed: Date,
}

/// The whole table.
#[derive(Debug, Clone)]
pub struct SdkClient {
    pub base_url: BaseUrl,
    pub unknown_route: RouteError,
    pub retries: Retries,
    pub quota_error: QuotaError,
    pub wrong_hosts: Vec<WrongHost>,
}

impl SdkClient {
    /// The table compiled into the binary (see [`super::builtin::table`]).
    pub fn builtin() -> SdkClient {
        super::builtin::table("sdk-client.toml", Self::parse)
    }

    pub fn parse(text: &str) -> Result<SdkClient, String> {
        let file: ClientFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let b = file.base_url;
        for (field, v) in [
            ("url", &b.url),
            ("host", &b.host),
            ("path", &b.path),
            ("env", &b.env),
            ("source", &b.source),
        ] {
            require(&format!("base-url {field}"), v)?;
        }
        if b.url != format!("https://{}{}", b.host, b.path) {
            return Err("base-url: `url` must be https:// + `host` + `path`".into());
        }
        let r = file.unknown_route;
        require("unknown-route message", &r.message)?;
        require("unknown-route source", &r.source)?;
        let t = file.retries;
        require("retries source", &t.source)?;
        require("retries readme", &t.readme)?;
        let q = file.quota_error;
        require("quota-error message", &q.message)?;
        require("quota-error source", &q.source)?;
        if q.status != 429 {
            return Err("quota-error: the status is 429".into());
        }
        let mut wrong_hosts: Vec<WrongHost> = Vec::new();
        for w in file.wrong_host {
            let what = format!("wrong-host {}", w.host);
            require(&format!("{what} why"), &w.why)?;
            require(&format!("{what} source"), &w.source)?;
            if w.host != w.host.to_ascii_lowercase() || w.host.contains(['/', ':', ' ']) {
                return Err(format!("{what}: write a bare lower-case host"));
            }
            if w.host == b.host || wrong_hosts.iter().any(|h| h.host == w.host) {
                return Err(format!("{what}: listed twice or the API host itself"));
            }
            wrong_hosts.push(WrongHost {
                reviewed: parse_date(&format!("{what} reviewed"), &w.reviewed)?,
                host: w.host,
                why: w.why,
                source: w.source,
            });
        }
        Ok(SdkClient {
            base_url: BaseUrl {
                reviewed: parse_date("base-url reviewed", &b.reviewed)?,
                url: b.url,
                host: b.host,
                path: b.path,
                env: b.env,
                source: b.source,
            },
            unknown_route: RouteError {
                reviewed: parse_date("unknown-route reviewed", &r.reviewed)?,
                status: r.status,
                message: r.message,
                kind: r.kind,
                source: r.source,
                confidence: r.confidence,
                note: r.note,
            },
            retries: Retries {
                reviewed: parse_date("retries reviewed", &t.reviewed)?,
                python_default: t.python_default,
                node_default: t.node_default,
                retried_statuses: t.retried_statuses,
                retries_server_errors: t.retries_server_errors,
                retries_connection_errors: t.retries_connection_errors,
                backoff: t.backoff,
                readme: t.readme,
                source: t.source,
                note: t.note,
            },
            quota_error: QuotaError {
                reviewed: parse_date("quota-error reviewed", &q.reviewed)?,
                status: q.status,
                message: q.message,
                kind: q.kind,
                code: q.code,
                source: q.source,
                confidence: q.confidence,
                note: q.note,
            },
            wrong_hosts,
        })
    }

    /// True for the API host (any case, any port).
    pub fn is_api_host(&self, host: &str) -> bool {
        host.eq_ignore_ascii_case(&self.base_url.host)
    }

    pub fn wrong_host(&self, host: &str) -> Option<&WrongHost> {
        let host = host.to_ascii_lowercase();
        self.wrong_hosts.iter().find(|w| w.host == host)
    }
}

/// A URL split into the parts the transport rules judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlParts<'a> {
    /// `http`, `https`, `ws`… as written.
    pub scheme: &'a str,
    /// Without user info and port.
    pub host: &'a str,
    /// From the first `/` after the host to `?` or `#`; may be empty.
    pub path: &'a str,
}

/// Split an absolute `scheme://host/path` URL; `None` for anything else.
pub fn split_url(url: &str) -> Option<UrlParts<'_>> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme.is_empty() || !scheme.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host_port.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host_port,
    };
    let after = &rest[authority_end..];
    let path = after.split(['?', '#']).next().unwrap_or("");
    Some(UrlParts {
        scheme,
        host: host.trim_end_matches('.'),
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads_and_rows_are_sourced() {
        let t = SdkClient::builtin();
        let review: Date = "2026-11-25".parse().unwrap();
        assert_eq!(t.base_url.url, "https://api.openai.com/v1");
        assert_eq!(t.base_url.reviewed, review);
        assert_eq!((t.retries.python_default, t.retries.node_default), (2, 2));
        assert_eq!(t.retries.reviewed, review);
        assert!(t.wrong_hosts.len() >= 2);
        assert_eq!(
            t.quota_error.first_sentence(),
            "You exceeded your current quota, please check your plan and billing details."
        );
        for w in &t.wrong_hosts {
            assert!(
                !w.source.trim().is_empty() && w.reviewed == review,
                "{}",
                w.host
            );
        }
        assert!(t.wrong_host("API.OPENAI.ORG").is_some());
        assert!(t.wrong_host("api.openai.com").is_none());
        assert_eq!(
            t.unknown_route.message_for("POST", "/chat/completions"),
            "Invalid URL (POST /chat/completions)"
        );
        assert_eq!(
            t.retries.retried_summary(),
            "429, 408, 409, 5xx or connection error"
        );
    }

    #[test]
    fn bad_tables_are_rejected() {
        let text = SdkClient::builtin_text();
        assert!(SdkClient::parse(text).is_ok());
        assert!(SdkClient::parse(&text.replace("path = \"/v1\"", "path = \"/v2\"")).is_err());
        assert!(
            SdkClient::parse(&text.replace("host = \"api.openai.org\"", "host = \"API.x\""))
                .is_err()
        );
        assert!(
            SdkClient::parse(&text.replacen("reviewed = \"2026-11-25\"", "reviewed = \"soon\"", 1))
                .is_err()
        );
    }

    #[test]
    fn urls() {
        let u = split_url("https://user:pw@API.openai.com:443/v1/chat?x=1#f").unwrap();
        assert_eq!(
            (u.scheme, u.host, u.path),
            ("https", "API.openai.com", "/v1/chat")
        );
        let u = split_url("http://localhost:11434").unwrap();
        assert_eq!((u.host, u.path), ("localhost", ""));
        assert!(split_url("api.openai.com/v1").is_none());
        assert!(split_url("${BASE}://x").is_none());
    }

    impl SdkClient {
        fn builtin_text() -> &'static str {
            super::super::builtin::data_file("sdk-client.toml")
        }
    }
}
