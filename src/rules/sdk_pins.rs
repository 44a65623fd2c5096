//! The SDK rules judged once every file is in: `outdated-sdk` (a pin that keeps
//! the legacy SDK), `legacy-sdk-call` (its level follows the pin),
//! `sdk-version-mismatch` (current-SDK code under a legacy pin) and
//! `legacy-env-var` (variables the current SDKs ignore).

use crate::analyze::lines::lines_holding;
use crate::findings::{Finding, Level};
use crate::manifest::Ecosystem;
use crate::project::{EnvRole, PinOrigin, ProjectFacts};
use crate::rules::RuleSet;
use crate::rules::env_vars::EnvVars;
use crate::rules::sdk_releases::SdkReleases;
use crate::rules::sdk_usage::{Api, LEGACY_SDK_CALL, SDK_VERSION_MISMATCH};
use crate::source::FileKind;
use std::path::Path;

pub const OUTDATED_SDK: &str = "outdated-sdk";
pub const LEGACY_ENV_VAR: &str = "legacy-env-var";

/// The SDK package and the version its current API starts at, for messages.
pub fn sdk_name(ecosystem: Ecosystem) -> (&'static str, &'static str) {
    match ecosystem {
        Ecosystem::Python => ("openai-python", "1.0"),
        Ecosystem::Node => ("openai-node", "4"),
    }
}

/// The message of an `outdated-sdk` finding for a pin as written.
pub fn outdated_message(pin: &str, ecosystem: Ecosystem, releases: &SdkReleases) -> String {
    let (sdk, from) = sdk_name(ecosystem);
    let (removed, install) = match ecosystem {
        Ecosystem::Python => (
            "`openai.ChatCompletion` and the rest of the v0 module API",
            "openai>=1",
        ),
        Ecosystem::Node => ("`Configuration` and `OpenAIApi`", "openai@^4 or later"),
    };
    format!(
        "`{pin}` keeps {sdk} below {from} (last such release: {}); the current release is \
         {}. {sdk} {from} removed {removed}, so every current example, SDK fix and \
         model feature is out of reach, and code written for the current SDK fails here. \
         Pin {install} and migrate the calls",
        releases.last_legacy(ecosystem),
        releases.latest(ecosystem),
    )
}

/// Imports of the libraries that read the legacy variables themselves (the
/// `consumers` of `rules/data/env-vars.toml`): `from langchain_openai import …`,
/// `import litellm`, `from "@langchain/openai"`.
pub struct ConsumerImports {
    names: Option<aho_corasick::AhoCorasick>,
    import: regex::Regex,
}

impl ConsumerImports {
    /// `names`: the libraries' name prefixes (`langchain`, `litellm`).
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> ConsumerImports {
        let mut names: Vec<String> = names.into_iter().map(str::to_string).collect();
        names.sort();
        names.dedup();
        let alternatives = names
            .iter()
            .map(|n| regex::escape(n))
            .collect::<Vec<_>>()
            .join("|");
        // Escaped names, so the pattern always compiles.
        let import = regex::Regex::new(&format!(
            r#"(?m)^[ \t]*(?:from|import)[ \t]+((?:{alternatives})[A-Za-z0-9_]*)(?-u:\b)|from[ \t]*["'](@?(?:{alternatives})[A-Za-z0-9_/-]*)["']"#
        ))
        .expect("escaped library names");
        let names = (!names.is_empty())
            .then(|| aho_corasick::AhoCorasick::new(&names).expect("plain library names"));
        ConsumerImports { names, import }
    }

    /// The libraries `text` imports, as package names (`langchain-openai`,
    /// `langchain/openai`).
    pub fn find(&self, text: &str) -> Vec<String> {
        let Some(names) = &self.names else {
            return Vec::new();
        };
        // An import names its library on one line: the pattern runs on the lines
        // that hold a name, not at every `from` and `import` of the file.
        let starts = names.find_iter(text).map(|m| m.start());
        lines_holding(text, starts)
            .flat_map(|line| self.import.captures_iter(&text[line]))
            .filter_map(|c| c.get(1).or_else(|| c.get(2)))
            .map(|m| m.as_str().trim_start_matches('@').replace('_', "-"))
            .collect()
    }
}

