//! Which OpenAI SDK API a code file uses: the legacy one (openai-python 0.x,
//! openai-node 3) or the current one. Sites are collected per file; whether a
//! site is a problem depends on the project's pin, judged in
//! [`crate::rules::sdk_pins`] once every file is in.

use crate::analyze::code_view::CodeView;
use crate::analyze::is_test_path;
use crate::analyze::lines::{line_start, lines_holding};
use crate::manifest::Ecosystem;
use crate::rules::models::{parse_date, require};
use crate::source::FileKind;
use crate::syntax::Facts;
use memchr::memmem;
use regex::Regex;
use serde::Deserialize;
use std::ops::Range;
use std::sync::LazyLock;

pub const LEGACY_SDK_CALL: &str = "legacy-sdk-call";
pub const SDK_VERSION_MISMATCH: &str = "sdk-version-mismatch";

/// One use of an SDK API in a code segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkSite {
    pub ecosystem: Ecosystem,
    pub api: Api,
    /// What the code says, for the message: `openai.ChatCompletion.create`.
    pub what: String,
    /// What to write instead (legacy sites); empty when nothing replaces it.
    pub instead: String,
    /// Byte range in the segment.
    pub range: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Api {
    Legacy,
    Current,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MigrationFile {
    python: Vec<MigrationRow>,
    node: Vec<MigrationRow>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MigrationRow {
    pub legacy: String,
    pub current: String,
    pub source: String,
    pub reviewed: String,
}

/// The v0 → v1 and v3 → v4 map (`rules/data/sdk-migration.toml`).
pub struct SdkMigration {
    pub python: Vec<MigrationRow>,
    pub node: Vec<MigrationRow>,
    /// The table's v0 names as they appear in code (`openai.ChatCompletion.`,
    /// `openai.error`, `openai.api_base`): the text gate before the parse.
    python_markers: Regex,
}

impl SdkMigration {
    pub fn builtin() -> SdkMigration {
        super::builtin::table("sdk-migration.toml", Self::parse)
    }

    pub fn parse(text: &str) -> Result<SdkMigration, String> {
        let file: MigrationFile = toml::from_str(text).map_err(|e| e.to_string())?;
        for row in file.python.iter().chain(&file.node) {
            require(&format!("{} source", row.legacy), &row.source)?;
            parse_date(&format!("{} reviewed", row.legacy), &row.reviewed)?;
        }
        let mut names: Vec<String> = file
            .python
            .iter()
            .filter_map(|r| r.legacy.strip_prefix("openai."))
            .map(|rest| {
                let head = rest.split('.').next().unwrap_or(rest);
                // A class is only legacy with a method after it: `openai.Model.list`.
                if head.starts_with(|c: char| c.is_ascii_uppercase()) {
                    format!("{}\\.", regex::escape(head))
                } else {
                    regex::escape(head)
                }
            })
            .collect();
        names.sort();
        names.dedup();
        let python_markers =
            Regex::new(&format!(r"(?-u:\b)openai\.(?:{})(?-u:\b)", names.join("|")))
                .map_err(|e| e.to_string())?;
        Ok(SdkMigration {
            python: file.python,
            node: file.node,
            python_markers,
        })
    }

    /// The row for a legacy Python name: exact (`openai.ChatCompletion.create`), else
    /// the class wildcard (`openai.File.*`).
    fn python_row(&self, name: &str) -> Option<&MigrationRow> {
        self.python.iter().find(|r| r.legacy == name).or_else(|| {
            let (class, _) = name.rsplit_once('.')?;
            let wildcard = format!("{class}.*");
            self.python.iter().find(|r| r.legacy == wildcard)
        })
    }

    fn node_row(&self, name: &str) -> Option<&MigrationRow> {
        self.node.iter().find(|r| r.legacy == name)
    }

    /// Every legacy and current SDK site in a code segment. Most files that name
    /// OpenAI use the current SDK, so the parse is taken only when the text shows a
    /// legacy marker; the current SDK's first use is found in the text.
    /// Whether Python text names a v0 API on the `openai` module: `openai.` as a
    /// root name, not an attribute of something else (`gen_ai.openai.api_base`
    /// is an OpenTelemetry attribute name, not the module).
    fn names_a_legacy_api(&self, text: &str) -> bool {
        self.python_markers
            .find_iter(text)
            .any(|m| m.start() == 0 || text.as_bytes()[m.start() - 1] != b'.')
    }

    pub fn collect(&self, view: &CodeView) -> Vec<SdkSite> {
        static ENGINE: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r#"(?-u:\b)engine[ \t]*=[ \t]*["'A-Za-z_]"#).expect("valid regex")
        });
        if is_test_path(view.path) || view.is_generated() {
            return Vec::new(); // tests exercise the old API on purpose
        }
        let text = view.text;
        let mut out = Vec::new();
        match view.kind {
            FileKind::Python => {
                let engine = text.contains("completions.create") && ENGINE.is_match(text);
                // Code that branches on the SDK version supports both APIs.
                if (self.names_a_legacy_api(text) || engine)
                    && !checks_sdk_version(text)
                    && let Some(facts) = view.facts()
                {
                    out.extend(self.python_sites(facts, text));
                }
                out.extend(python_current_site(text));
            }
            FileKind::JavaScript | FileKind::TypeScript => {
                if memmem::find(text.as_bytes(), b"OpenAIApi").is_some()
                    && let Some(facts) = view.facts()
                {
                    out.extend(self.node_legacy_sites(facts, text));
                }
                out.extend(node_current_site(text));
            }
            _ => {}
        }
        out.sort_by_key(|s| (s.range.start, s.range.end));
        out.dedup_by(|a, b| a.range == b.range);
        out
    }

    fn python_sites(&self, facts: &Facts, text: &str) -> Vec<SdkSite> {
        let mut out = Vec::new();
        let legacy = |what: String, instead: &str, range: Range<usize>| SdkSite {
            ecosystem: Ecosystem::Python,
            api: Api::Legacy,
            what,
            instead: instead.to_string(),
            range,
        };
        for call in &facts.calls {
            if let Some(rest) = call.callee.strip_prefix("openai.")
                && rest.contains('.')
                && !rest.starts_with("error.")
                && let Some(row) = self.python_row(&call.callee)
            {
                out.push(legacy(
                    call.callee.clone(),
                    &row.current,
                    call.callee_range.clone(),
                ));
                continue;
            }
            // A v0 argument on a v1-style call: `client.chat.completions.create(engine=…)`.
            if call.method() == "create"
                && let Some((_, value)) = call.keywords.iter().find(|(k, _)| k == "engine")
                && let Some(row) = self.python_row("engine=")
            {
                let at = value.range();
                out.push(legacy("engine=".into(), &row.current, at));
            }
        }
        for (target, range, _) in &facts.assignments {
            if let Some(row) = self.python_row(target)
                && matches!(target.as_str(), "openai.api_base" | "openai.api_key_path")
            {
                out.push(legacy(target.clone(), &row.current, range.clone()));
            }
        }
        for (at, name) in code_mentions(facts, text, "openai.error") {
            let row = self
                .python
                .iter()
                .find(|r| r.legacy == name)
                .or_else(|| self.python_row("openai.error.*"));
            if let Some(row) = row {
                out.push(legacy(name.clone(), &row.current, at..at + name.len()));
            }
        }
        out
    }

    /// The v3 client's sites; only asked of files that name `OpenAIApi`, which is
    /// what tells `Configuration` and `createCompletion` apart from other
    /// libraries' names.
    fn node_legacy_sites(&self, facts: &Facts, text: &str) -> Vec<SdkSite> {
        let legacy = |what: &str, row: &MigrationRow, range: Range<usize>| SdkSite {
            ecosystem: Ecosystem::Node,
            api: Api::Legacy,
            what: what.to_string(),
            instead: row.current.clone(),
            range,
        };
        let mut out = Vec::new();
        for call in &facts.calls {
            let row = match call.callee.strip_prefix("new ") {
                Some(class @ ("OpenAIApi" | "Configuration")) => self.node_row(class),
                Some(_) => None,
                None if call.callee.contains('.') => self.node_row(call.method()),
                None => None,
            };
            if let Some(row) = row {
                let what = row.legacy.as_str();
                let what = if what.starts_with(char::is_uppercase) {
                    call.callee.as_str()
                } else {
                    what
                };
                out.push(legacy(what, row, call.callee_range.clone()));
            }
        }
        if let Some(row) = self.node_row(".data.choices") {
            for (at, _) in code_mentions(facts, text, ".data.choices") {
                out.push(legacy(".data.choices", row, at..at + ".data.choices".len()));
            }
        }
        out
    }
}

