//! Facts from a JavaScript, TypeScript or TSX tree (the grammars share node names).

use super::{MAX_VALUE_DEPTH, ancestor_kind, concat, named_children, path_text, text};
use crate::syntax::facts::{Call, EnvRead, Facts, Function, Loop, Pair, Part, Value};
use tree_sitter::Node;

const ENV_OBJECTS: &[&str] = &["process.env", "import.meta.env", "Deno.env", "Bun.env"];

pub(super) fn visit(node: Node, ancestors: &[Node], src: &[u8], facts: &mut Facts) {
    match node.kind() {
        "comment" => facts.comments.push(node.byte_range()),
        "string" | "template_string" => facts.strings.push(value(node, src, 0)),
        "call_expression" | "new_expression" => call(node, src, facts),
        "member_expression" | "subscript_expression" => {
            if let Some(read) = env_read(node, src) {
                facts.env_reads.push(read);
            }
        }
        "object" => {
            for (key, key_range, val) in object_entries(node, src) {
                facts.pairs.push(Pair {
                    object: node.id(),
                    key,
                    key_range,
                    value: val,
                });
            }
        }
        "function_declaration" | "generator_function_declaration" | "method_definition" => {
            facts.functions.push(Function {
                name: node
                    .child_by_field_name("name")
                    .map(|n| text(n, src).to_string())
                    .unwrap_or_default(),
                range: node.byte_range(),
                decorators: Vec::new(),
            });
        }
        "for_statement" | "while_statement" | "do_statement" => facts.loops.push(Loop {
            range: node.byte_range(),
            counted: true,
            iterates: None,
        }),
        "for_in_statement" => facts.loops.push(Loop {
            range: node.byte_range(),
            counted: false,
            iterates: node.child_by_field_name("right").map(|r| value(r, src, 0)),
        }),
        "try_statement" => facts.tries.push(node.byte_range()),
        "variable_declarator" => {
            let (Some(name), Some(init)) = (
                node.child_by_field_name("name"),
                node.child_by_field_name("value"),
            ) else {
                return;
            };
            if matches!(
                init.kind(),
                "arrow_function" | "function_expression" | "function" | "generator_function"
            ) {
                facts.functions.push(Function {
                    name: text(name, src).to_string(),
                    range: node.byte_range(),
                    decorators: Vec::new(),
                });
            }
            let top_level = matches!(
                ancestor_kind(ancestors, 1),
                Some("lexical_declaration" | "variable_declaration")
            ) && matches!(
                ancestor_kind(ancestors, 2),
                Some("program" | "export_statement")
            );
            if name.kind() == "object_pattern" && is_env_object(init, src) {
                destructured_env(name, src, top_level, facts);
                return;
            }
            let target = path_text(name, src);
            let val = value(init, src, 0);
            if top_level && name.kind() == "identifier" {
                facts.constants.insert(target.clone(), val.clone());
            }
            facts.assignments.push((target, name.byte_range(), val));
        }
        "formal_parameters" => parameters(node, src, facts),
        // `m => …`
        "arrow_function" => {
            if let Some(param) = node.child_by_field_name("parameter") {
                facts
                    .parameters
                    .push((text(param, src).to_string(), param.byte_range(), None));
            }
        }
        // `function f({ model = "gpt-4" })`, `const { model = "gpt-4" } = opts`
        "object_assignment_pattern" => {
            if let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) && left.kind() == "shorthand_property_identifier_pattern"
            {
                facts.parameters.push((
                    text(left, src).to_string(),
                    left.byte_range(),
                    Some(value(right, src, 0)),
                ));
            }
        }
        "assignment_expression" => {
            if let (Some(left), Some(right)) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) {
                if left.kind() == "object_pattern" && is_env_object(right, src) {
                    destructured_env(left, src, false, facts);
                    return;
                }
                facts.assignments.push((
                    path_text(left, src),
                    left.byte_range(),
                    value(right, src, 0),
                ));
            }
        }
        _ => {}
    }
}

/// Parameters bind names, with their defaults (`m = "x"`, TypeScript's `m: string =
/// "x"`). Destructured parameters are left to `object_assignment_pattern`.
fn parameters(node: Node, src: &[u8], facts: &mut Facts) {
    for param in named_children(node) {
        let (name, default) = match param.kind() {
            "identifier" => (Some(param), None),
            "assignment_pattern" => (
                param.child_by_field_name("left"),
                param.child_by_field_name("right"),
            ),
            "required_parameter" | "optional_parameter" => (
                param.child_by_field_name("pattern"),
                param.child_by_field_name("value"),
            ),
            _ => continue,
        };
        let Some(name) = name.filter(|n| n.kind() == "identifier") else {
            continue;
        };
        facts.parameters.push((
            text(name, src).to_string(),
            name.byte_range(),
            default.map(|d| value(d, src, 0)),
        ));
    }
}

