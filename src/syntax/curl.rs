//! `curl` commands in shell scripts, Dockerfile `RUN` lines, YAML `run:` blocks and
//! Markdown code fences, read with shell quoting rules: the URL, the `-H` headers,
//! the `-d` body and the `-k` / `--insecure` flag, each with its byte range.

use std::ops::Range;

/// One shell word with quotes removed. `range` covers the word as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub range: Range<usize>,
    /// Byte offset in `text` → byte offset in the source, for every char of `text`.
    origins: Vec<usize>,
}

impl Word {
    /// The source range of `text[sub]`.
    pub fn source_range(&self, sub: Range<usize>) -> Range<usize> {
        let start = self
            .origins
            .get(sub.start)
            .copied()
            .unwrap_or(self.range.start);
        let end = if sub.end == 0 {
            start
        } else {
            self.origins
                .get(sub.end - 1)
                .map_or(self.range.end, |&o| o + 1)
        };
        start..end.max(start)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurlCommand {
    /// The range of the `curl` word.
    pub range: Range<usize>,
    pub urls: Vec<Word>,
    pub headers: Vec<Word>,
    pub data: Vec<Word>,
    /// `-k`, `--insecure`, or a cluster of short flags holding `k` (`-sk`): TLS
    /// certificates are not checked.
    pub insecure: Option<Word>,
}

const HEADER_FLAGS: &[&str] = &["-H", "--header"];
const DATA_FLAGS: &[&str] = &[
    "-d",
    "--data",
    "--data-raw",
    "--data-binary",
    "--json",
    "--data-urlencode",
];
/// Flags that take a value we do not need but must skip.
const VALUE_FLAGS: &[&str] = &[
    "-X",
    "--request",
    "-o",
    "--output",
    "-u",
    "--user",
    "-F",
    "--form",
    "-A",
    "--user-agent",
    "-m",
    "--max-time",
    "--connect-timeout",
    "-w",
    "--write-out",
    "--retry",
    "-e",
    "--referer",
    "-b",
    "--cookie",
];

/// Every `curl` command in `text`.
pub fn commands(text: &str) -> Vec<CurlCommand> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = text[from..].find("curl") {
        let at = from + found;
        from = at + 4;
        let before_ok = at == 0
            || matches!(
                bytes[at - 1],
                // `!curl` is a notebook shell escape
                b' ' | b'\t' | b'\n' | b'(' | b'`' | b'|' | b';' | b'&' | b'"' | b'\'' | b'!'
            );
        let after_ok = bytes
            .get(at + 4)
            .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\\'));
        if !before_ok || !after_ok {
            continue;
        }
        let (words, end) = words_until_command_end(text, at + 4);
        from = end.max(from);
        out.push(command(at..at + 4, words));
    }
    out
}

fn command(range: Range<usize>, words: Vec<Word>) -> CurlCommand {
    let mut cmd = CurlCommand {
        range,
        urls: Vec::new(),
        headers: Vec::new(),
        data: Vec::new(),
        insecure: None,
    };
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        let flag = word.text.as_str();
        if HEADER_FLAGS.contains(&flag) {
            cmd.headers.extend(words.next());
        } else if DATA_FLAGS.contains(&flag) {
            cmd.data.extend(words.next());
        } else if VALUE_FLAGS.contains(&flag) {
            words.next();
        } else if let Some(value) = flag.strip_prefix("-H").filter(|v| !v.is_empty()) {
            // `-H"Authorization: …"` glued to its flag
            let skip = word.text.len() - value.len();
            cmd.headers.push(sub_word(&word, skip));
        } else if is_insecure_flag(flag) {
            cmd.insecure.get_or_insert(word);
        } else if flag.starts_with("http://")
            || flag.starts_with("https://")
            || flag.starts_with("$")
                && (flag.contains("URL") || flag.contains("BASE") || flag.contains('/'))
        {
            cmd.urls.push(word);
        }
    }
    cmd
}

/// `-k`, `--insecure`, or short flags clustered with `k` (`-sSk`, `-kL`).
fn is_insecure_flag(flag: &str) -> bool {
    if flag == "--insecure" {
        return true;
    }
    flag.strip_prefix('-').is_some_and(|letters| {
        !letters.starts_with('-')
            && letters.contains('k')
            && letters.bytes().all(|b| b.is_ascii_alphabetic())
    })
}

fn sub_word(word: &Word, skip: usize) -> Word {
    Word {
        text: word.text[skip..].to_string(),
        range: word.source_range(skip..word.text.len()),
        origins: word.origins[skip..].to_vec(),
    }
}

