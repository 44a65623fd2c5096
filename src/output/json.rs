//! The `json` format: one document, stable field order, no secrets.

use crate::findings::{Diagnostic, Finding, Position, Report};
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    tool: Tool,
    findings: Vec<JsonFinding<'a>>,
    warnings: &'a [Diagnostic],
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    level: &'a str,
    path: &'a str,
    start: Position,
    end: Position,
    message: &'a str,
    fingerprint: &'a str,
    /// The first source line, secrets redacted.
    snippet: &'a str,
}

#[derive(Serialize)]
struct Summary {
    files_scanned: usize,
    findings: usize,
    binary_files_skipped: usize,
    /// Findings left out because the baseline holds them; only with `--baseline`.
    #[serde(skip_serializing_if = "Option::is_none")]
    in_baseline: Option<usize>,
}

impl<'a> From<&'a Finding> for JsonFinding<'a> {
    fn from(f: &'a Finding) -> Self {
        JsonFinding {
            rule: &f.rule,
            level: f.level.as_str(),
            path: &f.path,
            start: f.start,
            end: f.end,
            message: &f.message,
            fingerprint: &f.fingerprint,
            snippet: &f.snippet.text,
        }
    }
}

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        version: 1,
        tool: Tool {
            name: "keylint",
            version: env!("CARGO_PKG_VERSION"),
        },
        findings: report.findings.iter().map(JsonFinding::from).collect(),
        warnings: &report.diagnostics,
        summary: Summary {
            files_scanned: report.files_scanned,
            findings: report.findings.len(),
            binary_files_skipped: report.binary_skipped,
            in_baseline: report.in_baseline,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
