//! The text edits behind the quick fixes: a `keylint: ignore[id]` directive where
//! the file's syntax has a comment for it, and positions in UTF-16 code units.

use crate::source::FileKind;
use lsp_types::{Position, Range, TextEdit};

/// Where a directive goes in this kind of file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Placement {
    /// At the end of the finding's line: `x = 1  # keylint: ignore[id]`.
    EndOfLine(&'static str),
    /// On a line of its own above the finding, which a standalone directive also
    /// covers. For formats whose inline `#` is not a comment everywhere: Docker reads
    /// `ENV A=b # c` as values, and `docker run --env-file` keeps `# c` in the value.
    LineAbove(&'static str),
}

/// How `name` takes a comment, or `None` when it has none keylint can rely on
/// (JSON, notebooks, unknown text, Markdown, whose code blocks may be any language).
fn placement(name: &str, kind: FileKind) -> Option<Placement> {
    match kind {
        FileKind::Python | FileKind::Shell | FileKind::Yaml | FileKind::Toml => {
            Some(Placement::EndOfLine("#"))
        }
        FileKind::JavaScript | FileKind::TypeScript => Some(Placement::EndOfLine("//")),
        FileKind::DotEnv | FileKind::DotEnvTemplate | FileKind::Dockerfile => {
            Some(Placement::LineAbove("#"))
        }
        FileKind::Text if hash_comment_text(name) => Some(Placement::EndOfLine("#")),
        FileKind::Json | FileKind::Notebook | FileKind::Markdown | FileKind::Text => None,
    }
}

/// Text files whose format has `#` comments: pip requirement files, Pipfile, INI.
fn hash_comment_text(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name).to_ascii_lowercase();
    let pip = (file.starts_with("requirements") || file.starts_with("constraints"))
        && (file.ends_with(".txt") || file.ends_with(".in"));
    pip || file == "pipfile" || file.ends_with(".cfg") || file.ends_with(".ini")
}

/// The edit that adds `rule` to a suppression directive covering the 0-based
/// `line` of `text`: into an existing `keylint: ignore[…]` list when the line (or
/// a standalone directive above it) has one, else a new comment. `None` when the
/// file has no comment syntax or a comment would change the code's meaning.
pub fn suppress(
    text: &str,
    name: &str,
    kind: FileKind,
    line: usize,
    rule: &str,
) -> Option<TextEdit> {
    let placement = placement(name, kind)?;
    let lines: Vec<&str> = text.split('\n').collect();
    let raw = *lines.get(line)?;
    let content = raw.strip_suffix('\r').unwrap_or(raw);
    let above = line
        .checked_sub(1)
        .and_then(|l| lines.get(l))
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| is_comment_only(l));
    let existing = std::iter::once((line, content)).chain(above.map(|l| (line - 1, l)));
    for (at, candidate) in existing {
        if let Some(close) = directive_list_end(candidate) {
            let pos = position(at, &candidate[..close]);
            return Some(TextEdit {
                range: Range::new(pos, pos),
                new_text: format!(", {rule}"),
            });
        }
    }
    let directive = |marker: &str| format!("{marker} keylint: ignore[{rule}]");
    match placement {
        Placement::EndOfLine(marker) => {
            let code = content.trim_end();
            // A comment after a line continuation ends the statement early.
            if code.ends_with('\\') {
                return None;
            }
            let gap = if marker == "#" { "  " } else { " " };
            Some(TextEdit {
                range: Range::new(position(line, code), position(line, content)),
                new_text: format!("{gap}{}", directive(marker)),
            })
        }
        Placement::LineAbove(marker) => {
            let indent = &content[..content.len() - content.trim_start().len()];
            let eol = if raw.ends_with('\r') { "\r\n" } else { "\n" };
            let start = Position::new(line as u32, 0);
            Some(TextEdit {
                range: Range::new(start, start),
                new_text: format!("{indent}{}{eol}", directive(marker)),
            })
        }
    }
}

/// A line holding nothing but a comment.
fn is_comment_only(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with("//")
}

/// Byte offset of the `]` closing a `keylint: ignore[…]` list in a comment on
/// `line`, where another id can be added.
fn directive_list_end(line: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = line[from..].find("keylint:") {
        let at = from + found;
        from = at + "keylint:".len();
        let before = line[..at].trim_end();
        if !(before.ends_with('#') || before.ends_with("//")) {
            continue;
        }
        let rest = &line[from..];
        let Some(list) = rest.trim_start().strip_prefix("ignore[") else {
            continue;
        };
        let list_at = line.len() - list.len();
        if let Some(close) = list.find(']') {
            return Some(list_at + close);
        }
    }
    None
}

