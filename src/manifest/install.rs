//! Install commands in shell scripts, Dockerfile `RUN` lines and CI `run:` blocks:
//! `pip install`, `python -m pip install`, `uv pip install`, `uv add`,
//! `pipenv install`, `poetry add`, `npm install|i|add`, `yarn add`, `pnpm add`,
//! `bun add`.
//!
//! The text is split into shell-like words (quotes removed, `\` continuations
//! joined) and commands (split at newlines, `&&`, `||`, `;`, `|`, `&`, and
//! parentheses). Unquoted `<` and `>` stay inside words: `pip install openai<1`
//! is how people write pins, even though a shell would read a redirect.

use super::node::{package_and_range, split_name_and_range};
use super::python_spec::{parse_pep508, poetry_to_pep440};
use super::requirements_txt::include_target;
use super::{Ecosystem, ManifestFacts, Origin, Requirement};
use aho_corasick::AhoCorasick;
use std::ops::Range;
use std::sync::LazyLock;

/// Every install command holds one of these; most scripts and CI files hold none,
/// and one SIMD pass over the text says so.
static INSTALL_WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::new(["install", " add", "npm i", "bun i"]).expect("literal patterns build")
});

/// Flags of the Python installers that take the next word as their value.
const PYTHON_VALUE_FLAGS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "--index",
    "--default-index",
    "-f",
    "--find-links",
    "-t",
    "--target",
    "--prefix",
    "--root",
    "--src",
    "--python-version",
    "--platform",
    "--implementation",
    "--abi",
    "--only-binary",
    "--no-binary",
    "--progress-bar",
    "--trusted-host",
    "--cache-dir",
    "--log",
    "--proxy",
    "--retries",
    "--timeout",
    "--exists-action",
    "--cert",
    "--client-cert",
    "--upgrade-strategy",
    "--global-option",
    "--install-option",
    "-C",
    "--config-settings",
    "--python",
    "-p",
    "--report",
    "-e",
    "--editable",
    "-G",
    "--group",
    "--extra",
    "-E",
    "--extras",
    "--source",
    "--optional",
    "--package",
    "--project",
    "--directory",
];

/// Flags that name a requirements or constraints file.
const PYTHON_INCLUDE_FLAGS: &[&str] = &[
    "-r",
    "--requirement",
    "--requirements",
    "-c",
    "--constraint",
    "--constraints",
];

