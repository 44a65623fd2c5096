//! Lock files: the exact version each package resolved to. The range of a locked
//! requirement is its version as written, the one place a lock entry says which
//! release is installed.
//!
//! `poetry.lock` and `uv.lock` list every package flat; `package-lock.json` and
//! `pnpm-lock.yaml` also nest transitive copies, of which only the project's own
//! (top-level) dependencies are read; `yarn.lock` has no notion of top level, so
//! every entry is read.

use super::node::{npm_range, split_name_and_range};
use super::toml_spans::{self, at, string, table};
use super::yaml_tree::{self, Node};
use super::{
    Ecosystem, ManifestFacts, Origin, Requirement, normalise_python_name, parse_json, unquoted,
};
use jsonc_parser::ast::{Object, Value};
use std::ops::Range;

fn locked(ecosystem: Ecosystem, name: String, spec: String, range: Range<usize>) -> Requirement {
    Requirement {
        ecosystem,
        name,
        spec,
        origin: Origin::Lock,
        range,
        extras_or_marker: None,
    }
}

fn facts(requirements: Vec<Requirement>) -> ManifestFacts {
    ManifestFacts {
        requirements,
        includes: Vec::new(),
    }
}

/// `poetry.lock` and `uv.lock`: `[[package]]` tables with `name` and `version`.
///
/// Both lock files write `name` and `version` first, on lines of their own, and
/// then the large values (`dependencies`, `wheels`, `files`) that say nothing
/// about which version is installed: each package is parsed from its
/// `[[package]]` line through its one-line keys, and whole (up to the next table)
/// only when those lack a name or a version.
pub(super) fn read_toml_lock(text: &str) -> ManifestFacts {
    let mut out = Vec::new();
    for block in package_blocks(text) {
        let head = block.start..block.start + one_line_keys(&text[block.clone()]);
        let found = package_version(text, head).or_else(|| package_version(text, block));
        let Some((name, version, range)) = found else {
            continue;
        };
        if !version.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        out.push(locked(
            Ecosystem::Python,
            normalise_python_name(&name),
            format!("=={version}"),
            range,
        ));
    }
    facts(out)
}

/// The name and version of the `[[package]]` table written at `block`, and the
/// range of the version in `text`.
fn package_version(text: &str, block: Range<usize>) -> Option<(String, String, Range<usize>)> {
    let root = toml_spans::parse(&text[block.clone()]);
    let package = table(toml_spans::items(at(&root, &["package"])).first()?)?;
    let name = package.get("name").and_then(string)?;
    let version = package.get("version")?;
    let span = version.span();
    let range = unquoted(text, block.start + span.start..block.start + span.end);
    Some((name.to_string(), string(version)?.to_string(), range))
}

/// The length of a package block's header line and the `key = value` lines that
/// follow it, up to the first line that is not one (a value spread over lines).
fn one_line_keys(block: &str) -> usize {
    let mut lines = block.split_inclusive('\n');
    let mut len = lines.next().map_or(0, str::len);
    for line in lines {
        let simple = line.split_once(" = ").is_some_and(|(key, value)| {
            !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                && !value.trim_end().ends_with(['[', '{'])
        });
        if !simple {
            break;
        }
        len += line.len();
    }
    len
}

/// The byte ranges of each `[[package]]` header line and the keys under it, up to
/// the next line that opens a table.
fn package_blocks(text: &str) -> Vec<Range<usize>> {
    let mut blocks = Vec::new();
    let mut open: Option<usize> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with('[') {
            if let Some(start) = open.take() {
                blocks.push(start..at);
            }
            if line.trim_end() == "[[package]]" {
                open = Some(at);
            }
        }
        at += line.len();
    }
    if let Some(start) = open {
        blocks.push(start..at);
    }
    blocks
}

/// `package-lock.json` / `npm-shrinkwrap.json`: v2/v3 `packages["node_modules/x"]`,
/// else v1 `dependencies.x`.
pub(super) fn read_package_lock(text: &str) -> ManifestFacts {
    let Some(root) = parse_json(text) else {
        return ManifestFacts::default();
    };
    let mut out = Vec::new();
    if let Some(packages) = root.get_object("packages") {
        for package in &packages.properties {
            let Some(name) = package.name.as_str().strip_prefix("node_modules/") else {
                continue;
            };
            // `node_modules/a/node_modules/openai` is a copy nested under another
            // package, not the project's dependency.
            if name.contains("node_modules/") {
                continue;
            }
            if let Value::Object(details) = &package.value {
                push_npm_version(text, name, details, &mut out);
            }
        }
    } else if let Some(dependencies) = root.get_object("dependencies") {
        for dependency in &dependencies.properties {
            if let Value::Object(details) = &dependency.value {
                push_npm_version(text, dependency.name.as_str(), details, &mut out);
            }
        }
    }
    facts(out)
}