/// The LSP position after `prefix` on the 0-based `line`.
fn position(line: usize, prefix: &str) -> Position {
    Position::new(line as u32, utf16_len(prefix))
}

pub fn utf16_len(s: &str) -> u32 {
    s.encode_utf16().count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(text: &str, edit: &TextEdit) -> String {
        let offset = |p: Position| {
            let mut at = 0;
            for (i, line) in text.split_inclusive('\n').enumerate() {
                if i == p.line as usize {
                    let mut units = 0;
                    for (b, c) in line.char_indices() {
                        if units >= p.character {
                            return at + b;
                        }
                        units += c.len_utf16() as u32;
                    }
                    return at + line.len();
                }
                at += line.len();
            }
            at
        };
        let (s, e) = (offset(edit.range.start), offset(edit.range.end));
        format!("{}{}{}", &text[..s], edit.new_text, &text[e..])
    }

    fn fix(name: &str, text: &str, line: usize) -> Option<String> {
        let kind = FileKind::from_path(std::path::Path::new(name));
        suppress(text, name, kind, line, "deprecated-model").map(|e| apply(text, &e))
    }

    #[test]
    fn a_directive_is_appended_in_the_file_s_comment_syntax() {
        assert_eq!(
            fix("app.py", "a = 1\nm = \"gpt-4\"   \n", 1).unwrap(),
            "a = 1\nm = \"gpt-4\"  # keylint: ignore[deprecated-model]\n"
        );
        assert_eq!(
            fix("app.ts", "const m = \"gpt-4\";\r\n", 0).unwrap(),
            "const m = \"gpt-4\"; // keylint: ignore[deprecated-model]\r\n"
        );
        assert_eq!(
            fix("requirements.txt", "openai==0.28", 0).unwrap(),
            "openai==0.28  # keylint: ignore[deprecated-model]"
        );
    }

    #[test]
    fn env_files_and_dockerfiles_get_a_line_above() {
        assert_eq!(
            fix(".env", "A=1\r\nMODEL=gpt-4\r\n", 1).unwrap(),
            "A=1\r\n# keylint: ignore[deprecated-model]\r\nMODEL=gpt-4\r\n"
        );
        assert_eq!(
            fix("Dockerfile", "RUN x \\\n    --model gpt-4\n", 1).unwrap(),
            "RUN x \\\n    # keylint: ignore[deprecated-model]\n    --model gpt-4\n"
        );
    }

    #[test]
    fn an_existing_list_is_extended() {
        assert_eq!(
            fix(
                "app.py",
                "m = \"gpt-4\"  # keylint: ignore[key-logged] -- why\n",
                0
            )
            .unwrap(),
            "m = \"gpt-4\"  # keylint: ignore[key-logged, deprecated-model] -- why\n"
        );
        assert_eq!(
            fix(".env", "# keylint: ignore[hardcoded-key]\nMODEL=gpt-4\n", 1).unwrap(),
            "# keylint: ignore[hardcoded-key, deprecated-model]\nMODEL=gpt-4\n"
        );
        // A directive shown in a string is not a comment.
        assert_eq!(
            fix("app.py", "m = \"keylint: ignore[x]\"\n", 0).unwrap(),
            "m = \"keylint: ignore[x]\"  # keylint: ignore[deprecated-model]\n"
        );
    }

    #[test]
    fn no_directive_where_a_comment_would_break_the_code() {
        assert_eq!(fix("package.json", "{\"model\": \"gpt-4\"}\n", 0), None);
        assert_eq!(fix("notes.txt", "gpt-4\n", 0), None);
        assert_eq!(
            fix("run.sh", "curl -d '{\"model\":\"gpt-4\"}' \\\n  x\n", 0),
            None
        );
        assert_eq!(fix("app.py", "m = 1\n", 5), None, "a line past the end");
    }

    #[test]
    fn positions_count_utf16_units() {
        // `é` is one UTF-16 unit, the emoji two.
        let text = "s = \"é😀\"; m = \"gpt-4\"\n";
        let edit = suppress(text, "a.py", FileKind::Python, 0, "x").unwrap();
        assert_eq!(edit.range.start.character, 22);
        assert_eq!(utf16_len("é😀"), 3);
    }
}
