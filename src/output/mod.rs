//! Output formats. Each one renders a finished, sorted, redacted [`Report`].

mod concise;
mod full;
mod github;
mod json;
mod sarif;

pub use sarif::automation_id as sarif_automation_id;

use crate::findings::Report;
use crate::rules::RuleSet;
use std::io::{self, Write};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Frames with the source line and a caret, like rustc and ruff (default).
    Full,
    /// One line per finding: `path:line:col: level[rule-id] message`.
    Concise,
    /// A JSON document with findings and warnings.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// GitHub Actions workflow commands (`::error file=…::…`).
    Github,
}

impl Format {
    pub fn is_human(self) -> bool {
        matches!(self, Format::Full)
    }
}

/// What every format may need besides the report.
pub struct Context<'a> {
    /// The rules that ran (SARIF lists them).
    pub rules: &'a RuleSet,
    pub color: bool,
    /// SARIF `automationDetails` category (`--sarif-category`), already checked by
    /// [`sarif_automation_id`]; `None` is `keylint`.
    pub sarif_category: Option<&'a str>,
}

pub fn write(
    format: Format,
    report: &Report,
    ctx: &Context,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Full => full::write(report, ctx, out),
        Format::Concise => concise::write(report, out),
        Format::Json => json::write(report, out),
        Format::Sarif => sarif::write(report, ctx, out),
        Format::Github => github::write(report, out),
    }
}
