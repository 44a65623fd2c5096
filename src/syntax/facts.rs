//! Facts extracted from a syntax tree. Rules read these, never the tree, so one rule
//! serves Python, JavaScript and TypeScript alike. Every range is a byte range in
//! the text that was parsed.

use std::collections::HashMap;
use std::ops::Range;

/// What an expression evaluates to, as far as a linter can tell without running it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A string literal without interpolation; `range` covers its content.
    Str { text: String, range: Range<usize> },
    /// An f-string, template literal or `+` concatenation of literals and expressions.
    Template {
        parts: Vec<Part>,
        range: Range<usize>,
    },
    /// An environment read: `os.environ["X"]`, `os.getenv("X")`, `process.env.X`.
    /// `fallback` is what it gives when the variable is unset: the default of
    /// `os.getenv("X", "d")` / `os.environ.get("X", "d")`, the right side of
    /// `process.env.X ?? "d"`, `|| "d"` or Python's `or "d"`.
    Env {
        name: String,
        range: Range<usize>,
        fallback: Option<Box<Value>>,
    },
    /// A name or dotted path: `api_key`, `settings.OPENAI_KEY`.
    Name { path: String, range: Range<usize> },
    /// A number literal, as written.
    Number { text: String, range: Range<usize> },
    /// `True`/`False`/`true`/`false`.
    Bool { value: bool, range: Range<usize> },
    /// A dict or object literal; its pairs are in [`Facts::pairs`] under `id`.
    Object { id: usize, range: Range<usize> },
    /// Anything else: calls, subscripts, conditionals.
    Other { range: Range<usize> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    Expr(Value),
}

impl Value {
    pub fn range(&self) -> Range<usize> {
        match self {
            Value::Str { range, .. }
            | Value::Template { range, .. }
            | Value::Env { range, .. }
            | Value::Name { range, .. }
            | Value::Number { range, .. }
            | Value::Bool { range, .. }
            | Value::Object { range, .. }
            | Value::Other { range } => range.clone(),
        }
    }

    /// The literal text, if the value is a plain string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The literal text before the first interpolation (`f"Bearer {k}"` gives
    /// `Bearer `), or the whole text of a plain string.
    pub fn literal_prefix(&self) -> Option<String> {
        match self {
            Value::Str { text, .. } => Some(text.clone()),
            Value::Template { parts, .. } => {
                let mut out = String::new();
                for part in parts {
                    match part {
                        Part::Lit(s) => out.push_str(s),
                        Part::Expr(_) => break,
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }
}

/// A `key: value` in a dict or object literal, or a keyword argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    /// The object this pair belongs to ([`Value::Object`] `id`); keyword arguments
    /// use the id of their call's argument list.
    pub object: usize,
    pub key: String,
    pub key_range: Range<usize>,
    pub value: Value,
}

/// A call: `client.chat.completions.create(model="x")`, `new OpenAI({...})`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// The callee as dotted text without whitespace; `new ` in front for JS `new`.
    pub callee: String,
    pub range: Range<usize>,
    pub callee_range: Range<usize>,
    pub positional: Vec<Value>,
    /// Keyword arguments, and for JS the pairs of an object literal argument.
    pub keywords: Vec<(String, Value)>,
}

impl Call {
    pub fn keyword(&self, name: &str) -> Option<&Value> {
        self.keywords
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The last segment of the callee: `create` for `client.chat.completions.create`.
    pub fn method(&self) -> &str {
        self.callee.rsplit('.').next().unwrap_or(&self.callee)
    }
}

/// A read of an environment variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvRead {
    pub name: String,
    /// The range of the name inside its string or member access.
    pub name_range: Range<usize>,
    /// The whole read expression.
    pub range: Range<usize>,
}

/// A function definition: Python `def` (with its decorators), JavaScript function
/// declarations, methods, and functions assigned to a variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    /// The bound name; empty for an anonymous method key we cannot name.
    pub name: String,
    /// The whole definition, decorators included.
    pub range: Range<usize>,
    /// Each decorator expression: a name (`@retry`) or a call (`@retry(stop=…)`,
    /// whose [`Call`] has the same range). JavaScript has none.
    pub decorators: Vec<Value>,
}

/// A `for` or `while` loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loop {
    pub range: Range<usize>,
    /// Runs a counted or open number of times (`for _ in range(3)`, `while …`,
    /// `for (let i = 0; …)`), as opposed to walking a collection.
    pub counted: bool,
    /// What a `for … in` / `for … of` walks.
    pub iterates: Option<Value>,
}

