//! setuptools: `setup.cfg` (`[options] install_requires`, `[options.extras_require]`)
//! and `setup.py` (`setup(install_requires=[…])`).

use super::python_spec::parse_pep508;
use super::{Ecosystem, ManifestFacts, Origin, Requirement};
use crate::syntax::{self, Lang, Value};
use std::ops::Range;

/// `setup.cfg` keys whose values are requirement lists.
const CFG_OPTIONS: &[&str] = &["install_requires", "setup_requires", "tests_require"];

/// `setup()` keywords whose values are requirement lists (`requires` is distutils).
const SETUP_KEYWORDS: &[&str] = &[
    "install_requires",
    "setup_requires",
    "tests_require",
    "requires",
];

fn requirement_at(value: &str, value_start: usize, out: &mut Vec<Requirement>) {
    let Some(parsed) = parse_pep508(value) else {
        return;
    };
    out.push(Requirement {
        ecosystem: Ecosystem::Python,
        name: parsed.name,
        spec: parsed.spec,
        origin: Origin::Manifest,
        range: value_start + parsed.range.start..value_start + parsed.range.end,
        extras_or_marker: parsed.extras_or_marker,
    });
}

/// An INI value: the text after `=` on the key's line plus the indented lines
/// that continue it, each with its offset in the file.
struct CfgValue<'t> {
    lines: Vec<(&'t str, usize)>,
}

pub(super) fn read_setup_cfg(text: &str) -> ManifestFacts {
    let mut requirements = Vec::new();
    let mut section = String::new();
    let mut current: Option<CfgValue> = None;
    let mut offset = 0;
    for physical in text.split_inclusive('\n') {
        let line_start = offset;
        offset += physical.len();
        let line = physical.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim();
        let indented = line.starts_with([' ', '\t']);
        if indented || trimmed.is_empty() {
            if let Some(value) = current.as_mut().filter(|_| !trimmed.is_empty()) {
                value.lines.push((line, line_start));
            }
            continue;
        }
        if let Some(value) = current.take() {
            cfg_requirements(&value, &mut requirements);
        }
        if trimmed.starts_with(['#', ';']) {
            continue;
        }
        if let Some(name) = trimmed.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            section = name.trim().to_ascii_lowercase();
            continue;
        }
        let Some(separator) = line.find(['=', ':']) else {
            continue;
        };
        let key = line[..separator].trim().to_ascii_lowercase();
        let wanted = match section.as_str() {
            "options" => CFG_OPTIONS.contains(&key.as_str()),
            "options.extras_require" => true,
            _ => false,
        };
        if wanted {
            current = Some(CfgValue {
                lines: vec![(&line[separator + 1..], line_start + separator + 1)],
            });
        }
    }
    if let Some(value) = current.take() {
        cfg_requirements(&value, &mut requirements);
    }
    ManifestFacts {
        requirements,
        includes: Vec::new(),
    }
}

/// setuptools reads a multi-line value one requirement per line and a one-line
/// value as a `;`-separated list.
fn cfg_requirements(value: &CfgValue, out: &mut Vec<Requirement>) {
    let lines: Vec<&(&str, usize)> = value
        .lines
        .iter()
        .filter(|(line, _)| {
            let t = line.trim();
            !t.is_empty() && !t.starts_with('#')
        })
        .collect();
    if let [(line, start)] = value.lines.as_slice() {
        let mut at = 0;
        for piece in line.split(';') {
            requirement_at(piece, start + at, out);
            at += piece.len() + 1;
        }
        return;
    }
    for (line, start) in lines {
        // A `#` after whitespace starts an inline comment.
        let end = line.find(" #").unwrap_or(line.len());
        requirement_at(&line[..end], *start, out);
    }
}

/// `setup.py` read with tree-sitter: the string literals that are direct items of
/// the list given to `install_requires=` (or a name bound to such a list). A scan
/// of the call's text would have to reimplement Python strings, comments and
/// brackets; the existing parser already knows them and gives byte ranges.
pub(super) fn read_setup_py(text: &str) -> ManifestFacts {
    let mut facts = ManifestFacts::default();
    let Some(parsed) = syntax::facts(Lang::Python, text) else {
        return facts;
    };
    let lists: Vec<Range<usize>> = parsed
        .calls
        .iter()
        .filter(|call| call.method() == "setup")
        .flat_map(|call| {
            let mut lists = Vec::new();
            for (keyword, value) in &call.keywords {
                if SETUP_KEYWORDS.contains(&keyword.as_str()) {
                    lists.push(parsed.resolve(value).range());
                } else if keyword == "extras_require"
                    && let Value::Object { id, .. } = parsed.resolve(value)
                {
                    lists.extend(
                        parsed
                            .object_pairs(*id)
                            .map(|pair| parsed.resolve(&pair.value).range()),
                    );
                }
            }
            lists
        })
        .collect();
    for list in &lists {
        for string in &parsed.strings {
            let Value::Str { text: value, range } = string else {
                continue;
            };
            if !(list.start < range.start && range.end < list.end) {
                continue;
            }
            if is_list_item(text, list, range, &parsed.comments) {
                requirement_at(value, range.start, &mut facts.requirements);
            } else if value.ends_with(".txt") {
                // `open("requirements.txt").read().splitlines()`
                facts.includes.push(value.clone());
            }
        }
    }
    facts
}

