use super::*;

fn py(code: &str) -> Facts {
    facts(Lang::Python, code).expect("parses")
}

fn js(lang: Lang, code: &str) -> Facts {
    facts(lang, code).expect("parses")
}

#[test]
fn python_calls_keywords_and_env_reads() {
    let f = py(r#"
import os
from openai import OpenAI

MODEL = "gpt-4o-mini"
client = OpenAI(api_key=os.environ["OPENAI_API_KEY"], max_retries=0)
reply = client.chat.completions.create(model=MODEL, messages=[])
key = os.getenv("OPENAI_APIKEY", "")
"#);
    let create = f
        .calls
        .iter()
        .find(|c| c.callee == "client.chat.completions.create")
        .unwrap();
    assert_eq!(create.method(), "create");
    assert_eq!(
        f.string_of(create.keyword("model").unwrap()),
        Some("gpt-4o-mini")
    );
    let new = f.calls.iter().find(|c| c.callee == "OpenAI").unwrap();
    assert!(
        matches!(new.keyword("api_key"), Some(Value::Env { name, .. }) if name == "OPENAI_API_KEY")
    );
    assert!(matches!(new.keyword("max_retries"), Some(Value::Number { text, .. }) if text == "0"));
    let names: Vec<&str> = f.env_reads.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["OPENAI_API_KEY", "OPENAI_APIKEY"]);
    assert!(f.constants.contains_key("MODEL"));
    assert!(!f.constants.contains_key("key") || f.constants.contains_key("client"));
}

#[test]
fn python_strings_fstrings_and_dicts() {
    let src = r#"headers = {"Authorization": f"Bearer {api_key}", "X-Other": "Token " + tok}"#;
    let f = py(src);
    assert_eq!(f.pairs.len(), 2);
    let auth = &f.pairs[0];
    assert_eq!(auth.key, "Authorization");
    assert_eq!(&src[auth.key_range.clone()], "Authorization");
    assert_eq!(auth.value.literal_prefix().as_deref(), Some("Bearer "));
    assert_eq!(f.pairs[1].value.literal_prefix().as_deref(), Some("Token "));
    let plain = py("x = 'sk-abc'  # note\n");
    assert_eq!(plain.strings.len(), 1);
    assert_eq!(plain.strings[0].as_str(), Some("sk-abc"));
    assert_eq!(plain.comments.len(), 1);
}

#[test]
fn python_percent_formatting_is_a_template() {
    let f = py(r#"
a = "key: %s" % api_key
b = "%-8s=%r %%" % (name, os.environ["OPENAI_API_KEY"],)
c = "Bearer %(k)s" % {"k": token}
d = "%s and %s" % pair
e = "%*d" % (4, n)
g = "%(k)s" % mapping
h = "%d keys" % len(keys)
i = ("key " "%s") % api_key
j = f"{x} %s" % api_key
"#);
    let value = |name: &str| {
        &f.assignments
            .iter()
            .find(|(target, _, _)| target == name)
            .unwrap()
            .2
    };
    let Value::Template { parts, .. } = value("a") else {
        panic!("{:?}", value("a"));
    };
    assert!(
        matches!(&parts[..], [Part::Lit(l), Part::Expr(Value::Name { path, .. })] if l == "key: " && path == "api_key")
    );
    let Value::Template { parts, .. } = value("b") else {
        panic!("{:?}", value("b"));
    };
    assert!(matches!(
        &parts[..],
        [Part::Expr(Value::Name { .. }), Part::Lit(eq), Part::Expr(Value::Env { name, .. }), Part::Lit(pct)]
            if eq == "=" && name == "OPENAI_API_KEY" && pct == " %"
    ));
    assert_eq!(value("c").literal_prefix().as_deref(), Some("Bearer "));
    assert_eq!(value("i").literal_prefix().as_deref(), Some("key "));
    for opaque in ["d", "e", "g", "j"] {
        assert!(matches!(value(opaque), Value::Other { .. }), "{opaque}");
    }
    assert!(
        matches!(value("h"), Value::Template { parts, .. } if matches!(parts[0], Part::Expr(Value::Other { .. })))
    );
}

#[test]
fn python_module_constants_only_at_top_level() {
    let f = py("URL = 'https://api.openai.com'\ndef f():\n    LOCAL = 'x'\n");
    assert!(f.constants.contains_key("URL"));
    assert!(!f.constants.contains_key("LOCAL"));
    assert_eq!(f.assignments.len(), 2);
}

#[test]
fn javascript_objects_env_and_new() {
    let src = r#"
const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY ?? "", dangerouslyAllowBrowser: true });
const res = await fetch(`${BASE}/v1/chat/completions`, {
  headers: { Authorization: process.env["OPENAI_KEY"], "Content-Type": "application/json" },
  body: JSON.stringify({ model: "gpt-4o" }),
});
const k = import.meta.env.VITE_OPENAI_API_KEY;
"#;
    for lang in [Lang::JavaScript, Lang::TypeScript, Lang::Tsx] {
        let f = js(lang, src);
        let new = f.calls.iter().find(|c| c.callee == "new OpenAI").unwrap();
        assert!(
            matches!(new.keyword("apiKey"), Some(Value::Env { name, .. }) if name == "OPENAI_API_KEY")
        );
        assert!(matches!(
            new.keyword("dangerouslyAllowBrowser"),
            Some(Value::Bool { value: true, .. })
        ));
        let auth = f.pairs.iter().find(|p| p.key == "Authorization").unwrap();
        assert!(matches!(&auth.value, Value::Env { name, .. } if name == "OPENAI_KEY"));
        let fetch = f.calls.iter().find(|c| c.callee == "fetch").unwrap();
        assert!(matches!(&fetch.positional[0], Value::Template { .. }));
        let names: Vec<&str> = f.env_reads.iter().map(|r| r.name.as_str()).collect();
        assert!(
            names.contains(&"VITE_OPENAI_API_KEY"),
            "{lang:?}: {names:?}"
        );
        assert!(f.pairs.iter().any(|p| p.key == "model"));
    }
}

