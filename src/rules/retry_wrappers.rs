//! Retry wrappers in code: `unbounded-retry` (a tenacity, backoff or retrying
//! decorator around OpenAI calls with no stop), and the regions whose calls some
//! explicit code retries, which `retries-disabled` stays silent on.

use crate::analyze::lines::argument_list_end;
use crate::rules::auth::AuthFacts;
use crate::rules::keys::RawFinding;
use crate::rules::models::Models;
use crate::rules::openai_clients::is_openai_call;
use crate::rules::sdk_client::SdkClient;
use crate::syntax::{Call, Facts, Value};
use std::ops::Range;

pub const UNBOUNDED_RETRY: &str = "unbounded-retry";

// A Python file is parsed for this rule only when it names one of the retry
// libraries the rule knows (`ClientSignals::retry_library`).

/// A name that says it retries: `retry`, `pRetry`, `retry_with_backoff`, `backOff`.
fn says_retry(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.contains("retry") || lower.contains("retrying") || lower.contains("backoff")
}

/// The decorator's callee or name, and its call when it is one.
fn decorator_parts<'f>(
    facts: &'f Facts,
    decorator: &'f Value,
) -> Option<(&'f str, Option<&'f Call>)> {
    match decorator {
        Value::Name { path, .. } => Some((path.as_str(), None)),
        Value::Other { range } => facts.call_at(range).map(|c| (c.callee.as_str(), Some(c))),
        _ => None,
    }
}

/// Byte ranges of code whose calls explicit code retries: functions with a
/// decorator named for retrying (`@retry(…)`, `@backoff.on_exception(…)`, a
/// home-made `@retry_with_exponential_backoff`), counted loops around a `try`,
/// `for attempt in Retrying(…)` loops, and calls to retry helpers (`pRetry(…)`,
/// `backOff(…)`, `retry(…)`) with the functions they are handed by name.
pub fn retried_regions(facts: &Facts) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for function in &facts.functions {
        if function
            .decorators
            .iter()
            .filter_map(|d| decorator_parts(facts, d))
            .any(|(name, _)| says_retry(name))
        {
            out.push(function.range.clone());
        }
    }
    for l in &facts.loops {
        let around_try = l.counted
            && facts
                .tries
                .iter()
                .any(|t| l.range.start <= t.start && t.end <= l.range.end);
        let over_retrying = l
            .iterates
            .as_ref()
            .and_then(|v| facts.call_of(v))
            .is_some_and(|c| says_retry(&c.callee));
        if around_try || over_retrying {
            out.push(l.range.clone());
        }
    }
    for call in &facts.calls {
        if !says_retry(&call.callee) {
            continue;
        }
        out.push(call.range.clone());
        for arg in &call.positional {
            if let Value::Name { path, .. } = arg {
                out.extend(
                    facts
                        .functions
                        .iter()
                        .filter(|f| f.name == *path)
                        .map(|f| f.range.clone()),
                );
            }
        }
    }
    out
}

/// The retry libraries the rule knows the defaults of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Library {
    /// `tenacity.retry`: stops only with `stop=`.
    Tenacity,
    /// `backoff.on_exception` / `on_predicate`: stop with `max_tries` or `max_time`.
    Backoff,
    /// `retrying.retry`: stops with `stop_max_attempt_number`, `stop_max_delay`…
    Retrying,
}

fn library(qualified: &str) -> Option<Library> {
    match qualified {
        "tenacity.retry" | "tenacity.Retrying" | "tenacity.AsyncRetrying" => {
            Some(Library::Tenacity)
        }
        "backoff.on_exception" | "backoff.on_predicate" => Some(Library::Backoff),
        "retrying.retry" => Some(Library::Retrying),
        _ => None,
    }
}

/// A keyword given a value other than `None` (or tenacity's `stop_never`).
fn bounded_by(call: &Call, text: &str, names: &[&str]) -> bool {
    names.iter().any(|name| {
        call.keyword(name).is_some_and(|v| {
            let written = text.get(v.range()).unwrap_or("");
            written != "None" && !written.ends_with("stop_never")
        })
    })
}

