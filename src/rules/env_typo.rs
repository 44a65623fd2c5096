//! `env-var-typo`: a near miss of an SDK environment variable (`OPENAI_APIKEY`),
//! judged against what the whole project defines and reads. The per-file pass
//! collects sites; [`judge`] decides once every file is in.

use crate::analyze::code_view::CodeView;
use crate::analyze::lines::lines_holding;
use crate::findings::{Finding, Level};
use crate::project::{EnvRole, ProjectFacts};
use crate::rules::env_vars::EnvVars;
use crate::source::FileKind;
use crate::syntax::yaml;
use regex::Regex;
use std::ops::Range;
use std::sync::LazyLock;

pub const ENV_VAR_TYPO: &str = "env-var-typo";

/// A variable seen in one file, before judgement.
#[derive(Debug, Clone)]
pub struct Site {
    pub name: String,
    pub role: EnvRole,
    /// The name's byte range in the segment.
    pub range: Range<usize>,
}

/// What one segment contributes to the project facts.
#[derive(Debug, Default)]
pub struct Collected {
    pub sites: Vec<Site>,
    /// Byte offsets of clients built without an explicit key.
    pub implicit_key_lookups: Vec<usize>,
}

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("valid built-in regex")
}

/// Upper-case names around `OPENAI`, `OPEN_AI` or `OPENAPI`: the candidates for a
/// near miss, checked before a code file is parsed for its env reads. A literal
/// search for `OPEN` keeps this at memchr speed.
fn openai_ish_names(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let is_name = |b: u8| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_';
    memchr::memmem::find_iter(bytes, b"OPEN").filter_map(move |at| {
        let start = bytes[..at]
            .iter()
            .rposition(|&b| !is_name(b))
            .map_or(0, |i| i + 1);
        let end = bytes[at..]
            .iter()
            .position(|&b| !is_name(b))
            .map_or(bytes.len(), |i| at + i);
        let name = &text[start..end];
        let ok = ["OPENAI", "OPEN_AI", "OPENAPI"]
            .iter()
            .any(|w| name[at - start..].starts_with(w));
        ok.then_some(name)
    })
}