/// `key: value` entries of an object literal; shorthand `{ apiKey }` is `apiKey: apiKey`.
fn object_entries(node: Node, src: &[u8]) -> Vec<(String, std::ops::Range<usize>, Value)> {
    let mut out = Vec::new();
    for child in named_children(node) {
        match child.kind() {
            "pair" => {
                let (Some(key), Some(val)) = (
                    child.child_by_field_name("key"),
                    child.child_by_field_name("value"),
                ) else {
                    continue;
                };
                let (key_text, key_range) = match key.kind() {
                    "string" => match value(key, src, MAX_VALUE_DEPTH - 1) {
                        Value::Str { text, range } => (text, range),
                        _ => continue,
                    },
                    "property_identifier" | "number" => {
                        (text(key, src).to_string(), key.byte_range())
                    }
                    _ => continue, // computed keys
                };
                out.push((key_text, key_range, value(val, src, 0)));
            }
            "shorthand_property_identifier" => {
                let name = text(child, src).to_string();
                out.push((
                    name.clone(),
                    child.byte_range(),
                    Value::Name {
                        path: name,
                        range: child.byte_range(),
                    },
                ));
            }
            _ => {}
        }
    }
    out
}

fn call(node: Node, src: &[u8], facts: &mut Facts) {
    let is_new = node.kind() == "new_expression";
    let field = if is_new { "constructor" } else { "function" };
    let Some(function) = node.child_by_field_name(field) else {
        return;
    };
    let mut callee = path_text(function, src);
    if is_new {
        callee.insert_str(0, "new ");
    }
    let mut positional = Vec::new();
    let mut keywords = Vec::new();
    if let Some(args) = node.child_by_field_name("arguments") {
        for arg in named_children(args) {
            if arg.kind() == "comment" {
                continue;
            }
            if arg.kind() == "object" {
                keywords.extend(object_entries(arg, src).into_iter().map(|(k, _, v)| (k, v)));
            }
            positional.push(value(arg, src, 0));
        }
    }
    facts.calls.push(Call {
        callee,
        range: node.byte_range(),
        callee_range: function.byte_range(),
        positional,
        keywords,
    });
}

/// `process.env.X`, `process.env["X"]`, `import.meta.env.X`.
fn env_read(node: Node, src: &[u8]) -> Option<EnvRead> {
    let object = node.child_by_field_name("object")?;
    if !ENV_OBJECTS.contains(&path_text(object, src).as_str()) {
        return None;
    }
    let (name, name_range) = match node.kind() {
        "member_expression" => {
            let property = node.child_by_field_name("property")?;
            (text(property, src).to_string(), property.byte_range())
        }
        _ => match value(node.child_by_field_name("index")?, src, MAX_VALUE_DEPTH - 1) {
            Value::Str { text, range } => (text, range),
            _ => return None,
        },
    };
    Some(EnvRead {
        name,
        name_range,
        range: node.byte_range(),
    })
}

/// `process.env`, `import.meta.env` and the like, also behind parentheses and
/// TypeScript casts (`import.meta.env as ImportMetaEnv`).
fn is_env_object(node: Node, src: &[u8]) -> bool {
    let mut node = node;
    for _ in 0..MAX_VALUE_DEPTH {
        match node.kind() {
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression" => {
                match named_children(node)
                    .into_iter()
                    .find(|n| n.kind() != "comment")
                {
                    Some(inner) => node = inner,
                    None => return false,
                }
            }
            _ => return ENV_OBJECTS.contains(&path_text(node, src).as_str()),
        }
    }
    false
}

