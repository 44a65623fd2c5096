//! Suppression comments: `# keylint: ignore[rule-id, …]`, `// keylint: ignore[…]`,
//! or a bare `keylint: ignore` for every rule. A directive covers its own line; a
//! directive alone on a line also covers the next line.

/// One parsed directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// 0-based line in the segment.
    pub line: usize,
    /// Alone on its line (only comment before it), so it also covers the next line.
    pub standalone: bool,
    /// `None` means every rule.
    pub rules: Option<Vec<String>>,
}

/// A directive that could not be understood: reported as a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveError {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Default)]
pub struct Suppressions {
    directives: Vec<Directive>,
}

const COMMENT_MARKERS: &[&str] = &["#", "//", "/*", "<!--", "--", ";", "*"];

impl Suppressions {
    /// Parse every directive in `text`. `known` decides which rule ids are valid.
    pub fn parse(text: &str, known: &dyn Fn(&str) -> bool) -> (Suppressions, Vec<DirectiveError>) {
        let mut directives = Vec::new();
        let mut errors = Vec::new();
        for (line_no, line) in text.lines().enumerate() {
            let mut from = 0;
            while let Some(found) = line[from..].find("keylint:") {
                let at = from + found;
                from = at + "keylint:".len();
                let before = line[..at].trim_end();
                let Some(marker) = COMMENT_MARKERS.iter().find(|m| before.ends_with(**m)) else {
                    continue; // not in a comment, e.g. a string mentioning keylint
                };
                let marker_at = before.len() - marker.len();
                // `"# keylint: …"` or `` `# keylint: …` `` mentions a directive inside a
                // string or inline code; only a marker after whitespace starts a comment.
                if marker_at > 0 && !before[..marker_at].ends_with(char::is_whitespace) {
                    continue;
                }
                if ends_inside_string_literal(&line[from..]) {
                    continue;
                }
                let standalone = before[..marker_at].trim().is_empty();
                match parse_body(&line[from..]) {
                    Ok(rules) => {
                        if let Some(ids) = &rules {
                            for id in ids.iter().filter(|id| !known(id)) {
                                errors.push(DirectiveError {
                                    line: line_no,
                                    message: format!(
                                        "unknown rule id `{id}` in suppression comment (`keylint rules` lists them)"
                                    ),
                                });
                            }
                        }
                        directives.push(Directive {
                            line: line_no,
                            standalone,
                            rules,
                        });
                    }
                    Err(message) => errors.push(DirectiveError {
                        line: line_no,
                        message,
                    }),
                }
            }
        }
        (Suppressions { directives }, errors)
    }

    pub fn covers(&self, line: usize, rule: &str) -> bool {
        self.directives.iter().any(|d| {
            (d.line == line || (d.standalone && d.line + 1 == line))
                && d.rules
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|id| id == rule))
        })
    }
}

/// A directive followed by `\n`, a quote or a backtick is text inside a string
/// literal (a test or a help message that shows the syntax), not a comment.
fn ends_inside_string_literal(rest: &str) -> bool {
    let Some(after) = rest.trim_start().strip_prefix("ignore") else {
        return false;
    };
    let tail = match after.strip_prefix('[') {
        Some(list) => match list.find(']') {
            Some(close) => &list[close + 1..],
            None => return false,
        },
        None => after,
    };
    tail.starts_with(['\\', '"', '\'', '`'])
}