/// Whether the wrapper has no stop. `None` when it cannot be told (arguments
/// spread from a dict, a call shape the library does not take).
fn unbounded(lib: Library, call: Option<&Call>, text: &str) -> Option<bool> {
    match (lib, call) {
        (Library::Tenacity | Library::Retrying, None) => Some(true), // bare `@retry`
        (Library::Backoff, None) => None,
        (Library::Tenacity, Some(c)) => {
            (c.positional.is_empty()).then(|| !bounded_by(c, text, &["stop"]))
        }
        (Library::Retrying, Some(c)) => (c.positional.is_empty()).then(|| {
            !bounded_by(
                c,
                text,
                &[
                    "stop",
                    "stop_max_attempt_number",
                    "stop_max_delay",
                    "stop_func",
                ],
            )
        }),
        (Library::Backoff, Some(c)) => {
            // `giveup=` decides which errors end the retrying: the author has
            // thought about permanent errors.
            (c.positional.len() <= 2 && c.keyword("giveup").is_none())
                .then(|| !bounded_by(c, text, &["max_tries", "max_time"]))
        }
    }
}

/// Which permanent errors a wrapper retries, judged from how it names what it
/// retries (`retry=retry_if_exception_type(RateLimitError)`, backoff's exception
/// argument); `None` (tenacity's and retrying's default) is every exception.
fn permanent_errors(retried: Option<&str>) -> (bool, bool) {
    let Some(what) = retried else {
        return (true, true);
    };
    let broad = ["Exception", "APIError", "APIStatusError", "OpenAIError"]
        .iter()
        .any(|w| what.contains(w));
    (
        broad || what.contains("RateLimitError"),
        broad || what.contains("AuthenticationError"),
    )
}

struct Wrapper<'f> {
    lib: Library,
    /// What the message calls it: `@retry`, `@backoff.on_exception`, `Retrying(…)`.
    shown: String,
    /// Where to report: the decorator or the `Retrying(…)` call.
    at: Range<usize>,
    call: Option<&'f Call>,
    /// The code it retries.
    body: Range<usize>,
    /// The function's name, for messages.
    function: Option<&'f str>,
}

/// Whether the text shows a retry decorator or a `Retrying(…)` loop at all: the
/// libraries' names appear in many large files (litellm imports tenacity
/// everywhere) that wrap nothing, and those are the costliest files to parse.
pub fn worth_parsing(text: &str) -> bool {
    static WRAPPER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"@[ \t]*(?:[A-Za-z_][A-Za-z0-9_]*\.)?(?:retry|on_exception|on_predicate)(?-u:\b)|Retrying[ \t]*\(",
        )
        .expect("valid regex")
    });
    WRAPPER
        .find_iter(text)
        .any(|m| !stops_in_its_arguments(text, m.end()))
}

/// Whether the wrapper written up to `end` is given a stop in its own arguments
/// (`stop=…`, `max_tries=…`, `max_time=…`, `stop_max_attempt_number=…`) or a
/// `giveup=`, so the parse could not find it unbounded. A bare decorator, spread
/// arguments or a stop of `None` or `stop_never` may be unbounded. LiteLLM's
/// `main.py` builds only `tenacity.Retrying(stop=stop_after_attempt(n))`.
fn stops_in_its_arguments(text: &str, end: usize) -> bool {
    let bytes = text.as_bytes();
    let open = if bytes[end - 1] == b'(' {
        end - 1
    } else {
        match bytes[end..].iter().position(|b| !matches!(b, b' ' | b'\t')) {
            Some(i) if bytes[end + i] == b'(' => end + i,
            _ => return false, // a bare `@retry`
        }
    };
    let args = &text[open + 1..argument_list_end(bytes, open)];
    if args.contains("**") {
        return false;
    }
    args.split(',').any(|arg| {
        let Some((name, value)) = arg.split_once('=') else {
            return false;
        };
        let value = value.trim();
        let stops = matches!(name.trim(), "max_tries" | "max_time" | "giveup")
            || name.trim().starts_with("stop");
        stops && value != "None" && !value.ends_with("stop_never")
    })
}

