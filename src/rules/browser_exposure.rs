//! `key-exposed-to-browser`: an OpenAI key that ends up in JavaScript sent to the
//! browser. Three ways in:
//! - a public-prefixed variable (`NEXT_PUBLIC_`, `VITE_`, `REACT_APP_`, …) named
//!   for or holding an OpenAI key: defined in `.env*` files, shell scripts,
//!   Dockerfiles and YAML (compose, workflows), or read in client code;
//! - `dangerouslyAllowBrowser: true` on an SDK client;
//! - a client component (`"use client"`, or a `.jsx`/`.tsx` file with hooks or
//!   event handlers) that calls `api.openai.com` itself.
//!
//! Server code (Next.js `app/api/**`, `pages/api/**`, `route.*`, `middleware.*`,
//! `*.server.*`, `"use server"`, server and function folders) and tests are left alone.

use crate::analyze::is_test_path;
use crate::analyze::lines::line_start;
use crate::rules::key_formats::KeyFormats;
use crate::rules::key_logging::secret_on_lines;
use crate::rules::keys::{RawFinding, redact};
use crate::source::FileKind;
use crate::syntax::{Facts, Part, Value};
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

pub const KEY_EXPOSED: &str = "key-exposed-to-browser";

/// Prefixes a bundler inlines into client code, with the framework that does it.
/// Longest first: `NEXT_PUBLIC_` before `PUBLIC_`.
const PUBLIC_PREFIXES: &[(&str, &str)] = &[
    ("NEXT_PUBLIC_", "Next.js"),
    ("EXPO_PUBLIC_", "Expo"),
    ("NUXT_PUBLIC_", "Nuxt"),
    ("REACT_APP_", "Create React App"),
    ("GATSBY_", "Gatsby"),
    ("VITE_", "Vite"),
    ("PUBLIC_", "SvelteKit or Astro"),
];

const OPENAI_HOST: &str = "api.openai.com";

/// The public prefix of a variable name and its framework.
pub fn public_prefix(name: &str) -> Option<(&'static str, &'static str)> {
    PUBLIC_PREFIXES
        .iter()
        .find(|(p, _)| name.starts_with(p))
        .copied()
}

/// A name that holds a secret: its last word is `KEY`, `APIKEY`, `TOKEN` or `SECRET`.
fn key_named(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let last = upper.rsplit('_').next().unwrap_or(&upper);
    matches!(last, "KEY" | "APIKEY" | "TOKEN" | "SECRET")
}

/// Named for an OpenAI key: `OPENAI` (or `OPEN_AI`) in the name, and a key word last.
fn openai_key_named(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    (upper.contains("OPENAI") || upper.contains("OPEN_AI")) && key_named(name)
}

/// The first statement is the directive: `"use client"` / `'use client';`.
fn has_directive(text: &str, directive: &str) -> bool {
    let mut in_block = false;
    for line in text.lines().take(50) {
        let t = line.trim().trim_start_matches('\u{feff}');
        if in_block {
            in_block = !t.contains("*/");
            continue;
        }
        if t.is_empty() || t.starts_with("//") || t.starts_with("#!") {
            continue;
        }
        if t.starts_with("/*") {
            in_block = !t.contains("*/");
            continue;
        }
        let t = t.trim_start_matches(['"', '\'']);
        return t.starts_with(directive) && t[directive.len()..].starts_with(['"', '\'']);
    }
    false
}

/// Code that runs on a server: route handlers, API routes, middleware,
/// `*.server.*` modules, server and function folders, config files, `"use server"`.
pub fn is_server_code(path: &str, text: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let name = parts.last().copied().unwrap_or("");
    let stem = name.split('.').next().unwrap_or("");
    let api_route = parts
        .windows(2)
        .any(|w| matches!(w[0], "app" | "pages") && w[1] == "api");
    let server_dir = parts[..parts.len().saturating_sub(1)].iter().any(|d| {
        matches!(
            *d,
            "server" | "servers" | "backend" | "functions" | "netlify" | "supabase" | "scripts"
        )
    });
    api_route
        || server_dir
        || matches!(stem, "route" | "middleware" | "server" | "instrumentation")
        || name.contains(".server.")
        || name.contains(".config.")
        || has_directive(text, "use server")
}

