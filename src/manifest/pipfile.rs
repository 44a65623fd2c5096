//! Pipenv: `Pipfile` (TOML `[packages]`, `[dev-packages]`) and `Pipfile.lock`
//! (JSON `default`/`develop`).

use super::python_spec::loose_pep440_spec;
use super::toml_spans::{self, at, entry_range, table};
use super::{Ecosystem, ManifestFacts, Origin, Requirement, normalise_python_name, parse_json};
use jsonc_parser::ast::Value;

pub(super) fn read_pipfile(text: &str) -> ManifestFacts {
    let root = toml_spans::parse(text);
    let mut requirements = Vec::new();
    for section in ["packages", "dev-packages"] {
        let Some(packages) = at(&root, &[section]).and_then(table) else {
            continue;
        };
        for (key, value) in packages.iter() {
            // `"*"`, `"==0.28"`, or `{version = "…", extras = […], markers = "…"}`;
            // git, path and file entries have no version and are skipped.
            let Some((version, extras_or_marker)) = toml_spans::dependency_constraint(value) else {
                continue;
            };
            requirements.push(Requirement {
                ecosystem: Ecosystem::Python,
                name: normalise_python_name(key.get_ref()),
                spec: loose_pep440_spec(version).unwrap_or_default(),
                origin: Origin::Manifest,
                range: entry_range(key, value),
                extras_or_marker,
            });
        }
    }
    ManifestFacts {
        requirements,
        includes: Vec::new(),
    }
}

pub(super) fn read_lock(text: &str) -> ManifestFacts {
    let mut requirements = Vec::new();
    let Some(root) = parse_json(text) else {
        return ManifestFacts::default();
    };
    for section in ["default", "develop"] {
        let Some(packages) = root.get_object(section) else {
            continue;
        };
        for package in &packages.properties {
            let Value::Object(details) = &package.value else {
                continue;
            };
            let Some(version) = details.get_string("version") else {
                continue;
            };
            let Some(spec) = loose_pep440_spec(&version.value) else {
                continue;
            };
            requirements.push(Requirement {
                ecosystem: Ecosystem::Python,
                name: normalise_python_name(package.name.as_str()),
                spec,
                origin: Origin::Lock,
                range: super::unquoted(text, version.range.start..version.range.end),
                extras_or_marker: None,
            });
        }
    }
    ManifestFacts {
        requirements,
        includes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_support::{pin, written};

    fn pins(facts: ManifestFacts, text: &str) -> Vec<(String, String, String)> {
        written(&facts.sorted().requirements, text)
    }

    #[test]
    fn pipfile_packages() {
        let text = "[[source]]\nurl = \"https://pypi.org/simple\"\n\n[packages]\nopenai = \"==0.28\"\nlangchain = \"*\"\nlitellm = {version = \">=1.0\", extras = [\"proxy\"]}\nmine = {path = \".\"}\n\n[dev-packages]\n\"llama-index\" = \"0.9.1\"\n\n[requires]\npython_version = \"3.11\"\n";
        let facts = read_pipfile(text);
        let litellm = facts
            .requirements
            .iter()
            .find(|r| r.name == "litellm")
            .unwrap();
        assert_eq!(litellm.extras_or_marker.as_deref(), Some("[proxy]"));
        assert_eq!(
            pins(facts, text),
            [
                pin("openai", "==0.28", "openai = \"==0.28\""),
                pin("langchain", "", "langchain = \"*\""),
                pin(
                    "litellm",
                    ">=1.0",
                    "litellm = {version = \">=1.0\", extras = [\"proxy\"]}"
                ),
                pin("llama-index", "==0.9.1", "\"llama-index\" = \"0.9.1\""),
            ]
        );
    }

    #[test]
    fn pipfile_lock_versions() {
        let text = r#"{
  "_meta": {"hash": {"sha256": "00"}},
  "default": {
    "openai": {"hashes": [], "index": "pypi", "version": "==0.28.1"},
    "langchain_core": {"version": "==0.1.0"},
    "editable": {"path": "."}
  },
  "develop": {"litellm": {"version": "==1.0.0"}}
}"#;
        let facts = read_lock(text);
        assert!(facts.requirements.iter().all(|r| r.origin == Origin::Lock));
        assert_eq!(
            pins(facts, text),
            [
                pin("openai", "==0.28.1", "==0.28.1"),
                pin("langchain-core", "==0.1.0", "==0.1.0"),
                pin("litellm", "==1.0.0", "==1.0.0"),
            ]
        );
    }

    #[test]
    fn malformed_input() {
        for junk in [
            "{",
            "[]",
            "\"x\"",
            "{\"default\": 3}",
            "{\"default\": {\"a\": {\"version\": 1}}}",
        ] {
            assert!(read_lock(junk).requirements.is_empty());
        }
        for junk in ["[packages", "[packages]\nopenai = ", "packages = 3"] {
            let _ = read_pipfile(junk);
        }
    }
}