/// A Python import binding a local name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// `tenacity` for `import tenacity` and `from tenacity import retry`.
    pub module: String,
    /// The imported name for `from … import name`; `None` for `import module`.
    pub name: Option<String>,
    /// The local name it binds (`as` alias, or the name itself).
    pub alias: String,
}

/// Everything the code-aware rules need from one parsed file.
#[derive(Debug, Default)]
pub struct Facts {
    /// Every string literal, plain or templated.
    pub strings: Vec<Value>,
    pub pairs: Vec<Pair>,
    pub calls: Vec<Call>,
    pub env_reads: Vec<EnvRead>,
    /// Module-level `NAME = <value>` bindings, so a URL or model in a constant can
    /// be followed to its use.
    pub constants: HashMap<String, Value>,
    /// Assignments anywhere: `(target path, value)`; `openai.api_key = …` lands here.
    pub assignments: Vec<(String, Range<usize>, Value)>,
    /// Parameters and destructuring bindings: `(name, range of the name, default)`.
    /// The default (`def f(model="gpt-4")`, `function f(m = "x")`, `{ model = "x" }`)
    /// is what the name holds when the caller passes nothing; otherwise the value is
    /// the caller's. Kept apart from `assignments`: a rule asking what a variable
    /// may hold (a logged key) must not take a default for the only value.
    pub parameters: Vec<(String, Range<usize>, Option<Value>)>,
    pub comments: Vec<Range<usize>>,
    pub functions: Vec<Function>,
    pub loops: Vec<Loop>,
    /// `try` statements.
    pub tries: Vec<Range<usize>>,
    /// Python imports (JavaScript imports are not collected).
    pub imports: Vec<Import>,
    /// The parser recovered from syntax errors; facts may be incomplete.
    pub has_errors: bool,
}

impl Facts {
    /// Pairs of the object literal `id`.
    pub fn object_pairs(&self, id: usize) -> impl Iterator<Item = &Pair> {
        self.pairs.iter().filter(move |p| p.object == id)
    }