/// A component that runs in the browser: the `"use client"` directive, or a
/// `.jsx`/`.tsx` file with React hooks or event handlers (which only work there).
pub fn is_client_component(text: &str, path: &str) -> bool {
    if has_directive(text, "use client") {
        return true;
    }
    let lower = path.to_ascii_lowercase();
    (lower.ends_with(".jsx") || lower.ends_with(".tsx"))
        && [
            "useState(",
            "useEffect(",
            "onClick=",
            "onSubmit=",
            "onChange=",
        ]
        .iter()
        .any(|s| text.contains(s))
}

static PUBLIC_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?-u:\b)(?:NEXT_PUBLIC|EXPO_PUBLIC|NUXT_PUBLIC|PUBLIC|VITE|REACT_APP|GATSBY)_[A-Za-z0-9_]+",
    )
    .expect("valid regex")
});

/// Whether a JavaScript or TypeScript file can hold a finding, judged on the text:
/// `dangerouslyAllowBrowser: true`, a public OpenAI key variable (or a public key
/// variable in a file that talks to OpenAI), or a client component that names
/// `api.openai.com`.
pub fn worth_parsing(text: &str, path: &str) -> bool {
    static ALLOW_TRUE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"dangerouslyAllowBrowser["']?\s*:\s*true"#).expect("valid regex")
    });
    if is_test_path(path) || is_server_code(path, text) {
        return false;
    }
    if text.contains("dangerouslyAllowBrowser")
        && ALLOW_TRUE.find_iter(text).any(|m| in_code(text, m.start()))
    {
        return true;
    }
    let openai = text.contains("OpenAI") || text.contains(OPENAI_HOST);
    if PUBLIC_NAME
        .find_iter(text)
        .any(|m| openai_key_named(m.as_str()) || (openai && key_named(m.as_str())))
    {
        return true;
    }
    text.contains(OPENAI_HOST) && is_client_component(text, path)
}

/// Whether `at` sits in code rather than in a comment line or a string on its
/// line (SDK error messages quote `dangerouslyAllowBrowser: true`).
fn in_code(text: &str, at: usize) -> bool {
    let start = line_start(text, at);
    let before = &text[start..at];
    let t = before.trim_start();
    if t.starts_with("//") || t.starts_with('*') || t.starts_with("/*") {
        return false;
    }
    ['"', '\'', '`']
        .iter()
        .all(|q| before.matches(*q).count() % 2 == 0)
}

fn finding(range: Range<usize>, basis: &str, message: String) -> RawFinding {
    RawFinding {
        rule: KEY_EXPOSED,
        range,
        message,
        secret: None,
        basis: basis.to_string(),
        level: None,
        replacement: None,
    }
}

fn public_message(name: &str, prefix: &str, framework: &str, how: &str) -> String {
    format!(
        "`{name}` {how}: {framework} copies `{prefix}` variables into the JavaScript it \
         sends to the browser, where every visitor can read the OpenAI key and spend on \
         it. Keep the key in a server-only variable such as `OPENAI_API_KEY` and call \
         OpenAI from server code"
    )
}

