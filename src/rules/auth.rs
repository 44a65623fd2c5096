//! The HTTP auth table (`rules/data/auth.toml`): which header each provider host takes
//! the key in, and the API's answers when auth fails. Used by missing-bearer.

use super::models::{Confidence, parse_date, require};
use jiff::civil::Date;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AuthFile {
    #[serde(default)]
    provider: Vec<ProviderRow>,
    #[serde(default)]
    error: Vec<ErrorRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ProviderRow {
    id: String,
    name: String,
    hosts: Vec<String>,
    #[serde(default)]
    required_headers: Vec<String>,
    #[serde(default)]
    optional_headers: Vec<String>,
    source: String,
    confidence: Confidence,
    reviewed: String,
    #[serde(default)]
    note: Option<String>,
    /// `false` where an `Authorization` header without `Bearer ` can be legitimate.
    #[serde(default = "yes")]
    check_bearer: bool,
    auth: Vec<AuthScheme>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ErrorRow {
    id: String,
    provider: String,
    status: u16,
    condition: String,
    message: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    code: Option<String>,
    source: String,
    confidence: Confidence,
    reviewed: String,
    #[serde(default)]
    note: Option<String>,
}

/// One way a provider accepts the credential.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct AuthScheme {
    /// Header name, as the provider documents it (compare ignoring ASCII case).
    pub header: String,
    /// The word before the credential (`Bearer`); `None` when the header holds the
    /// bare key.
    #[serde(default)]
    pub scheme: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A provider and the hosts it answers on.
#[derive(Debug, Clone)]
pub struct Provider {
    /// Stable id: `openai`, `azure-openai`, `anthropic`, `openrouter`.
    pub id: String,
    pub name: String,
    /// Exact host names, or `*.suffix` for any subdomain of `suffix`.
    pub hosts: Vec<String>,
    /// The ways it accepts the credential; any one will do.
    pub auth: Vec<AuthScheme>,
    pub required_headers: Vec<String>,
    pub optional_headers: Vec<String>,
    pub source: String,
    pub confidence: Confidence,
    pub reviewed: Date,
    pub note: Option<String>,
    /// Whether missing-bearer judges requests to this provider.
    pub check_bearer: bool,
}

impl Provider {
    /// How this provider reads `header` (ASCII case ignored), if it takes the
    /// credential there.
    pub fn scheme_for(&self, header: &str) -> Option<&AuthScheme> {
        self.auth
            .iter()
            .find(|a| a.header.eq_ignore_ascii_case(header))
    }

    /// The scheme the `Authorization` header must carry (`Bearer`), when the provider
    /// takes the credential in that header with a scheme.
    pub fn authorization_scheme(&self) -> Option<&str> {
        self.scheme_for("Authorization")?.scheme.as_deref()
    }

    /// True when `host` (any case, port allowed) is one of this provider's hosts.
    pub fn serves(&self, host: &str) -> bool {
        let host = normalise_host(host);
        self.hosts.iter().any(|h| match h.strip_prefix("*.") {
            Some(suffix) => host
                .strip_suffix(suffix)
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
            None => host == *h,
        })
    }
}

/// An error body the API returns when auth fails. `code` of `None` is JSON null.
#[derive(Debug, Clone)]
pub struct AuthError {
    /// Stable id: `no-key`, `invalid-key`, `mismatched-organization`, `no-organization`.
    pub id: String,
    /// The provider id it comes from.
    pub provider: String,
    pub status: u16,
    pub condition: String,
    /// Verbatim; `{masked-key}` stands for the masked key the API echoes.
    pub message: String,
    /// The error `type`.
    pub kind: String,
    pub code: Option<String>,
    pub source: String,
    pub confidence: Confidence,
    pub reviewed: Date,
    pub note: Option<String>,
}

/// The whole table.
#[derive(Debug)]
pub struct AuthFacts {
    pub providers: Vec<Provider>,
    pub errors: Vec<AuthError>,
}

impl AuthFacts {
    /// The table compiled into the binary (see [`super::builtin::table`]).
    pub fn builtin() -> AuthFacts {
        super::builtin::table("auth.toml", Self::parse)
    }

    pub fn parse(text: &str) -> Result<AuthFacts, String> {
        let file: AuthFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut providers: Vec<Provider> = Vec::new();
        for r in file.provider {
            let what = format!("provider {}", r.id);
            require(&format!("{what} source"), &r.source)?;
            if providers.iter().any(|p| p.id == r.id) {
                return Err(format!("{what} is listed twice"));
            }
            if r.auth.is_empty() {
                return Err(format!("{what}: needs at least one [[provider.auth]]"));
            }
            for h in &r.hosts {
                let bare = h.strip_prefix("*.").unwrap_or(h);
                if bare.is_empty()
                    || bare.contains('*')
                    || *h != h.to_ascii_lowercase()
                    || bare.contains(['/', ':', ' '])
                {
                    return Err(format!("{what}: bad host `{h}`"));
                }
            }
            if r.hosts.is_empty() {
                return Err(format!("{what}: no hosts"));
            }
            for a in &r.auth {
                require(&format!("{what} auth header"), &a.header)?;
                if let Some(s) = &a.scheme {
                    require(&format!("{what} auth scheme"), s)?;
                }
            }
            providers.push(Provider {
                reviewed: parse_date(&format!("{what} reviewed"), &r.reviewed)?,
                id: r.id,
                name: r.name,
                hosts: r.hosts,
                auth: r.auth,
                required_headers: r.required_headers,
                optional_headers: r.optional_headers,
                source: r.source,
                confidence: r.confidence,
                note: r.note,
                check_bearer: r.check_bearer,
            });
        }
        let mut errors: Vec<AuthError> = Vec::new();
        for r in file.error {
            let what = format!("error {}", r.id);
            for (field, v) in [
                ("message", &r.message),
                ("type", &r.kind),
                ("condition", &r.condition),
                ("source", &r.source),
            ] {
                require(&format!("{what} {field}"), v)?;
            }
            if errors.iter().any(|e| e.id == r.id) {
                return Err(format!("{what} is listed twice"));
            }
            if !providers.iter().any(|p| p.id == r.provider) {
                return Err(format!("{what}: unknown provider {}", r.provider));
            }
            if !(400..=599).contains(&r.status) {
                return Err(format!("{what}: status {} is not 4xx/5xx", r.status));
            }
            errors.push(AuthError {
                reviewed: parse_date(&format!("{what} reviewed"), &r.reviewed)?,
                id: r.id,
                provider: r.provider,
                status: r.status,
                condition: r.condition,
                message: r.message,
                kind: r.kind,
                code: r.code,
                source: r.source,
                confidence: r.confidence,
                note: r.note,
            });
        }
        Ok(AuthFacts { providers, errors })
    }

    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id == id)
    }

    /// The provider serving `host` (`api.openai.com`, `myres.openai.azure.com:443`).
    pub fn provider_for_host(&self, host: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.serves(host))
    }

    /// The provider a URL points at (`https://api.openai.com/v1/chat/completions`).
    pub fn provider_for_url(&self, url: &str) -> Option<&Provider> {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        self.provider_for_host(host)
    }

    pub fn error(&self, id: &str) -> Option<&AuthError> {
        self.errors.iter().find(|e| e.id == id)
    }
}