/// Is the string at `range` (its content) a direct item of the list literal at
/// `list`: after `[` or `,` and before `,` or `]`, skipping quotes, whitespace and
/// comments?
fn is_list_item(
    text: &str,
    list: &Range<usize>,
    range: &Range<usize>,
    comments: &[Range<usize>],
) -> bool {
    if !text
        .get(list.clone())
        .is_some_and(|l| l.starts_with(['[', '(']))
    {
        return false;
    }
    let opening = text[list.start..range.start]
        .trim_end_matches(['"', '\''])
        .trim_end_matches(['r', 'R', 'u', 'U']);
    let closing = text[range.end..list.end].trim_start_matches(['"', '\'']);
    let before = last_significant(text, list.start, list.start + opening.len(), comments);
    let after = first_significant(text, list.end - closing.len(), list.end, comments);
    matches!(before, Some(',' | '[' | '(')) && matches!(after, Some(',' | ']' | ')'))
}

fn in_comment(comments: &[Range<usize>], at: usize) -> Option<&Range<usize>> {
    comments.iter().find(|c| c.start <= at && at < c.end)
}

fn last_significant(
    text: &str,
    start: usize,
    end: usize,
    comments: &[Range<usize>],
) -> Option<char> {
    let mut at = end;
    while at > start {
        let c = text[..at].chars().next_back()?;
        let char_start = at - c.len_utf8();
        if let Some(comment) = in_comment(comments, char_start) {
            at = comment.start;
        } else if c.is_whitespace() {
            at = char_start;
        } else {
            return Some(c);
        }
    }
    None
}

fn first_significant(
    text: &str,
    start: usize,
    end: usize,
    comments: &[Range<usize>],
) -> Option<char> {
    let mut at = start;
    while at < end {
        let c = text[at..].chars().next()?;
        if let Some(comment) = in_comment(comments, at) {
            at = comment.end;
        } else if c.is_whitespace() {
            at += c.len_utf8();
        } else {
            return Some(c);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_support::{pin, written};

    fn pins(facts: &ManifestFacts, text: &str) -> Vec<(String, String, String)> {
        written(&facts.requirements, text)
    }

    #[test]
    fn setup_cfg_lists() {
        let text = "[metadata]\nname = app\ninstall_requires = nope\n\n[options]\npackages = find:\ninstall_requires =\n    openai==0.28.1\n    # a comment\n    langchain>=0.1 ; python_version >= \"3.9\"\n\n    litellm  # proxy\npython_requires = >=3.8\n\n[options.extras_require]\nllm = llama-index>=0.10; openai<1\n";
        let facts = read_setup_cfg(text);
        assert_eq!(
            pins(&facts, text),
            [
                pin("openai", "==0.28.1", "openai==0.28.1"),
                pin(
                    "langchain",
                    ">=0.1",
                    "langchain>=0.1 ; python_version >= \"3.9\""
                ),
                pin("litellm", "", "litellm"),
                pin("llama-index", ">=0.10", "llama-index>=0.10"),
                pin("openai", "<1", "openai<1"),
            ]
        );
    }

    #[test]
    fn setup_py_lists_names_and_extras() {
        let text = r#"
from setuptools import setup

BASE = [
    "requests",
]
REQS = ["openai==0.28.1", 'langchain>=0.1',  # comment
        "x" + "y"]

setup(
    name="app",
    install_requires=REQS,
    extras_require={"llm": ["litellm>=1"], "dev": DEV},
    tests_require=[f"openai{V}"],
)
"#;
        let facts = read_setup_py(text);
        assert_eq!(
            pins(&facts, text),
            [
                pin("openai", "==0.28.1", "openai==0.28.1"),
                pin("langchain", ">=0.1", "langchain>=0.1"),
                pin("litellm", ">=1", "litellm>=1"),
            ]
        );
    }

    #[test]
    fn setup_py_reading_a_requirements_file() {
        let text = "import setuptools\nsetuptools.setup(install_requires=open(\"requirements.txt\").read().splitlines())\n";
        let facts = read_setup_py(text);
        assert!(facts.requirements.is_empty());
        assert_eq!(facts.includes, ["requirements.txt"]);
    }

    #[test]
    fn malformed_setup_files() {
        for junk in [
            "setup(install_requires=[",
            "[options]\ninstall_requires",
            "=",
            "[options\n  x",
        ] {
            let _ = read_setup_py(junk);
            let _ = read_setup_cfg(junk);
        }
        let facts = read_setup_py("setup(install_requires=['openai<1'\n");
        assert!(facts.requirements.len() <= 1);
    }
}
