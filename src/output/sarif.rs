//! SARIF 2.1.0 for GitHub code scanning: hand-written structs so every required field
//! is typed, one run per invocation, UTF-16 columns, repo-relative percent-encoded
//! URIs, and fingerprints that survive line moves. Never a secret: messages are
//! already redacted and no snippet is emitted.

use super::Context;
use crate::findings::{Diagnostic, Level, Report};
use crate::rules::Rule;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Everything but unreserved characters and `/` is encoded (RFC 3986 path).
const PATH_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    automation_details: AutomationDetails,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<SarifRule<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifRule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Text,
    full_description: Text,
    help: Help<'a>,
    help_uri: String,
    default_configuration: Configuration,
    properties: RuleProperties<'a>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help<'a> {
    text: &'a str,
    markdown: &'a str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties<'a> {
    tags: &'a [String],
    precision: &'a str,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'a str>,
    #[serde(rename = "problem.severity", skip_serializing_if = "Option::is_none")]
    problem_severity: Option<&'static str>,
}

#[derive(Serialize)]
struct AutomationDetails {
    id: String,
}

/// The category keylint's runs are filed under when none is given.
pub const DEFAULT_CATEGORY: &str = "keylint";

/// `automationDetails.id` for a category. GitHub reads the id as
/// `category/run-id`, the category being everything before the last `/`; an id
/// ending in `/` is a category alone, which is what `upload-sarif` writes for its
/// `category` input (appending the `/`). upload-sarif keeps an id the file already
/// has, so this is the category the analysis gets.
pub fn automation_id(category: &str) -> Result<String, String> {
    if category.is_empty() {
        return Err("the SARIF category is empty; name it, e.g. `keylint-web`".to_string());
    }
    if category.trim_end_matches('/').is_empty() {
        return Err(format!(
            "`{category}` names no SARIF category (GitHub takes the part before the last \
             `/`); name it, e.g. `keylint-web`"
        ));
    }
    // A category is matched exactly between runs and shown as a filter; a space
    // or a newline in it is nearly always a quoting slip in a workflow file.
    if let Some(c) = category
        .chars()
        .find(|c| c.is_whitespace() || c.is_control())
    {
        let what = if c.is_whitespace() {
            "whitespace"
        } else {
            "a control character"
        };
        return Err(format!(
            "`{}` contains {what}; use one word such as `keylint-web` or `keylint/web`",
            category.escape_debug()
        ));
    }
    Ok(if category.ends_with('/') {
        category.to_string()
    } else {
        format!("{category}/")
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Text,
    descriptor: Descriptor,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
struct Descriptor {
    id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Note => "note",
    }
}

/// A repo-relative, percent-encoded URI with `%SRCROOT%`, or an absolute `file://`
/// URI for paths outside the working directory.
fn artifact(path: &str) -> ArtifactLocation {
    let relative = !path.starts_with('/') && !path.split('/').any(|p| p == "..");
    if relative {
        return ArtifactLocation {
            uri: utf8_percent_encode(path, PATH_ENCODE).to_string(),
            uri_base_id: Some("%SRCROOT%"),
        };
    }
    let absolute = if path.starts_with('/') {
        std::path::PathBuf::from(path)
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let absolute = std::fs::canonicalize(&absolute).unwrap_or(absolute);
    ArtifactLocation {
        uri: format!(
            "file://{}",
            utf8_percent_encode(&absolute.to_string_lossy(), PATH_ENCODE)
        ),
        uri_base_id: None,
    }
}

fn sarif_rule(rule: &Rule) -> SarifRule<'_> {
    let security = rule.security_severity.as_deref();
    SarifRule {
        id: &rule.id,
        name: &rule.name,
        short_description: Text {
            text: rule.summary.clone(),
        },
        full_description: Text {
            text: rule.description(),
        },
        help: Help {
            text: &rule.docs,
            markdown: &rule.docs,
        },
        help_uri: rule.help_uri(),
        default_configuration: Configuration {
            level: level(rule.level),
        },
        properties: RuleProperties {
            tags: &rule.tags,
            precision: &rule.precision,
            security_severity: security,
            problem_severity: security.is_none().then_some(match rule.level {
                Level::Error => "error",
                Level::Warning => "warning",
                Level::Note => "recommendation",
            }),
        },
    }
}

fn notification(d: &Diagnostic) -> Notification {
    let mut text = d.message.clone();
    if let (Some(path), Some(line)) = (&d.path, d.line) {
        text = format!("{path}:{line}: {text}");
    } else if let Some(path) = &d.path {
        text = format!("{path}: {text}");
    }
    Notification {
        level: level(d.kind.level()),
        message: Text { text },
        descriptor: Descriptor {
            id: serde_json::to_value(d.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        },
        locations: d
            .path
            .iter()
            .map(|p| Location {
                physical_location: PhysicalLocation {
                    artifact_location: artifact(p),
                    region: None,
                },
            })
            .collect(),
    }
}

pub fn write(report: &Report, ctx: &Context, out: &mut dyn Write) -> io::Result<()> {
    let rules: Vec<&Rule> = ctx.rules.rules.iter().collect();
    let index = |id: &str| rules.iter().position(|r| r.id == id).unwrap_or(0);
    // Identical fingerprints in one file are numbered, as GitHub expects.
    let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let results = report
        .findings
        .iter()
        .map(|f| {
            let n = seen.entry((&f.path, &f.fingerprint)).or_insert(0);
            *n += 1;
            let mut fingerprints = BTreeMap::new();
            fingerprints.insert("primaryLocationLineHash", format!("{}:{n}", f.fingerprint));
            fingerprints.insert("keylint/v1", f.fingerprint.clone());
            SarifResult {
                rule_id: &f.rule,
                rule_index: index(&f.rule),
                level: level(f.level),
                message: Text {
                    text: f.message.clone(),
                },
                locations: [Location {
                    physical_location: PhysicalLocation {
                        artifact_location: artifact(&f.path),
                        region: Some(Region {
                            start_line: f.start.line,
                            start_column: f.start.utf16_column,
                            end_line: f.end.line,
                            end_column: f.end.utf16_column.max(if f.end.line == f.start.line {
                                f.start.utf16_column + 1
                            } else {
                                1
                            }),
                        }),
                    },
                }],
                partial_fingerprints: fingerprints,
            }
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "keylint",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: crate::HOMEPAGE,
                    rules: rules.iter().map(|r| sarif_rule(r)).collect(),
                },
            },
            automation_details: AutomationDetails {
                id: automation_id(ctx.sarif_category.unwrap_or(DEFAULT_CATEGORY))
                    .map_err(io::Error::other)?,
            },
            invocations: [Invocation {
                execution_successful: !report.diagnostics.iter().any(|d| d.kind.is_failure()),
                tool_execution_notifications: report.diagnostics.iter().map(notification).collect(),
            }],
            column_kind: "utf16CodeUnits",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn automation_id_is_the_category_and_a_slash() {
        assert_eq!(automation_id("keylint").unwrap(), "keylint/");
        assert_eq!(automation_id("keylint/web").unwrap(), "keylint/web/");
        assert_eq!(automation_id("web/").unwrap(), "web/");
        assert_eq!(
            automation_id("/language:python").unwrap(),
            "/language:python/"
        );
        for bad in ["", "/", "//", "key lint", "keylint\n", "tab\there"] {
            assert!(automation_id(bad).is_err(), "{bad:?} is rejected");
        }
    }

    #[test]
    fn uris_are_percent_encoded_and_relative() {
        let a = artifact("my app/#1/100%/é.py");
        assert_eq!(a.uri, "my%20app/%231/100%25/%C3%A9.py");
        assert_eq!(a.uri_base_id, Some("%SRCROOT%"));
        let abs = artifact("/tmp/x y.py");
        assert!(abs.uri.starts_with("file:///"), "{}", abs.uri);
        assert!(abs.uri_base_id.is_none());
    }
}