/// `is_openai_v1()`, `openai.__version__`, `version("openai")`: the file picks the
/// API by the installed SDK.
fn checks_sdk_version(text: &str) -> bool {
    [
        "is_openai_v1",
        "openai.__version__",
        "version(\"openai\")",
        "openai.version",
    ]
    .iter()
    .any(|m| text.contains(m))
}

/// The first sign of the current Python SDK: `from openai import OpenAI` (or
/// `AsyncOpenAI`, `AzureOpenAI`), a client built as `openai.OpenAI(…)`, or a
/// `….chat.completions.create(…)` call.
fn python_current_site(text: &str) -> Option<SdkSite> {
    // Word boundaries are ASCII: a Unicode `\b` makes the regex engine fall back
    // to its slowest matcher on any file with non-ASCII text.
    static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?m)^[ \t]*from[ \t]+openai[ \t]+import[ \t(]+[^\n#]*?(?-u:\b)((?:Async)?(?:Azure)?OpenAI)(?-u:\b)",
        )
        .expect("valid regex")
    });
    static CLIENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?-u:\b)(openai\.(?:Async)?(?:Azure)?OpenAI)[ \t]*\(").expect("valid regex")
    });
    const CHAT: &str = ".chat.completions.create";
    // A docstring that shows the migrated code is not an import: skip matches
    // after an odd number of triple quotes, and matches on comment lines. The
    // quotes are found only once a match needs them: most files have none.
    let quotes = std::cell::OnceCell::new();
    let in_docstring = |at: usize| {
        let quotes: &Vec<usize> = quotes.get_or_init(|| {
            let mut found: Vec<usize> = memmem::find_iter(text.as_bytes(), b"\"\"\"")
                .chain(memmem::find_iter(text.as_bytes(), b"'''"))
                .collect();
            found.sort_unstable();
            found
        });
        quotes.partition_point(|&q| q < at) % 2 == 1
    };
    let in_comment = |at: usize| {
        let start_of_line = line_start(text, at);
        text[start_of_line..at].contains('#')
    };
    let in_code = |at: usize| !in_comment(at) && !in_docstring(at);
    let import = IMPORT
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .find(|m| in_code(m.start()))
        .map(|m| (format!("from openai import {}", m.as_str()), m.range()));
    let client = CLIENT
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .find(|m| in_code(m.start()))
        .map(|m| (m.as_str().to_string(), m.range()));
    let chat = memmem::find_iter(text.as_bytes(), CHAT.as_bytes())
        .map(|at| {
            let start = text[..at]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .map_or(0, |i| i + 1);
            start..at + CHAT.len()
        })
        .find(|r| r.len() > CHAT.len() && in_code(r.start))
        .map(|r| (text[r.clone()].to_string(), r));
    let (what, range) = [import, client, chat]
        .into_iter()
        .flatten()
        .min_by_key(|(_, r)| r.start)?;
    Some(SdkSite {
        ecosystem: Ecosystem::Python,
        api: Api::Current,
        what,
        instead: String::new(),
        range,
    })
}

