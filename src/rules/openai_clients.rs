//! Recognising OpenAI clients and OpenAI calls in code facts, for the rules about
//! how a client reaches the API (retries, base URL, transport).

use crate::rules::models::Models;
use crate::rules::sdk_client::{SdkClient, split_url};
use crate::syntax::{Call, Facts};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use std::sync::LazyLock;

/// The words that tell a segment may configure how a client reaches the API,
/// found in one pass so the engines of base-url, retries-disabled, unbounded-retry
/// and insecure-transport skip the many files that mention OpenAI and nothing else.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientSignals {
    /// `max_retries`, `maxRetries`.
    pub retries_setting: bool,
    /// The options a base URL is passed in, as whole words (`base_url`, `baseURL`,
    /// `openai_api_base`; `logfire_base_url` sets another service's base), or the
    /// variable the SDK reads it from, `OPENAI_BASE_URL`.
    pub base_url_setting: bool,
    /// `tenacity`, `backoff`, `retrying`.
    pub retry_library: bool,
    /// `openai.com` in either case, or `azure.com`: a URL that can be OpenAI's.
    pub openai_host: bool,
    /// `verify`, `ssl`, `rejectUnauthorized`, `NODE_TLS_REJECT_UNAUTHORIZED`.
    pub tls_setting: bool,
}

/// Which [`ClientSignals`] flag a word sets.
#[derive(Debug, Clone, Copy)]
enum Signal {
    Retries,
    BaseUrl,
    BaseUrlVariable,
    RetryLibrary,
    OpenAiHost,
    Tls,
}

const SIGNAL_WORDS: &[(&str, Signal)] = &[
    ("max_retries", Signal::Retries),
    ("maxRetries", Signal::Retries),
    ("base_url", Signal::BaseUrl),
    ("baseURL", Signal::BaseUrl),
    ("OPENAI_BASE_URL", Signal::BaseUrlVariable),
    ("openai_api_base", Signal::BaseUrl),
    ("tenacity", Signal::RetryLibrary),
    ("backoff", Signal::RetryLibrary),
    ("retrying", Signal::RetryLibrary),
    ("openai.com", Signal::OpenAiHost),
    ("OPENAI.COM", Signal::OpenAiHost),
    ("azure.com", Signal::OpenAiHost),
    ("verify", Signal::Tls),
    ("ssl", Signal::Tls),
    ("rejectUnauthorized", Signal::Tls),
    ("NODE_TLS_REJECT_UNAUTHORIZED", Signal::Tls),
];

impl ClientSignals {
    pub fn of(text: &str) -> ClientSignals {
        // Leftmost-first keeps the SIMD (Teddy) searcher.
        static WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(SIGNAL_WORDS.iter().map(|(w, _)| w))
                .expect("plain literals")
        });
        const ALL: ClientSignals = ClientSignals {
            retries_setting: true,
            base_url_setting: true,
            retry_library: true,
            openai_host: true,
            tls_setting: true,
        };
        let mut signals = ClientSignals::default();
        let bytes = text.as_bytes();
        let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
        let glued = |start: usize, end: usize| {
            bytes[..start].last().is_some_and(word) || bytes.get(end).is_some_and(word)
        };
        for m in WORDS.find_iter(text) {
            let signal = SIGNAL_WORDS[m.pattern().as_usize()].1;
            if matches!(signal, Signal::BaseUrl) && glued(m.start(), m.end()) {
                continue;
            }
            let flag = match signal {
                Signal::Retries => &mut signals.retries_setting,
                Signal::BaseUrl | Signal::BaseUrlVariable => &mut signals.base_url_setting,
                Signal::RetryLibrary => &mut signals.retry_library,
                Signal::OpenAiHost => &mut signals.openai_host,
                Signal::Tls => &mut signals.tls_setting,
            };
            *flag = true;
            if signals == ALL {
                break;
            }
        }
        signals
    }

    pub fn any(&self) -> bool {
        *self != ClientSignals::default()
    }
}

/// Which SDK client class a constructor builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientClass {
    /// `OpenAI`, `AsyncOpenAI`: talks to the base URL.
    OpenAi,
    /// `AzureOpenAI`, `AsyncAzureOpenAI`: talks to an Azure resource.
    Azure,
}

/// The client class a callee constructs: `OpenAI(…)`, `openai.AsyncOpenAI(…)`,
/// `new OpenAI({…})`, `new AzureOpenAI({…})`.
pub fn client_class(callee: &str) -> Option<ClientClass> {
    let callee = callee.strip_prefix("new ").unwrap_or(callee);
    match callee.rsplit('.').next().unwrap_or(callee) {
        "OpenAI" | "AsyncOpenAI" => Some(ClientClass::OpenAi),
        "AzureOpenAI" | "AsyncAzureOpenAI" => Some(ClientClass::Azure),
        _ => None,
    }
}

/// What a method receiver (`client` in `client.with_options(…)`) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receiver {
    Client(ClientClass),
    /// Built by some other call: another SDK's client, a factory.
    Other,
    /// A parameter or attribute whose origin the file does not show.
    Unknown,
}