/// Split shell words from `start` until the command ends: an unquoted newline not
/// escaped by `\`, or `;`, `|`, `&`, `)`. A YAML or Markdown line continuation
/// (`\` then a newline and indentation) is whitespace, as in the shell.
fn words_until_command_end(text: &str, start: usize) -> (Vec<Word>, usize) {
    let mut words = Vec::new();
    let mut current: Option<Word> = None;
    let mut quote: Option<char> = None;
    let mut chars = text[start..].char_indices().peekable();
    let mut end = text.len();
    let push_char = |current: &mut Option<Word>, c: char, at: usize| {
        let w = current.get_or_insert_with(|| Word {
            text: String::new(),
            range: at..at,
            origins: Vec::new(),
        });
        for i in 0..c.len_utf8() {
            w.origins.push(at + i);
        }
        w.text.push(c);
        w.range.end = at + c.len_utf8();
    };
    while let Some((i, c)) = chars.next() {
        let at = start + i;
        match quote {
            Some(q) if c == q => {
                quote = None;
                if let Some(w) = current.as_mut() {
                    w.range.end = at + 1;
                }
            }
            Some('"') if c == '\\' => {
                if let Some((j, next)) = chars.next()
                    && next != '\n'
                {
                    push_char(&mut current, next, start + j);
                }
            }
            Some(_) => push_char(&mut current, c, at),
            None => match c {
                '"' | '\'' => {
                    quote = Some(c);
                    current.get_or_insert_with(|| Word {
                        text: String::new(),
                        range: at..at + 1,
                        origins: Vec::new(),
                    });
                }
                '\\' => {
                    if let Some((j, next)) = chars.next() {
                        if next == '\n' || next == '\r' {
                            words.extend(current.take());
                            // skip the indentation of the continued line
                            while chars.peek().is_some_and(|(_, c)| *c == ' ' || *c == '\t') {
                                chars.next();
                            }
                        } else {
                            push_char(&mut current, next, start + j);
                        }
                    }
                }
                ' ' | '\t' => words.extend(current.take()),
                '\n' | ';' | '|' | '&' | ')' | '`' => {
                    end = at;
                    break;
                }
                _ => push_char(&mut current, c, at),
            },
        }
    }
    words.extend(current.take());
    (words, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_urls_and_data_with_ranges() {
        let text = "curl -s https://api.openai.com/v1/chat/completions \\\n  -H \"Authorization: $OPENAI_API_KEY\" \\\n  -H 'Content-Type: application/json' \\\n  -d '{\"model\": \"gpt-4o\"}'\necho done\n";
        let cmds = commands(text);
        assert_eq!(cmds.len(), 1);
        let c = &cmds[0];
        assert_eq!(c.urls[0].text, "https://api.openai.com/v1/chat/completions");
        assert_eq!(c.headers.len(), 2);
        assert_eq!(c.headers[0].text, "Authorization: $OPENAI_API_KEY");
        let r = c.headers[0].source_range(15..30);
        assert_eq!(&text[r], "$OPENAI_API_KEY");
        assert_eq!(c.data[0].text, "{\"model\": \"gpt-4o\"}");
    }

    #[test]
    fn yaml_run_blocks_and_fences() {
        let yaml = "steps:\n  - run: |\n      curl https://api.openai.com/v1/models \\\n        -H \"Authorization: Bearer ${{ secrets.KEY }}\"\n";
        let cmds = commands(yaml);
        assert_eq!(
            cmds[0].headers[0].text,
            "Authorization: Bearer ${{ secrets.KEY }}"
        );
        let md = "```sh\ncurl https://x.example/v1 -H\"X-Key: 1\"\n```\nNot curling here.\n";
        let cmds = commands(md);
        assert_eq!(cmds.len(), 1);
        assert_eq!(cmds[0].headers[0].text, "X-Key: 1");
        assert!(commands("libcurl_init(); curly").is_empty());
        let cell = commands("!curl https://api.openai.com/v1/models -H \"X: 1\"\n");
        assert_eq!(cell[0].urls[0].text, "https://api.openai.com/v1/models");
    }

    #[test]
    fn insecure_flags() {
        let text = "curl -sk https://api.openai.com/v1/models\ncurl --insecure https://a.example\ncurl -s https://b.example -o out\n";
        let cmds = commands(text);
        let flags: Vec<Option<&str>> = cmds
            .iter()
            .map(|c| c.insecure.as_ref().map(|w| &text[w.range.clone()]))
            .collect();
        assert_eq!(flags, [Some("-sk"), Some("--insecure"), None]);
        assert_eq!(cmds[0].urls[0].text, "https://api.openai.com/v1/models");
    }

    #[test]
    fn commands_end_at_pipes_and_newlines() {
        let cmds = commands("curl https://a.example | jq .\ncurl https://b.example; echo hi\n");
        assert_eq!(cmds.len(), 2);
        assert_eq!(cmds[0].urls[0].text, "https://a.example");
        assert_eq!(cmds[1].urls.len(), 1);
    }
}