#[test]
fn javascript_destructured_env_reads() {
    let src = r#"
const { VITE_OPENAI_API_KEY, VITE_MODEL = "gpt-4o" } = import.meta.env;
export const { NEXT_PUBLIC_OPENAI_API_KEY: key, "OPENAI_ORG": org = "" } = process.env;
const { nested: { DEEP }, ...rest } = process.env;
const { a } = settings;
function f() {
  let { OPENAI_BASE_URL: base } = (process.env as Env);
  ({ OPENAI_APIKEY } = process.env);
}
new OpenAI({ apiKey: key });
"#;
    // `as` casts are TypeScript only.
    let plain = src.replace("(process.env as Env)", "process.env");
    check_destructured(js(Lang::JavaScript, &plain), &plain);
    for lang in [Lang::TypeScript, Lang::Tsx] {
        check_destructured(js(lang, src), src);
    }

    fn check_destructured(f: Facts, src: &str) {
        let reads: Vec<(&str, &str, &str)> = f
            .env_reads
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    &src[r.name_range.clone()],
                    &src[r.range.clone()],
                )
            })
            .collect();
        assert_eq!(
            reads,
            [
                (
                    "VITE_OPENAI_API_KEY",
                    "VITE_OPENAI_API_KEY",
                    "VITE_OPENAI_API_KEY"
                ),
                ("VITE_MODEL", "VITE_MODEL", "VITE_MODEL"),
                (
                    "NEXT_PUBLIC_OPENAI_API_KEY",
                    "NEXT_PUBLIC_OPENAI_API_KEY",
                    "NEXT_PUBLIC_OPENAI_API_KEY: key"
                ),
                ("OPENAI_ORG", "OPENAI_ORG", "\"OPENAI_ORG\": org"),
                ("nested", "nested", "nested"),
                (
                    "OPENAI_BASE_URL",
                    "OPENAI_BASE_URL",
                    "OPENAI_BASE_URL: base"
                ),
                ("OPENAI_APIKEY", "OPENAI_APIKEY", "OPENAI_APIKEY"),
            ]
        );
        assert!(
            matches!(f.constants.get("key"), Some(Value::Env { name, .. }) if name == "NEXT_PUBLIC_OPENAI_API_KEY")
        );
        assert!(f.constants.contains_key("VITE_OPENAI_API_KEY"));
        assert!(!f.constants.contains_key("base"));
        let new = f.calls.iter().find(|c| c.callee == "new OpenAI").unwrap();
        let api_key = f.resolve(new.keyword("apiKey").unwrap());
        assert!(matches!(api_key, Value::Env { name, range, .. }
                if name == "NEXT_PUBLIC_OPENAI_API_KEY"
                    && &src[range.clone()] == "NEXT_PUBLIC_OPENAI_API_KEY: key"));
    }
}

#[test]
fn typescript_casts_and_tsx() {
    let f = js(
        Lang::TypeScript,
        "const key = process.env.OPENAI_API_KEY as string;\nexport const MODEL = 'gpt-4o';\n",
    );
    assert!(matches!(f.constants.get("key"), Some(Value::Env { .. })));
    assert!(f.constants.contains_key("MODEL"));
    let f = js(
        Lang::Tsx,
        "export default function A() { return <div title={'x'}>{fetch('https://api.openai.com/v1/models')}</div>; }",
    );
    assert!(f.calls.iter().any(|c| c.callee == "fetch"));
    assert!(!f.has_errors);
}

