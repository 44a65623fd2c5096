//! The `concise` format: `path:line:col: level[rule-id] message`, one per line.
//! Lines and columns are 1-based; columns count characters. Editors parse this, so
//! it is a stable interface.

use crate::findings::Report;
use std::io::{self, Write};

pub fn write(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for f in &report.findings {
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            f.path,
            f.start.line,
            f.start.column,
            f.level.as_str(),
            f.rule,
            f.message
        )?;
    }
    Ok(())
}