/// Variable definitions in `.env*` files, shell scripts, Dockerfiles and YAML.
pub fn check_definitions(
    text: &str,
    kind: FileKind,
    formats: &KeyFormats,
    show_secrets: bool,
    out: &mut Vec<RawFinding>,
) {
    static DEFINITION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?m)^[ \t]*(?:-[ \t]*)?(?:(?:export|ENV|ARG|name:)[ \t]+)?["']?((?:NEXT_PUBLIC|EXPO_PUBLIC|NUXT_PUBLIC|PUBLIC|VITE|REACT_APP|GATSBY)_[A-Za-z0-9_]+)["']?([ \t]*[=:][^\r\n]*|[ \t]+[^\r\n]*)?\r?$"#,
        )
        .expect("valid regex")
    });
    if !matches!(
        kind,
        FileKind::DotEnv
            | FileKind::DotEnvTemplate
            | FileKind::Shell
            | FileKind::Dockerfile
            | FileKind::Yaml
    ) {
        return;
    }
    let openai = formats.formats.iter().find(|f| f.id == "openai");
    for caps in DEFINITION.captures_iter(text) {
        let name = caps.get(1).expect("group 1 always matches");
        let Some((prefix, framework)) = public_prefix(name.as_str()) else {
            continue;
        };
        let value = caps.get(2);
        let key = value.and_then(|v| {
            let m = openai?.regex.find(v.as_str())?;
            Some(v.start() + m.start()..v.start() + m.end())
        });
        let how = match &key {
            Some(_) => "holds an OpenAI key",
            None if openai_key_named(name.as_str()) => "is named for the OpenAI key",
            None => continue,
        };
        let mut f = finding(
            name.range(),
            name.as_str(),
            public_message(name.as_str(), prefix, framework, how),
        );
        f.secret = match key {
            Some(r) => {
                let k = &text[r.clone()];
                let prefix_len = openai.map_or(3, |o| o.family_of(k).prefix.len());
                Some((r, redact(k, prefix_len, show_secrets)))
            }
            None => secret_on_lines(text, &name.range(), formats, show_secrets),
        };
        out.push(f);
    }
}

/// Names of SDK client constructors whose `apiKey` goes to OpenAI.
fn is_openai_client(callee: &str) -> bool {
    let name = callee.strip_prefix("new ").unwrap_or(callee);
    let last = name.rsplit('.').next().unwrap_or(name);
    matches!(
        last,
        "OpenAI" | "AzureOpenAI" | "ChatOpenAI" | "OpenAIEmbeddings" | "createOpenAI"
    )
}

fn mentions_openai_host(value: &Value) -> bool {
    match value {
        Value::Str { text, .. } => text.contains(OPENAI_HOST),
        Value::Template { parts, .. } => parts
            .iter()
            .any(|p| matches!(p, Part::Lit(s) if s.contains(OPENAI_HOST))),
        _ => false,
    }
}