/// The first `new OpenAI(…)` or `import OpenAI from "openai"` of a file.
fn node_current_site(text: &str) -> Option<SdkSite> {
    static CURRENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?-u:\b)new[ \t]+(OpenAI)[ \t]*\(|(?m)^[ \t]*import[ \t]+(OpenAI)(?-u:\b)[^;\n]*from[ \t]*["']openai["']"#)
            .expect("valid regex")
    });
    // Both forms are on one line and name `OpenAI`: the regex runs on the lines
    // holding it (10 ms to 0.2 ms on a 7 MB worker script).
    let (c, line_at) = lines_holding(text, memmem::find_iter(text.as_bytes(), b"OpenAI"))
        .find_map(|line| {
            CURRENT
                .captures(&text[line.clone()])
                .map(|c| (c, line.start))
        })?;
    let m = c.get(1).or_else(|| c.get(2))?;
    let what = if c.get(1).is_some() {
        "new OpenAI"
    } else {
        "import OpenAI from \"openai\""
    };
    Some(SdkSite {
        ecosystem: Ecosystem::Node,
        api: Api::Current,
        what: what.to_string(),
        instead: String::new(),
        range: line_at + m.start()..line_at + m.end(),
    })
}

/// Occurrences of `needle` in code (not in comments or string literals), with the
/// dotted name that starts there (`openai.error.RateLimitError`).
fn code_mentions(facts: &Facts, text: &str, needle: &str) -> Vec<(usize, String)> {
    let in_range = |at: usize, r: &Range<usize>| r.start <= at && at < r.end;
    memmem::find_iter(text.as_bytes(), needle.as_bytes())
        .filter(|&at| {
            let before = text[..at].chars().next_back();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_') || needle.starts_with('.')
        })
        .filter(|&at| {
            !facts.comments.iter().any(|r| in_range(at, r))
                && !facts.strings.iter().any(|s| in_range(at, &s.range()))
        })
        .map(|at| {
            let len = text[at..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(text.len() - at);
            (at, text[at..at + len].trim_end_matches('.').to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sites(name: &str, code: &str) -> Vec<(Api, String, String)> {
        let kind = FileKind::from_path(std::path::Path::new(name));
        let view = CodeView::new(code, kind, name);
        SdkMigration::builtin()
            .collect(&view)
            .into_iter()
            .map(|s| (s.api, s.what, s.instead))
            .collect()
    }

    #[test]
    fn python_legacy_calls_and_their_replacements() {
        let found = sites(
            "app.py",
            "import openai\nfrom openai.error import RateLimitError\nopenai.api_key = k\nopenai.api_base = u\n\
             r = openai.ChatCompletion.create(model='gpt-4o', messages=[])\n\
             e = openai.Embedding.acreate(input='x')\nf = openai.File.list()\n\
             try:\n    pass\nexcept openai.error.InvalidRequestError:\n    pass\n# openai.Completion.create in a comment\n",
        );
        let whats: Vec<&str> = found.iter().map(|(_, w, _)| w.as_str()).collect();
        assert_eq!(
            whats,
            [
                "openai.error",
                "openai.api_base",
                "openai.ChatCompletion.create",
                "openai.Embedding.acreate",
                "openai.File.list",
                "openai.error.InvalidRequestError"
            ]
        );
        assert!(found[2].2.starts_with("client.chat.completions.create"));
        assert!(found.iter().all(|(api, ..)| *api == Api::Legacy));
    }

    #[test]
    fn an_attribute_named_openai_is_not_the_module() {
        let migration = SdkMigration::builtin();
        assert!(!migration.names_a_legacy_api("ATTR = \"gen_ai.openai.api_base\"\n"));
        assert!(migration.names_a_legacy_api("openai.api_base = url\n"));
        assert!(migration.names_a_legacy_api("x = (openai.ChatCompletion.create(model=m))\n"));
    }

    #[test]
    fn python_current_api() {
        let found = sites(
            "app.py",
            "from openai import OpenAI\nclient = OpenAI()\nclient.chat.completions.create(model='m', messages=[])\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, Api::Current);
        assert_eq!(found[0].1, "from openai import OpenAI");
    }

    #[test]
    fn python_current_api_shown_in_a_docstring_is_not_used() {
        let docstring = "\"\"\"Migration notes:\n\n    from openai import OpenAI\n    client = OpenAI()\n\"\"\"\n\nimport openai\nr = openai.ChatCompletion.create(model='m', messages=[])\n";
        let found = sites("bot.py", docstring);
        assert!(
            found.iter().all(|(api, ..)| *api == Api::Legacy),
            "{found:?}"
        );
        // The real import after such a docstring still counts.
        let found = sites("bot.py", &format!("{docstring}from openai import OpenAI\n"));
        assert!(
            found
                .iter()
                .any(|(api, what, _)| *api == Api::Current && what == "from openai import OpenAI")
        );
    }

    #[test]
    fn node_current_api_is_found_on_its_line() {
        let text =
            "// OpenAI is mentioned first\nconst x = 1; const client = new OpenAI({ apiKey });\n";
        let site = node_current_site(text).expect("a site");
        assert_eq!(site.what, "new OpenAI");
        assert_eq!(&text[site.range.clone()], "OpenAI");
        assert_eq!(site.range.start, text.rfind("OpenAI").unwrap());
        let import = "import OpenAI from \"openai\";\n";
        assert_eq!(node_current_site(import).unwrap().range, 7..13);
        assert!(node_current_site("const OpenAIish = new Other();\n").is_none());
    }

    #[test]
    fn node_v3_and_v4() {
        let found = sites(
            "app.js",
            "const { Configuration, OpenAIApi } = require(\"openai\");\n\
             const configuration = new Configuration({ apiKey: process.env.OPENAI_API_KEY });\n\
             const openai = new OpenAIApi(configuration);\n\
             const r = await openai.createChatCompletion({ model: \"gpt-4o\", messages: [] });\n\
             console.log(r.data.choices[0].message);\n",
        );
        let whats: Vec<&str> = found.iter().map(|(_, w, _)| w.as_str()).collect();
        assert_eq!(
            whats,
            [
                "new Configuration",
                "new OpenAIApi",
                "createChatCompletion",
                ".data.choices"
            ]
        );
        let v4 = sites(
            "app.ts",
            "import OpenAI from \"openai\";\nconst openai = new OpenAI();\nawait openai.chat.completions.create({});\n",
        );
        assert_eq!(v4.len(), 1);
        assert_eq!(v4[0].0, Api::Current);
        // `createCompletion` of another library, in a file without the v3 client.
        assert!(
            sites(
                "x.js",
                "import OpenAI from 'openai';\nother.createCompletion({});\n"
            )
            .iter()
            .all(|s| s.0 == Api::Current)
        );
    }
}