/// The manifests that give their package a name.
pub const MANIFESTS_NAMING_A_PACKAGE: &[&str] =
    &["pyproject.toml", "setup.py", "setup.cfg", "package.json"];

/// Whether a manifest declares the `openai` package itself (`name = "openai"`
/// in pyproject, `name = openai` in setup.cfg, `name="openai",` in setup.py,
/// `"name": "openai",` in package.json).
pub fn declares_the_sdk(text: &str) -> bool {
    static NAME: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?m)^\s*"?name"?\s*[:=]\s*["']?openai["']?\s*,?\s*$"#)
            .expect("valid regex")
    });
    NAME.is_match(text)
}

/// The findings of the enabled SDK rules in `rules`.
pub fn judge(project: &ProjectFacts, env: &EnvVars, rules: &RuleSet) -> Vec<Finding> {
    let enabled = |id: &str| rules.get(id).is_some();
    let rule_level = |id: &str| rules.get(id).map_or(Level::Warning, |r| r.level);
    let mut out = Vec::new();
    if enabled(OUTDATED_SDK) {
        out.extend(outdated_pins(project));
    }
    for usage in &project.sdk_uses {
        let path = usage.finding.path.as_str();
        if project.in_sdk_sources(path) {
            continue;
        }
        let admits = project.sdk_admits(path, usage.ecosystem);
        let mut finding = usage.finding.clone();
        match usage.api {
            Api::Legacy => {
                if !enabled(LEGACY_SDK_CALL) || admits.is_some_and(|a| a.legacy_only()) {
                    continue; // pinned to the legacy SDK: outdated-sdk speaks
                }
                let pinned = admits.is_some_and(|a| a.current_only());
                let instead = if usage.instead.is_empty() {
                    "there is no replacement; remove it".to_string()
                } else {
                    format!("use `{}`", usage.instead)
                };
                let (sdk, _) = sdk_name(usage.ecosystem);
                let fate = legacy_fate(usage.ecosystem, &usage.what, pinned);
                finding.level = if pinned {
                    Level::Error
                } else {
                    rule_level(LEGACY_SDK_CALL)
                };
                finding.message = format!(
                    "`{}` is the legacy {sdk} API: {fate}. Instead, {instead}",
                    usage.what
                );
            }
            Api::Current => {
                let (sdk, from) = sdk_name(usage.ecosystem);
                if !enabled(SDK_VERSION_MISMATCH) || !admits.is_some_and(|a| a.legacy_only()) {
                    continue;
                }
                finding.level = rule_level(SDK_VERSION_MISMATCH);
                finding.message = format!(
                    "`{}` is the current {sdk} API, but the project pins {sdk} below {from}: \
                     the import or call fails at run time (there is no `OpenAI` client before \
                     {from}). Raise the pin to {from} or later (see `outdated-sdk`)",
                    usage.what
                );
            }
        }
        out.push(finding);
    }
    if enabled(LEGACY_ENV_VAR) {
        out.extend(legacy_env(project, env));
    }
    out
}

/// The v0 classes that openai-python 1.x replaced with `APIRemovedInV1` proxies
/// (`openai/lib/_old_api.py` `SYMBOLS`): touching them raises that error.
const PYTHON_V0_PROXIES: &[&str] = &[
    "Edit",
    "File",
    "Audio",
    "Image",
    "Model",
    "Engine",
    "Customer",
    "FineTune",
    "Embedding",
    "Completion",
    "Deployment",
    "Moderation",
    "ErrorObject",
    "FineTuningJob",
    "ChatCompletion",
];

