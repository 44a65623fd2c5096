//! Rules as data: each rule is a TOML file in `rules/` holding its metadata, docs,
//! prefilter keywords and examples. Code exists only for the engines that need more
//! than a pattern (`keys` today).

pub mod auth;
pub mod auth_header;
pub mod browser_exposure;
pub mod builtin;
pub mod client_options;
pub mod env_file_git;
pub mod env_typo;
pub mod env_vars;
pub mod key_formats;
pub mod key_logging;
pub mod keys;
pub mod model_usage;
pub mod models;
pub mod openai_clients;
pub mod retry_wrappers;
pub mod sdk_client;
pub mod sdk_pins;
pub mod sdk_releases;
pub mod sdk_usage;
pub mod synthetic;
pub mod transport;

use crate::findings::Level;
use serde::Deserialize;

/// The engines rules may name. A rule file naming another engine fails to load.
pub const ENGINES: &[&str] = &[
    "keys",
    "auth-header",
    "project",
    "models",
    "logging",
    "browser",
    "sdk",
    "manifest",
    "git",
    "client-options",
    "retry-wrappers",
    "transport",
];

/// The markdown headings every rule's docs must carry, in this order.
pub const DOC_SECTIONS: &[&str] = &[
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## References",
];

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Rule {
    /// Stable forever: SARIF ruleId, `--select`, suppression comments.
    pub id: String,
    /// CamelCase name for SARIF `name`.
    pub name: String,
    pub level: Level,
    /// One line: `keylint rules`, SARIF shortDescription, the README table.
    pub summary: String,
    pub engine: String,
    /// Prefilter keywords (case-insensitive). A file without any of them skips the rule.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Match `keywords` as written instead of in every identifier spelling
    /// (`OPENAI_` would otherwise also match `openai`, which is everywhere).
    #[serde(default)]
    pub exact_keywords: bool,
    /// A second keyword group: when present, the file must hold a word of each
    /// group before the rule parses it (`authorization` and `openai`).
    #[serde(default)]
    pub also_keywords: Vec<String>,
    /// Also use every key format's keywords from `rules/data/key-formats.toml`.
    #[serde(default)]
    pub key_format_keywords: bool,
    /// The rule judges code that uses the OpenAI SDK. Inside the SDK's own package
    /// (under a manifest that names it `openai`) that code is the SDK itself, so
    /// the rule is silent there.
    #[serde(default)]
    pub sdk_consumer: bool,
    pub tags: Vec<String>,
    pub precision: String,
    #[serde(default)]
    pub security_severity: Option<String>,
    /// Markdown with the sections in [`DOC_SECTIONS`].
    pub docs: String,
    #[serde(default)]
    pub positive: Vec<Example>,
    #[serde(default)]
    pub negative: Vec<Example>,
}

/// An example run through the real per-file pipeline by `tests/rule_examples.rs`.
/// `{key:…}` templates in `code` become synthetic keys at test time.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    /// File name that decides the file kind (`app.py`, `.env`, `notes.ipynb`).
    pub file: String,
    pub code: String,
    #[serde(default)]
    pub why: Option<String>,
    /// Other files of the same project, analysed alongside (a manifest that pins
    /// the SDK, say). Only findings in `file` count.
    #[serde(default)]
    pub context: Vec<ContextFile>,
}

/// A file that sets the scene for a project-level example.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextFile {
    pub file: String,
    pub code: String,
}

impl Rule {
    /// The first paragraph of "What it does": SARIF fullDescription.
    pub fn description(&self) -> String {
        let body = self
            .docs
            .split("## What it does")
            .nth(1)
            .unwrap_or(&self.docs);
        let para: Vec<&str> = body
            .trim_start()
            .lines()
            .take_while(|l| !l.trim().is_empty() && !l.starts_with("## "))
            .collect();
        let text = para.join(" ");
        if text.chars().count() > 1000 {
            text.chars().take(1000).collect::<String>() + "…"
        } else {
            text
        }
    }

    pub fn help_uri(&self) -> String {
        format!("{}/blob/main/rules/{}.toml", crate::HOMEPAGE, self.id)
    }
}

/// All known rules, sorted by id.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// The rules compiled into the binary. Panics only if a built-in file is broken,
    /// which the rule tests catch before release.
    pub fn builtin() -> RuleSet {
        let mut rules: Vec<Rule> = builtin::RULE_FILES
            .iter()
            .map(|(name, text)| {
                toml::from_str(text)
                    .unwrap_or_else(|e| panic!("built-in rule file rules/{name} is invalid: {e}"))
            })
            .collect();
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        RuleSet { rules }
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.id.as_str())
    }

    /// Keep the rules named by `select` (all when empty) minus those in `ignore`.
    /// Unknown ids are an error with a suggestion.
    pub fn select(&self, select: &[String], ignore: &[String]) -> Result<RuleSet, String> {
        for id in select.iter().chain(ignore) {
            self.check_id(id)?;
        }
        let rules = self
            .rules
            .iter()
            .filter(|r| select.is_empty() || select.iter().any(|s| s == &r.id))
            .filter(|r| !ignore.iter().any(|s| s == &r.id))
            .cloned()
            .collect();
        Ok(RuleSet { rules })
    }

    /// The README's rule table; a test keeps the README in step with it.
    pub fn markdown_table(&self) -> String {
        let mut out = String::from("| id | level | what it finds |\n|---|---|---|\n");
        for r in &self.rules {
            out.push_str(&format!(
                "| [`{}`](rules/{}.toml) | {} | {} |\n",
                r.id,
                r.id,
                r.level.as_str(),
                r.summary
            ));
        }
        out
    }

    pub fn check_id(&self, id: &str) -> Result<(), String> {
        if self.get(id).is_some() {
            return Ok(());
        }
        let mut msg = format!("unknown rule id `{id}`");
        if let Some(best) = self.suggest(id) {
            msg.push_str(&format!("; did you mean `{best}`?"));
        }
        msg.push_str(" (`keylint rules` lists them)");
        Err(msg)
    }

    fn suggest(&self, id: &str) -> Option<&str> {
        self.ids()
            .map(|known| (strsim::damerau_levenshtein(id, known), known))
            .filter(|(d, known)| *d <= known.len() / 3 + 1)
            .min()
            .map(|(_, known)| known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn select_and_ignore() {
        let all = RuleSet::builtin();
        let some = all.select(&["hardcoded-key".into()], &[]).unwrap();
        assert_eq!(some.ids().collect::<Vec<_>>(), ["hardcoded-key"]);
        let rest = all.select(&[], &["hardcoded-key".into()]).unwrap();
        assert!(rest.get("hardcoded-key").is_none());
        let err = all.select(&["hardcoded-keys".into()], &[]).unwrap_err();
        assert!(err.contains("did you mean `hardcoded-key`"), "{err}");
    }
}