#[test]
fn deep_nesting_does_not_overflow() {
    let deep = format!("x = {}1{}\n", "(".repeat(50_000), ")".repeat(50_000));
    let _ = facts(Lang::Python, &deep);
    let deep = format!("const x = {}1{};\n", "[".repeat(50_000), "]".repeat(50_000));
    let _ = facts(Lang::JavaScript, &deep);
    let chain = format!("x = {}'a'\n", "'a' + ".repeat(20_000));
    let f = py(&chain);
    assert!(!f.strings.is_empty());
}

#[test]
fn oversized_files_are_not_parsed() {
    let big = "x = 1\n".repeat(MAX_PARSE_BYTES / 6 + 1);
    assert!(facts(Lang::Python, &big).is_none());
}

#[test]
fn cells_share_names_but_parse_apart() {
    let cell_one =
        "MODEL = \"gpt-3.5-turbo-0301\"\nheaders = {\"Authorization\": key}\n!pip install openai\n";
    let cell_two = "print(\n";
    let cell_three =
        "MODEL2 = MODEL\nrequests.post(url, headers=headers, json={\"model\": MODEL2})\n";
    let text = format!("{cell_one}\n{cell_two}\n{cell_three}");
    let start_two = cell_one.len() + 1;
    let start_three = start_two + cell_two.len() + 1;
    let cells = [
        0..cell_one.len(),
        start_two..start_two + cell_two.len(),
        start_three..text.len(),
    ];
    let f = cells_facts(Lang::Python, &text, &cells).expect("parses");
    // The unclosed call in the second cell does not swallow the third.
    let post = f
        .calls
        .iter()
        .find(|c| c.callee == "requests.post")
        .expect("the third cell's call");
    assert_eq!(&text[post.callee_range.clone()], "requests.post");
    let body = f.resolve(post.keyword("json").unwrap());
    let Value::Object { id, .. } = body else {
        panic!("json= is a dict: {body:?}")
    };
    let model = f.object_pairs(*id).find(|p| p.key == "model").unwrap();
    let resolved = f.resolve(&model.value);
    assert_eq!(resolved.as_str(), Some("gpt-3.5-turbo-0301"));
    assert_eq!(&text[resolved.range()], "gpt-3.5-turbo-0301");
    // An object of the first cell keeps its pairs, apart from the third cell's.
    let Value::Object { id: headers, .. } = f.resolve(post.keyword("headers").unwrap()) else {
        panic!("headers resolve to the first cell's dict")
    };
    let keys: Vec<&str> = f.object_pairs(*headers).map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["Authorization"]);
    assert!(f.has_errors);
}

#[test]
fn python_functions_loops_tries_and_imports() {
    let f = py(r#"
import tenacity as t, os.path
from tenacity import retry, stop_after_attempt as stop
from . import local

@retry(stop=stop(3))
@other
async def ask(q):
    for attempt in range(3):
        try:
            pass
        except E:
            pass
    for item in items:
        pass
    while True:
        break
"#);
    let ask = f.functions.iter().find(|x| x.name == "ask").unwrap();
    assert_eq!(ask.decorators.len(), 2);
    assert!(
        f.call_of(&ask.decorators[0])
            .is_some_and(|c| c.callee == "retry")
    );
    assert!(matches!(&ask.decorators[1], Value::Name { path, .. } if path == "other"));
    let counted: Vec<bool> = f.loops.iter().map(|l| l.counted).collect();
    assert_eq!(counted, [true, false, true]);
    assert_eq!(f.tries.len(), 1);
    assert_eq!(f.qualified("retry").as_deref(), Some("tenacity.retry"));
    assert_eq!(f.qualified("t.retry").as_deref(), Some("tenacity.retry"));
    assert_eq!(
        f.qualified("stop").as_deref(),
        Some("tenacity.stop_after_attempt")
    );
    assert_eq!(f.qualified("os.path.join").as_deref(), Some("os.path.join"));
    assert_eq!(f.qualified("nothing"), None);
}

#[test]
fn javascript_functions_and_loops() {
    let f = js(
        Lang::TypeScript,
        "function a() {}\nconst b = async () => { for (let i = 0; i < 3; i++) { try { x() } catch {} } };\nclass C { m() { for (const y of ys) {} } }\n",
    );
    let names: Vec<&str> = f.functions.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["a", "b", "m"]);
    let counted: Vec<bool> = f.loops.iter().map(|l| l.counted).collect();
    assert_eq!(counted, [true, false]);
    assert_eq!(f.tries.len(), 1);
}

