//! Facts from a Python tree.

use super::{MAX_VALUE_DEPTH, ancestor_kind, concat, named_children, path_text, text};
use crate::syntax::facts::{Call, EnvRead, Facts, Function, Import, Loop, Pair, Part, Value};
use tree_sitter::Node;

const ENV_GETTERS: &[&str] = &[
    "os.getenv",
    "getenv",
    "os.environ.get",
    "environ.get",
    "os.environ.setdefault",
];
const ENV_MAPPINGS: &[&str] = &["os.environ", "environ"];

pub(super) fn visit(node: Node, ancestors: &[Node], src: &[u8], facts: &mut Facts) {
    match node.kind() {
        "comment" => facts.comments.push(node.byte_range()),
        "string" if ancestor_kind(ancestors, 1) != Some("concatenated_string") => {
            facts.strings.push(value(node, src, 0));
        }
        "concatenated_string" => facts.strings.push(value(node, src, 0)),
        "call" => call(node, src, facts),
        "subscript" => {
            if let Some(read) = env_subscript(node, src) {
                facts.env_reads.push(read);
            }
        }
        "dictionary" => {
            for pair in named_children(node)
                .into_iter()
                .filter(|n| n.kind() == "pair")
            {
                let (Some(key), Some(val)) = (
                    pair.child_by_field_name("key"),
                    pair.child_by_field_name("value"),
                ) else {
                    continue;
                };
                let (key_text, key_range) = match value(key, src, 0) {
                    Value::Str { text, range } => (text, range),
                    _ => (path_text(key, src), key.byte_range()),
                };
                facts.pairs.push(Pair {
                    object: node.id(),
                    key: key_text,
                    key_range,
                    value: value(val, src, 0),
                });
            }
        }
        "function_definition" => {
            let name = node
                .child_by_field_name("name")
                .map(|n| text(n, src).to_string())
                .unwrap_or_default();
            // Decorators sit on the enclosing `decorated_definition`.
            let (range, decorators) = match ancestors.last() {
                Some(parent) if parent.kind() == "decorated_definition" => (
                    parent.byte_range(),
                    named_children(*parent)
                        .into_iter()
                        .filter(|d| d.kind() == "decorator")
                        .filter_map(|d| {
                            named_children(d)
                                .into_iter()
                                .find(|n| n.kind() != "comment")
                        })
                        .map(|expr| value(expr, src, 0))
                        .collect(),
                ),
                _ => (node.byte_range(), Vec::new()),
            };
            facts.functions.push(Function {
                name,
                range,
                decorators,
            });
        }
        "for_statement" => {
            let iterates = node.child_by_field_name("right");
            let counted = iterates.is_some_and(|r| {
                r.kind() == "call"
                    && r.child_by_field_name("function")
                        .is_some_and(|f| text(f, src) == "range")
            });
            facts.loops.push(Loop {
                range: node.byte_range(),
                counted,
                iterates: iterates.map(|r| value(r, src, 0)),
            });
        }
        "while_statement" => facts.loops.push(Loop {
            range: node.byte_range(),
            counted: true,
            iterates: None,
        }),
        "try_statement" => facts.tries.push(node.byte_range()),
        "import_statement" => {
            for name in named_children(node) {
                let (module, alias) = match name.kind() {
                    // `import os.path` binds `os`.
                    "dotted_name" => {
                        let full = path_text(name, src);
                        let first = full.split('.').next().unwrap_or("").to_string();
                        (first.clone(), first)
                    }
                    "aliased_import" => match aliased(name, src) {
                        Some(pair) => pair,
                        None => continue,
                    },
                    _ => continue,
                };
                facts.imports.push(Import {
                    module,
                    name: None,
                    alias,
                });
            }
        }
        "import_from_statement" => {
            let Some(module) = node.child_by_field_name("module_name") else {
                return;
            };
            let module_text = path_text(module, src);
            for name in named_children(node) {
                if name.id() == module.id() {
                    continue;
                }
                let (imported, alias) = match name.kind() {
                    "dotted_name" => {
                        let n = path_text(name, src);
                        (n.clone(), n)
                    }
                    "aliased_import" => match aliased(name, src) {
                        Some(pair) => pair,
                        None => continue,
                    },
                    _ => continue,
                };
                facts.imports.push(Import {
                    module: module_text.clone(),
                    name: Some(imported),
                    alias,
                });
            }
        }
        "assignment" => {
            let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) else {
                return;
            };
            let target = path_text(left, src);
            let val = value(right, src, 0);
            let module_level = ancestor_kind(ancestors, 1) == Some("expression_statement")
                && ancestor_kind(ancestors, 2) == Some("module");
            if module_level && left.kind() == "identifier" {
                facts.constants.insert(target.clone(), val.clone());
            }
            facts.assignments.push((target, left.byte_range(), val));
        }
        "parameters" | "lambda_parameters" => parameters(node, src, facts),
        _ => {}
    }
}