static DOTENV_DEF: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?m)^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*="));
static DOCKER_DEF: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"(?mi)^[ \t]*(?:ENV|ARG)[ \t]+([A-Za-z_][A-Za-z0-9_]*)(?:[ \t]*=|[ \t]+|$)")
});
static YAML_DEF: LazyLock<Regex> = LazyLock::new(|| {
    regex(r#"(?m)^[ \t]*(?:-[ \t]*)?(?:name:[ \t]*["']?)?([A-Z][A-Z0-9_]*[A-Z0-9])["']?[ \t]*[:=]"#)
});
static K8S_NAME: LazyLock<Regex> = LazyLock::new(|| {
    regex(r#"(?m)^[ \t]*-?[ \t]*name:[ \t]*["']?([A-Z][A-Z0-9_]*[A-Z0-9])["']?[ \t]*$"#)
});
static SHELL_READ: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\$\{?(?:\{[ \t]*env\.)?([A-Za-z_][A-Za-z0-9_]*)"));
static IMPLICIT_CLIENT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(?-u:\b)(?:new[ \t]+)?(?:Async)?OpenAI\([ \t]*\)"));

fn captures(re: &Regex, text: &str, role: EnvRole, out: &mut Vec<Site>) {
    for c in re.captures_iter(text) {
        if let Some(m) = c.get(1) {
            out.push(Site {
                name: m.as_str().to_string(),
                role,
                range: m.range(),
            });
        }
    }
}

/// Collect definitions, reads and implicit key lookups from one segment.
pub fn collect(view: &CodeView, env: &EnvVars) -> Collected {
    let mut out = Collected::default();
    let text = view.text;
    match view.kind {
        FileKind::DotEnv | FileKind::DotEnvTemplate => {
            captures(&DOTENV_DEF, text, EnvRole::Definition, &mut out.sites)
        }
        FileKind::Shell => {
            captures(&DOTENV_DEF, text, EnvRole::Definition, &mut out.sites);
            captures(&SHELL_READ, text, EnvRole::Read, &mut out.sites);
        }
        FileKind::Dockerfile => {
            captures(&DOCKER_DEF, text, EnvRole::Definition, &mut out.sites);
            captures(&SHELL_READ, text, EnvRole::Read, &mut out.sites);
        }
        FileKind::Yaml => {
            match view.yaml() {
                Ok(entries) => {
                    out.sites
                        .extend(yaml::env_definitions_in(text, entries).into_iter().map(
                            |(name, range)| Site {
                                name,
                                role: EnvRole::Definition,
                                range,
                            },
                        ))
                }
                // Not YAML as written (a Helm or Jinja template): read lines instead.
                Err(_) => {
                    captures(&YAML_DEF, text, EnvRole::Definition, &mut out.sites);
                    captures(&K8S_NAME, text, EnvRole::Definition, &mut out.sites);
                }
            }
            captures(&SHELL_READ, text, EnvRole::Read, &mut out.sites);
        }
        FileKind::Python | FileKind::JavaScript | FileKind::TypeScript => {
            // Reads need the parse; take it only when a candidate name is present.
            // A name repeats through a file; judge each once (edit distances).
            let mut judged = std::collections::HashSet::new();
            let has_near_miss = openai_ish_names(text)
                .filter(|name| judged.insert(*name))
                .any(|name| is_near_miss(env, name));
            if !has_near_miss {
                // A legacy variable read in code shows the code passes the value on
                // itself (see legacy-env-var). Read from the text: these names are
                // common in libraries, and the parse would cost every one of them.
                out.sites.extend(legacy_reads_in_text(text, env));
            }
            if has_near_miss && let Some(facts) = view.facts() {
                out.sites.extend(facts.env_reads.iter().map(|r| Site {
                    name: r.name.clone(),
                    role: EnvRole::Read,
                    range: r.name_range.clone(),
                }));
                out.implicit_key_lookups.extend(
                    facts
                        .calls
                        .iter()
                        .filter(|c| is_implicit_client(c))
                        .map(|c| c.range.start),
                );
            } else {
                // The pattern's first word is `new`: run it on the lines naming the
                // client only.
                let named = memchr::memmem::find_iter(text.as_bytes(), b"OpenAI(");
                for line in lines_holding(text, named) {
                    out.implicit_key_lookups.extend(
                        IMPLICIT_CLIENT
                            .find_iter(&text[line.clone()])
                            .map(|m| line.start + m.start()),
                    );
                }
            }
        }
        _ => {}
    }
    out
}

/// Reads of the legacy SDK variables written as an environment lookup:
/// `os.environ["OPENAI_API_BASE"]`, `os.getenv("OPENAI_API_BASE")`,
/// `process.env.OPENAI_API_BASE`, LangChain's `from_env("OPENAI_API_BASE")`.
fn legacy_reads_in_text(text: &str, env: &EnvVars) -> Vec<Site> {
    let mut out = Vec::new();
    let mut from = 0;
    for name in openai_ish_names(text) {
        let Some(c) = env.context_dependent(name).filter(|c| c.read_by_v0_sdk) else {
            continue;
        };
        let Some(at) = text[from..].find(name).map(|i| from + i) else {
            continue;
        };
        from = at + name.len();
        let before =
            &text[crate::analyze::lines::floor_char_boundary(text, at.saturating_sub(24))..at];
        if ["environ", "getenv", "env.", "from_env", "get_secret"]
            .iter()
            .any(|w| before.contains(w))
        {
            out.push(Site {
                name: c.name.clone(),
                role: EnvRole::Read,
                range: at..at + name.len(),
            });
        }
    }
    out
}

/// A near miss of an SDK variable that is not itself a known name.
pub fn is_near_miss(env: &EnvVars, name: &str) -> bool {
    env.canonical(name).is_none() && env.near_miss(name).is_some()
}

fn is_implicit_client(call: &crate::syntax::Call) -> bool {
    let constructor = matches!(
        call.callee.as_str(),
        "OpenAI" | "AsyncOpenAI" | "openai.OpenAI" | "openai.AsyncOpenAI" | "new OpenAI"
    );
    constructor
        && call.keyword("api_key").is_none()
        && call.keyword("apiKey").is_none()
        && (call.positional.is_empty() || call.callee == "new OpenAI")
}

/// Turn the project's near-miss sites into findings.
pub fn judge(project: &ProjectFacts, env: &EnvVars) -> Vec<Finding> {
    let mut out = Vec::new();
    for site in &project.near_misses {
        let here = site.finding.path.as_str();
        let implicit = project.first_implicit_lookup(here);
        if env.context_dependent(&site.name).is_some() {
            continue; // another library's own setting (Open WebUI, LangChain)
        }
        let defined = project.is_defined(&site.name, here);
        let read = project.is_read(&site.name, here);
        if defined && read {
            continue; // a custom name, defined and read consistently
        }
        let canonical = &site.canonical;
        let canonical_def = project.first_definition(canonical, here);
        let (level, message) = match site.role {
            EnvRole::Read => match canonical_def {
                Some(def) => (
                    Level::Error,
                    format!(
                        "`{}` is read here but defined nowhere in the project; the project \
                         defines `{canonical}` ({}:{}). The read gets nothing and the client \
                         has no key. Read `{canonical}`",
                        site.name, def.path, def.line
                    ),
                ),
                None => (
                    Level::Warning,
                    format!(
                        "`{}` is not a variable the SDK knows and the project does not define \
                         it; did you mean `{canonical}`? If it is set outside the repository, \
                         pass it explicitly; otherwise read `{canonical}`",
                        site.name
                    ),
                ),
            },
            EnvRole::Definition => {
                let relied_on = implicit.map(|(path, line)| format!(" ({path}:{line})"));
                match relied_on {
                    Some(at) => (
                        Level::Error,
                        format!(
                            "`{}` is defined but nothing reads it, and the client built without \
                             a key{at} reads `{canonical}`: it fails with \"{}\". Rename it to \
                             `{canonical}`",
                            site.name,
                            missing_credentials(env)
                        ),
                    ),
                    None => (
                        Level::Warning,
                        format!(
                            "`{}` is defined but nothing in the project reads it; the SDK reads \
                             `{canonical}`. Rename it, or pass it to the client explicitly",
                            site.name
                        ),
                    ),
                }
            }
        };
        let mut finding = site.finding.clone();
        finding.level = level;
        finding.message = message;
        out.push(finding);
    }
    out
}

fn missing_credentials(env: &EnvVars) -> String {
    env.missing_credentials_errors
        .iter()
        .find(|e| e.versions.starts_with("current") && e.sdk == crate::rules::env_vars::Sdk::Python)
        .or(env.missing_credentials_errors.first())
        .map(|e| e.text.clone())
        .unwrap_or_else(|| "Missing credentials".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(view: &CodeView) -> Vec<(String, EnvRole)> {
        collect(view, &EnvVars::builtin())
            .sites
            .into_iter()
            .map(|s| (s.name, s.role))
            .collect()
    }

    #[test]
    fn definitions_and_reads_per_carrier() {
        let env = CodeView::new(
            "OPENAI_APIKEY=x\nexport DEBUG=1\n",
            FileKind::DotEnv,
            ".env",
        );
        assert_eq!(
            names(&env),
            [
                ("OPENAI_APIKEY".into(), EnvRole::Definition),
                ("DEBUG".into(), EnvRole::Definition)
            ]
        );
        let docker = CodeView::new(
            "FROM python\nENV OPENAI_KEY=abc\nARG MODEL\nRUN echo $OPENAI_KEY\n",
            FileKind::Dockerfile,
            "Dockerfile",
        );
        let got = names(&docker);
        assert!(got.contains(&("OPENAI_KEY".into(), EnvRole::Definition)));
        assert!(got.contains(&("MODEL".into(), EnvRole::Definition)));
        assert!(got.contains(&("OPENAI_KEY".into(), EnvRole::Read)));
        let compose = CodeView::new(
            "services:\n  app:\n    environment:\n      OPENAI_APIKEY: ${OPENAI_APIKEY}\n      - OPEN_AI_KEY=x\n",
            FileKind::Yaml,
            "compose.yaml",
        );
        let got = names(&compose);
        assert!(got.contains(&("OPENAI_APIKEY".into(), EnvRole::Definition)));
        assert!(got.contains(&("OPEN_AI_KEY".into(), EnvRole::Definition)));
        assert!(got.contains(&("OPENAI_APIKEY".into(), EnvRole::Read)));
    }

    #[test]
    fn candidate_names() {
        let names: Vec<&str> =
            openai_ish_names("x = OPENAI_APIKEY + MY_OPEN_AI_KEY; OPENED; openai; OPENAPI_KEY")
                .collect();
        assert_eq!(names, ["OPENAI_APIKEY", "MY_OPEN_AI_KEY", "OPENAPI_KEY"]);
    }

    #[test]
    fn code_reads_and_implicit_clients() {
        let py = CodeView::new(
            "import os\nkey = os.getenv('OPENAI_APIKEY')\nclient = OpenAI()\n",
            FileKind::Python,
            "app.py",
        );
        let c = collect(&py, &EnvVars::builtin());
        assert_eq!(c.sites.len(), 1);
        assert_eq!(c.implicit_key_lookups.len(), 1);
        let js = CodeView::new(
            "const c = new OpenAI({ apiKey: process.env.OPENAI_KEY });\n",
            FileKind::JavaScript,
            "a.js",
        );
        let c = collect(&js, &EnvVars::builtin());
        assert_eq!(c.sites[0].name, "OPENAI_KEY");
        assert!(c.implicit_key_lookups.is_empty());
    }
}
