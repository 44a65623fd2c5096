//! Findings and tool diagnostics: what a scan produces, before any output format sees it.
//!
//! Every text here is already redacted: the analysis stage replaces secrets before a
//! `Finding` is built, so no output format can leak one by accident.

use crate::project::ProjectFacts;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Severity of a rule or finding. Ordered so that `Note < Warning < Error`.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// A 1-based position. `column` counts Unicode scalar values (what editors and the
/// concise format use); `utf16_column` counts UTF-16 code units (what SARIF uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub utf16_column: usize,
}

/// The first source line of a finding, redacted and cut to a readable window.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// Character range inside `text` to underline.
    pub highlight: std::ops::Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// Path as shown to the user: relative when it was given relative, `/`-separated.
    pub path: String,
    pub rule: String,
    pub level: Level,
    pub start: Position,
    pub end: Position,
    pub message: String,
    /// Stable across line moves: a hash of the rule and the normalised secret or code.
    pub fingerprint: String,
    pub snippet: Snippet,
    /// Text that fixes the finding when it replaces the range exactly (the current
    /// model for a deprecated one, the variable the SDK reads): the editor's quick fix.
    pub replacement: Option<String>,
}

impl Finding {
    fn sort_key(&self) -> (&str, usize, usize, &str, usize, usize, &str) {
        (
            &self.path,
            self.start.line,
            self.start.column,
            &self.rule,
            self.end.line,
            self.end.column,
            &self.message,
        )
    }
}

/// What kind of problem the tool itself met. Drives the stderr prefix and SARIF level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagnosticKind {
    /// A file that could not be read (permissions, vanished, I/O error).
    Unreadable,
    /// A file skipped on purpose: binary, or larger than `--max-file-size`.
    Skipped,
    /// A suppression comment that could not be understood.
    Suppression,
    /// A file whose structure could not be parsed; it was scanned as plain text.
    Parse,
    /// An internal error while analysing one file; the scan went on.
    Internal,
    /// A problem with the walk itself (symlink loop, unreadable directory).
    Walk,
}

impl DiagnosticKind {
    pub fn level(self) -> Level {
        match self {
            DiagnosticKind::Skipped | DiagnosticKind::Parse => Level::Note,
            DiagnosticKind::Suppression | DiagnosticKind::Unreadable | DiagnosticKind::Walk => {
                Level::Warning
            }
            DiagnosticKind::Internal => Level::Error,
        }
    }

    /// Whether this diagnostic means part of the input was not analysed as intended.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            DiagnosticKind::Unreadable | DiagnosticKind::Internal | DiagnosticKind::Walk
        )
    }
}

/// A message about the scan itself, not about the code: printed on stderr, listed in
/// JSON `warnings`, and recorded as a SARIF tool notification.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Diagnostic {
    pub path: Option<String>,
    pub line: Option<usize>,
    pub kind: DiagnosticKind,
    pub message: String,
}

impl Diagnostic {
    pub fn new(path: impl Into<String>, kind: DiagnosticKind, message: impl Into<String>) -> Self {
        Diagnostic {
            path: Some(path.into()),
            line: None,
            kind,
            message: message.into(),
        }
    }
}

/// The result of one scan. `finish` makes it deterministic.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub diagnostics: Vec<Diagnostic>,
    pub files_scanned: usize,
    /// The paths of the files read and analysed, in no particular order: a
    /// `--baseline` tells a file that was scanned and came out clean from one the
    /// run never read (a pre-commit run names only the staged files).
    pub scanned_paths: Vec<String>,
    /// Binary files skipped without a per-file diagnostic (walks meet many images).
    pub binary_skipped: usize,
    /// Cross-file facts for the project rules, judged after the per-file pass.
    pub project: ProjectFacts,
    /// Findings left out because the `--baseline` holds them; `None` without one.
    pub in_baseline: Option<usize>,
}

impl Report {
    pub fn merge(mut self, other: Report) -> Report {
        self.findings.extend(other.findings);
        self.diagnostics.extend(other.diagnostics);
        self.files_scanned += other.files_scanned;
        self.scanned_paths.extend(other.scanned_paths);
        self.binary_skipped += other.binary_skipped;
        self.project.merge(other.project);
        self
    }

    /// Sort findings by path, line, column and rule, and drop exact duplicates, so the
    /// same input gives byte-identical output at any thread count.
    pub fn finish(&mut self) {
        self.findings
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.findings.dedup_by(|a, b| {
            a.path == b.path && a.rule == b.rule && a.start == b.start && a.end == b.end
        });
        self.diagnostics.sort();
        self.diagnostics.dedup();
    }

    pub fn count_at_or_above(&self, level: Level) -> usize {
        self.findings.iter().filter(|f| f.level >= level).count()
    }

    pub fn files_with_findings(&self) -> usize {
        let mut paths: Vec<&str> = self.findings.iter().map(|f| f.path.as_str()).collect();
        paths.dedup();
        paths.len()
    }
}

/// A fingerprint that survives line moves: the rule id plus the normalised secret or
/// code, hashed, so it names *what* was found and never stores it.
pub fn fingerprint(rule: &str, normalized: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(rule.as_bytes());
    hasher.update([0u8]);
    hasher.update(normalized.as_bytes());
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Collapse whitespace so a reformatted line keeps its fingerprint.
pub fn normalize_code(code: &str) -> String {
    code.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_depends_on_rule_and_content_only() {
        let a = fingerprint("hardcoded-key", "abc");
        assert_eq!(a, fingerprint("hardcoded-key", "abc"));
        assert_ne!(a, fingerprint("malformed-key", "abc"));
        assert_ne!(a, fingerprint("hardcoded-key", "abd"));
        assert_eq!(a.len(), 16);
    }

    #[test]
    fn normalize_collapses_whitespace() {
        assert_eq!(normalize_code("  a =\t \"x\"  "), "a = \"x\"");
    }

    #[test]
    fn levels_are_ordered() {
        assert!(Level::Note < Level::Warning && Level::Warning < Level::Error);
    }
}
