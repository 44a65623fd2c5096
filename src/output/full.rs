//! The `full` format: rustc/ruff-style frames, coloured only when asked.

use super::Context;
use crate::findings::{Level, Report};
use std::io::{self, Write};

struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn level(&self, level: Level, text: &str) -> String {
        let code = match level {
            Level::Error => "1;31",
            Level::Warning => "1;33",
            Level::Note => "1;36",
        };
        self.wrap(code, text)
    }

    fn frame(&self, text: &str) -> String {
        self.wrap("1;34", text)
    }

    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
}

pub fn write(report: &Report, ctx: &Context, out: &mut dyn Write) -> io::Result<()> {
    let paint = Paint { on: ctx.color };
    for f in &report.findings {
        let gutter = f.start.line.to_string().len();
        let pad = " ".repeat(gutter);
        writeln!(
            out,
            "{}{} {}",
            paint.level(f.level, &format!("{}[{}]", f.level.as_str(), f.rule)),
            paint.bold(":"),
            paint.bold(&f.message)
        )?;
        writeln!(
            out,
            "{pad}{} {}:{}:{}",
            paint.frame("-->"),
            f.path,
            f.start.line,
            f.start.column
        )?;
        writeln!(out, "{pad} {}", paint.frame("|"))?;
        let text = f.snippet.text.replace('\t', "    ");
        writeln!(
            out,
            "{} {} {}",
            paint.frame(&f.start.line.to_string()),
            paint.frame("|"),
            text
        )?;
        let hl = &f.snippet.highlight;
        let lead: usize = f
            .snippet
            .text
            .chars()
            .take(hl.start)
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum();
        let carets = "^".repeat(hl.len().max(1));
        writeln!(
            out,
            "{pad} {} {}{}",
            paint.frame("|"),
            " ".repeat(lead),
            paint.level(f.level, &carets)
        )?;
        writeln!(out)?;
    }
    summary(report, &paint, out)
}

fn summary(report: &Report, paint: &Paint, out: &mut dyn Write) -> io::Result<()> {
    let files = plural(report.files_scanned, "file");
    // Binary files are skipped silently while walking (like ripgrep); the count
    // tells the user they exist without a line per image.
    let binary = match report.binary_skipped {
        0 => String::new(),
        n => format!(" ({} skipped)", plural(n, "binary file")),
    };
    let baseline = match report.in_baseline {
        Some(n) if n > 0 => format!("; {} in the baseline", plural(n, "finding")),
        _ => String::new(),
    };
    // With a baseline, what is shown is what is new.
    let new = if report.in_baseline.is_some() {
        "new "
    } else {
        ""
    };
    if report.findings.is_empty() {
        return writeln!(out, "No {new}findings in {files}{binary}{baseline}.");
    }
    let mut parts = Vec::new();
    for level in [Level::Error, Level::Warning, Level::Note] {
        let n = report.findings.iter().filter(|f| f.level == level).count();
        if n > 0 {
            parts.push(paint.level(level, &plural(n, level.as_str())));
        }
    }
    writeln!(
        out,
        "Found {} ({}) in {} of {files} scanned{binary}{baseline}.",
        plural(report.findings.len(), &format!("{new}finding")),
        parts.join(", "),
        report.files_with_findings()
    )
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