/// `a.b as c` in an import: the dotted name and the alias.
fn aliased(node: Node, src: &[u8]) -> Option<(String, String)> {
    let name = node.child_by_field_name("name")?;
    let alias = node.child_by_field_name("alias")?;
    Some((path_text(name, src), text(alias, src).to_string()))
}

/// Parameters bind names, with their defaults.
fn parameters(node: Node, src: &[u8], facts: &mut Facts) {
    for param in named_children(node) {
        let (name, default) = match param.kind() {
            "identifier" => (Some(param), None),
            "typed_parameter" => (
                named_children(param)
                    .into_iter()
                    .find(|n| n.kind() == "identifier"),
                None,
            ),
            "default_parameter" | "typed_default_parameter" => (
                param.child_by_field_name("name"),
                param.child_by_field_name("value"),
            ),
            _ => continue,
        };
        if let Some(name) = name.filter(|n| n.kind() == "identifier") {
            facts.parameters.push((
                text(name, src).to_string(),
                name.byte_range(),
                default.map(|d| value(d, src, 0)),
            ));
        }
    }
}

fn call(node: Node, src: &[u8], facts: &mut Facts) {
    let Some(function) = node.child_by_field_name("function") else {
        return;
    };
    let callee = path_text(function, src);
    let mut positional = Vec::new();
    let mut keywords = Vec::new();
    if let Some(args) = node.child_by_field_name("arguments") {
        for arg in named_children(args) {
            match arg.kind() {
                "keyword_argument" => {
                    if let (Some(name), Some(val)) = (
                        arg.child_by_field_name("name"),
                        arg.child_by_field_name("value"),
                    ) {
                        keywords.push((text(name, src).to_string(), value(val, src, 0)));
                    }
                }
                "comment" => {}
                _ => positional.push(value(arg, src, 0)),
            }
        }
    }
    if ENV_GETTERS.contains(&callee.as_str())
        && let Some(Value::Str { text, range }) = positional.first()
    {
        facts.env_reads.push(EnvRead {
            name: text.clone(),
            name_range: range.clone(),
            range: node.byte_range(),
        });
    }
    facts.calls.push(Call {
        callee,
        range: node.byte_range(),
        callee_range: function.byte_range(),
        positional,
        keywords,
    });
}

fn env_subscript(node: Node, src: &[u8]) -> Option<EnvRead> {
    let mapping = node.child_by_field_name("value")?;
    if !ENV_MAPPINGS.contains(&path_text(mapping, src).as_str()) {
        return None;
    }
    let key = node.child_by_field_name("subscript")?;
    match value(key, src, MAX_VALUE_DEPTH - 1) {
        Value::Str { text, range } => Some(EnvRead {
            name: text,
            name_range: range,
            range: node.byte_range(),
        }),
        _ => None,
    }
}

/// `os.getenv("X", default)` and friends as a [`Value::Env`], with the default (the
/// second argument or `default=`) as its fallback.
fn env_call(node: Node, src: &[u8], depth: usize) -> Option<Value> {
    let function = node.child_by_field_name("function")?;
    if !ENV_GETTERS.contains(&path_text(function, src).as_str()) {
        return None;
    }
    let args = node.child_by_field_name("arguments")?;
    let mut positional = named_children(args)
        .into_iter()
        .filter(|a| !matches!(a.kind(), "comment" | "keyword_argument"));
    let name = match value(positional.next()?, src, MAX_VALUE_DEPTH - 1) {
        Value::Str { text, .. } => text,
        _ => return None,
    };
    let default = positional.next().or_else(|| {
        named_children(args).into_iter().find_map(|a| {
            (a.kind() == "keyword_argument"
                && a.child_by_field_name("name")
                    .is_some_and(|n| text(n, src) == "default"))
            .then(|| a.child_by_field_name("value"))
            .flatten()
        })
    });
    Some(Value::Env {
        name,
        range: node.byte_range(),
        fallback: default.map(|d| Box::new(value(d, src, depth + 1))),
    })
}