/// The receiver of a method call: the client constructed and assigned to it
/// before the call, or the `openai` module client.
pub fn receiver_of(facts: &Facts, call: &Call) -> Receiver {
    let Some((receiver, _)) = call.callee.rsplit_once('.') else {
        return Receiver::Unknown;
    };
    if receiver == "openai" {
        return Receiver::Client(ClientClass::OpenAi);
    }
    if let Some(class) = client_class(receiver.trim_end_matches("()")) {
        return Receiver::Client(class); // `OpenAI().with_options(…)`
    }
    match facts.call_assigned_to(receiver, call.range.start) {
        Some(built) => client_class(&built.callee).map_or(Receiver::Other, Receiver::Client),
        None => Receiver::Unknown,
    }
}

/// Another Stainless-generated SDK with the same option names (`with_options`,
/// `max_retries`) whose client a file may hold next to an OpenAI one.
pub fn mentions_sibling_sdk(text: &str) -> bool {
    [
        "anthropic",
        "Anthropic",
        "groq",
        "Groq",
        "cerebras",
        "Cerebras",
    ]
    .iter()
    .any(|w| text.contains(w))
}

/// A call that reaches the OpenAI API: an SDK method (`client.chat.completions
/// .create`, v0 `openai.ChatCompletion.create`) or a raw request to the API host.
pub fn is_openai_call(facts: &Facts, models: &Models, client: &SdkClient, call: &Call) -> bool {
    if models.endpoint_for_call(&call.callee).is_some() {
        return true;
    }
    call.positional
        .first()
        .or_else(|| call.keyword("url"))
        .and_then(|v| facts.url_text(v))
        .is_some_and(|url| split_url(&url).is_some_and(|u| client.is_api_host(u.host)))
}

/// Whether the code talks to OpenAI: it builds an SDK client, calls an SDK method,
/// or writes a URL on the API host.
pub fn talks_to_openai(facts: &Facts, models: &Models, client: &SdkClient) -> bool {
    facts
        .calls
        .iter()
        .any(|c| client_class(&c.callee).is_some() || is_openai_call(facts, models, client, c))
        || facts.strings.iter().any(|s| {
            facts
                .url_text(s)
                .is_some_and(|t| names_api_host(&t, client))
        })
}

/// The text holds a URL on the API host.
pub fn names_api_host(text: &str, client: &SdkClient) -> bool {
    text.match_indices("://").any(|(at, _)| {
        let start = text[..at]
            .bytes()
            .rposition(|b| !b.is_ascii_alphabetic())
            .map_or(0, |i| i + 1);
        split_url(&text[start..]).is_some_and(|u| client.is_api_host(u.host))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Lang, facts};

    #[test]
    fn classes_and_receivers() {
        assert_eq!(client_class("new OpenAI"), Some(ClientClass::OpenAi));
        assert_eq!(
            client_class("openai.AsyncOpenAI"),
            Some(ClientClass::OpenAi)
        );
        assert_eq!(client_class("AzureOpenAI"), Some(ClientClass::Azure));
        assert_eq!(client_class("ChatOpenAI"), None);
        let f = facts(
            Lang::Python,
            "a = OpenAI()\nb = Anthropic()\na.with_options(x=1)\nb.with_options(x=1)\nc.with_options(x=1)\nopenai.with_options(x=1)\n",
        )
        .unwrap();
        let receivers: Vec<Receiver> = f
            .calls
            .iter()
            .filter(|c| c.method() == "with_options")
            .map(|c| receiver_of(&f, c))
            .collect();
        assert_eq!(
            receivers,
            [
                Receiver::Client(ClientClass::OpenAi),
                Receiver::Other,
                Receiver::Unknown,
                Receiver::Client(ClientClass::OpenAi),
            ]
        );
    }

    #[test]
    fn signals() {
        let s = ClientSignals::of("client = OpenAI(max_retries=0)\n# see https://api.openai.com\n");
        assert!(s.retries_setting && s.openai_host);
        assert!(!s.base_url_setting && !s.retry_library && !s.tls_setting);
        assert!(!ClientSignals::of("import openai\nopenai.chat.completions.create()").any());
        assert!(ClientSignals::of("NODE_TLS_REJECT_UNAUTHORIZED=0").tls_setting);
        assert!(ClientSignals::of("OPENAI_BASE_URL=x").base_url_setting);
        assert!(ClientSignals::of("OpenAI({ apiKey, baseURL })").base_url_setting);
        assert!(ClientSignals::of("self.base_url = url").base_url_setting);
        assert!(
            !ClientSignals::of("logfire_base_url = os.getenv(\"LOGFIRE_BASE_URL\")")
                .base_url_setting
        );
    }

    #[test]
    fn api_host_in_text() {
        let client = SdkClient::builtin();
        assert!(names_api_host("POST https://api.openai.com/v1/x", &client));
        assert!(names_api_host("url=http://API.OPENAI.COM", &client));
        assert!(!names_api_host(
            "https://api.openai.com.evil.example/v1",
            &client
        ));
        assert!(!names_api_host("https://oai.helicone.ai/v1", &client));
    }
}