/// unbounded-retry on one parsed Python file.
pub fn check(
    facts: &Facts,
    text: &str,
    models: &Models,
    client: &SdkClient,
    auth: &AuthFacts,
    out: &mut Vec<RawFinding>,
) {
    let mut wrappers: Vec<Wrapper> = Vec::new();
    for function in &facts.functions {
        for decorator in &function.decorators {
            let Some((name, call)) = decorator_parts(facts, decorator) else {
                continue;
            };
            let Some(lib) = facts.qualified(name).as_deref().and_then(library) else {
                continue;
            };
            wrappers.push(Wrapper {
                lib,
                shown: format!("@{name}"),
                at: decorator.range(),
                call,
                body: function.range.clone(),
                function: Some(function.name.as_str()),
            });
        }
    }
    for l in &facts.loops {
        let Some(call) = l.iterates.as_ref().and_then(|v| facts.call_of(v)) else {
            continue;
        };
        if let Some(lib) = facts.qualified(&call.callee).as_deref().and_then(library) {
            wrappers.push(Wrapper {
                lib,
                shown: format!("{}(…)", call.callee),
                at: call.range.clone(),
                call: Some(call),
                body: l.range.clone(),
                function: None,
            });
        }
    }
    for w in wrappers {
        if unbounded(w.lib, w.call, text) != Some(true) {
            continue;
        }
        let around_openai = facts.calls.iter().any(|c| {
            w.body.start <= c.range.start
                && c.range.end <= w.body.end
                && !(w.at.start <= c.range.start && c.range.end <= w.at.end)
                && is_openai_call(facts, models, client, c)
        });
        if !around_openai {
            continue;
        }
        let retried = match (w.lib, w.call) {
            (Library::Backoff, Some(c)) => c
                .positional
                .get(1)
                .or_else(|| c.keyword("exception"))
                .or_else(|| c.keyword("predicate")),
            (_, Some(c)) => c.keyword("retry"),
            _ => None,
        }
        .and_then(|v| text.get(v.range()));
        out.push(RawFinding {
            rule: UNBOUNDED_RETRY,
            range: w.at.clone(),
            message: message(&w, permanent_errors(retried), client, auth),
            secret: None,
            basis: format!("{} {}", w.shown, w.function.unwrap_or("")),
            level: None,
            replacement: None,
        });
    }
}

