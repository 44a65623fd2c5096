//! Byte offsets to line/column positions, and redacted one-line snippets.

use crate::findings::{Position, Snippet};
use std::ops::Range;

/// Start offsets of every line, found with one memchr pass.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self.starts[line];
        let end = self
            .starts
            .get(line + 1)
            .map(|&s| s - 1)
            .unwrap_or(text.len());
        let end = if end > start && text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        start..end.max(start)
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let before = &text[self.starts[line]..offset];
        Position {
            line: line + 1,
            column: before.chars().count() + 1,
            utf16_column: before.encode_utf16().count() + 1,
        }
    }
}

/// The offset where the line holding `at` starts.
pub fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// The lines holding `positions` (in increasing order), each once, as ranges
/// without their newline. A pattern that stays on one line and needs a rare word
/// runs on these instead of the whole text: on the whole text, the regex engine
/// stops at every match of the pattern's common first word (`new`, `from`).
pub fn lines_holding(
    text: &str,
    positions: impl IntoIterator<Item = usize>,
) -> impl Iterator<Item = Range<usize>> {
    let mut searched_to = 0;
    positions.into_iter().filter_map(move |at| {
        if at < searched_to {
            return None;
        }
        let end = memchr::memchr(b'\n', &text.as_bytes()[at..]).map_or(text.len(), |i| at + i);
        searched_to = end + 1;
        Some(line_start(text, at)..end)
    })
}

/// Where the argument list opening at `open` closes (brackets counted, strings
/// not: this is a gate, erring towards a longer list), or the end of the text.
pub fn argument_list_end(bytes: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate().skip(open) {
        match b {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    bytes.len()
}

/// Whether the line holding `at` is a comment line (`# …`, `// …`).
pub fn on_comment_line(text: &str, at: usize) -> bool {
    let line = text[line_start(text, at)..].trim_start();
    line.starts_with('#') || line.starts_with("//")
}

pub fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Longest snippet shown, in characters; minified files get a window around the span.
const SNIPPET_WIDTH: usize = 160;

/// The finding's first line with every secret on it replaced by its redacted form,
/// cut to a window around the highlighted span.
pub fn snippet(
    text: &str,
    lines: &LineIndex,
    span: Range<usize>,
    secrets: &[(Range<usize>, &str)],
) -> Snippet {
    let line_no = lines.line_of(span.start);
    let line = lines.line_range(text, line_no);
    let hl_start = span.start.clamp(line.start, line.end);
    let hl_end = span.end.clamp(hl_start, line.end);

    // Rebuild the line, swapping secrets for their redacted text and tracking where the
    // highlight lands (in characters of the rebuilt line).
    let mut out = String::new();
    let mut cursor = line.start;
    let mut on_line: Vec<&(Range<usize>, &str)> = secrets
        .iter()
        .filter(|(r, _)| r.start < line.end && r.end > line.start && r.start >= line.start)
        .collect();
    on_line.sort_by_key(|(r, _)| r.start);
    let mut marks: Vec<(usize, usize)> = Vec::new(); // (byte offset in text, char offset in out)
    for (r, shown) in on_line {
        if r.start < cursor {
            continue;
        }
        push_tracking(&mut out, text, cursor..r.start, &mut marks);
        marks.push((r.start, out.chars().count()));
        out.push_str(shown);
        cursor = r.end.min(line.end);
        marks.push((cursor, out.chars().count()));
    }
    push_tracking(&mut out, text, cursor..line.end, &mut marks);
    marks.push((line.end, out.chars().count()));
    let to_chars = |byte: usize| -> usize {
        // The last mark at or before `byte`, plus the characters between.
        let (b, c) = marks
            .iter()
            .rev()
            .find(|(b, _)| *b <= byte)
            .copied()
            .unwrap_or((line.start, 0));
        let gap = floor_char_boundary(text, byte.max(b));
        c + text[b.min(gap)..gap].chars().count()
    };
    let s = to_chars(hl_start);
    // A highlighted secret ends where its redacted text ends.
    let e = marks
        .iter()
        .find(|(b, _)| *b == hl_end)
        .map(|(_, c)| *c)
        .unwrap_or_else(|| to_chars(hl_end));
    window(&out, s..e.max(s))
}

fn push_tracking(out: &mut String, text: &str, r: Range<usize>, marks: &mut Vec<(usize, usize)>) {
    if r.start >= r.end {
        return;
    }
    marks.push((r.start, out.chars().count()));
    out.push_str(&text[r]);
}

/// Cut `line` to at most `SNIPPET_WIDTH` characters around `hl`, with `…` where cut.
fn window(line: &str, hl: Range<usize>) -> Snippet {
    let chars: Vec<char> = line.chars().collect();
    let line_len = chars.len();
    if line_len <= SNIPPET_WIDTH {
        return Snippet {
            text: line.trim_end().to_string(),
            highlight: hl.start.min(line_len)..hl.end.min(line_len),
        };
    }
    let hl_len = hl.end - hl.start;
    let context = SNIPPET_WIDTH.saturating_sub(hl_len.min(SNIPPET_WIDTH)) / 2;
    let from = hl.start.saturating_sub(context);
    let to = (hl.end + context).min(line_len).max(from);
    let mut text = String::new();
    let mut offset = 0;
    if from > 0 {
        text.push('…');
        offset = 1;
    }
    text.extend(&chars[from..to]);
    if to < line_len {
        text.push('…');
    }
    Snippet {
        text,
        highlight: hl.start - from + offset..hl.end.min(to) - from + offset,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_line_holding_a_position_once() {
        let text = "a b\nc d e\n\nf";
        let lines: Vec<&str> = lines_holding(text, [0, 2, 4, 6, 11])
            .map(|r| &text[r])
            .collect();
        assert_eq!(lines, ["a b", "c d e", "f"]);
    }

    #[test]
    fn positions_count_chars_and_utf16() {
        let text = "a\r\nhé😀 key\n";
        let idx = LineIndex::new(text);
        let at = text.find("key").unwrap();
        let p = idx.position(text, at);
        assert_eq!((p.line, p.column, p.utf16_column), (2, 5, 6));
        assert_eq!(idx.line_range(text, 0), 0..1);
    }

    #[test]
    fn snippet_redacts_and_highlights() {
        let text = "x = \"SECRETSECRET\"  # ok\n";
        let idx = LineIndex::new(text);
        let s = text.find("SECRET").unwrap();
        let r = s..s + 12;
        let snip = snippet(text, &idx, r.clone(), &[(r, "SE...RET")]);
        assert_eq!(snip.text, "x = \"SE...RET\"  # ok");
        let hl: String = snip
            .text
            .chars()
            .skip(snip.highlight.start)
            .take(snip.highlight.len())
            .collect();
        assert_eq!(hl, "SE...RET");
    }

    #[test]
    fn long_lines_are_windowed() {
        let text = format!("{}KEY{}", "a".repeat(10_000), "b".repeat(10_000));
        let idx = LineIndex::new(&text);
        let s = text.find("KEY").unwrap();
        let snip = snippet(&text, &idx, s..s + 3, &[]);
        assert!(snip.text.chars().count() <= SNIPPET_WIDTH + 2);
        let hl: String = snip
            .text
            .chars()
            .skip(snip.highlight.start)
            .take(3)
            .collect();
        assert_eq!(hl, "KEY");
    }
}