fn push_npm_version(text: &str, name: &str, details: &Object, out: &mut Vec<Requirement>) {
    let Some(version) = details.get_string("version") else {
        return;
    };
    let Some(spec) = npm_range(&version.value).filter(|v| !v.is_empty()) else {
        return;
    };
    // A v1 alias records `npm:openai@3.3.0` in `version`.
    out.push(locked(
        Ecosystem::Node,
        name.to_string(),
        spec,
        unquoted(text, version.range.start..version.range.end),
    ));
}

/// `yarn.lock`, classic (`openai@^3.2.1, openai@^3.3.0:` then `  version "3.3.0"`)
/// and berry (`"openai@npm:^3.2.1":` then `  version: 3.3.0`).
pub(super) fn read_yarn_lock(text: &str) -> ManifestFacts {
    let mut out = Vec::new();
    let mut package: Option<String> = None;
    let mut offset = 0;
    for physical in text.split_inclusive('\n') {
        let line_start = offset;
        offset += physical.len();
        let line = physical.trim_end_matches(['\n', '\r']);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '\t']) {
            package = line.strip_suffix(':').and_then(entry_package);
            continue;
        }
        let Some(name) = &package else { continue };
        let trimmed = line.trim_start();
        let Some(value) = trimmed
            .strip_prefix("version:")
            .or_else(|| trimmed.strip_prefix("version "))
        else {
            continue;
        };
        let value_start = line_start + (line.len() - value.len());
        let value_range = value_start + (value.len() - value.trim_start().len())
            ..value_start + value.trim_end().len();
        let range = unquoted(text, value_range);
        let version = text[range.clone()].to_string();
        if let Some(spec) = npm_range(&version).filter(|v| !v.is_empty()) {
            out.push(locked(Ecosystem::Node, name.clone(), spec, range));
        }
        package = None;
    }
    facts(out)
}

/// The package of an entry header: every descriptor of `a@^1, "a@npm:^1.2"` names
/// the same package. Workspace, link and other local entries are not registry
/// packages.
fn entry_package(header: &str) -> Option<String> {
    let first = header.split(", ").next()?.trim().trim_matches('"');
    let (name, range) = split_name_and_range(first)?;
    let local = ["workspace:", "link:", "portal:", "file:"]
        .iter()
        .any(|p| range.starts_with(p));
    (!local).then(|| name.to_string())
}