#[test]
fn known_text_needs_every_part() {
    let f = py("ROOT = 'https://api.openai.com'\na = f'{ROOT}/v1'\nb = f'{host}/v1'\n");
    let value = |name: &str| {
        f.assignments
            .iter()
            .find(|(t, _, _)| t == name)
            .unwrap()
            .2
            .clone()
    };
    assert_eq!(
        f.known_text(&value("a")).as_deref(),
        Some("https://api.openai.com/v1")
    );
    assert_eq!(f.known_text(&value("b")), None);
    assert_eq!(f.url_text(&value("b")).as_deref(), Some("/v1"));
}

#[test]
fn parameter_defaults_resolve_and_bare_parameters_shadow() {
    let src = "MODEL = 'gpt-4'\ndef count(text, model='gpt-3.5-turbo-0301', *, n: int = 1):\n    return model\ndef ask(model, client: Client):\n    return model\nf = lambda m='o3': m\n";
    let f = py(src);
    let name_at = |needle: &str, nth: usize| {
        let at = src.match_indices(needle).nth(nth).unwrap().0;
        Value::Name {
            path: needle.trim().to_string(),
            range: at..at + needle.trim().len(),
        }
    };
    let assigned: Vec<&str> = f.assignments.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(assigned, ["MODEL", "f"], "defaults are not assignments");
    // `return model` in count: the default; in ask: the caller's value.
    let in_count = name_at("model\n", 0);
    assert_eq!(f.string_of(&in_count), Some("gpt-3.5-turbo-0301"));
    let in_ask = name_at("model\n", 1);
    assert_eq!(f.resolve(&in_ask), &in_ask, "a bare parameter shadows");
    assert!(
        f.parameters
            .iter()
            .any(|(n, _, d)| n == "client" && d.is_none())
    );
    assert!(
        f.parameters
            .iter()
            .any(|(n, _, d)| n == "m" && d.as_ref().and_then(Value::as_str) == Some("o3"))
    );

    let src = "function ask(p, m = 'gpt-4-32k') { return m; }\nconst g = (m) => m;\nfunction h({ model = 'gpt-4' } = {}) { return model; }\n";
    for lang in [Lang::JavaScript, Lang::TypeScript] {
        let f = js(lang, src);
        let first = src.find("m; }").unwrap();
        let use_in_ask = Value::Name {
            path: "m".into(),
            range: first..first + 1,
        };
        assert_eq!(f.string_of(&use_in_ask), Some("gpt-4-32k"), "{lang:?}");
        let arrow = src.rfind("=> m").unwrap() + 3;
        let use_in_arrow = Value::Name {
            path: "m".into(),
            range: arrow..arrow + 1,
        };
        assert_eq!(f.resolve(&use_in_arrow), &use_in_arrow, "{lang:?}");
        assert!(
            f.parameters.iter().any(
                |(n, _, d)| n == "model" && d.as_ref().and_then(Value::as_str) == Some("gpt-4")
            ),
            "{lang:?}"
        );
    }
    let f = js(
        Lang::TypeScript,
        "function ask(p: string, m: string = 'gpt-4-32k', q?: number) {}",
    );
    assert!(
        f.parameters
            .iter()
            .any(|(n, _, d)| n == "m" && d.as_ref().and_then(Value::as_str) == Some("gpt-4-32k"))
    );
    assert!(f.parameters.iter().any(|(n, _, d)| n == "q" && d.is_none()));
}

#[test]
fn environment_fallbacks() {
    fn fallback(v: Option<&Value>) -> Option<&str> {
        match v {
            Some(Value::Env { fallback, .. }) => fallback.as_deref().and_then(Value::as_str),
            _ => None,
        }
    }
    let f = py(
        "a = os.getenv('M', 'gpt-4')\nb = os.environ.get('M', default='o3')\nc = os.environ.get('M') or 'davinci-002'\nd = os.environ['M']\ne = os.getenv('M', '') or 'x'\n",
    );
    assert_eq!(fallback(f.constants.get("a")), Some("gpt-4"));
    assert_eq!(fallback(f.constants.get("b")), Some("o3"));
    assert_eq!(fallback(f.constants.get("c")), Some("davinci-002"));
    assert!(matches!(
        f.constants.get("d"),
        Some(Value::Env { fallback: None, .. })
    ));
    assert_eq!(fallback(f.constants.get("e")), Some("x"));
    let f = js(
        Lang::TypeScript,
        "const a = process.env.M ?? 'gpt-4';\nconst b = process.env.M || 'o3';\nconst c = process.env.M;\n",
    );
    assert_eq!(fallback(f.constants.get("a")), Some("gpt-4"));
    assert_eq!(fallback(f.constants.get("b")), Some("o3"));
    assert!(matches!(
        f.constants.get("c"),
        Some(Value::Env { fallback: None, .. })
    ));
}
