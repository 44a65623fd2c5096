//! TOML read with the `toml` crate's spanned parser into scalar entries that know
//! their key path and byte range, so rules read values (`[env] OPENAI_BASE_URL =
//! "…"`) and never mistake text inside a multi-line string for a setting.

use std::ops::Range;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Nesting deeper than this is not parsed: a hostile file cannot exhaust the
/// parser's stack.
const MAX_DEPTH: usize = 64;

/// One scalar value on a single line, with the keys that lead to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Table and key names from the root; an array item is `-`.
    pub path: Vec<String>,
    /// Strings decoded; numbers and booleans as written.
    pub value: String,
    /// The value as written, without its quotes.
    pub range: Range<usize>,
}

/// Every single-line scalar of `text`. `Err` when the text is not TOML.
pub fn entries(text: &str) -> Result<Vec<Entry>, String> {
    if bracket_depth(text) > MAX_DEPTH {
        return Err(format!("TOML nested deeper than {MAX_DEPTH} levels"));
    }
    let root = DeTable::parse(text).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut stack: Vec<(Vec<String>, &Spanned<DeValue>)> = Vec::new();
    push_table(&mut stack, &[], root.get_ref());
    while let Some((path, spanned)) = stack.pop() {
        let span = spanned.span();
        let raw = text.get(span.clone()).unwrap_or("");
        match spanned.get_ref() {
            DeValue::Table(table) => push_table(&mut stack, &path, table),
            DeValue::Array(items) => {
                for item in items.iter().rev() {
                    let mut p = path.clone();
                    p.push("-".to_string());
                    stack.push((p, item));
                }
            }
            DeValue::String(s) => {
                if raw.contains('\n') || raw.starts_with("\"\"\"") || raw.starts_with("'''") {
                    continue;
                }
                let quoted = raw.starts_with(['"', '\'']) && raw.len() >= 2;
                let range = if quoted {
                    span.start + 1..span.end - 1
                } else {
                    span
                };
                out.push(Entry {
                    path,
                    value: s.to_string(),
                    range,
                });
            }
            DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) => out.push(Entry {
                path,
                value: raw.to_string(),
                range: span,
            }),
            DeValue::Datetime(_) => {}
        }
    }
    out.sort_by_key(|e| e.range.start);
    Ok(out)
}

/// Queue a table's entries so they pop in document order.
fn push_table<'t, 'i>(
    stack: &mut Vec<(Vec<String>, &'t Spanned<DeValue<'i>>)>,
    path: &[String],
    table: &'t DeTable<'i>,
) {
    for (key, value) in table.iter().rev() {
        let mut p = path.to_vec();
        p.push(key.get_ref().to_string());
        stack.push((p, value));
    }
}

/// The deepest `[`/`{` nesting outside strings and comments, roughly: enough to
/// refuse pathological input before parsing.
fn bracket_depth(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("");
        for b in line.bytes() {
            match b {
                b'[' | b'{' => {
                    depth += 1;
                    max = max.max(depth);
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_with_paths_and_ranges() {
        let text = "title = \"x\"\n[env]\nOPENAI_BASE_URL = \"https://api.openai.com\"\nRETRIES = 0\n[[svc]]\nurls = ['http://a.example', \"b\"]\ndoc = '''\nOPENAI_BASE_URL=https://api.openai.com\n'''\n";
        let found = entries(text).unwrap();
        let shown: Vec<(String, &str)> = found
            .iter()
            .map(|e| (e.path.join("."), &text[e.range.clone()]))
            .collect();
        assert_eq!(
            shown,
            [
                ("title".to_string(), "x"),
                ("env.OPENAI_BASE_URL".to_string(), "https://api.openai.com"),
                ("env.RETRIES".to_string(), "0"),
                ("svc.-.urls.-".to_string(), "http://a.example"),
                ("svc.-.urls.-".to_string(), "b"),
            ]
        );
    }

    #[test]
    fn bad_or_deep_input_is_an_error() {
        assert!(entries("a = [").is_err());
        let deep = format!("a = {}1{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(entries(&deep).is_err());
    }
}