fn message(
    w: &Wrapper,
    (quota, auth_error): (bool, bool),
    client: &SdkClient,
    auth: &AuthFacts,
) -> String {
    let (missing, default, fix) = match w.lib {
        Library::Tenacity => (
            "no `stop=`",
            "tenacity's default is to retry forever",
            "add a stop: `@retry(stop=stop_after_attempt(6), wait=wait_random_exponential(min=1, max=60))`",
        ),
        Library::Backoff => (
            "neither `max_tries` nor `max_time`",
            "backoff then retries forever",
            "add `max_tries=6` (or `max_time=60`)",
        ),
        Library::Retrying => (
            "no `stop_max_attempt_number` or `stop_max_delay`",
            "retrying's default is to retry forever",
            "add `stop_max_attempt_number=6`",
        ),
    };
    let quota_error = &client.quota_error;
    let mut errors = Vec::new();
    if quota {
        errors.push(format!(
            "a {} `{}` (\"{}\", raised as `RateLimitError` like a rate limit)",
            quota_error.status,
            quota_error.code,
            quota_error.first_sentence()
        ));
    }
    if auth_error {
        let body = auth
            .error("invalid-key")
            .map(|e| {
                let text = e.message.split(':').next().unwrap_or(&e.message);
                format!(" (\"{text}…\")")
            })
            .unwrap_or_default();
        errors.push(format!("a 401 for a wrong key{body}"));
    }
    let what = if errors.is_empty() {
        "an error that does not clear, or a long outage,".to_string()
    } else {
        format!(
            "an error that waiting does not fix — {} —",
            errors.join(" or ")
        )
    };
    let subject = match w.function {
        Some(f) => format!("`{}` on `{f}()`", w.shown),
        None => format!("`{}`", w.shown),
    };
    format!(
        "{subject} has {missing} and {default}: {what} makes the OpenAI call repeat without end instead of failing, and the caller hangs; {fix}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{Lang, facts};

    fn run(code: &str) -> Vec<RawFinding> {
        let f = facts(Lang::Python, code).unwrap();
        let mut out = Vec::new();
        check(
            &f,
            code,
            &Models::builtin(),
            &SdkClient::builtin(),
            &AuthFacts::builtin(),
            &mut out,
        );
        out
    }

    #[test]
    fn tenacity_backoff_and_retrying() {
        let fires = [
            "from tenacity import retry\n@retry\ndef f():\n    return client.chat.completions.create(model='x', messages=[])\n",
            "import tenacity\n@tenacity.retry(wait=tenacity.wait_exponential())\nasync def f():\n    return await client.responses.create(model='x', input='y')\n",
            "from tenacity import retry, stop_never\n@retry(stop=stop_never)\ndef f():\n    client.embeddings.create(model='x', input='y')\n",
            "import backoff, openai\n@backoff.on_exception(backoff.expo, openai.RateLimitError)\ndef f():\n    openai.ChatCompletion.create(model='x', messages=[])\n",
            "from retrying import retry\n@retry(wait_exponential_multiplier=1000)\ndef f():\n    client.chat.completions.create(model='x', messages=[])\n",
            "from tenacity import Retrying\nfor attempt in Retrying():\n    with attempt:\n        client.chat.completions.create(model='x', messages=[])\n",
        ];
        for code in fires {
            assert_eq!(run(code).len(), 1, "{code}");
        }
        let silent = [
            "from tenacity import retry, stop_after_attempt\n@retry(stop=stop_after_attempt(3))\ndef f():\n    client.chat.completions.create(model='x', messages=[])\n",
            "import backoff\n@backoff.on_exception(backoff.expo, Exception, max_tries=5)\ndef f():\n    client.chat.completions.create(model='x', messages=[])\n",
            "import backoff\n@backoff.on_exception(backoff.expo, Exception, giveup=permanent)\ndef f():\n    client.chat.completions.create(model='x', messages=[])\n",
            "from tenacity import retry\n@retry\ndef f():\n    return requests.get('https://example.com')\n",
            "from tenacity import retry\n@retry(**RETRY)\ndef f():\n    client.chat.completions.create(model='x', messages=[])\n",
            "from mylib import retry\n@retry\ndef f():\n    client.chat.completions.create(model='x', messages=[])\n",
        ];
        for code in silent {
            assert!(run(code).is_empty(), "{code}");
        }
        // The gate sends every unbounded wrapper to the parse, and spares files
        // whose wrappers all stop.
        for code in fires {
            assert!(worth_parsing(code), "{code}");
        }
        for bounded in silent[..3].iter().chain(&[
            "retryer = tenacity.Retrying(stop=tenacity.stop_after_attempt(n), reraise=True)\n",
        ]) {
            assert!(!worth_parsing(bounded), "{bounded}");
        }
        assert!(worth_parsing("r = tenacity.Retrying(stop=None)\n"));
        assert!(worth_parsing("@retry(**RETRY)\ndef f(): pass\n"));
    }

    #[test]
    fn messages_name_the_errors_retried() {
        let quota_only = run(
            "import backoff, openai\n@backoff.on_exception(backoff.expo, openai.RateLimitError)\ndef ask():\n    client.chat.completions.create(model='x', messages=[])\n",
        );
        let m = &quota_only[0].message;
        assert!(
            m.contains("insufficient_quota") && !m.contains("401"),
            "{m}"
        );
        assert!(m.contains("`@backoff.on_exception` on `ask()`"), "{m}");
        let all = run(
            "from tenacity import retry\n@retry\ndef ask():\n    client.chat.completions.create(model='x', messages=[])\n",
        );
        assert!(all[0].message.contains("401"), "{}", all[0].message);
    }

    #[test]
    fn regions_retried_by_code() {
        let f = facts(
            Lang::Python,
            "@retry_with_exponential_backoff\ndef a():\n    pass\nfor i in range(3):\n    try:\n        b()\n    except E:\n        pass\nfor x in items:\n    try:\n        c()\n    except E:\n        pass\n",
        )
        .unwrap();
        let regions = retried_regions(&f);
        assert_eq!(regions.len(), 2, "{regions:?}");
        let js = facts(
            Lang::JavaScript,
            "async function run() { await client.chat.completions.create({}); }\nawait pRetry(run, { retries: 5 });\nfor (const x of xs) { try { a() } catch {} }\n",
        )
        .unwrap();
        let regions = retried_regions(&js);
        assert!(regions.iter().any(|r| r.start == 0), "{regions:?}");
        assert_eq!(regions.len(), 2, "{regions:?}");
    }
}