/// Lowercase, without a `:port` and a trailing dot.
fn normalise_host(host: &str) -> String {
    let host = host.trim();
    let host = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    host.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads_and_rows_are_sourced() {
        let t = AuthFacts::builtin();
        let review: Date = "2026-11-25".parse().unwrap();
        assert!(t.providers.len() >= 4);
        for p in &t.providers {
            assert!(
                !p.source.trim().is_empty() && p.reviewed == review,
                "{}",
                p.id
            );
        }
        assert!(t.errors.len() >= 4);
        for e in &t.errors {
            assert_eq!(e.status, 401, "{}", e.id);
            assert!(
                !e.source.trim().is_empty() && e.reviewed == review,
                "{}",
                e.id
            );
        }
    }

    #[test]
    fn hosts_and_headers() {
        let t = AuthFacts::builtin();
        let openai = t.provider_for_host("api.openai.com").unwrap();
        assert_eq!(openai.id, "openai");
        assert_eq!(openai.authorization_scheme(), Some("Bearer"));
        assert!(t.provider_for_host("API.OpenAI.com:443").is_some());
        assert_eq!(
            t.provider_for_url("https://api.openai.com/v1/chat/completions")
                .unwrap()
                .id,
            "openai"
        );

        let azure = t.provider_for_host("myres.openai.azure.com").unwrap();
        assert_eq!(azure.id, "azure-openai");
        assert!(azure.scheme_for("api-key").unwrap().scheme.is_none());
        assert_eq!(azure.authorization_scheme(), Some("Bearer"));
        assert_eq!(
            t.provider_for_url("https://x.cognitiveservices.azure.com/openai/deployments/d")
                .unwrap()
                .id,
            "azure-openai"
        );
        assert!(
            t.provider_for_host("openai.azure.com").is_none(),
            "needs a subdomain"
        );
        assert!(t.provider_for_host("evilopenai.azure.com").is_none());

        let anthropic = t.provider_for_host("api.anthropic.com").unwrap();
        assert!(anthropic.scheme_for("X-API-Key").is_some());
        assert_eq!(anthropic.authorization_scheme(), None);

        assert_eq!(
            t.provider_for_host("openrouter.ai")
                .unwrap()
                .authorization_scheme(),
            Some("Bearer")
        );
        assert!(t.provider_for_host("api.github.com").is_none());
        assert!(t.provider_for_url("http://localhost:8080/v1").is_none());
    }

    #[test]
    fn error_bodies() {
        let t = AuthFacts::builtin();
        let no_key = t.error("no-key").unwrap();
        assert!(no_key.message.starts_with("You didn't provide an API key."));
        assert!(no_key.code.is_none());
        let bad = t.error("invalid-key").unwrap();
        assert_eq!(bad.code.as_deref(), Some("invalid_api_key"));
        assert!(bad.message.contains("{masked-key}"));
        assert_eq!(
            t.error("mismatched-organization").unwrap().code.as_deref(),
            Some("mismatched_organization")
        );
    }

    #[test]
    fn bad_tables_are_rejected() {
        let ok = "[[provider]]\nid = \"p\"\nname = \"P\"\nhosts = [\"api.p.com\"]\n\
                  source = \"s\"\nconfidence = \"A\"\nreviewed = \"2026-11-25\"\n\
                  [[provider.auth]]\nheader = \"Authorization\"\nscheme = \"Bearer\"\n";
        assert!(AuthFacts::parse(ok).is_ok());
        assert!(AuthFacts::parse(&ok.replace("api.p.com", "https://api.p.com")).is_err());
        assert!(AuthFacts::parse(&ok.replace("api.p.com", "*.")).is_err());
        assert!(AuthFacts::parse(&ok.replace("2026-11-25", "")).is_err());
        let no_auth = ok.split("[[provider.auth]]").next().unwrap();
        assert!(AuthFacts::parse(no_auth).is_err());
    }
}
