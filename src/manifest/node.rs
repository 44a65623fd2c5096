//! `package.json` dependency sections, and the npm spec rules shared with lock
//! files and `npm install` arguments.

use super::{Ecosystem, ManifestFacts, Origin, Requirement, parse_json};
use jsonc_parser::ast::Value;

const SECTIONS: &[&str] = &[
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];

/// An npm dependency spec as a range the semver checker can read: `Some("")` for a
/// dist-tag (`latest`, `next`: whatever the registry serves, no bound), `None` for
/// specs that name no registry version (git, GitHub shorthand, `file:`, `link:`,
/// `workspace:`, `catalog:`, URLs, paths).
pub(super) fn npm_range(spec: &str) -> Option<String> {
    let spec = spec.trim();
    if spec.contains([':', '/', '\\']) || spec.starts_with('.') {
        return None;
    }
    // `x`, `x.1`, `v1.2.3` are ranges; any other word is a dist-tag.
    let mut chars = spec.chars();
    let is_tag = match (chars.next(), chars.as_str()) {
        (Some('x' | 'X'), rest) => !(rest.is_empty() || rest.starts_with(['.', ' '])),
        (Some('v' | 'V'), rest) => !rest.starts_with(|c: char| c.is_ascii_digit()),
        (Some(c), _) => c.is_ascii_alphabetic(),
        (None, _) => false,
    };
    Some(if is_tag {
        String::new()
    } else {
        spec.to_string()
    })
}

/// A dependency's real package and range: `"openai-v3": "npm:openai@^3"` installs
/// `openai` under another name, so it counts as `openai`.
pub(super) fn package_and_range(name: &str, spec: &str) -> Option<(String, String)> {
    if let Some(aliased) = spec.trim().strip_prefix("npm:") {
        let (real, range) = split_name_and_range(aliased)?;
        return Some((real.to_string(), npm_range(range)?));
    }
    Some((name.to_string(), npm_range(spec)?))
}

/// `openai@^3` → (`openai`, `^3`); `@langchain/core@0.1` → (`@langchain/core`,
/// `0.1`); `openai` → (`openai`, ``). `None` when the name is not a package name.
pub(super) fn split_name_and_range(arg: &str) -> Option<(&str, &str)> {
    let scoped = arg.starts_with('@');
    let at = arg[usize::from(scoped)..]
        .find('@')
        .map(|i| i + usize::from(scoped));
    let (name, range) = match at {
        Some(at) => (&arg[..at], &arg[at + 1..]),
        None => (arg, ""),
    };
    is_package_name(name).then_some((name, range))
}

fn is_package_name(name: &str) -> bool {
    let plain = |part: &str| {
        !part.is_empty()
            && !part.starts_with(['.', '_'])
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'))
    };
    match name.strip_prefix('@') {
        Some(scoped) => scoped
            .split_once('/')
            .is_some_and(|(scope, package)| plain(scope) && plain(package)),
        None => plain(name),
    }
}

pub(super) fn read_package_json(text: &str) -> ManifestFacts {
    let mut requirements = Vec::new();
    let Some(root) = parse_json(text) else {
        return ManifestFacts::default();
    };
    for section in SECTIONS {
        let Some(dependencies) = root.get_object(section) else {
            continue;
        };
        for dependency in &dependencies.properties {
            let Value::StringLit(spec) = &dependency.value else {
                continue;
            };
            let Some((name, range)) = package_and_range(dependency.name.as_str(), &spec.value)
            else {
                continue;
            };
            requirements.push(Requirement {
                ecosystem: Ecosystem::Node,
                name,
                spec: range,
                origin: Origin::Manifest,
                range: dependency.range.start..dependency.range.end,
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

    #[test]
    fn dependency_sections() {
        let text = r#"{
  "name": "app",
  "version": "1.0.0",
  "dependencies": {
    "openai": "^3.2.1",
    "@langchain/openai": "~0.0.14",
    "legacy-openai": "npm:openai@3.3.0",
    "local": "file:../local",
    "fork": "github:someone/openai-node",
    "tagged": "latest",
    "shared": "workspace:*"
  },
  "devDependencies": { "litellm": "*" },
  "peerDependencies": { "langchain": ">=0.1 <0.2" },
  "optionalDependencies": { "llamaindex": "" },
  "scripts": { "openai": "node x.js" }
}"#;
        let facts = read_package_json(text);
        let got: Vec<(&str, &str, &str)> = facts
            .requirements
            .iter()
            .map(|r| (r.name.as_str(), r.spec.as_str(), &text[r.range.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                ("openai", "^3.2.1", "\"openai\": \"^3.2.1\""),
                (
                    "@langchain/openai",
                    "~0.0.14",
                    "\"@langchain/openai\": \"~0.0.14\""
                ),
                ("openai", "3.3.0", "\"legacy-openai\": \"npm:openai@3.3.0\""),
                ("tagged", "", "\"tagged\": \"latest\""),
                ("litellm", "*", "\"litellm\": \"*\""),
                ("langchain", ">=0.1 <0.2", "\"langchain\": \">=0.1 <0.2\""),
                ("llamaindex", "", "\"llamaindex\": \"\""),
            ]
        );
        assert!(
            facts
                .requirements
                .iter()
                .all(|r| r.ecosystem == Ecosystem::Node)
        );
    }

    #[test]
    fn npm_ranges() {
        for (spec, range) in [
            ("^3.2.1", Some("^3.2.1")),
            ("~3.2", Some("~3.2")),
            ("3.x", Some("3.x")),
            ("x", Some("x")),
            ("v3.3.0", Some("v3.3.0")),
            ("1.0.0 - 2.0.0", Some("1.0.0 - 2.0.0")),
            ("^3 || ^4", Some("^3 || ^4")),
            ("next", Some("")),
            ("beta", Some("")),
            ("~/src/openai", None),
            ("./openai", None),
            ("someone/openai-node", None),
            ("git+https://github.com/x/y.git", None),
            ("https://example.com/openai.tgz", None),
            ("link:../x", None),
        ] {
            assert_eq!(npm_range(spec).as_deref(), range, "{spec}");
        }
    }

    #[test]
    fn names_and_ranges_of_arguments() {
        assert_eq!(split_name_and_range("openai@3"), Some(("openai", "3")));
        assert_eq!(
            split_name_and_range("@langchain/core@^0.1"),
            Some(("@langchain/core", "^0.1"))
        );
        assert_eq!(split_name_and_range("openai"), Some(("openai", "")));
        assert_eq!(split_name_and_range("@scope"), None);
        assert_eq!(split_name_and_range("./pkg"), None);
        assert_eq!(split_name_and_range("a/b"), None);
    }

    #[test]
    fn malformed_package_json() {
        for junk in [
            "",
            "{",
            "[]",
            "{\"dependencies\": []}",
            "{\"dependencies\": {\"a\": 1}}",
        ] {
            assert!(read_package_json(junk).requirements.is_empty());
        }
    }
}
