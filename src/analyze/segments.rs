//! Segments: the pieces of a file that rules read, each mapped back to file offsets.
//!
//! Most files are one segment, the file itself. A notebook is JSON whose strings hold
//! the code: its code cells, joined in order, become one decoded segment (they run in
//! one namespace, so a name set in one cell is read in the next); each other cell and
//! each text output becomes a segment of its own. Every decoded byte remembers where
//! it came from so findings land on the right line of the `.ipynb`.

use crate::source::{FileKind, SourceFile};
use jsonc_parser::ast::{Array, Object, Value};
use std::borrow::Cow;
use std::ops::Range;

pub struct Segment<'a> {
    pub text: Cow<'a, str>,
    /// The language of this text (a notebook code cell is Python).
    pub kind: FileKind,
    /// For decoded segments, the file byte range each text byte came from.
    origin: Option<Vec<Range<u32>>>,
    /// For a notebook's joined code cells, each cell's range of `text`: Jupyter
    /// compiles cell by cell, so each is parsed on its own.
    pub cells: Vec<Range<usize>>,
}

impl<'a> Segment<'a> {
    pub fn whole(file: &'a SourceFile) -> Segment<'a> {
        Segment {
            text: Cow::Borrowed(&file.text),
            kind: file.kind,
            origin: None,
            cells: Vec::new(),
        }
    }

    /// Map a range of this segment's text to a range of the file.
    pub fn to_file(&self, r: Range<usize>) -> Range<usize> {
        match &self.origin {
            None => r,
            Some(map) => {
                if map.is_empty() {
                    return 0..0;
                }
                let start = map[r.start.min(map.len() - 1)].start as usize;
                let end = map[r.end.saturating_sub(1).min(map.len() - 1)].end as usize;
                start..end.max(start)
            }
        }
    }
}

/// Nesting deeper than this is not parsed as JSON: it is scanned as plain text, so a
/// hostile file cannot exhaust the stack.
const MAX_JSON_DEPTH: usize = 256;

/// Split a file into segments. The error, if any, explains why a notebook was scanned
/// as plain text instead.
pub fn split(file: &SourceFile) -> (Vec<Segment<'_>>, Option<String>) {
    if file.kind != FileKind::Notebook {
        return (vec![Segment::whole(file)], None);
    }
    match notebook_segments(&file.text) {
        Ok(segments) => (segments, None),
        Err(why) => {
            let mut whole = Segment::whole(file);
            whole.kind = FileKind::Json;
            (vec![whole], Some(why))
        }
    }
}

fn json_depth(text: &str) -> usize {
    let (mut depth, mut max, mut in_str, mut esc) = (0usize, 0usize, false, false);
    for b in text.bytes() {
        if in_str {
            match (esc, b) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn notebook_segments(text: &str) -> Result<Vec<Segment<'static>>, String> {
    if json_depth(text) > MAX_JSON_DEPTH {
        return Err(format!("JSON nested deeper than {MAX_JSON_DEPTH} levels"));
    }
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default())
        .map_err(|e| format!("not valid notebook JSON: {e}"))?;
    let Some(Value::Object(root)) = parsed.value else {
        return Err("not a notebook: the top level is not a JSON object".into());
    };
    let Some(Value::Array(cells)) = prop(&root, "cells") else {
        return Err("not an nbformat 4 notebook: no `cells` list".into());
    };
    let language = notebook_language(&root);
    let mut segments = Vec::new();
    let mut code_cells = Vec::new();
    for cell in &cells.elements {
        let Value::Object(cell) = cell else { continue };
        let cell_type = match prop(cell, "cell_type") {
            Some(Value::StringLit(s)) => s.value.as_ref(),
            _ => "",
        };
        let is_code = cell_type == "code";
        let kind = match cell_type {
            "code" => language,
            "markdown" => FileKind::Markdown,
            _ => FileKind::Text,
        };
        if let Some(source) = prop(cell, "source") {
            let segment = string_segment(text, source, kind);
            if is_code {
                code_cells.extend(segment);
            } else {
                segments.extend(segment);
            }
        }
        if let Some(Value::Array(outputs)) = prop(cell, "outputs") {
            for output in &outputs.elements {
                let Value::Object(output) = output else {
                    continue;
                };
                for field in ["text", "traceback"] {
                    if let Some(v) = prop(output, field) {
                        segments.extend(string_segment(text, v, FileKind::Text));
                    }
                }
                if let Some(Value::Object(data)) = prop(output, "data") {
                    for p in &data.properties {
                        let mime = p.name.as_str();
                        // Images and other binary payloads are base64 noise, not text.
                        if mime.starts_with("text/") || mime.ends_with("json") {
                            segments.extend(string_segment(text, &p.value, FileKind::Text));
                        }
                    }
                }
            }
        }
    }
    segments.splice(0..0, join_cells(code_cells, language));
    Ok(segments)
}

/// The code cells as one segment, a blank line between cells. The blank line keeps a
/// cell's last line from running into the next cell's first: a standalone
/// suppression comment ending a cell does not cover the next cell's first line, and
/// a `curl … \` continuation stops at the cell's end.
fn join_cells(cells: Vec<Segment<'static>>, kind: FileKind) -> Option<Segment<'static>> {
    let mut text = String::new();
    let mut origin: Vec<Range<u32>> = Vec::new();
    let mut ranges = Vec::new();
    for cell in cells {
        if !text.is_empty() {
            let separator = if text.ends_with('\n') { "\n" } else { "\n\n" };
            // The separator comes from nowhere in the file: an empty range just
            // after the previous cell's last character.
            let after = origin.last().map_or(0..0, |r| r.end..r.end);
            origin.extend(std::iter::repeat_n(after, separator.len()));
            text.push_str(separator);
        }
        let start = text.len();
        text.push_str(&cell.text);
        origin.extend(cell.origin.unwrap_or_default());
        ranges.push(start..text.len());
    }
    (!text.is_empty()).then_some(Segment {
        text: Cow::Owned(text),
        kind,
        origin: Some(origin),
        cells: ranges,
    })
}

fn prop<'v, 'a>(obj: &'v Object<'a>, name: &str) -> Option<&'v Value<'a>> {
    obj.properties
        .iter()
        .find(|p| p.name.as_str() == name)
        .map(|p| &p.value)
}

fn notebook_language(root: &Object) -> FileKind {
    let name = prop(root, "metadata")
        .and_then(|m| match m {
            Value::Object(m) => prop(m, "kernelspec").or_else(|| prop(m, "language_info")),
            _ => None,
        })
        .and_then(|k| match k {
            Value::Object(k) => prop(k, "language").or_else(|| prop(k, "name")),
            _ => None,
        });
    match name {
        Some(Value::StringLit(s)) => match s.value.to_ascii_lowercase().as_str() {
            "javascript" => FileKind::JavaScript,
            "typescript" => FileKind::TypeScript,
            "python" | "python3" => FileKind::Python,
            _ => FileKind::Text,
        },
        _ => FileKind::Python,
    }
}

/// A JSON string, or a list of strings joined (nbformat's multi-line form), decoded.
fn string_segment(text: &str, value: &Value, kind: FileKind) -> Option<Segment<'static>> {
    let mut decoded = String::new();
    let mut origin = Vec::new();
    let mut push = |v: &Value| {
        if let Value::StringLit(s) = v {
            decode_json_string(text, s.range.start..s.range.end, &mut decoded, &mut origin);
        }
    };
    match value {
        Value::Array(Array { elements, .. }) => elements.iter().for_each(&mut push),
        other => push(other),
    }
    (!decoded.is_empty()).then_some(Segment {
        text: Cow::Owned(decoded),
        kind,
        origin: Some(origin),
        cells: Vec::new(),
    })
}

/// Decode one JSON string literal (`range` includes its quotes), recording for every
/// decoded byte the file range of the raw character or escape it came from.
fn decode_json_string(
    text: &str,
    range: Range<usize>,
    out: &mut String,
    origin: &mut Vec<Range<u32>>,
) {
    let raw = &text[range.clone()];
    let (inner, base) = match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) => (inner, range.start + 1),
        None => (raw, range.start),
    };
    let mut chars = inner.char_indices().peekable();
    let mut push = |c: char, from: usize, to: usize, out: &mut String| {
        let r = (base + from) as u32..(base + to) as u32;
        for _ in 0..c.len_utf8() {
            origin.push(r.clone());
        }
        out.push(c);
    };
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            push(c, i, i + c.len_utf8(), out);
            continue;
        }
        let Some((j, e)) = chars.next() else { break };
        let decoded = match e {
            'n' => Some('\n'),
            't' => Some('\t'),
            'r' => Some('\r'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'u' => {
                let hex: String = inner[j + 1..].chars().take(4).collect();
                let mut code = u32::from_str_radix(&hex, 16).ok();
                let mut end = j + 1 + hex.len();
                for _ in 0..4 {
                    chars.next();
                }
                // A surrogate pair spans two escapes.
                if let Some(hi @ 0xD800..=0xDBFF) = code
                    && inner[end..].starts_with("\\u")
                {
                    let lo_hex: String = inner[end + 2..].chars().take(4).collect();
                    if let Ok(lo @ 0xDC00..=0xDFFF) = u32::from_str_radix(&lo_hex, 16) {
                        code = Some(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
                        end += 2 + lo_hex.len();
                        for _ in 0..6 {
                            chars.next();
                        }
                    }
                }
                push(
                    code.and_then(char::from_u32).unwrap_or('\u{fffd}'),
                    i,
                    end,
                    out,
                );
                continue;
            }
            other => Some(other),
        };
        if let Some(d) = decoded {
            push(d, i, j + e.len_utf8(), out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(raw: &str) -> (String, Vec<Range<u32>>) {
        let mut s = String::new();
        let mut o = Vec::new();
        decode_json_string(raw, 0..raw.len(), &mut s, &mut o);
        (s, o)
    }

    #[test]
    fn decodes_escapes_with_origins() {
        let (s, o) = decode(r#""a\"b\n\u00e9\ud83d\ude00""#);
        assert_eq!(s, "a\"b\né😀");
        assert_eq!(o[0], 1..2);
        assert_eq!(o[1], 2..4); // \"
        assert_eq!(o[4], 7..13); // \u00e9, first byte of é
        assert_eq!(o[6], 13..25); // the surrogate pair
    }

    #[test]
    fn notebook_cells_and_outputs_map_to_file_lines() {
        let nb = r#"{
 "cells": [
  {"cell_type": "code", "source": ["import os\n", "key = \"abc\"\n"],
   "outputs": [{"output_type": "stream", "text": ["hello\n"]},
               {"output_type": "display_data", "data": {"image/png": "iVBOR", "text/plain": ["plain"]}}]}
 ],
 "metadata": {}
}"#;
        let file = SourceFile {
            path: "n.ipynb".into(),
            kind: FileKind::Notebook,
            text: nb.into(),
        };
        let (segs, err) = split(&file);
        assert!(err.is_none());
        let texts: Vec<&str> = segs.iter().map(|s| s.text.as_ref()).collect();
        assert_eq!(texts, ["import os\nkey = \"abc\"\n", "hello\n", "plain"]);
        assert_eq!(segs[0].kind, FileKind::Python);
        let at = segs[0].text.find("abc").unwrap();
        let r = segs[0].to_file(at..at + 3);
        assert_eq!(&nb[r], "abc");
    }

    #[test]
    fn code_cells_join_into_one_segment_that_maps_to_each_cell() {
        let nb = r##"{
 "cells": [
  {"cell_type": "code", "source": ["MODEL = \"a\""]},
  {"cell_type": "markdown", "source": ["# MODEL\n"]},
  {"cell_type": "code", "source": [], "outputs": [{"output_type": "stream", "text": "out\n"}]},
  {"cell_type": "code", "source": "use(MODEL)\n"}
 ]
}"##;
        let file = SourceFile {
            path: "n.ipynb".into(),
            kind: FileKind::Notebook,
            text: nb.into(),
        };
        let (segs, err) = split(&file);
        assert!(err.is_none());
        let texts: Vec<&str> = segs.iter().map(|s| s.text.as_ref()).collect();
        assert_eq!(
            texts,
            ["MODEL = \"a\"\n\nuse(MODEL)\n", "# MODEL\n", "out\n"]
        );
        let code = &segs[0];
        assert_eq!(code.cells, [0..11, 13..24]);
        assert!(segs[1..].iter().all(|s| s.cells.is_empty()));
        let at = code.text.rfind("MODEL").unwrap();
        let r = code.to_file(at..at + 5);
        assert_eq!(&nb[r.clone()], "MODEL");
        assert!(nb[..r.start].ends_with("\"use("));
        // The separator maps to the end of the first cell, not into the markdown.
        let r = code.to_file(11..13);
        assert!(r.is_empty() && nb[r.start..].starts_with("\"]},\n  {\"cell_type\": \"markdown\""));
    }

    #[test]
    fn broken_or_deep_notebooks_fall_back_to_text() {
        for text in ["{not json", &"[".repeat(100_000)] {
            let file = SourceFile {
                path: "n.ipynb".into(),
                kind: FileKind::Notebook,
                text: text.to_string(),
            };
            let (segs, err) = split(&file);
            assert!(err.is_some());
            assert_eq!(segs.len(), 1);
        }
    }
}