/// What an expression node stands for.
pub(super) fn value(node: Node, src: &[u8], depth: usize) -> Value {
    let range = node.byte_range();
    if depth >= MAX_VALUE_DEPTH {
        return Value::Other { range };
    }
    match node.kind() {
        "string" => string(node, src, depth),
        "concatenated_string" => named_children(node)
            .into_iter()
            .map(|s| string(s, src, depth))
            .reduce(|a, b| {
                let r = a.range().start..b.range().end;
                concat(a, b, r)
            })
            .map(|v| match v {
                Value::Str { text, .. } => Value::Str {
                    text,
                    range: range.clone(),
                },
                Value::Template { parts, .. } => Value::Template {
                    parts,
                    range: range.clone(),
                },
                other => other,
            })
            .unwrap_or(Value::Other { range }),
        "binary_operator" => {
            let op = node.child_by_field_name("operator").map(|o| text(o, src));
            match (
                op,
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) {
                (Some("+"), Some(l), Some(r)) => {
                    concat(value(l, src, depth + 1), value(r, src, depth + 1), range)
                }
                (Some("%"), Some(l), Some(r)) => {
                    // `"a" "%s"` is a template of literals only.
                    let format = match value(l, src, depth + 1) {
                        Value::Template { parts, .. } => parts
                            .into_iter()
                            .map(|p| match p {
                                Part::Lit(text) => Some(text),
                                Part::Expr(_) => None,
                            })
                            .collect::<Option<String>>(),
                        left => left.as_str().map(str::to_string),
                    };
                    match format.and_then(|f| percent_format(&f, r, src, depth)) {
                        Some(parts) => Value::Template { parts, range },
                        None => Value::Other { range },
                    }
                }
                _ => Value::Other { range },
            }
        }
        "parenthesized_expression" => named_children(node)
            .into_iter()
            .find(|n| n.kind() != "comment")
            .map(|inner| value(inner, src, depth + 1))
            .unwrap_or(Value::Other { range }),
        "identifier" | "attribute" => Value::Name {
            path: path_text(node, src),
            range,
        },
        "integer" | "float" => Value::Number {
            text: text(node, src).to_string(),
            range,
        },
        "true" => Value::Bool { value: true, range },
        "false" => Value::Bool {
            value: false,
            range,
        },
        "dictionary" => Value::Object {
            id: node.id(),
            range,
        },
        "subscript" => match env_subscript(node, src) {
            Some(read) => Value::Env {
                name: read.name,
                range,
                fallback: None,
            },
            None => Value::Other { range },
        },
        "call" => env_call(node, src, depth).unwrap_or(Value::Other { range }),
        // `os.environ.get("X") or "d"` reads the variable, with "d" when it is unset
        // or empty.
        "boolean_operator" => {
            let op = node.child_by_field_name("operator").map(|o| text(o, src));
            match (
                op,
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) {
                (Some("or"), Some(l), Some(r)) => match value(l, src, depth + 1) {
                    // `os.getenv("X", "") or "d"`: an empty default falls through too.
                    Value::Env { name, fallback, .. }
                        if fallback.as_deref().is_none_or(|f| f.as_str() == Some("")) =>
                    {
                        Value::Env {
                            name,
                            range,
                            fallback: Some(Box::new(value(r, src, depth + 1))),
                        }
                    }
                    _ => Value::Other { range },
                },
                _ => Value::Other { range },
            }
        }
        _ => Value::Other { range },
    }
}

/// One piece of a `%` format string.
enum Piece {
    Lit(String),
    /// A conversion (`%s`, `%-8.3f`), with its mapping key for `%(name)s`.
    Conversion(Option<String>),
}