/// Flags of the Node installers that take the next word as their value.
const NODE_VALUE_FLAGS: &[&str] = &[
    "--registry",
    "--prefix",
    "-w",
    "--workspace",
    "--tag",
    "--omit",
    "--include",
    "--cache",
    "--userconfig",
    "--loglevel",
    "-C",
    "--dir",
    "--cwd",
    "-F",
    "--filter",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Installer {
    /// pip, pipenv, `uv pip`, `uv add`: PEP 508 arguments.
    Pip,
    /// `poetry add`: `name@constraint` or PEP 508.
    Poetry,
    /// npm, yarn, pnpm, bun: `name@range`.
    Node,
}

#[derive(Debug)]
struct Word {
    /// The word with quotes removed.
    value: String,
    range: Range<usize>,
    /// The word is one quoted string: its content starts one byte after `range`.
    wholly_quoted: bool,
}

impl Word {
    /// The range in the file of `part`, a range inside [`Word::value`]; the whole
    /// word when quoting makes value and text differ.
    fn file_range(&self, part: Range<usize>) -> Range<usize> {
        let content_start = self.range.start + usize::from(self.wholly_quoted);
        let content_len = self.range.len() - 2 * usize::from(self.wholly_quoted);
        if content_len == self.value.len() {
            content_start + part.start..content_start + part.end
        } else {
            self.range.clone()
        }
    }
}

/// Requirements installed by commands in `text`, with origin [`Origin::Install`].
pub fn install_commands(text: &str) -> Vec<Requirement> {
    install_facts(text).requirements
}

/// Like [`install_commands`], with the `-r`/`-c` files the commands install from
/// in `includes` (relative to the command's working directory, which the text
/// alone does not tell).
pub fn install_facts(text: &str) -> ManifestFacts {
    let mut facts = ManifestFacts::default();
    if !INSTALL_WORDS.is_match(text) {
        return facts;
    }
    for command in commands(text) {
        read_command(&command, &mut facts);
    }
    facts
}

fn read_command(words: &[Word], facts: &mut ManifestFacts) {
    let Some((installer, args_start)) = (0..words.len()).find_map(|i| installer_at(words, i))
    else {
        return;
    };
    // `echo "pip install openai"` prints, it does not install.
    if words[..args_start]
        .iter()
        .any(|w| matches!(w.value.as_str(), "echo" | "printf"))
    {
        return;
    }
    let (value_flags, include_flags) = match installer {
        Installer::Pip | Installer::Poetry => (PYTHON_VALUE_FLAGS, PYTHON_INCLUDE_FLAGS),
        Installer::Node => (NODE_VALUE_FLAGS, &[][..]),
    };
    let mut i = args_start;
    while i < words.len() {
        let word = &words[i];
        let value = word.value.as_str();
        i += 1;
        if value.starts_with('-') {
            let flag = value.split('=').next().unwrap_or(value);
            let takes_next = !value.contains('=');
            if include_flags.contains(&flag) || is_attached_short(value, include_flags) {
                let next = words.get(i).map_or("", |w| w.value.as_str());
                if let Some(target) = include_target(&format!("{value} {next}")) {
                    facts.includes.push(target);
                }
                i += usize::from(takes_next && include_flags.contains(&value));
            } else if takes_next && value_flags.contains(&flag) {
                i += 1;
            }
            continue;
        }
        if let Some(operator_alone) = redirect(value) {
            // `> log.txt`: the operator alone takes the next word as its target.
            i += usize::from(operator_alone);
            continue;
        }
        if value.contains('$') || value.is_empty() {
            continue;
        }
        facts.requirements.extend(requirement(installer, word));
    }
}

/// `-rrequirements.txt`: a short flag with its value attached.
fn is_attached_short(value: &str, flags: &[&str]) -> bool {
    flags
        .iter()
        .any(|f| f.len() == 2 && value.len() > 2 && value.starts_with(f))
}

/// Is the word a redirection (`>`, `2>&1`, `>/dev/null`), and is it the operator
/// alone, without its target?
fn redirect(value: &str) -> Option<bool> {
    let after_fd = value.trim_start_matches(|c: char| c.is_ascii_digit() || c == '&');
    let target = after_fd.trim_start_matches(['>', '<', '&']);
    let is_redirect = after_fd.starts_with(['>', '<']);
    is_redirect.then_some(target.is_empty())
}

/// The installer whose program name is word `i`, and where its arguments start.
fn installer_at(words: &[Word], i: usize) -> Option<(Installer, usize)> {
    // `!pip` and `%pip` are the notebook spellings.
    let program = words[i].value.rsplit('/').next().unwrap_or("");
    let program = program.trim_start_matches(['!', '%']);
    let known = is_pip(program)
        || matches!(
            program,
            "pipenv" | "uv" | "poetry" | "npm" | "cnpm" | "pnpm" | "bun" | "yarn"
        );
    if !known {
        return None;
    }
    let (command, at) = subcommand(words, i + 1)?;
    let installer = match (program, command) {
        (p, "install") if is_pip(p) => Installer::Pip,
        ("pipenv", "install") | ("uv", "add") => Installer::Pip,
        ("poetry", "add") => Installer::Poetry,
        ("npm" | "cnpm", "install" | "i" | "add")
        | ("pnpm" | "bun", "add" | "install" | "i")
        | ("yarn", "add") => Installer::Node,
        ("yarn", "global") => {
            let (add, at) = subcommand(words, at + 1)?;
            return (add == "add").then_some((Installer::Node, at + 1));
        }
        _ => return None,
    };
    Some((installer, at + 1))
}

/// `pip`, `pip3`, `pip3.11`.
fn is_pip(program: &str) -> bool {
    program
        .strip_prefix("pip")
        .is_some_and(|version| version.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// The first word from `from` that is not a flag, and its index.
fn subcommand(words: &[Word], from: usize) -> Option<(&str, usize)> {
    words
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, w)| !w.value.starts_with('-'))
        .map(|(i, w)| (w.value.as_str(), i))
}

fn requirement(installer: Installer, word: &Word) -> Option<Requirement> {
    let value = word.value.as_str();
    match installer {
        Installer::Pip => python_requirement(word, value),
        Installer::Poetry => match value.split_once('@') {
            // `openai@^0.28`, `openai[datalib]@latest`
            Some((name, constraint)) if !name.is_empty() && !constraint.contains(':') => {
                let parsed = parse_pep508(name)?;
                if !parsed.spec.is_empty() {
                    return None;
                }
                let spec = if constraint == "latest" {
                    String::new()
                } else {
                    poetry_to_pep440(constraint).unwrap_or_default()
                };
                Some(Requirement {
                    ecosystem: Ecosystem::Python,
                    name: parsed.name,
                    spec,
                    origin: Origin::Install,
                    range: word.file_range(0..value.len()),
                    extras_or_marker: parsed.extras_or_marker,
                })
            }
            Some(_) => None,
            None => python_requirement(word, value),
        },
        Installer::Node => {
            let (alias, spec) = split_name_and_range(value)?;
            let (name, spec) = package_and_range(alias, spec)?;
            Some(Requirement {
                ecosystem: Ecosystem::Node,
                name,
                spec,
                origin: Origin::Install,
                range: word.file_range(0..value.len()),
                extras_or_marker: None,
            })
        }
    }
}

fn python_requirement(word: &Word, value: &str) -> Option<Requirement> {
    let parsed = parse_pep508(value)?;
    Some(Requirement {
        ecosystem: Ecosystem::Python,
        name: parsed.name,
        spec: parsed.spec,
        origin: Origin::Install,
        range: word.file_range(parsed.range),
        extras_or_marker: parsed.extras_or_marker,
    })
}

/// Split `text` into commands of words, shell-style.
fn commands(text: &str) -> Vec<Vec<Word>> {
    let bytes = text.as_bytes();
    let mut commands = Vec::new();
    let mut command: Vec<Word> = Vec::new();
    let mut word: Option<Word> = None;
    // The word is one quoted string so far.
    let mut only_quoted = false;
    let end_word = |word: &mut Option<Word>, only_quoted: bool, command: &mut Vec<Word>| {
        if let Some(mut w) = word.take() {
            w.wholly_quoted = only_quoted;
            command.push(w);
        }
    };
    let end_command = |command: &mut Vec<Word>, commands: &mut Vec<Vec<Word>>| {
        if !command.is_empty() {
            commands.push(std::mem::take(command));
        }
    };
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\\' if bytes.get(i + 1) == Some(&b'\n') => {
                end_word(&mut word, only_quoted, &mut command);
                i += 2;
            }
            b'\\' if bytes.get(i + 1) == Some(&b'\r') && bytes.get(i + 2) == Some(&b'\n') => {
                end_word(&mut word, only_quoted, &mut command);
                i += 3;
            }
            b'\n' | b';' | b'|' | b'(' | b')' | b'`' => {
                end_word(&mut word, only_quoted, &mut command);
                end_command(&mut command, &mut commands);
                i += 1;
            }
            b'&' if bytes.get(i + 1) != Some(&b'&')
                && word.as_ref().is_some_and(|w| w.value.ends_with(['>', '<'])) =>
            {
                // `2>&1` is one word.
                push_str(&mut word, &mut only_quoted, "&", i, false);
                i += 1;
            }
            b'&' => {
                end_word(&mut word, only_quoted, &mut command);
                end_command(&mut command, &mut commands);
                i += if bytes.get(i + 1) == Some(&b'&') {
                    2
                } else {
                    1
                };
            }
            b'#' if word.is_none() => {
                i = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
            }
            b'\'' | b'"' => {
                // A quote closes on the same line, else it is an apostrophe.
                let line_end =
                    memchr::memchr(b'\n', &bytes[i + 1..]).map_or(bytes.len(), |n| i + 1 + n);
                let close = closing_quote(bytes, i + 1, line_end, b);
                match close {
                    Some(close) => {
                        let content = unescape(&text[i + 1..close], b);
                        let starts_word = word.is_none();
                        push_str(&mut word, &mut only_quoted, &content, i, starts_word);
                        if let Some(w) = word.as_mut() {
                            w.range.end = close + 1;
                        }
                        i = close + 1;
                    }
                    None => {
                        push_str(&mut word, &mut only_quoted, &text[i..i + 1], i, false);
                        i += 1;
                    }
                }
            }
            _ if b.is_ascii_whitespace() => {
                end_word(&mut word, only_quoted, &mut command);
                i += 1;
            }
            _ => {
                let len = text[i..].chars().next().map_or(1, char::len_utf8);
                push_str(&mut word, &mut only_quoted, &text[i..i + len], i, false);
                i += len;
            }
        }
    }
    end_word(&mut word, only_quoted, &mut command);
    end_command(&mut command, &mut commands);
    commands
}

