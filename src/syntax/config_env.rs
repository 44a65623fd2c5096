//! Values given to one environment variable in configuration: `.env` lines, shell
//! `export NAME=…` and inline `NAME=… cmd`, Dockerfile `ENV`, compose, workflow and
//! Kubernetes env blocks (through the YAML parser), JSON keys and TOML keys
//! (through the TOML parser). Comment lines are skipped.

use crate::analyze::lines::on_comment_line;
use crate::source::FileKind;
use crate::syntax::{toml_doc, yaml};
use regex::Regex;
use std::ops::Range;

/// One value given to the variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvValue {
    /// The value without its quotes.
    pub value: String,
    /// Where that text is.
    pub range: Range<usize>,
}

/// The compiled line patterns for one variable name; build once per scan.
pub struct EnvPattern {
    name: String,
    /// `NAME=value` (also `export NAME=…`, `ENV NAME=…`, `- NAME=…`, `"NAME=… cmd"`).
    assign: Regex,
    /// `NAME: value` and `"NAME": value` (YAML that did not parse, JSON).
    key: Regex,
    /// Dockerfile `ENV NAME value`.
    docker_space: Regex,
}

const VALUE: &str = r#"("[^"\r\n]*"|'[^'\r\n]*'|[^\s"'`;,]*)"#;

impl EnvPattern {
    pub fn new(name: &str) -> EnvPattern {
        let n = regex::escape(name);
        let compile = |p: String| Regex::new(&p).expect("valid built-in regex");
        EnvPattern {
            name: name.to_string(),
            assign: compile(format!(r"(?:^|[^A-Za-z0-9_]){n}[ \t]*=[ \t]*{VALUE}")),
            key: compile(format!(
                r#"(?:^|[^A-Za-z0-9_]){n}["']?[ \t]*:[ \t]*{VALUE}"#
            )),
            docker_space: compile(format!(r"(?mi)^[ \t]*ENV[ \t]+{n}[ \t]+{VALUE}")),
        }
    }

    /// Every value `text` (a file of `kind`) gives the variable.
    pub fn values(&self, kind: FileKind, text: &str) -> Vec<EnvValue> {
        if !text.contains(&self.name) {
            return Vec::new();
        }
        let mut out = Vec::new();
        match kind {
            FileKind::Toml => {
                if let Ok(entries) = toml_doc::entries(text) {
                    out.extend(
                        entries
                            .into_iter()
                            .filter(|e| e.path.last() == Some(&self.name))
                            .map(|e| EnvValue {
                                value: e.value,
                                range: e.range,
                            }),
                    );
                }
            }
            FileKind::Yaml => {
                match yaml::env_assignments(text) {
                    Ok(found) => out.extend(
                        found
                            .into_iter()
                            .filter(|a| a.name == self.name)
                            .filter_map(|a| a.value)
                            .map(|(value, range)| EnvValue { value, range }),
                    ),
                    Err(_) => self.line_values(&self.key, text, &mut out),
                }
                // `run: NAME=value cmd` and other inline assignments.
                self.line_values(&self.assign, text, &mut out);
            }
            FileKind::Json => {
                self.line_values(&self.key, text, &mut out);
                self.line_values(&self.assign, text, &mut out);
            }
            FileKind::DotEnv | FileKind::DotEnvTemplate | FileKind::Shell => {
                self.line_values(&self.assign, text, &mut out);
            }
            FileKind::Dockerfile => {
                self.line_values(&self.assign, text, &mut out);
                self.line_values(&self.docker_space, text, &mut out);
            }
            _ => {}
        }
        out.sort_by_key(|v| v.range.start);
        out
    }

    fn line_values(&self, pattern: &Regex, text: &str, out: &mut Vec<EnvValue>) {
        for c in pattern.captures_iter(text) {
            let Some(m) = c.get(1) else { continue };
            if on_comment_line(text, m.start()) {
                continue;
            }
            let raw = m.as_str();
            let quoted = raw.len() >= 2 && raw.starts_with(['"', '\'']);
            let range = if quoted {
                m.start() + 1..m.end() - 1
            } else {
                m.range()
            };
            // A value the YAML parser already gave is not given twice.
            if out
                .iter()
                .any(|v| v.range.start <= range.start && range.start <= v.range.end)
            {
                continue;
            }
            out.push(EnvValue {
                value: text[range.clone()].to_string(),
                range,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(kind: FileKind, text: &str) -> Vec<String> {
        let found = EnvPattern::new("OPENAI_BASE_URL").values(kind, text);
        for v in &found {
            assert_eq!(&text[v.range.clone()], v.value);
        }
        found.into_iter().map(|v| v.value).collect()
    }

    #[test]
    fn every_carrier() {
        assert_eq!(
            values(
                FileKind::DotEnv,
                "OPENAI_API_KEY=x\nOPENAI_BASE_URL=\"https://a/v1\"\n# OPENAI_BASE_URL=https://old\nexport OPENAI_BASE_URL='b'\n"
            ),
            ["https://a/v1", "b"]
        );
        assert_eq!(
            values(
                FileKind::Dockerfile,
                "FROM x\nENV OPENAI_BASE_URL https://a\nENV A=1 OPENAI_BASE_URL=https://b\n"
            ),
            ["https://a", "https://b"]
        );
        assert_eq!(
            values(
                FileKind::Yaml,
                "services:\n  api:\n    environment:\n      OPENAI_BASE_URL: \"https://a\"\n    command: OPENAI_BASE_URL=https://b node x\n"
            ),
            ["https://a", "https://b"]
        );
        assert_eq!(
            values(
                FileKind::Yaml,
                "env:\n  - name: OPENAI_BASE_URL\n    value: https://k8s\n"
            ),
            ["https://k8s"]
        );
        assert_eq!(
            values(
                FileKind::Json,
                "{\"env\": {\"OPENAI_BASE_URL\": \"https://a\"}}"
            ),
            ["https://a"]
        );
        assert_eq!(
            values(
                FileKind::Toml,
                "[env]\nOPENAI_BASE_URL = \"https://a\"\ndoc = '''\nOPENAI_BASE_URL=https://no\n'''\n"
            ),
            ["https://a"]
        );
        assert!(values(FileKind::Python, "OPENAI_BASE_URL='x'").is_empty());
        assert!(values(FileKind::DotEnv, "MY_OPENAI_BASE_URL=x\n").is_empty());
    }
}
