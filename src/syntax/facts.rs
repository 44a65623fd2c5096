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

    /// The string a value stands for, following names.
    pub fn string_of<'a>(&'a self, value: &'a Value) -> Option<&'a str> {
        self.resolve(value).as_str()
    }
}
