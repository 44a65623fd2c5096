//! Python requirement syntax: PEP 508 requirement strings, PEP 440 specifier sets,
//! and Poetry's `^`/`~` constraints translated to PEP 440.

use super::normalise_python_name;
use std::ops::Range;

/// A parsed PEP 508 requirement without a URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Pep508 {
    /// Normalised per PEP 503.
    pub name: String,
    /// PEP 440 specifier set with whitespace removed; `""` for any version.
    pub spec: String,
    pub extras_or_marker: Option<String>,
    /// The requirement's range inside the parsed string, whitespace trimmed.
    pub range: Range<usize>,
}

/// Parse one PEP 508 requirement: `name [extras] (specifiers | (specifiers)) ; marker`.
/// `None` for direct references (`name @ url`), paths, URLs, archives, and anything
/// that is not a requirement.
pub(super) fn parse_pep508(s: &str) -> Option<Pep508> {
    let bytes = s.as_bytes();
    let start = s.len() - s.trim_start().len();
    let end = s.trim_end().len();
    if start >= end || !bytes[start].is_ascii_alphanumeric() {
        return None;
    }
    let mut at = start;
    while at < end && (bytes[at].is_ascii_alphanumeric() || matches!(bytes[at], b'-' | b'_' | b'.'))
    {
        at += 1;
    }
    let raw_name = &s[start..at];
    if !raw_name.ends_with(|c: char| c.is_ascii_alphanumeric()) || looks_like_file(raw_name) {
        return None;
    }
    let skip_spaces = |mut i: usize| {
        while i < end && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    at = skip_spaces(at);
    let mut extras = None;
    if at < end && bytes[at] == b'[' {
        let close = at + s[at..end].find(']')?;
        extras = Some(s[at..=close].to_string());
        at = skip_spaces(close + 1);
    }
    if at < end && bytes[at] == b'@' {
        return None;
    }
    let marker_at = s[at..end].find(';').map(|i| at + i);
    let spec_end = marker_at.unwrap_or(end);
    let mut spec_text = s[at..spec_end].trim();
    if let Some(inner) = spec_text
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
    {
        spec_text = inner;
    }
    let spec = pep440_spec(spec_text)?;
    let marker = marker_at
        .map(|m| s[m + 1..end].trim())
        .filter(|m| !m.is_empty());
    let extras_or_marker = match (extras, marker) {
        (None, None) => None,
        (Some(e), None) => Some(e),
        (None, Some(m)) => Some(format!("; {m}")),
        (Some(e), Some(m)) => Some(format!("{e}; {m}")),
    };
    Some(Pep508 {
        name: normalise_python_name(raw_name),
        spec,
        extras_or_marker,
        range: start..end,
    })
}

/// A wheel or sdist file name or a path passed where a requirement goes.
fn looks_like_file(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".whl", ".zip", ".tar.gz", ".tgz", ".txt", ".py", ".cfg", ".toml", ".egg",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

/// A PEP 440 specifier set with whitespace removed, `""` for any version. `None`
/// when the text is not one: every clause must start with an operator.
pub(super) fn pep440_spec(text: &str) -> Option<String> {
    let spec: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if spec.is_empty() {
        return Some(spec);
    }
    let well_formed = spec.split(',').all(|clause| {
        let version = clause.trim_start_matches(['<', '>', '=', '!', '~']);
        version.len() < clause.len()
            && starts_like_a_version(version)
            && version.chars().all(|c| {
                c.is_ascii_alphanumeric() || matches!(c, '.' | '*' | '+' | '!' | '-' | '_')
            })
    });
    well_formed.then_some(spec)
}

/// PEP 440 versions start with a digit, or `v` and a digit.
fn starts_like_a_version(version: &str) -> bool {
    let digits = version.strip_prefix(['v', 'V']).unwrap_or(version);
    digits.starts_with(|c: char| c.is_ascii_digit())
}

/// A version written where a specifier set is expected (Pipfile, conda, Poetry):
/// a bare version means exactly that version, `*` means any.
pub(super) fn loose_pep440_spec(text: &str) -> Option<String> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed == "*" {
        return Some(String::new());
    }
    if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        return pep440_spec(&format!("=={trimmed}"));
    }
    pep440_spec(trimmed)
}

/// A Poetry version constraint as a PEP 440 specifier set: `^0.28` is
/// `>=0.28,<0.29`, `~1.2` is `>=1.2,<1.3`, a bare `0.28.1` is `==0.28.1`. `None`
/// when there is no PEP 440 equivalent (`||` alternatives) or the text is not a
/// constraint.
pub(super) fn poetry_to_pep440(constraint: &str) -> Option<String> {
    let constraint = constraint.trim();
    if constraint.is_empty() || constraint == "*" {
        return Some(String::new());
    }
    if constraint.contains('|') {
        return None;
    }
    let mut clauses = Vec::new();
    for part in constraint.split(',') {
        let mut rest = part.trim();
        // Poetry also accepts space-separated clauses: `>= 1.2 < 2.0`.
        while !rest.is_empty() {
            let op_len = rest.len()
                - rest
                    .trim_start_matches(['<', '>', '=', '!', '~', '^'])
                    .len();
            let (op, after_op) = rest.split_at(op_len);
            let after_op = after_op.trim_start();
            let version_len = after_op.find(char::is_whitespace).unwrap_or(after_op.len());
            let (version, tail) = after_op.split_at(version_len);
            if version.is_empty() {
                return None;
            }
            clauses.push(poetry_clause(op, version)?);
            rest = tail.trim_start();
        }
    }
    pep440_spec(&clauses.join(","))
}