/// What becomes of a legacy site on the current SDK, for the message: the v0
/// classes raise `APIRemovedInV1`, but `openai.error` simply no longer exists,
/// `engine=` is an unknown argument, and `openai.api_base = …` raises nothing at
/// all: the setting is silently ignored.
fn legacy_fate(ecosystem: Ecosystem, what: &str, pinned: bool) -> String {
    let (sdk, from) = sdk_name(ecosystem);
    let error = match ecosystem {
        Ecosystem::Node => None,
        Ecosystem::Python => {
            let class = what
                .strip_prefix("openai.")
                .and_then(|rest| rest.split('.').next());
            if matches!(what, "openai.api_base" | "openai.api_key_path") {
                return if pinned {
                    format!("the project pins {sdk} {from} or later, which silently ignores it")
                } else {
                    format!(
                        "{sdk} {from} and later, which is what an unpinned install gets, \
                         silently ignore it"
                    )
                };
            } else if what == "engine=" {
                Some("`TypeError: create() got an unexpected keyword argument 'engine'`")
            } else if what == "openai.error" {
                // `from openai.error import …` / `import openai.error`
                Some("`ModuleNotFoundError: No module named 'openai.error'`")
            } else if class == Some("error") {
                Some("`AttributeError: module 'openai' has no attribute 'error'`")
            } else if class.is_some_and(|c| PYTHON_V0_PROXIES.contains(&c)) {
                Some(
                    "`APIRemovedInV1: You tried to access openai.…, but this is no longer \
                     supported in openai>=1.0.0`",
                )
            } else {
                None
            }
        }
    };
    let with = error.map(|e| format!(" with {e}")).unwrap_or_default();
    if pinned {
        format!("the project pins {sdk} {from} or later, where this fails at run time{with}")
    } else {
        format!(
            "it fails at run time{with} on {sdk} {from} and later, which is what an unpinned \
             install gets"
        )
    }
}

/// Every pin that admits only the legacy SDK, except a lock file's when a
/// manifest or install command of the same project already says so.
fn outdated_pins(project: &ProjectFacts) -> Vec<Finding> {
    let legacy = |p: &&crate::project::Pin| p.admits.is_some_and(|a| a.legacy_only());
    let declared: Vec<(&str, Ecosystem)> = project
        .pins
        .iter()
        .filter(legacy)
        .filter(|p| p.origin != PinOrigin::Lock)
        .map(|p| (project.root_of(&p.path), p.ecosystem))
        .collect();
    project
        .pins
        .iter()
        .filter(legacy)
        .filter(|p| {
            p.origin != PinOrigin::Lock
                || !declared.contains(&(project.root_of(&p.path), p.ecosystem))
        })
        .filter_map(|p| p.finding.clone())
        .collect()
}

/// Whether the project of `near` reads the variable itself. A read in a compose
/// file, Dockerfile, CI file or shell script that also sets the name only forwards
/// the value to the SDK (`OPENAI_API_BASE: ${OPENAI_API_BASE}`, `ENV X=${X}`,
/// `export X="${X:-…}"`), which still ignores it: that is no consumer.
fn consumed_by_the_project(project: &ProjectFacts, name: &str, near: &str) -> bool {
    let forwards = |path: &str| {
        let program = matches!(
            FileKind::from_path(Path::new(path)),
            FileKind::Python | FileKind::JavaScript | FileKind::TypeScript | FileKind::Notebook
        );
        !program
            && project
                .definitions
                .iter()
                .any(|d| d.path == path && d.name == name)
    };
    project.reads.iter().any(|(path, read)| {
        read == name && project.root_of(path) == project.root_of(near) && !forwards(path)
    })
}