/// The pieces of a `%` format string; `None` for what this reader does not
/// follow: `*` widths, which take arguments of their own, and malformed specs.
fn percent_pieces(format: &str) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut literal = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            literal.push(c);
            continue;
        }
        if chars.peek() == Some(&'%') {
            chars.next();
            literal.push('%');
            continue;
        }
        let mut name = None;
        if chars.peek() == Some(&'(') {
            chars.next();
            let mut key = String::new();
            loop {
                match chars.next()? {
                    ')' => break,
                    k => key.push(k),
                }
            }
            name = Some(key);
        }
        while chars
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || "#0- +.hlL".contains(*c))
        {
            chars.next();
        }
        if !chars.next().is_some_and(|t| "diouxXeEfFgGcrsa".contains(t)) {
            return None; // `*` widths, or not a conversion at all
        }
        if !literal.is_empty() {
            pieces.push(Piece::Lit(std::mem::take(&mut literal)));
        }
        pieces.push(Piece::Conversion(name));
    }
    if !literal.is_empty() {
        pieces.push(Piece::Lit(literal));
    }
    Some(pieces)
}

/// `"key: %s" % key`, `"%s=%r" % (a, b)` and `"%(k)s" % {"k": v}` as the template
/// they build: each conversion replaced by its argument, as in an f-string. `None`
/// when conversions and arguments do not line up, so nothing is read into a value
/// the reader cannot place.
fn percent_format(format: &str, right: Node, src: &[u8], depth: usize) -> Option<Vec<Part>> {
    let pieces = percent_pieces(format)?;
    let named = pieces
        .iter()
        .any(|p| matches!(p, Piece::Conversion(Some(_))));
    let mut positional = Vec::new();
    let mut by_name = Vec::new();
    match right.kind() {
        "tuple" => positional.extend(
            named_children(right)
                .into_iter()
                .filter(|n| n.kind() != "comment")
                .map(|n| value(n, src, depth + 1)),
        ),
        "dictionary" if named => {
            for pair in named_children(right)
                .into_iter()
                .filter(|n| n.kind() == "pair")
            {
                if let (Some(key), Some(val)) = (
                    pair.child_by_field_name("key"),
                    pair.child_by_field_name("value"),
                ) && let Value::Str { text, .. } = value(key, src, depth + 1)
                {
                    by_name.push((text, value(val, src, depth + 1)));
                }
            }
        }
        // `"%(k)s" % mapping`: the values are out of sight.
        _ if named => return None,
        _ => positional.push(value(right, src, depth + 1)),
    }
    let conversions = pieces
        .iter()
        .filter(|p| matches!(p, Piece::Conversion(_)))
        .count();
    if conversions == 0 || (!named && conversions != positional.len()) {
        return None;
    }
    let mut positional = positional.into_iter();
    let mut parts = Vec::new();
    for piece in pieces {
        parts.push(match piece {
            Piece::Lit(text) => Part::Lit(text),
            Piece::Conversion(None) => Part::Expr(positional.next()?),
            Piece::Conversion(Some(name)) => {
                let (_, v) = by_name.iter().find(|(k, _)| *k == name)?;
                Part::Expr(v.clone())
            }
        });
    }
    Some(parts)
}

/// A string literal: plain, or an f-string with interpolations.
fn string(node: Node, src: &[u8], depth: usize) -> Value {
    let range = node.byte_range();
    let children = named_children(node);
    let start = children
        .iter()
        .find(|c| c.kind() == "string_start")
        .map_or(range.start, |c| c.end_byte());
    let end = children
        .iter()
        .rfind(|c| c.kind() == "string_end")
        .map_or(range.end, |c| c.start_byte());
    let end = end.max(start);
    if !children.iter().any(|c| c.kind() == "interpolation") {
        let content = std::str::from_utf8(&src[start..end]).unwrap_or("");
        return Value::Str {
            text: content.to_string(),
            range: start..end,
        };
    }
    let mut parts = Vec::new();
    for child in children {
        match child.kind() {
            "string_content" | "escape_sequence" => parts.push(Part::Lit(text(child, src).into())),
            "interpolation" => {
                let inner = child
                    .child_by_field_name("expression")
                    .map(|e| value(e, src, depth + 1))
                    .unwrap_or(Value::Other {
                        range: child.byte_range(),
                    });
                parts.push(Part::Expr(inner));
            }
            _ => {}
        }
    }
    Value::Template { parts, range }
}
