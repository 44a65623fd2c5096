//! The `github` format: workflow commands that GitHub Actions turns into annotations.

use crate::findings::{Level, Report};
use std::io::{self, Write};

/// Escape a message (data): `%`, CR and LF.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value: data escapes plus `:` and `,`.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        let command = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Note => "notice",
        };
        // Columns only make sense on a single line (GitHub ignores them otherwise).
        let columns = if f.start.line == f.end.line {
            format!(",col={},endColumn={}", f.start.column, f.end.column)
        } else {
            String::new()
        };
        writeln!(
            out,
            "::{command} file={},line={},endLine={}{columns},title={}::{}",
            escape_property(&f.path),
            f.start.line,
            f.end.line,
            escape_property(&format!("keylint ({})", f.rule)),
            escape_data(&f.message)
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
