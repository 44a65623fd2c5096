//! One segment's syntax, computed on first use and shared by every code-aware
//! engine: tree-sitter facts for Python, JavaScript and TypeScript, YAML entries,
//! and `curl` commands for shell-like carriers. A rule that does not ask never pays for a parse.

use crate::source::FileKind;
use crate::syntax::curl::{self, CurlCommand};
use crate::syntax::yaml::{self, Entry};
use crate::syntax::{self, Facts, Lang};
use std::cell::OnceCell;
use std::ops::Range;

pub struct CodeView<'a> {
    pub text: &'a str,
    pub kind: FileKind,
    pub path: &'a str,
    /// The ranges of `text` that parse on their own (a notebook's code cells); empty
    /// when the whole text is one program.
    cells: &'a [Range<usize>],
    facts: OnceCell<Option<Facts>>,
    generated: OnceCell<bool>,
    yaml: OnceCell<Result<Vec<Entry>, String>>,
    curl: OnceCell<Vec<CurlCommand>>,
}

impl<'a> CodeView<'a> {
    pub fn new(text: &'a str, kind: FileKind, path: &'a str) -> CodeView<'a> {
        CodeView {
            text,
            kind,
            path,
            cells: &[],
            facts: OnceCell::new(),
            generated: OnceCell::new(),
            yaml: OnceCell::new(),
            curl: OnceCell::new(),
        }
    }

    /// A text of several cells, each parsed on its own, whose names are shared.
    pub fn with_cells(self, cells: &'a [Range<usize>]) -> CodeView<'a> {
        CodeView { cells, ..self }
    }

    /// The ranges of `text` that are cells of their own; empty for one program.
    pub fn cells(&self) -> &'a [Range<usize>] {
        self.cells
    }

    pub fn is_notebook(&self) -> bool {
        self.path.to_ascii_lowercase().ends_with(".ipynb")
    }

    /// A `.py` file (not a notebook cell, which may hold `!shell` lines).
    pub fn is_python_file(&self) -> bool {
        self.kind == FileKind::Python && !self.is_notebook()
    }

    /// Facts of the parsed code; `None` for non-code, generated code, files too
    /// large to parse, or a parse over its time budget.
    pub fn facts(&self) -> Option<&Facts> {
        self.facts
            .get_or_init(|| {
                Lang::for_file(self.kind, self.path)
                    .filter(|_| !self.is_generated())
                    .and_then(|lang| match self.cells {
                        [] => syntax::facts(lang, self.text),
                        cells => syntax::cells_facts(lang, self.text, cells),
                    })
            })
            .as_ref()
    }

    /// Declarations, bundles and build output by their path (see
    /// [`is_generated_code`]), and JavaScript or TypeScript minified where the
    /// path does not say so (`min/vs/assets/ts.worker-….js`).
    pub fn is_generated(&self) -> bool {
        *self.generated.get_or_init(|| {
            is_generated_code(self.path)
                || (matches!(self.kind, FileKind::JavaScript | FileKind::TypeScript)
                    && is_minified(self.text))
        })
    }

    /// The scalar entries of a YAML segment (see [`yaml::entries`]); `Err` when the
    /// text is not YAML as written (a Helm or Jinja template) or not a YAML segment.
    pub fn yaml(&self) -> Result<&[Entry], &str> {
        self.yaml
            .get_or_init(|| match self.kind {
                FileKind::Yaml => yaml::entries(self.text),
                _ => Err("not a YAML segment".to_string()),
            })
            .as_deref()
            .map_err(String::as_str)
    }

    /// `curl` commands in shell scripts, Dockerfiles, YAML, Markdown and notebook cells.
    pub fn curl(&self) -> &[CurlCommand] {
        self.curl.get_or_init(|| match self.kind {
            FileKind::Shell | FileKind::Yaml | FileKind::Dockerfile | FileKind::Markdown => {
                curl::commands(self.text)
            }
            // `!curl …` lines in notebook cells
            FileKind::Python if self.is_notebook() => curl::commands(self.text),
            _ => Vec::new(),
        })
    }
}

/// Type declarations and bundled or minified output: no hand-written calls to judge,
/// and the most expensive files to parse.
pub fn is_generated_code(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    is_type_declaration(path)
        || name.contains(".min.")
        || name.contains(".bundle.")
        || path
            .split('/')
            .any(|dir| matches!(dir, "_next" | ".next" | "dist" | "build"))
}

/// TypeScript declaration files: types only, no values and no calls.
pub fn is_type_declaration(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    [".d.ts", ".d.mts", ".d.cts"]
        .iter()
        .any(|s| name.ends_with(s))
}

/// Minified code: lines over 1,000 bytes hold most of the text. Hand-written code
/// has at most a few such lines (a data URL, a long string) among short ones.
pub fn is_minified(text: &str) -> bool {
    const LONG_LINE: usize = 1000;
    let mut long = 0;
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', text.as_bytes()).chain(std::iter::once(text.len())) {
        if end - start > LONG_LINE {
            long += end - start;
        }
        start = end + 1;
    }
    long * 2 > text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minified_code_is_mostly_long_lines() {
        let long = format!("var a={};", "b".repeat(1500));
        assert!(is_minified(&long));
        assert!(is_minified(&format!("/* banner */\n{long}\n{long}\n")));
        // One long line among many short ones is hand-written code with data.
        let code = format!(
            "{}const icon = \"{}\";\n",
            "let x = 1;\n".repeat(300),
            "A".repeat(1500)
        );
        assert!(!is_minified(&code));
        assert!(!is_minified(""));
        let view = CodeView::new(&long, FileKind::JavaScript, "min/vs/worker.js");
        assert!(view.is_generated());
        assert!(view.facts().is_none());
        assert!(!CodeView::new(&long, FileKind::Yaml, "config.yaml").is_generated());
    }
}