    /// A name's value: its nearest binding before the use (an assignment or a
    /// parameter's default), else a module constant, followed up to three names
    /// deep. A name whose nearest binding is a parameter without a default stays a
    /// name: that parameter shadows bindings above it (another function's default
    /// or local).
    pub fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        let mut value = value;
        for _ in 0..3 {
            let Value::Name { path, range } = value else {
                return value;
            };
            let assigned = self
                .assignments
                .iter()
                .rfind(|(target, at, _)| target == path && at.start < range.start)
                .map(|(_, at, v)| (at.start, Some(v)));
            let parameter = self
                .parameters
                .iter()
                .rfind(|(name, at, _)| name == path && at.start < range.start)
                .map(|(_, at, default)| (at.start, default.as_ref()));
            let nearest = match (assigned, parameter) {
                (Some(a), Some(p)) => Some(if p.0 > a.0 { p } else { a }),
                (a, p) => a.or(p),
            };
            let next = match nearest {
                Some((_, Some(v))) => Some(v),
                Some((_, None)) => return value,
                None => self.constants.get(path),
            };
            match next {
                Some(v) if v != value => value = v,
                _ => return value,
            }
        }
        value
    }

    /// The text of a URL value: literal parts, with names followed to their
    /// strings; unknown parts are empty. The depth bound stops `URL = URL + "/v1"`
    /// from resolving forever.
    pub fn url_text(&self, value: &Value) -> Option<String> {
        self.url_text_within(value, 4)
    }

    fn url_text_within(&self, value: &Value, depth: usize) -> Option<String> {
        if depth == 0 {
            return None;
        }
        match self.resolve(value) {
            Value::Str { text, .. } => Some(text.clone()),
            Value::Template { parts, .. } => Some(
                parts
                    .iter()
                    .map(|p| match p {
                        Part::Lit(s) => s.clone(),
                        Part::Expr(e) => self.url_text_within(e, depth - 1).unwrap_or_default(),
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    /// The full text of a string value, with names followed; `None` when any part
    /// is unknown (`f"{host}/v1"` with `host` a parameter), unlike [`Facts::url_text`].
    pub fn known_text(&self, value: &Value) -> Option<String> {
        self.known_text_within(value, 4)
    }

    fn known_text_within(&self, value: &Value, depth: usize) -> Option<String> {
        if depth == 0 {
            return None;
        }
        match self.resolve(value) {
            Value::Str { text, .. } => Some(text.clone()),
            Value::Template { parts, .. } => parts
                .iter()
                .map(|p| match p {
                    Part::Lit(s) => Some(s.clone()),
                    Part::Expr(e) => self.known_text_within(e, depth - 1),
                })
                .collect(),
            _ => None,
        }
    }

    /// The call whose whole expression is `range` (a value of kind
    /// [`Value::Other`] that is a call).
    pub fn call_at(&self, range: &Range<usize>) -> Option<&Call> {
        self.calls.iter().find(|c| c.range == *range)
    }

    /// The call a value is or names: `OpenAI(...)`, or `client` assigned one before
    /// the use.
    pub fn call_of(&self, value: &Value) -> Option<&Call> {
        match self.resolve(value) {
            Value::Other { range } => self.call_at(range),
            _ => None,
        }
    }

    /// The call last assigned to `name` before `at` (`client = OpenAI()`), or the
    /// module constant holding one.
    pub fn call_assigned_to(&self, name: &str, at: usize) -> Option<&Call> {
        let value = self
            .assignments
            .iter()
            .rfind(|(target, r, _)| target == name && r.start < at)
            .map(|(_, _, v)| v)
            .or_else(|| self.constants.get(name))?;
        self.call_of(value)
    }

    /// The keyword arguments of a call, and for a call given an options object by
    /// name (`new OpenAI(options)`) that object's pairs.
    pub fn options_of<'a>(&'a self, call: &'a Call) -> Vec<(&'a str, &'a Value)> {
        let mut out: Vec<(&str, &Value)> =
            call.keywords.iter().map(|(k, v)| (k.as_str(), v)).collect();
        for value in &call.positional {
            if matches!(value, Value::Name { .. })
                && let Value::Object { id, .. } = self.resolve(value)
            {
                out.extend(self.object_pairs(*id).map(|p| (p.key.as_str(), &p.value)));
            }
        }
        out
    }

    /// The fully qualified name of a dotted Python name, through the file's imports:
    /// `retry` after `from tenacity import retry` is `tenacity.retry`, `t.retry`
    /// after `import tenacity as t` too. `None` when the first segment is not an
    /// imported name.
    pub fn qualified(&self, dotted: &str) -> Option<String> {
        let (first, rest) = match dotted.split_once('.') {
            Some((f, r)) => (f, Some(r)),
            None => (dotted, None),
        };
        let import = self.imports.iter().rfind(|i| i.alias == first)?;
        let mut out = import.module.clone();
        if let Some(name) = &import.name {
            out.push('.');
            out.push_str(name);
        }
        if let Some(rest) = rest {
            out.push('.');
            out.push_str(rest);
        }
        Some(out)
    }

    /// The string a value stands for, following names.
    pub fn string_of<'a>(&'a self, value: &'a Value) -> Option<&'a str> {
        self.resolve(value).as_str()
    }
}

/// The facts of texts parsed each on its own, as facts of the one text that holds
/// them: a notebook's code cells, which Jupyter compiles one by one but runs in one
/// namespace. `parts` gives each part's offset in that text, in order, so a name in
/// one cell resolves to an assignment in an earlier one.
pub fn joined(parts: impl IntoIterator<Item = (usize, Facts)>) -> Facts {
    let mut out = Facts::default();
    let mut next_object_id = 0;
    for (offset, part) in parts {
        // Object ids are node addresses, unique only within one tree: trees parsed
        // one after another may reuse them.
        let mut moved = Relocation {
            offset,
            object_ids: HashMap::new(),
            next_object_id: &mut next_object_id,
        };
        let Facts {
            strings,
            pairs,
            calls,
            env_reads,
            constants,
            assignments,
            parameters,
            comments,
            functions,
            loops,
            tries,
            imports,
            has_errors,
        } = part;
        out.strings
            .extend(strings.into_iter().map(|v| moved.value(v)));
        out.pairs.extend(pairs.into_iter().map(|p| Pair {
            object: moved.object_id(p.object),
            key: p.key,
            key_range: moved.range(p.key_range),
            value: moved.value(p.value),
        }));
        out.calls.extend(calls.into_iter().map(|c| {
            Call {
                callee: c.callee,
                range: moved.range(c.range),
                callee_range: moved.range(c.callee_range),
                positional: c.positional.into_iter().map(|v| moved.value(v)).collect(),
                keywords: c
                    .keywords
                    .into_iter()
                    .map(|(k, v)| (k, moved.value(v)))
                    .collect(),
            }
        }));
        out.env_reads.extend(env_reads.into_iter().map(|r| EnvRead {
            name: r.name,
            name_range: moved.range(r.name_range),
            range: moved.range(r.range),
        }));
        // A later cell's binding replaces an earlier one, as a later module-level
        // assignment does in one file.
        for (name, value) in constants {
            let value = moved.value(value);
            out.constants.insert(name, value);
        }
        out.assignments.extend(
            assignments
                .into_iter()
                .map(|(target, at, v)| (target, moved.range(at), moved.value(v))),
        );
        out.parameters.extend(
            parameters
                .into_iter()
                .map(|(name, at, v)| (name, moved.range(at), v.map(|v| moved.value(v)))),
        );
        out.comments
            .extend(comments.into_iter().map(|r| moved.range(r)));
        out.functions
            .extend(functions.into_iter().map(|f| Function {
                name: f.name,
                range: moved.range(f.range),
                decorators: f.decorators.into_iter().map(|v| moved.value(v)).collect(),
            }));
        out.loops.extend(loops.into_iter().map(|l| Loop {
            range: moved.range(l.range),
            counted: l.counted,
            iterates: l.iterates.map(|v| moved.value(v)),
        }));
        out.tries.extend(tries.into_iter().map(|r| moved.range(r)));
        out.imports.extend(imports);
        out.has_errors |= has_errors;
    }
    out
}

/// Moves one part's facts to its place in the joined text.
struct Relocation<'a> {
    offset: usize,
    object_ids: HashMap<usize, usize>,
    next_object_id: &'a mut usize,
}

impl Relocation<'_> {
    fn range(&self, r: Range<usize>) -> Range<usize> {
        r.start + self.offset..r.end + self.offset
    }

    fn object_id(&mut self, id: usize) -> usize {
        *self.object_ids.entry(id).or_insert_with(|| {
            let fresh = *self.next_object_id;
            *self.next_object_id += 1;
            fresh
        })
    }

    /// Values nest only as deep as extraction followed them (`MAX_VALUE_DEPTH`).
    fn value(&mut self, value: Value) -> Value {
        match value {
            Value::Str { text, range } => Value::Str {
                text,
                range: self.range(range),
            },
            Value::Template { parts, range } => Value::Template {
                parts: parts
                    .into_iter()
                    .map(|p| match p {
                        Part::Lit(s) => Part::Lit(s),
                        Part::Expr(e) => Part::Expr(self.value(e)),
                    })
                    .collect(),
                range: self.range(range),
            },
            Value::Env {
                name,
                range,
                fallback,
            } => Value::Env {
                name,
                range: self.range(range),
                fallback: fallback.map(|v| Box::new(self.value(*v))),
            },
            Value::Name { path, range } => Value::Name {
                path,
                range: self.range(range),
            },
            Value::Number { text, range } => Value::Number {
                text,
                range: self.range(range),
            },
            Value::Bool { value, range } => Value::Bool {
                value,
                range: self.range(range),
            },
            Value::Object { id, range } => Value::Object {
                id: self.object_id(id),
                range: self.range(range),
            },
            Value::Other { range } => Value::Other {
                range: self.range(range),
            },
        }
    }
}
