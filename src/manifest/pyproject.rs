//! `pyproject.toml`: PEP 621 `[project]` dependencies and optional dependencies,
//! PEP 735 `[dependency-groups]`, Poetry (`[tool.poetry.dependencies]`, groups,
//! `dev-dependencies`), PDM `[tool.pdm.dev-dependencies]` and uv
//! `[tool.uv] dev-dependencies`.

use super::python_spec::poetry_to_pep440;
use super::toml_spans::{self, Item, at, entry_range, pep508_strings, table};
use super::{Ecosystem, ManifestFacts, Origin, Requirement, normalise_python_name};
use toml::de::{DeTable, DeValue};

pub(super) fn read(text: &str) -> ManifestFacts {
    let root = toml_spans::parse(text);
    let mut out = Vec::new();
    pep508_strings(text, at(&root, &["project", "dependencies"]), &mut out);
    for path in [
        &["project", "optional-dependencies"][..],
        &["dependency-groups"],
        &["tool", "pdm", "dev-dependencies"],
    ] {
        if let Some(groups) = at(&root, path).and_then(table) {
            for list in groups.values() {
                pep508_strings(text, Some(list), &mut out);
            }
        }
    }
    for key in [
        "dev-dependencies",
        "constraint-dependencies",
        "override-dependencies",
    ] {
        pep508_strings(text, at(&root, &["tool", "uv", key]), &mut out);
    }
    for key in ["dependencies", "dev-dependencies"] {
        if let Some(deps) = at(&root, &["tool", "poetry", key]).and_then(table) {
            poetry_dependencies(deps, &mut out);
        }
    }
    if let Some(groups) = at(&root, &["tool", "poetry", "group"]).and_then(table) {
        for group in groups.values().filter_map(table) {
            if let Some(deps) = group.get("dependencies").and_then(table) {
                poetry_dependencies(deps, &mut out);
            }
        }
    }
    ManifestFacts {
        requirements: out,
        includes: Vec::new(),
    }
}

/// `name = "^0.28"`, `name = { version = "^0.28", extras = [...] }`, or a list of
/// such tables for different Python versions. Path, git and URL dependencies have
/// no version and are skipped; `python` is the interpreter, not a package.
fn poetry_dependencies(deps: &DeTable<'_>, out: &mut Vec<Requirement>) {
    for (key, value) in deps.iter() {
        if key.get_ref().eq_ignore_ascii_case("python") {
            continue;
        }
        // Alternatives for different Pythons point at their own table.
        let (alternatives, is_list): (Vec<&Item<'_>>, bool) = match value.get_ref() {
            DeValue::Array(list) => (list.iter().collect(), true),
            _ => (vec![value], false),
        };
        for alternative in alternatives {
            let Some((constraint, extras_or_marker)) =
                toml_spans::dependency_constraint(alternative)
            else {
                continue;
            };
            out.push(Requirement {
                ecosystem: Ecosystem::Python,
                name: normalise_python_name(key.get_ref()),
                spec: poetry_to_pep440(constraint).unwrap_or_default(),
                origin: Origin::Manifest,
                range: if is_list {
                    alternative.span()
                } else {
                    entry_range(key, alternative)
                },
                extras_or_marker,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_support::{pin, written};

    fn pins(text: &str) -> Vec<(String, String, String)> {
        written(&read(text).sorted().requirements, text)
    }

    #[test]
    fn pep621_optional_and_dependency_groups() {
        let text = r#"
[project]
name = "app"
dependencies = [
  "openai>=0.27,<1",
  'langchain-openai',
]

[project.optional-dependencies]
llm = ["LiteLLM==1.0.0; python_version >= '3.9'"]

[dependency-groups]
dev = ["llama-index>=0.10", {include-group = "lint"}]
lint = ["ruff"]

[build-system]
requires = ["setuptools"]
"#;
        assert_eq!(
            pins(text),
            [
                pin("openai", ">=0.27,<1", "openai>=0.27,<1"),
                pin("langchain-openai", "", "langchain-openai"),
                pin(
                    "litellm",
                    "==1.0.0",
                    "LiteLLM==1.0.0; python_version >= '3.9'"
                ),
                pin("llama-index", ">=0.10", "llama-index>=0.10"),
                pin("ruff", "", "ruff"),
            ]
        );
    }

    #[test]
    fn poetry_tables_and_groups() {
        let text = r#"
[tool.poetry.dependencies]
python = "^3.9"
openai = "^0.28"
langchain = { version = "~0.0.300", extras = ["llms"] }
local = { path = "../local" }
litellm = "*"

[tool.poetry.dev-dependencies]
llama_index = "0.9.1"

[tool.poetry.group.test.dependencies]
openai = [
  { version = "^0.27", python = "<3.8" },
  { version = ">=1.0,<2", python = ">=3.8" },
]
"#;
        let facts = read(text);
        let with_extras = facts
            .requirements
            .iter()
            .find(|r| r.name == "langchain")
            .unwrap();
        assert_eq!(with_extras.extras_or_marker.as_deref(), Some("[llms]"));
        assert_eq!(
            pins(text),
            [
                pin("openai", ">=0.28,<0.29", "openai = \"^0.28\""),
                pin(
                    "langchain",
                    ">=0.0.300,<0.1.0",
                    "langchain = { version = \"~0.0.300\", extras = [\"llms\"] }"
                ),
                pin("litellm", "", "litellm = \"*\""),
                pin("llama-index", "==0.9.1", "llama_index = \"0.9.1\""),
                pin(
                    "openai",
                    ">=0.27,<0.28",
                    "{ version = \"^0.27\", python = \"<3.8\" }"
                ),
                pin(
                    "openai",
                    ">=1.0,<2",
                    "{ version = \">=1.0,<2\", python = \">=3.8\" }"
                ),
            ]
        );
    }

    #[test]
    fn pdm_and_uv_dev_dependencies() {
        let text = "[tool.pdm.dev-dependencies]\ntest = [\"openai==0.28.1\"]\n\n[tool.uv]\ndev-dependencies = [\"openai<1\"]\n";
        assert_eq!(
            pins(text),
            [
                pin("openai", "==0.28.1", "openai==0.28.1"),
                pin("openai", "<1", "openai<1"),
            ]
        );
    }

    #[test]
    fn escaped_strings_point_at_the_whole_string() {
        let text = "[project]\ndependencies = [\"open\\u0061i==0.28\"]\n";
        assert_eq!(pins(text), [pin("openai", "==0.28", "open\\u0061i==0.28")]);
    }

    #[test]
    fn malformed_toml_gives_what_was_recovered() {
        for junk in [
            "[project\ndependencies = [",
            "dependencies = \"x",
            "[[[",
            "=",
            "\u{0}",
        ] {
            let _ = read(junk);
        }
        let deep = format!("a = {}", "[".repeat(10_000));
        assert!(read(&deep).requirements.is_empty());
    }
}