fn poetry_clause(op: &str, version: &str) -> Option<String> {
    Some(match op {
        "^" => caret(version)?,
        "~" => tilde(version)?,
        "" | "=" | "==" if version == "*" => String::new(),
        "" | "=" => format!("=={version}"),
        "==" | "===" | "~=" | "!=" | ">=" | "<=" | ">" | "<" => format!("{op}{version}"),
        _ => return None,
    })
}

/// The numeric release of a version: `1.2.3b1` gives `[1, 2, 3]`.
fn release(version: &str) -> Option<Vec<u64>> {
    let numeric_len = version
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(version.len());
    let parts: Option<Vec<u64>> = version[..numeric_len]
        .trim_end_matches('.')
        .split('.')
        .map(|p| p.parse().ok())
        .collect();
    parts.filter(|p| !p.is_empty())
}

/// `[0, 28]` with index 1 bumped is `0.29`: the components before `index` are kept,
/// the ones after become zero, and the length stays the same.
fn bumped(release: &[u64], index: usize) -> String {
    release
        .iter()
        .enumerate()
        .map(|(i, &n)| match i.cmp(&index) {
            std::cmp::Ordering::Less => n.to_string(),
            std::cmp::Ordering::Equal => n.saturating_add(1).to_string(),
            std::cmp::Ordering::Greater => "0".to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Poetry caret: the leftmost non-zero component may not change.
fn caret(version: &str) -> Option<String> {
    let release = release(version)?;
    let index = release
        .iter()
        .position(|&n| n != 0)
        .unwrap_or(release.len() - 1);
    Some(format!(">={version},<{}", bumped(&release, index)))
}

/// Poetry tilde: the minor version may not change (the major, when only a major is
/// given).
fn tilde(version: &str) -> Option<String> {
    let release = release(version)?;
    let index = usize::from(release.len() > 1);
    Some(format!(">={version},<{}", bumped(&release, index)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(s: &str) -> Pep508 {
        parse_pep508(s).unwrap_or_else(|| panic!("{s:?} should parse"))
    }

    #[test]
    fn pep508_forms() {
        let r = req("openai==0.28.1");
        assert_eq!((r.name.as_str(), r.spec.as_str()), ("openai", "==0.28.1"));
        assert_eq!(r.range, 0..14);

        let r = req("  openai ~= 0.27.0  ");
        assert_eq!(r.spec, "~=0.27.0");
        assert_eq!(r.range, 2..18);

        assert_eq!(req("openai>=0.27,<1").spec, ">=0.27,<1");
        assert_eq!(req("openai===0.28.1").spec, "===0.28.1");
        assert_eq!(req("openai").spec, "");
        assert_eq!(req("openai (>=0.27, <1)").spec, ">=0.27,<1");
        assert_eq!(req("Llama_Index.Core>=0.10").name, "llama-index-core");

        let r = req("openai[datalib]==0.28 ; python_version < \"3.8\"");
        assert_eq!(r.spec, "==0.28");
        assert_eq!(
            r.extras_or_marker.as_deref(),
            Some("[datalib]; python_version < \"3.8\"")
        );
        let r = req("openai; python_version>='3.8'");
        assert_eq!(
            r.extras_or_marker.as_deref(),
            Some("; python_version>='3.8'")
        );
        assert_eq!(r.spec, "");
    }

    #[test]
    fn pep508_rejects_urls_paths_and_prose() {
        for s in [
            "openai @ https://example.com/openai.whl",
            "./vendor/openai",
            "https://example.com/x.tar.gz",
            "git+https://github.com/openai/openai-python",
            "openai-0.28.1-py3-none-any.whl",
            "This project needs Python",
            "openai 0.28",
            "openai[datalib",
            "",
            "   ",
            "-e .",
        ] {
            assert_eq!(parse_pep508(s), None, "{s:?}");
        }
    }

    #[test]
    fn poetry_constraints_become_pep440() {
        for (poetry, pep440) in [
            ("^0.28", ">=0.28,<0.29"),
            ("^1.2.3", ">=1.2.3,<2.0.0"),
            ("^0.0.3", ">=0.0.3,<0.0.4"),
            ("^0.0", ">=0.0,<0.1"),
            ("^1", ">=1,<2"),
            ("~1.2", ">=1.2,<1.3"),
            ("~1.2.3", ">=1.2.3,<1.3.0"),
            ("~1", ">=1,<2"),
            ("~0.28", ">=0.28,<0.29"),
            ("~=0.28", "~=0.28"),
            ("0.28.*", "==0.28.*"),
            ("0.28.1", "==0.28.1"),
            ("=0.28.1", "==0.28.1"),
            (">=0.27,<0.29", ">=0.27,<0.29"),
            (">= 0.27, < 0.29", ">=0.27,<0.29"),
            (">=0.27 <0.29", ">=0.27,<0.29"),
            ("^1.0.0b1", ">=1.0.0b1,<2.0.0"),
            ("*", ""),
            ("", ""),
        ] {
            assert_eq!(
                poetry_to_pep440(poetry).as_deref(),
                Some(pep440),
                "{poetry}"
            );
        }
        for bad in ["^0.28 || ^1", "^", "^abc", ">=", "latest"] {
            assert_eq!(poetry_to_pep440(bad), None, "{bad}");
        }
    }

    #[test]
    fn loose_specs() {
        assert_eq!(loose_pep440_spec("*").as_deref(), Some(""));
        assert_eq!(loose_pep440_spec("0.28").as_deref(), Some("==0.28"));
        assert_eq!(loose_pep440_spec(">= 0.27").as_deref(), Some(">=0.27"));
        assert_eq!(loose_pep440_spec("latest"), None);
    }
}