fn legacy_env(project: &ProjectFacts, env: &EnvVars) -> Vec<Finding> {
    let mut out = Vec::new();
    for site in &project.legacy_env {
        let Some(row) = env.context_dependent(&site.name) else {
            continue;
        };
        let path = site.finding.path.as_str();
        if project.has_consumer(path, &row.consumers) {
            continue; // LangChain or LiteLLM reads it
        }
        if consumed_by_the_project(project, &site.name, path) {
            continue; // the project's code reads it and passes it on
        }
        let python = project.sdk_admits(path, Ecosystem::Python);
        let node = project.sdk_admits(path, Ecosystem::Node);
        let legacy_pinned =
            |a: Option<crate::rules::sdk_releases::Admits>| a.is_some_and(|a| a.legacy_only());
        if legacy_pinned(python) || legacy_pinned(node) {
            continue; // the legacy SDK still reads it
        }
        let what = match site.role {
            EnvRole::Definition => "is set here",
            EnvRole::Read => "is read here",
        };
        let instead = row
            .v1_replacement
            .as_deref()
            .map(|r| format!("Use `{r}`"))
            .unwrap_or_else(|| "Pass the value to the client explicitly".to_string());
        let mut finding = site.finding.clone();
        finding.message = format!(
            "`{}` {what}, but only the legacy SDKs (openai-python 0.x, openai-node 3) read \
             it: openai-python 1.0+ and openai-node 4+ silently ignore it, so the setting \
             has no effect. {instead}",
            site.name
        );
        out.push(finding);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumer_imports_come_from_the_library_names() {
        let imports = ConsumerImports::new(["langchain", "litellm"]);
        let code = "from langchain_openai import ChatOpenAI\nimport litellm\nfrom litellm.utils import x\n";
        assert_eq!(
            imports.find(code),
            ["langchain-openai", "litellm", "litellm"]
        );
        assert_eq!(
            imports.find("import { ChatOpenAI } from \"@langchain/openai\";\n"),
            ["langchain/openai"]
        );
        assert!(
            imports
                .find("import openai\n# see langchain docs\n")
                .is_empty()
        );
        assert!(ConsumerImports::new([]).find("import litellm\n").is_empty());
    }

    #[test]
    fn the_sdk_itself_is_recognised() {
        for text in [
            "[project]\nname = \"openai\"\n",
            "[metadata]\nname = openai\n",
            "setup(\n    name=\"openai\",\n)",
            "{\n  \"name\": \"openai\",\n  \"version\": \"3.3.0\"\n}",
        ] {
            assert!(declares_the_sdk(text), "{text}");
        }
        for text in [
            "name = \"openai-helper\"",
            "{ \"name\": \"my-openai-app\" }",
        ] {
            assert!(!declares_the_sdk(text), "{text}");
        }
    }

    #[test]
    fn each_legacy_python_site_fails_the_way_openai_python_1_fails() {
        let fate = |what: &str| legacy_fate(Ecosystem::Python, what, true);
        assert!(fate("openai.ChatCompletion.create").contains("APIRemovedInV1"));
        assert!(fate("openai.File.list").contains("APIRemovedInV1"));
        assert!(fate("openai.error").contains("ModuleNotFoundError"));
        let error_class = fate("openai.error.RateLimitError");
        assert!(error_class.contains("AttributeError") && !error_class.contains("APIRemovedInV1"));
        assert!(fate("engine=").contains("unexpected keyword argument 'engine'"));
        // A module setting raises nothing: 1.x just never reads it.
        for setting in ["openai.api_base", "openai.api_key_path"] {
            let text = fate(setting);
            assert!(
                text.contains("silently ignores") && !text.contains("fails"),
                "{text}"
            );
            let unpinned = legacy_fate(Ecosystem::Python, setting, false);
            assert!(unpinned.contains("silently ignore") && unpinned.contains("unpinned"));
        }
        let unpinned = legacy_fate(Ecosystem::Python, "openai.Embedding.create", false);
        assert!(
            unpinned.starts_with("it fails at run time with `APIRemovedInV1")
                && unpinned.ends_with("which is what an unpinned install gets"),
            "{unpinned}"
        );
        let node = legacy_fate(Ecosystem::Node, "createChatCompletion", true);
        assert_eq!(
            node,
            "the project pins openai-node 4 or later, where this fails at run time"
        );
    }
}