/// Append to the current word, starting one at `at` if there is none. `quoted`
/// says whether this piece is a quoted string that starts the word.
fn push_str(word: &mut Option<Word>, only_quoted: &mut bool, piece: &str, at: usize, quoted: bool) {
    match word {
        Some(w) => {
            w.value.push_str(piece);
            w.range.end = at + piece.len();
            *only_quoted = false;
        }
        None => {
            *word = Some(Word {
                value: piece.to_string(),
                range: at..at + piece.len(),
                wholly_quoted: false,
            });
            *only_quoted = quoted;
        }
    }
}

fn closing_quote(bytes: &[u8], from: usize, line_end: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while i < line_end {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            c if c == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Inside double quotes `\"` and `\\` stand for the character.
fn unescape(content: &str, quote: u8) -> String {
    if quote == b'\'' || !content.contains('\\') {
        return content.to_string();
    }
    let mut out = String::with_capacity(content.len());
    let mut chars = content.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(next @ ('"' | '\\' | '$' | '`')) => out.push(next),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_support::{pin, written};

    fn pins(text: &str) -> Vec<(String, String, String)> {
        let found = install_commands(text);
        assert!(found.iter().all(|r| r.origin == Origin::Install));
        written(&found, text)
    }

    #[test]
    fn pip_forms() {
        assert_eq!(
            pins("pip install \"openai==0.28.1\"\n"),
            [pin("openai", "==0.28.1", "openai==0.28.1")]
        );
        assert_eq!(
            pins("pip install -U openai<1 langchain\n"),
            [
                pin("openai", "<1", "openai<1"),
                pin("langchain", "", "langchain"),
            ]
        );
        assert_eq!(
            pins("python3 -m pip install --no-cache-dir -q 'openai>=0.27,<1' && python app.py\n"),
            [pin("openai", ">=0.27,<1", "openai>=0.27,<1")]
        );
        assert_eq!(
            pins("uv pip install --upgrade openai[datalib]==0.28 # old sdk\n"),
            [pin("openai", "==0.28", "openai[datalib]==0.28")]
        );
        assert_eq!(
            pins(
                "/opt/venv/bin/pip3.11 install -i https://pypi.example/simple LiteLLM; pip3 install llama_index\n"
            ),
            [
                pin("litellm", "", "LiteLLM"),
                pin("llama-index", "", "llama_index"),
            ]
        );
        assert_eq!(
            pins("pipenv install openai==0.28.1 | tee log\nuv add 'openai<1' --group dev\n"),
            [
                pin("openai", "==0.28.1", "openai==0.28.1"),
                pin("openai", "<1", "openai<1"),
            ]
        );
    }

    #[test]
    fn notebook_magics() {
        assert_eq!(
            pins("!pip install -q openai==0.28\n%pip install \"langchain<0.1\"\n"),
            [
                pin("openai", "==0.28", "openai==0.28"),
                pin("langchain", "<0.1", "langchain<0.1"),
            ]
        );
    }

    #[test]
    fn includes_and_skipped_arguments() {
        let facts = install_facts(
            "pip install -r requirements.txt -c constraints.txt --requirement=dev.txt -rci.txt\npip install -e . ./local git+https://github.com/x/y $EXTRA \"${PKG}\" > /dev/null 2>&1\n",
        );
        assert_eq!(
            facts.includes,
            ["requirements.txt", "constraints.txt", "dev.txt", "ci.txt"]
        );
        assert!(facts.requirements.is_empty(), "{:?}", facts.requirements);
        let names = |text: &str| -> Vec<String> {
            install_commands(text).into_iter().map(|r| r.name).collect()
        };
        assert_eq!(
            names("pip install openai >log litellm\n"),
            ["openai", "litellm"]
        );
        assert_eq!(
            names("pip install openai > log litellm\n"),
            ["openai", "litellm"]
        );
    }

    #[test]
    fn dockerfile_run_with_continuations() {
        let text = "FROM python:3.11\nRUN apt-get update && \\\n    pip install --no-cache-dir \\\n      openai==0.28.1 \\\n      \"langchain>=0.0.300,<0.1\" && \\\n    rm -rf /root/.cache\nCMD [\"python\", \"app.py\"]\n";
        assert_eq!(
            pins(text),
            [
                pin("openai", "==0.28.1", "openai==0.28.1"),
                pin("langchain", ">=0.0.300,<0.1", "langchain>=0.0.300,<0.1"),
            ]
        );
    }

    #[test]
    fn workflow_run_blocks() {
        let text = "jobs:\n  test:\n    steps:\n      - run: pip install openai==0.28\n      - name: deps\n        run: |\n          python -m pip install --upgrade pip\n          npm ci\n          npm i openai@^3.3.0\n";
        assert_eq!(
            pins(text),
            [
                pin("openai", "==0.28", "openai==0.28"),
                pin("pip", "", "pip"),
                pin("openai", "^3.3.0", "openai@^3.3.0"),
            ]
        );
    }

    #[test]
    fn node_installers() {
        assert_eq!(
            pins(
                "npm install openai@3 && yarn add openai@3.3.0\npnpm add -D @langchain/openai@0.0.14 openai\nyarn global add openai@latest\nnpm install --save-exact --registry https://r.example openai@\"^3.2.1\"\n"
            ),
            [
                pin("openai", "3", "openai@3"),
                pin("openai", "3.3.0", "openai@3.3.0"),
                pin("@langchain/openai", "0.0.14", "@langchain/openai@0.0.14"),
                pin("openai", "", "openai"),
                pin("openai", "", "openai@latest"),
                pin("openai", "^3.2.1", "openai@\"^3.2.1\""),
            ]
        );
        assert!(pins("npm install\nnpm i ./local github:x/y\n").is_empty());
        assert_eq!(
            pins("npm i openai-v3@npm:openai@3.3.0\n"),
            [pin("openai", "3.3.0", "openai-v3@npm:openai@3.3.0")]
        );
    }

    #[test]
    fn poetry_add() {
        assert_eq!(
            pins("poetry add openai@^0.28 'langchain==0.0.300' litellm@latest --group dev\n"),
            [
                pin("openai", ">=0.28,<0.29", "openai@^0.28"),
                pin("langchain", "==0.0.300", "langchain==0.0.300"),
                pin("litellm", "", "litellm@latest"),
            ]
        );
    }

    #[test]
    fn not_install_commands() {
        for text in [
            "echo \"pip install openai==0.28\"\n",
            "# pip install openai==0.28\n",
            "apt-get install -y python3-pip\n",
            "conda install pip\n",
            "please install openai yourself\n",
            "npm run build\n",
            "",
        ] {
            assert!(pins(text).is_empty(), "{text:?}");
        }
    }

    #[test]
    fn malformed_input() {
        for junk in [
            "pip install \"openai",
            "pip install 'unterminated\nopenai",
            "pip install \\",
            "pip install \\\r\n openai",
            "npm i @",
            "pip install é==1 ö",
            "pip install -r",
            "&&&|;;install",
            "pip install \"\\",
            "yarn global",
        ] {
            let _ = install_facts(junk);
        }
        assert_eq!(
            pins("pip install \\\r\n openai\r\n"),
            [pin("openai", "", "openai")]
        );
    }
}
