//! conda `environment.yml`: `dependencies:` match specs and the nested `- pip:`
//! list of pip requirements.

use super::python_spec::{parse_pep508, pep440_spec};
use super::requirements_txt::include_target;
use super::yaml_tree;
use super::{Ecosystem, ManifestFacts, Origin, Requirement, normalise_python_name, unquoted};

pub(super) fn read(text: &str) -> ManifestFacts {
    let mut facts = ManifestFacts::default();
    for document in yaml_tree::parse(text) {
        let Some(dependencies) = document.get("dependencies") else {
            continue;
        };
        for item in dependencies.items() {
            if let Some((spec, range)) = item.scalar() {
                let range = unquoted(text, range);
                if let Some((name, spec)) = conda_match_spec(spec) {
                    facts
                        .requirements
                        .push(requirement(name, spec, range, None));
                }
            } else if let Some(pip) = item.get("pip") {
                for line in pip.items() {
                    let Some((line, range)) = line.scalar() else {
                        continue;
                    };
                    let range = unquoted(text, range);
                    if line.trim_start().starts_with('-') {
                        facts.includes.extend(include_target(line.trim_start()));
                        continue;
                    }
                    let Some(parsed) = parse_pep508(line) else {
                        continue;
                    };
                    // A quoted scalar with escapes: point at the whole string.
                    let range = if range.len() == line.len() {
                        range.start + parsed.range.start..range.start + parsed.range.end
                    } else {
                        range
                    };
                    facts.requirements.push(requirement(
                        parsed.name,
                        parsed.spec,
                        range,
                        parsed.extras_or_marker,
                    ));
                }
            }
        }
    }
    facts
}

fn requirement(
    name: String,
    spec: String,
    range: std::ops::Range<usize>,
    extras_or_marker: Option<String>,
) -> Requirement {
    Requirement {
        ecosystem: Ecosystem::Python,
        name,
        spec,
        origin: Origin::Manifest,
        range,
        extras_or_marker,
    }
}

/// A conda match spec (`[channel::]name[ version[ build]]`, `name=1.2[=build]`,
/// `name==1.2`, `name>=1,<2`) as a PEP 503 name and a PEP 440 specifier set. conda's
/// `=1.2` is a prefix match (`==1.2.*`); a version with `|` alternatives has no
/// PEP 440 form and comes out as any version.
fn conda_match_spec(spec: &str) -> Option<(String, String)> {
    let spec = spec.trim();
    let spec = spec.rsplit_once("::").map_or(spec, |(_, s)| s);
    let name_len = spec
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(spec.len());
    let (name, rest) = spec.split_at(name_len);
    if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return None;
    }
    let name = normalise_python_name(name);
    // The bracket form `name[version='>=1']` keeps the version inside.
    let rest = match rest.strip_prefix('[') {
        Some(inside) => bracket_version(inside).unwrap_or(""),
        None => rest.trim(),
    };
    if rest.contains('|') {
        return Some((name, String::new()));
    }
    let translated = if let Some(exact) = rest.strip_prefix("==") {
        let version = exact.split(['=', ' ']).next().unwrap_or("");
        pep440_spec(&format!("=={version}"))
    } else if let Some(fuzzy) = rest.strip_prefix('=') {
        let version = fuzzy.split(['=', ' ']).next().unwrap_or("");
        prefix_match(version.trim_end_matches(['*', '.']))
    } else if rest.starts_with(['<', '>', '!', '~']) {
        let version = rest.split(' ').next().unwrap_or("");
        pep440_spec(version)
    } else {
        // Space form: `name 1.2.* build`; a bare version there is exact.
        let version = rest.split_whitespace().next().unwrap_or("");
        if version.is_empty() || version == "*" {
            Some(String::new())
        } else if version.ends_with('*') {
            prefix_match(version.trim_end_matches(['*', '.']))
        } else {
            pep440_spec(&format!("=={version}"))
        }
    };
    Some((name, translated.unwrap_or_default()))
}

fn prefix_match(version: &str) -> Option<String> {
    if version.is_empty() {
        return Some(String::new());
    }
    pep440_spec(&format!("=={version}.*"))
}

/// `version='>=1'` or `version=">=1"` inside a bracket spec.
fn bracket_version(inside: &str) -> Option<&str> {
    let after = &inside[inside.find("version")? + "version".len()..];
    let value = after.trim_start().strip_prefix('=')?.trim_start();
    let quote = value.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
    let value = &value[1..];
    Some(&value[..value.find(quote)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_specs() {
        for (spec, name, pep440) in [
            ("openai=0.28", "openai", "==0.28.*"),
            ("openai=0.28.1", "openai", "==0.28.1.*"),
            ("openai=0.28.*", "openai", "==0.28.*"),
            ("openai==0.28.1", "openai", "==0.28.1"),
            ("openai==0.28.1=pyhd8ed1ab_0", "openai", "==0.28.1"),
            ("openai>=1", "openai", ">=1"),
            ("openai >=0.27,<1", "openai", ">=0.27,<1"),
            ("openai 0.28.1", "openai", "==0.28.1"),
            ("openai 0.28.* pyhd8ed1ab_0", "openai", "==0.28.*"),
            ("conda-forge::openai=0.28", "openai", "==0.28.*"),
            ("openai[version='>=1,<2']", "openai", ">=1,<2"),
            ("openai 0.27|0.28", "openai", ""),
            ("python=3.11", "python", "==3.11.*"),
            ("pip", "pip", ""),
            ("openai=latest", "openai", ""),
        ] {
            assert_eq!(
                conda_match_spec(spec),
                Some((name.to_string(), pep440.to_string())),
                "{spec}"
            );
        }
        assert_eq!(conda_match_spec(""), None);
        assert_eq!(conda_match_spec("=1"), None);
    }

    #[test]
    fn environment_with_pip_section() {
        let text = "name: app\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - openai=0.28\n  - \"langchain>=0.1\"\n  - pip\n  - pip:\n      - openai==0.28.1\n      - 'litellm[proxy]>=1 ; python_version >= \"3.9\"'\n      - -r requirements.txt\n      - git+https://github.com/x/y\n";
        let facts = read(text);
        let got: Vec<(&str, &str, &str)> = facts
            .requirements
            .iter()
            .map(|r| (r.name.as_str(), r.spec.as_str(), &text[r.range.clone()]))
            .collect();
        assert_eq!(
            got,
            [
                ("python", "==3.11.*", "python=3.11"),
                ("openai", "==0.28.*", "openai=0.28"),
                ("langchain", ">=0.1", "langchain>=0.1"),
                ("pip", "", "pip"),
                ("openai", "==0.28.1", "openai==0.28.1"),
                (
                    "litellm",
                    ">=1",
                    "litellm[proxy]>=1 ; python_version >= \"3.9\""
                ),
            ]
        );
        assert_eq!(facts.includes, ["requirements.txt"]);
    }

    #[test]
    fn malformed_environment() {
        assert!(read("dependencies: [openai=0.28\n").requirements.len() <= 1);
        for junk in [
            "dependencies: 3",
            "dependencies:\n  - {pip: 3}",
            "- a",
            "{{x}}",
        ] {
            let _ = read(junk);
        }
    }
}