/// Parse what follows `keylint:`: `ignore` or `ignore[a, b]`, then end of comment
/// or a reason.
fn parse_body(rest: &str) -> Result<Option<Vec<String>>, String> {
    let rest = rest.trim_start();
    let Some(after) = rest.strip_prefix("ignore") else {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '-')
            .collect();
        return Err(format!(
            "unknown suppression directive `keylint: {word}`; write `keylint: ignore` or `keylint: ignore[rule-id]`"
        ));
    };
    let ends_comment = |s: &str| {
        let s = s.trim();
        s.is_empty()
            || s.starts_with("*/")
            || s.starts_with("-->")
            || s.starts_with('#')
            || s.starts_with("//")
    };
    if ends_comment(after) {
        return Ok(None);
    }
    let Some(list) = after.strip_prefix('[') else {
        return Err(format!(
            "malformed suppression `keylint: ignore{}`; list rule ids in brackets: `keylint: ignore[rule-id]`",
            after.trim_end()
        ));
    };
    let Some(close) = list.find(']') else {
        return Err("malformed suppression: `keylint: ignore[` has no closing `]`".into());
    };
    let ids: Vec<String> = list[..close]
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if ids.is_empty() {
        return Err("malformed suppression: `keylint: ignore[]` names no rule".into());
    }
    // A reason may follow after a space (`ignore[x] -- revoked key`); text glued
    // to the bracket is more likely a typo than a reason.
    let tail = &list[close + 1..];
    if !ends_comment(tail) && !tail.starts_with(char::is_whitespace) && !tail.starts_with(':') {
        return Err(format!(
            "malformed suppression: unexpected `{}` after `]`; put a space before a reason",
            tail.trim()
        ));
    }
    Ok(Some(ids))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Suppressions, Vec<DirectiveError>) {
        Suppressions::parse(text, &|id| id == "hardcoded-key" || id == "placeholder-key")
    }

    #[test]
    fn forms() {
        let (s, e) = parse(
            "a = 1  # keylint: ignore[hardcoded-key]\n\
             // keylint: ignore\n\
             b = 2\n\
             c = 3 /* keylint: ignore[hardcoded-key, placeholder-key] */\n",
        );
        assert!(e.is_empty(), "{e:?}");
        assert!(s.covers(0, "hardcoded-key"));
        assert!(!s.covers(0, "placeholder-key"));
        assert!(s.covers(2, "anything")); // a standalone bare directive covers the next line
        assert!(s.covers(2, "placeholder-key"));
        assert!(s.covers(3, "placeholder-key"));
        assert!(!s.covers(4, "hardcoded-key"));
    }

    #[test]
    fn a_reason_may_follow_the_list() {
        for text in [
            "k = 1  # keylint: ignore[hardcoded-key] -- revoked in March",
            "k = 1  # keylint: ignore[hardcoded-key]: test fixture",
        ] {
            let (s, e) = parse(text);
            assert!(e.is_empty(), "{text}: {e:?}");
            assert!(s.covers(0, "hardcoded-key"));
        }
    }

    #[test]
    fn trailing_directive_does_not_cover_next_line() {
        let (s, _) = parse("x = 1  # keylint: ignore\ny = 2\n");
        assert!(s.covers(0, "hardcoded-key"));
        assert!(!s.covers(1, "hardcoded-key"));
    }

    #[test]
    fn malformed_directives_are_reported() {
        for bad in [
            "# keylint: ignroe",
            "# keylint: ignore[hardcoded-key",
            "# keylint: ignore hardcoded-key",
            "# keylint: ignore[]",
            "# keylint: ignore[nope]",
            "# keylint: ignore[hardcoded-key]because",
        ] {
            let (_, e) = parse(bad);
            assert_eq!(e.len(), 1, "{bad}: {e:?}");
        }
        // Showing the syntax inside a string or inline code is not a directive.
        for text in [
            "help = \"x = 1  # keylint: ignore[placeholder-key]\";",
            "//! Write `# keylint: ignore[rule-id, …]` on the line.",
            "let s = \"a = 1  // keylint: ignore\\n\";",
            "t = '# keylint: ignroe'",
        ] {
            let (_, e) = parse(text);
            assert!(e.is_empty(), "{text}: {e:?}");
        }
        // Mentioning keylint outside a comment is not a directive.
        let (s, e) = parse("url = 'keylint: ignore'");
        assert!(e.is_empty());
        assert!(!s.covers(0, "hardcoded-key"));
    }
}