/// `pnpm-lock.yaml`: the dependency sections of each importer (v6+, and v5
/// workspaces) or of the root (v5/v6 single projects). Versions drop their
/// peer-dependency suffix: `3.3.0(debug@4.3.4)` (v6+) or `3.3.0_debug@4.3.4` (v5).
pub(super) fn read_pnpm_lock(text: &str) -> ManifestFacts {
    let mut out = Vec::new();
    for document in yaml_tree::parse(text) {
        let importers = document.get("importers").map(Node::entries).unwrap_or(&[]);
        let projects = importers
            .iter()
            .map(|(_, project)| project)
            .chain(std::iter::once(&document));
        for project in projects {
            for section in ["dependencies", "devDependencies", "optionalDependencies"] {
                let Some(dependencies) = project.get(section) else {
                    continue;
                };
                for (name, entry) in dependencies.entries() {
                    let version = entry.get("version").unwrap_or(entry);
                    let Some((version, range)) = version.scalar() else {
                        continue;
                    };
                    let written_at = unquoted(text, range);
                    let bare_len = version.find(['(', '_']).unwrap_or(version.len());
                    let bare = &version[..bare_len];
                    let Some(spec) = npm_range(bare).filter(|v| !v.is_empty()) else {
                        continue;
                    };
                    let range = if written_at.len() == version.len() {
                        written_at.start..written_at.start + bare_len
                    } else {
                        written_at
                    };
                    out.push(locked(Ecosystem::Node, name.clone(), spec, range));
                }
            }
        }
    }
    facts(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_support::{pin, written};

    fn pins(facts: ManifestFacts, text: &str) -> Vec<(String, String, String)> {
        assert!(facts.requirements.iter().all(|r| r.origin == Origin::Lock));
        written(&facts.sorted().requirements, text)
    }

    #[test]
    fn poetry_and_uv_locks() {
        let poetry = "[[package]]\nname = \"openai\"\nversion = \"0.28.1\"\ndescription = \"\"\n\n[package.extras]\ndatalib = [\"numpy\"]\n\n[[package]]\nname = \"langchain_core\"\nversion = \"0.1.0\"\n\n[metadata]\nlock-version = \"2.0\"\n";
        assert_eq!(
            pins(read_toml_lock(poetry), poetry),
            [
                pin("openai", "==0.28.1", "0.28.1"),
                pin("langchain-core", "==0.1.0", "0.1.0"),
            ]
        );
        let uv = "version = 1\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\nsource = { editable = \".\" }\n\n[[package]]\nname = \"openai\"\nversion = \"1.3.0\"\nsource = { registry = \"https://pypi.org/simple\" }\n";
        assert_eq!(
            pins(read_toml_lock(uv), uv),
            [
                pin("app", "==0.1.0", "0.1.0"),
                pin("openai", "==1.3.0", "1.3.0"),
            ]
        );
        // Keys after a value spread over lines are still read (the whole table).
        let late = "[[package]]\ndependencies = [\n  { name = \"x\" },\n]\nname = \"openai\"\nversion = \"0.27.0\"\n\n[[package]]\r\nname = \"litellm\"\r\nversion = \"1.0.0\"\r\n";
        assert_eq!(
            pins(read_toml_lock(late), late),
            [
                pin("openai", "==0.27.0", "0.27.0"),
                pin("litellm", "==1.0.0", "1.0.0"),
            ]
        );
    }

    #[test]
    fn package_lock_top_level_only() {
        let v3 = r#"{
  "name": "app",
  "lockfileVersion": 3,
  "packages": {
    "": {"name": "app", "dependencies": {"openai": "^3.2.1"}},
    "node_modules/openai": {"version": "3.3.0", "resolved": "https://registry.npmjs.org/openai/-/openai-3.3.0.tgz"},
    "node_modules/@langchain/core": {"version": "0.1.5"},
    "node_modules/langchain/node_modules/openai": {"version": "4.20.0"},
    "packages/web/node_modules/openai": {"version": "4.0.0"},
    "node_modules/linked": {"resolved": "packages/linked", "link": true}
  },
  "dependencies": {"openai": {"version": "3.3.0"}}
}"#;
        assert_eq!(
            pins(read_package_lock(v3), v3),
            [
                pin("openai", "3.3.0", "3.3.0"),
                pin("@langchain/core", "0.1.5", "0.1.5"),
            ]
        );
        let v1 = r#"{"lockfileVersion": 1, "dependencies": {
  "openai": {"version": "3.2.1", "dependencies": {"axios": {"version": "0.26.1"}}},
  "git-dep": {"version": "git+https://github.com/x/y.git#abc"}
}}"#;
        assert_eq!(
            pins(read_package_lock(v1), v1),
            [pin("openai", "3.2.1", "3.2.1")]
        );
    }

    #[test]
    fn yarn_classic_and_berry() {
        let classic = "# yarn lockfile v1\n\n\n\"@langchain/core@>=0.1 <0.2\", \"@langchain/core@^0.1.0\":\n  version \"0.1.5\"\n  resolved \"https://registry.yarnpkg.com/x\"\n\nopenai@^3.2.1:\n  version \"3.3.0\"\n  dependencies:\n    axios \"^0.26.0\"\n";
        assert_eq!(
            pins(read_yarn_lock(classic), classic),
            [
                pin("@langchain/core", "0.1.5", "0.1.5"),
                pin("openai", "3.3.0", "3.3.0"),
            ]
        );
        let berry = "__metadata:\n  version: 6\n  cacheKey: 8\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n\n\"openai@npm:^3.2.1, openai@npm:^3.3.0\":\n  version: 3.3.0\n  resolution: \"openai@npm:3.3.0\"\n";
        assert_eq!(
            pins(read_yarn_lock(berry), berry),
            [pin("openai", "3.3.0", "3.3.0")]
        );
    }

    #[test]
    fn pnpm_v5_v6_v9() {
        let v9 = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      openai:\n        specifier: ^3.2.1\n        version: 3.3.0(debug@4.3.4)\n      local:\n        specifier: link:../local\n        version: link:../local\n\n  packages/web:\n    devDependencies:\n      '@langchain/openai':\n        specifier: ~0.0.14\n        version: 0.0.14\n\npackages:\n\n  openai@4.0.0:\n    resolution: {integrity: sha512-x}\n";
        assert_eq!(
            pins(read_pnpm_lock(v9), v9),
            [
                pin("openai", "3.3.0", "3.3.0"),
                pin("@langchain/openai", "0.0.14", "0.0.14"),
            ]
        );
        let v6 = "lockfileVersion: '6.0'\n\ndependencies:\n  openai:\n    specifier: ^3.2.1\n    version: '3.3.0'\n";
        assert_eq!(
            pins(read_pnpm_lock(v6), v6),
            [pin("openai", "3.3.0", "3.3.0")]
        );
        let v5 = "lockfileVersion: 5.4\n\nspecifiers:\n  openai: ^3.2.1\n\ndependencies:\n  openai: 3.3.0_debug@4.3.4\n";
        assert_eq!(
            pins(read_pnpm_lock(v5), v5),
            [pin("openai", "3.3.0", "3.3.0")]
        );
    }

    #[test]
    fn malformed_locks() {
        for junk in [
            "",
            "{",
            "[[package]]\nname = 3",
            "[[package",
            "\"a@1\":\n  version",
            "x:\n  version: \"",
            "importers: [\n",
        ] {
            let _ = read_toml_lock(junk);
            let _ = read_package_lock(junk);
            let _ = read_yarn_lock(junk);
            let _ = read_pnpm_lock(junk);
        }
    }
}
