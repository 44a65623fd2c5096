//! pip requirements files (`requirements*.txt`, `constraints*.txt`, pip-tools
//! `.in`): one requirement per logical line, with pip's comment, continuation and
//! option rules.

use super::python_spec::parse_pep508;
use super::{Ecosystem, ManifestFacts, Origin, Requirement};
use std::ops::Range;

/// One logical line: physical lines joined at trailing `\`, with each byte's
/// offset in the file so ranges point into the original text.
struct LogicalLine {
    text: String,
    offsets: Vec<usize>,
}

impl LogicalLine {
    fn file_range(&self, range: Range<usize>) -> Range<usize> {
        match (self.offsets.get(range.start), range.end.checked_sub(1)) {
            (Some(&start), Some(last)) if last >= range.start => {
                start..self.offsets.get(last).map_or(start, |&o| o + 1)
            }
            _ => 0..0,
        }
    }

    fn push(&mut self, piece: &str, offset: usize) {
        self.text.push_str(piece);
        self.offsets.extend(offset..offset + piece.len());
    }
}

fn logical_lines(text: &str) -> Vec<LogicalLine> {
    let mut lines = Vec::new();
    let mut current = LogicalLine {
        text: String::new(),
        offsets: Vec::new(),
    };
    let mut offset = 0;
    for physical in text.split_inclusive('\n') {
        let content = physical.trim_end_matches(['\n', '\r']);
        let start = offset;
        offset += physical.len();
        // pip joins continuations before stripping comments, but a comment line
        // never continues.
        match content.strip_suffix('\\') {
            Some(joined) if comment_start(content).is_none() => current.push(joined, start),
            _ => {
                current.push(content, start);
                lines.push(std::mem::replace(
                    &mut current,
                    LogicalLine {
                        text: String::new(),
                        offsets: Vec::new(),
                    },
                ));
            }
        }
    }
    if !current.text.is_empty() {
        lines.push(current);
    }
    lines
}

/// pip's comment rule: `#` at the line start or after whitespace.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b'#' && (i == 0 || bytes[i - 1].is_ascii_whitespace()))
}

pub(super) fn read(text: &str) -> ManifestFacts {
    let mut facts = ManifestFacts::default();
    for line in logical_lines(text) {
        let content_end = comment_start(&line.text).unwrap_or(line.text.len());
        let content = &line.text[..content_end];
        let trimmed = content.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        if trimmed.starts_with('-') {
            facts.includes.extend(include_target(trimmed));
            continue;
        }
        // Per-requirement options (`--hash=…`) start at the first space-separated
        // token that begins with `-`, as in pip.
        let mut args_end = content.len();
        let mut token_start = 0;
        for token in content.split(' ') {
            if token.starts_with('-') && token_start > 0 {
                args_end = token_start;
                break;
            }
            token_start += token.len() + 1;
        }
        let Some(parsed) = parse_pep508(&content[..args_end]) else {
            continue;
        };
        facts.requirements.push(Requirement {
            ecosystem: Ecosystem::Python,
            name: parsed.name,
            spec: parsed.spec,
            origin: Origin::Manifest,
            range: line.file_range(parsed.range),
            extras_or_marker: parsed.extras_or_marker,
        });
    }
    facts
}

/// The file named by `-r`/`--requirement`/`-c`/`--constraint` in any of their
/// spellings (`-r f`, `-rf`, `--requirement=f`).
pub(super) fn include_target(options: &str) -> Option<String> {
    let mut tokens = options.split_whitespace();
    let first = tokens.next()?;
    // The plural spellings are uv's.
    for long in [
        "--requirements",
        "--requirement",
        "--constraints",
        "--constraint",
    ] {
        if first == long {
            return tokens.next().map(str::to_string);
        }
        if let Some(value) = first.strip_prefix(long).and_then(|v| v.strip_prefix('=')) {
            return (!value.is_empty()).then(|| value.to_string());
        }
    }
    for short in ["-r", "-c"] {
        if first == short {
            return tokens.next().map(str::to_string);
        }
        if let Some(value) = first.strip_prefix(short) {
            let value = value.strip_prefix('=').unwrap_or(value);
            return (!value.is_empty() && !value.starts_with('-')).then(|| value.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::test_support::{pin, written};

    fn pins(text: &str) -> Vec<(String, String, String)> {
        written(&read(text).requirements, text)
    }

    #[test]
    fn one_requirement_per_line() {
        let text = "# the SDK\nopenai==0.28.1\nlangchain ~= 0.0.300  # pinned\n\nLiteLLM>=1,<2\nopenai===0.28.1\n";
        assert_eq!(
            pins(text),
            [
                pin("openai", "==0.28.1", "openai==0.28.1"),
                pin("langchain", "~=0.0.300", "langchain ~= 0.0.300"),
                pin("litellm", ">=1,<2", "LiteLLM>=1,<2"),
                pin("openai", "===0.28.1", "openai===0.28.1"),
            ]
        );
    }

    #[test]
    fn extras_markers_and_hashes() {
        let text = "openai[datalib]==0.28 ; python_version < \"3.8\"\nopenai==0.28.1 --hash=sha256:00ff \\\n    --hash=sha256:11ee\n";
        let facts = read(text);
        let first = &facts.requirements[0];
        assert_eq!(first.spec, "==0.28");
        assert_eq!(
            first.extras_or_marker.as_deref(),
            Some("[datalib]; python_version < \"3.8\"")
        );
        assert_eq!(
            &text[first.range.clone()],
            "openai[datalib]==0.28 ; python_version < \"3.8\""
        );
        assert_eq!(&text[facts.requirements[1].range.clone()], "openai==0.28.1");
        assert_eq!(facts.requirements.len(), 2);
    }

    #[test]
    fn continuation_inside_a_requirement() {
        let text = "openai>=0.27,\\\n<1\nrequests\n";
        assert_eq!(
            pins(text),
            [
                pin("openai", ">=0.27,<1", "openai>=0.27,\\\n<1"),
                pin("requests", "", "requests"),
            ]
        );
    }

    #[test]
    fn includes_and_skipped_lines() {
        let text = "-r base.txt\n--requirement=dev.txt\n-c constraints.txt\n--constraint other.txt\n-rshort.txt\n-e .\n-e git+https://github.com/x/y#egg=y\n--index-url https://pypi.example/simple\nhttps://example.com/pkg.tar.gz\n./local/pkg\nopenai @ https://example.com/openai.whl\nopenai\n";
        let facts = read(text);
        assert_eq!(
            facts.includes,
            [
                "base.txt",
                "dev.txt",
                "constraints.txt",
                "other.txt",
                "short.txt"
            ]
        );
        assert_eq!(facts.requirements.len(), 1);
        assert_eq!(facts.requirements[0].spec, "");
    }

    #[test]
    fn crlf_and_malformed_input() {
        let text = "openai==0.28\r\nlangchain\r\n";
        assert_eq!(
            pins(text),
            [
                pin("openai", "==0.28", "openai==0.28"),
                pin("langchain", "", "langchain"),
            ]
        );
        for junk in [
            "\\", "\\\n\\", "[[[", "openai[", "é==1\n", "-r", "==1.0", "#\\\n",
        ] {
            let _ = read(junk);
        }
        assert!(read("openai==0.28 \\").requirements.len() == 1);
    }
}