/// `const { VITE_OPENAI_API_KEY, NEXT_PUBLIC_X: x = "" } = process.env`: each
/// property is an environment read, and the name it binds holds that read, so a
/// later `apiKey: x` resolves to the variable as `x = process.env.X` would.
fn destructured_env(pattern: Node, src: &[u8], top_level: bool, facts: &mut Facts) {
    for entry in named_children(pattern) {
        let (key, binding) = match entry.kind() {
            "shorthand_property_identifier_pattern" => (entry, Some(entry)),
            // `{ X = "default" }`
            "object_assignment_pattern" => match entry.child_by_field_name("left") {
                Some(left) => (left, Some(left)),
                None => continue,
            },
            "pair_pattern" => {
                let Some(key) = entry.child_by_field_name("key") else {
                    continue;
                };
                // `{ X: x }` and `{ X: x = "" }`; nested patterns bind no single name.
                let binding = entry
                    .child_by_field_name("value")
                    .and_then(|v| match v.kind() {
                        "identifier" => Some(v),
                        "assignment_pattern" => v
                            .child_by_field_name("left")
                            .filter(|l| l.kind() == "identifier"),
                        _ => None,
                    });
                (key, binding)
            }
            _ => continue, // `...rest`, comments
        };
        let (name, name_range) = match key.kind() {
            "string" => match value(key, src, MAX_VALUE_DEPTH - 1) {
                Value::Str { text, range } => (text, range),
                _ => continue,
            },
            "property_identifier" | "shorthand_property_identifier_pattern" | "identifier" => {
                (text(key, src).to_string(), key.byte_range())
            }
            _ => continue, // computed keys
        };
        if name.is_empty() {
            continue;
        }
        // The key and the name it binds, without a default value.
        let range = key.start_byte()..binding.map_or(key.end_byte(), |b| b.end_byte());
        if let Some(binding) = binding {
            let target = text(binding, src).to_string();
            let read = Value::Env {
                name: name.clone(),
                range: range.clone(),
                fallback: None,
            };
            if top_level {
                facts.constants.insert(target.clone(), read.clone());
            }
            facts.assignments.push((target, binding.byte_range(), read));
        }
        facts.env_reads.push(EnvRead {
            name,
            name_range,
            range,
        });
    }
}

pub(super) fn value(node: Node, src: &[u8], depth: usize) -> Value {
    let range = node.byte_range();
    if depth >= MAX_VALUE_DEPTH {
        return Value::Other { range };
    }
    match node.kind() {
        "string" => {
            let start = (range.start + 1).min(range.end);
            let end = range.end.saturating_sub(1).max(start);
            Value::Str {
                text: std::str::from_utf8(&src[start..end])
                    .unwrap_or("")
                    .to_string(),
                range: start..end,
            }
        }
        "template_string" => template(node, src, depth),
        "binary_expression" => {
            let op = node.child_by_field_name("operator").map(|o| text(o, src));
            match (
                op,
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            ) {
                (Some("+"), Some(l), Some(r)) => {
                    concat(value(l, src, depth + 1), value(r, src, depth + 1), range)
                }
                // `process.env.KEY ?? ""` and `|| ""` still read the variable; the
                // right side is what it gives when the variable is unset.
                (Some("??" | "||"), Some(l), Some(r)) => match value(l, src, depth + 1) {
                    Value::Env {
                        name,
                        range: env_range,
                        fallback,
                    } if fallback.as_deref().is_none_or(|f| f.as_str() == Some("")) => Value::Env {
                        name,
                        range: env_range,
                        fallback: Some(Box::new(value(r, src, depth + 1))),
                    },
                    _ => Value::Other { range },
                },
                _ => Value::Other { range },
            }
        }
        "parenthesized_expression"
        | "as_expression"
        | "satisfies_expression"
        | "non_null_expression" => named_children(node)
            .into_iter()
            .find(|n| n.kind() != "comment")
            .map(|inner| value(inner, src, depth + 1))
            .unwrap_or(Value::Other { range }),
        "member_expression" | "subscript_expression" => match env_read(node, src) {
            Some(read) => Value::Env {
                name: read.name,
                range,
                fallback: None,
            },
            None if node.kind() == "member_expression" => Value::Name {
                path: path_text(node, src),
                range,
            },
            None => Value::Other { range },
        },
        "identifier" => Value::Name {
            path: text(node, src).to_string(),
            range,
        },
        "number" => Value::Number {
            text: text(node, src).to_string(),
            range,
        },
        "true" => Value::Bool { value: true, range },
        "false" => Value::Bool {
            value: false,
            range,
        },
        "object" => Value::Object {
            id: node.id(),
            range,
        },
        _ => Value::Other { range },
    }
}

fn template(node: Node, src: &[u8], depth: usize) -> Value {
    let range = node.byte_range();
    let children = named_children(node);
    if !children.iter().any(|c| c.kind() == "template_substitution") {
        let start = (range.start + 1).min(range.end);
        let end = range.end.saturating_sub(1).max(start);
        return Value::Str {
            text: std::str::from_utf8(&src[start..end])
                .unwrap_or("")
                .to_string(),
            range: start..end,
        };
    }
    let mut parts = Vec::new();
    for child in children {
        match child.kind() {
            "string_fragment" | "escape_sequence" => parts.push(Part::Lit(text(child, src).into())),
            "template_substitution" => {
                let inner = named_children(child)
                    .into_iter()
                    .next()
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