/// JavaScript and TypeScript: public key variables read in client code,
/// `dangerouslyAllowBrowser: true`, and client components calling api.openai.com.
pub fn check_code(
    facts: &Facts,
    text: &str,
    path: &str,
    formats: &KeyFormats,
    show_secrets: bool,
    out: &mut Vec<RawFinding>,
) {
    if is_test_path(path) || is_server_code(path, text) {
        return;
    }
    let mut found: Vec<RawFinding> = Vec::new();
    let mut flagged: Vec<Range<usize>> = Vec::new();
    for read in &facts.env_reads {
        let Some((prefix, framework)) = public_prefix(&read.name) else {
            continue;
        };
        if openai_key_named(&read.name) {
            flagged.push(read.range.clone());
            found.push(finding(
                read.range.clone(),
                &read.name,
                public_message(&read.name, prefix, framework, "is read in client code"),
            ));
        }
    }
    // A public key variable of any name that goes to OpenAI: the client's `apiKey`,
    // or any key variable in a file that calls api.openai.com.
    let talks_to_openai = facts.strings.iter().any(mentions_openai_host);
    let mut passed: Vec<(Range<usize>, String)> = Vec::new();
    for call in facts.calls.iter().filter(|c| is_openai_client(&c.callee)) {
        for key in ["apiKey", "openAIApiKey", "api_key"] {
            // A name is followed to its read: `const { VITE_KEY: k } = import.meta.env`
            // reports the read, once, where it happens.
            if let Some(Value::Env { name, range, .. }) =
                call.keyword(key).map(|v| facts.resolve(v))
            {
                passed.push((range.clone(), name.clone()));
            }
        }
    }
    if talks_to_openai {
        // Where the key can travel to api.openai.com: the arguments of a call that
        // names the host, and `Authorization` headers.
        let carriers: Vec<Range<usize>> = facts
            .calls
            .iter()
            .filter(|c| c.positional.iter().any(mentions_openai_host))
            .map(|c| c.range.clone())
            .chain(
                facts
                    .pairs
                    .iter()
                    .filter(|p| p.key.eq_ignore_ascii_case("authorization"))
                    .map(|p| p.value.range()),
            )
            .collect();
        passed.extend(
            facts
                .env_reads
                .iter()
                .filter(|r| key_named(&r.name))
                .filter(|r| {
                    carriers
                        .iter()
                        .any(|c| c.start <= r.range.start && r.range.end <= c.end)
                })
                .map(|r| (r.range.clone(), r.name.clone())),
        );
    }
    for (range, name) in passed {
        let Some((prefix, framework)) = public_prefix(&name) else {
            continue;
        };
        if flagged.contains(&range) {
            continue;
        }
        flagged.push(range.clone());
        found.push(finding(
            range,
            &name,
            public_message(
                &name,
                prefix,
                framework,
                "carries the OpenAI key in client code",
            ),
        ));
    }
    for pair in facts
        .pairs
        .iter()
        .filter(|p| p.key == "dangerouslyAllowBrowser")
    {
        if !matches!(pair.value, Value::Bool { value: true, .. }) {
            continue;
        }
        let range = pair.key_range.start..pair.value.range().end;
        found.push(finding(
            range.clone(),
            &text[range],
            "`dangerouslyAllowBrowser: true` runs the SDK client in the browser, where \
             every visitor can read its API key from the page or the network panel and \
             spend on it. Call the API from server code, or give the browser only a \
             short-lived credential minted by your server"
                .to_string(),
        ));
    }
    if is_client_component(text, path) {
        for s in facts.strings.iter().filter(|s| mentions_openai_host(s)) {
            let range = s.range();
            found.push(finding(
                range.clone(),
                OPENAI_HOST,
                "A client component calls api.openai.com directly: the request has to \
                 carry the API key, so the key ships to every visitor. Send the request \
                 to a server route (for example `app/api/chat/route.ts`) that adds the key"
                    .to_string(),
            ));
        }
    }
    for mut f in found {
        f.secret = secret_on_lines(text, &f.range, formats, show_secrets);
        out.push(f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_names() {
        assert_eq!(
            public_prefix("NEXT_PUBLIC_OPENAI_API_KEY").map(|p| p.0),
            Some("NEXT_PUBLIC_")
        );
        assert_eq!(
            public_prefix("PUBLIC_OPENAI_KEY").map(|p| p.1),
            Some("SvelteKit or Astro")
        );
        assert_eq!(public_prefix("OPENAI_API_KEY"), None);
        assert!(openai_key_named("VITE_OPENAI_API_KEY"));
        assert!(openai_key_named("REACT_APP_OPEN_AI_KEY"));
        assert!(openai_key_named("VITE_OPENAI_APIKEY"));
        assert!(!openai_key_named("NEXT_PUBLIC_OPENAI_MODEL"));
        assert!(!openai_key_named("VITE_OPENAI_BASE_URL"));
        assert!(!openai_key_named("VITE_API_KEY"));
    }

    #[test]
    fn server_and_client_files() {
        for p in [
            "app/api/chat/route.ts",
            "src/app/api/chat/route.ts",
            "pages/api/chat.ts",
            "web/app/chat/route.js",
            "middleware.ts",
            "lib/openai.server.ts",
            "server/index.ts",
            "netlify/functions/chat.js",
            "next.config.js",
        ] {
            assert!(is_server_code(p, ""), "{p}");
        }
        assert!(is_server_code(
            "app/actions.ts",
            "'use server';\nexport async function x() {}"
        ));
        for p in ["app/chat/page.tsx", "src/api/openai.js", "src/App.jsx"] {
            assert!(!is_server_code(p, ""), "{p}");
        }
        assert!(is_client_component(
            "// comment\n\"use client\";\nimport x",
            "a.ts"
        ));
        assert!(is_client_component("/* a\n b */\n'use client'\n", "a.js"));
        assert!(is_client_component("\u{feff}'use client';\n", "a.js"));
        assert!(!is_client_component("import x\n\"use client\"", "a.ts"));
        assert!(is_client_component(
            "const [a, b] = useState(0);",
            "Chat.tsx"
        ));
        assert!(!is_client_component(
            "const [a, b] = useState(0);",
            "chat.ts"
        ));
        assert!(!is_client_component(
            "export default function Page() {}",
            "page.tsx"
        ));
    }

    #[test]
    fn only_suspicious_files_are_parsed() {
        for (path, bad) in [
            (
                "src/chat.js",
                "const k = import.meta.env.VITE_OPENAI_API_KEY;",
            ),
            (
                "src/ai.ts",
                "new OpenAI({ apiKey, dangerouslyAllowBrowser: true })",
            ),
            (
                "src/ai.ts",
                "new OpenAI({ apiKey: process.env.NEXT_PUBLIC_API_KEY })",
            ),
            (
                "app/Chat.tsx",
                "'use client'\nfetch('https://api.openai.com/v1/chat/completions')",
            ),
        ] {
            assert!(worth_parsing(bad, path), "{bad}");
        }
        for (path, fine) in [
            (
                "src/chat.js",
                "const k = import.meta.env.VITE_OPENAI_MODEL;",
            ),
            (
                "src/ai.ts",
                "if (!options.dangerouslyAllowBrowser) throw e;",
            ),
            (
                "src/client.ts",
                "throw new Error(\"use new OpenAI({ apiKey, dangerouslyAllowBrowser: true })\");",
            ),
            (
                "src/client.ts",
                " * new OpenAI({ dangerouslyAllowBrowser: true })",
            ),
            (
                "app/api/chat/route.ts",
                "const k = process.env.NEXT_PUBLIC_OPENAI_API_KEY;",
            ),
            ("lib/client.ts", "fetch('https://api.openai.com/v1/models')"),
            (
                "tests/browser.test.ts",
                "new OpenAI({ dangerouslyAllowBrowser: true })",
            ),
        ] {
            assert!(!worth_parsing(fine, path), "{fine}");
        }
    }

    #[test]
    fn definitions_in_env_docker_and_yaml() {
        let formats = KeyFormats::builtin();
        let run = |text: &str, kind: FileKind| {
            let mut out = Vec::new();
            check_definitions(text, kind, &formats, false, &mut out);
            out.iter()
                .map(|f| text[f.range.clone()].to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            run(
                "OPENAI_API_KEY=x\nNEXT_PUBLIC_OPENAI_API_KEY=\n# VITE_OPENAI_API_KEY=\nVITE_MODEL=gpt-4o\n",
                FileKind::DotEnvTemplate
            ),
            ["NEXT_PUBLIC_OPENAI_API_KEY"]
        );
        assert_eq!(
            run(
                "ARG NEXT_PUBLIC_OPENAI_API_KEY\nENV VITE_OPENAI_KEY abc\n",
                FileKind::Dockerfile
            ),
            ["NEXT_PUBLIC_OPENAI_API_KEY", "VITE_OPENAI_KEY"]
        );
        assert_eq!(
            run(
                "services:\n  web:\n    environment:\n      - REACT_APP_OPENAI_API_KEY=${OPENAI_API_KEY}\n      NEXT_PUBLIC_OPENAI_KEY: x\n",
                FileKind::Yaml
            ),
            ["REACT_APP_OPENAI_API_KEY", "NEXT_PUBLIC_OPENAI_KEY"]
        );
        assert!(run("NEXT_PUBLIC_OPENAI_API_KEY=x\n", FileKind::Markdown).is_empty());
        let key = crate::rules::synthetic::key(&formats, "openai-project").unwrap();
        let mut out = Vec::new();
        let text = format!("VITE_API_KEY={key}\n");
        check_definitions(&text, FileKind::DotEnv, &formats, false, &mut out);
        assert_eq!(out.len(), 1);
        let (_, shown) = out[0].secret.as_ref().unwrap();
        assert!(!shown.contains(&key) && !out[0].message.contains(&key));
    }
}
