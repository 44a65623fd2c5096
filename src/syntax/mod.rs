//! Parsing Python, JavaScript and TypeScript with tree-sitter into [`Facts`].
//!
//! Each worker thread keeps one parser per language (tree-sitter parsers are not
//! `Sync`, and creating one per file would cost more than the parse). Extraction is
//! one iterative walk over the tree, so deeply nested input cannot overflow the
//! stack; value conversion recurses only to a fixed depth.

pub mod config_env;
pub mod curl;
pub mod facts;
mod javascript;
mod python;
pub mod toml_doc;
pub mod yaml;

pub use facts::{Call, EnvRead, Facts, Function, Import, Loop, Pair, Part, Value};

use crate::source::FileKind;
use std::cell::RefCell;
use std::time::{Duration, Instant};
use tree_sitter::{Language, Node, ParseOptions, ParseState, Parser, Tree};

/// Files larger than this are not parsed: minified bundles and generated code
/// cost seconds to parse and hold no hand-written client code.
pub const MAX_PARSE_BYTES: usize = 2 * 1024 * 1024;

/// Pathological input (tens of thousands of nested brackets) can take tree-sitter
/// seconds; past this budget the parse is abandoned and code rules skip the file.
const PARSE_BUDGET: Duration = Duration::from_millis(300);

/// Expression nesting that value conversion follows before giving up with
/// [`Value::Other`].
const MAX_VALUE_DEPTH: usize = 24;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
    Tsx,
}

impl Lang {
    /// The grammar for a file; `None` for files that are not code.
    pub fn for_file(kind: FileKind, path: &str) -> Option<Lang> {
        match kind {
            FileKind::Python | FileKind::Notebook => Some(Lang::Python),
            FileKind::JavaScript => Some(Lang::JavaScript),
            FileKind::TypeScript if path.to_ascii_lowercase().ends_with(".tsx") => Some(Lang::Tsx),
            FileKind::TypeScript => Some(Lang::TypeScript),
            _ => None,
        }
    }

    fn language(self) -> Language {
        match self {
            Lang::Python => tree_sitter_python::LANGUAGE.into(),
            // The JavaScript grammar includes JSX.
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }
}

thread_local! {
    static PARSERS: RefCell<Vec<(Lang, Parser)>> = const { RefCell::new(Vec::new()) };
}

fn parse_tree(lang: Lang, text: &str) -> Option<Tree> {
    PARSERS.with(|cell| {
        let mut parsers = cell.borrow_mut();
        let index = match parsers.iter().position(|(l, _)| *l == lang) {
            Some(i) => i,
            None => {
                let mut parser = Parser::new();
                parser.set_language(&lang.language()).ok()?;
                parsers.push((lang, parser));
                parsers.len() - 1
            }
        };
        let parser = &mut parsers[index].1;
        let started = Instant::now();
        let mut over_budget = |_: &ParseState| started.elapsed() > PARSE_BUDGET;
        let bytes = text.as_bytes();
        let tree = parser.parse_with_options(
            &mut |offset, _| &bytes[offset.min(bytes.len())..],
            None,
            Some(ParseOptions::new().progress_callback(&mut over_budget)),
        );
        if tree.is_none() {
            parser.reset(); // a cancelled parse leaves state behind
        }
        tree
    })
}

/// Parse `text` and extract its facts. `None` when the file is too large to parse
/// or parsing ran over its time budget.
pub fn facts(lang: Lang, text: &str) -> Option<Facts> {
    if text.len() > MAX_PARSE_BYTES {
        return None;
    }
    let tree = parse_tree(lang, text)?;
    let mut facts = Facts {
        has_errors: tree.root_node().has_error(),
        ..Facts::default()
    };
    let src = text.as_bytes();
    match lang {
        Lang::Python => walk(&tree, |node, up| python::visit(node, up, src, &mut facts)),
        _ => walk(&tree, |node, up| {
            javascript::visit(node, up, src, &mut facts)
        }),
    }
    Some(facts)
}

/// Facts of `text` whose `cells` (ranges in `text`, in order) parse each on its own
/// but share one namespace: a notebook's code cells. A syntax error or an IPython
/// magic stays inside its cell, as in Jupyter, which compiles cell by cell. `None`
/// when no cell could be parsed.
pub fn cells_facts(lang: Lang, text: &str, cells: &[std::ops::Range<usize>]) -> Option<Facts> {
    let parsed: Vec<(usize, Facts)> = cells
        .iter()
        .filter_map(|cell| Some((cell.start, facts(lang, text.get(cell.clone())?)?)))
        .collect();
    (!parsed.is_empty()).then(|| facts::joined(parsed))
}

/// Visit every node in document order without recursion. The visitor gets the
/// node's ancestors, nearest last: `Node::parent` walks down from the root each
/// time, which is quadratic on deep trees.
fn walk(tree: &Tree, mut visit: impl FnMut(Node, &[Node])) {
    let mut cursor = tree.walk();
    let mut ancestors: Vec<Node> = Vec::new();
    loop {
        let node = cursor.node();
        // Punctuation and keywords are half the nodes, and no visitor reads them.
        if node.is_named() {
            visit(node, &ancestors);
        }
        if cursor.goto_first_child() {
            ancestors.push(node);
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
            ancestors.pop();
        }
    }
}

/// The kind of the ancestor `up` levels above (1 is the parent).
fn ancestor_kind(ancestors: &[Node], up: usize) -> Option<&'static str> {
    ancestors.len().checked_sub(up).map(|i| ancestors[i].kind())
}

fn text<'a>(node: Node, src: &'a [u8]) -> &'a str {
    node.utf8_text(src).unwrap_or("")
}

/// Dotted text of a callee or member chain with whitespace removed.
fn path_text(node: Node, src: &[u8]) -> String {
    text(node, src)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// Flatten `a + b` where either side is a string into one template.
fn concat(left: Value, right: Value, range: std::ops::Range<usize>) -> Value {
    let stringy = |v: &Value| matches!(v, Value::Str { .. } | Value::Template { .. });
    if !stringy(&left) && !stringy(&right) {
        return Value::Other { range };
    }
    let mut parts = Vec::new();
    for side in [left, right] {
        match side {
            Value::Str { text, .. } => parts.push(Part::Lit(text)),
            Value::Template { parts: p, .. } => parts.extend(p),
            other => parts.push(Part::Expr(other)),
        }
    }
    Value::Template { parts, range }
}

#[cfg(test)]
mod tests;
