//! Project configuration: `keylint.toml`, `.keylint.toml`, or `[tool.keylint]` in
//! `pyproject.toml`.
//!
//! The file is found by walking up from the scanned path; the first folder that
//! holds one wins, and in one folder `keylint.toml` comes before `.keylint.toml`,
//! which comes before `pyproject.toml` (only when it has `[tool.keylint]`).
//! Settings layer as built-in defaults < that file (or `--config FILE`, which
//! replaces the search) < command-line flags.
//!
//! The file is read as a span-preserving TOML document (`toml::de::DeTable`) and
//! checked key by key, so every error names the file, the line and the key.

mod patterns;

pub use patterns::PathPatterns;

use crate::findings::{Level, Report};
use crate::rules::RuleSet;
use crate::walk;
use clap::ValueEnum;
use regex::{Regex, RegexSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// The names searched in each folder, in order of preference.
pub const FILE_NAMES: [&str; 3] = ["keylint.toml", ".keylint.toml", "pyproject.toml"];

/// Every top-level key, in the order the docs list them.
pub const KEYS: [&str; 7] = [
    "select",
    "ignore",
    "per-file-ignores",
    "extend-exclude",
    "allowlist",
    "fail-on",
    "as-of",
];

const ALLOWLIST_KEYS: [&str; 2] = ["secrets", "paths"];

/// The rules whose findings an allowlisted secret silences.
pub const SECRET_RULES: [&str; 4] = [
    crate::rules::keys::HARDCODED,
    crate::rules::keys::PLACEHOLDER,
    crate::rules::keys::MALFORMED,
    crate::rules::key_logging::KEY_LOGGED,
];

/// The lowest level that makes keylint exit with 1 (`--fail-on`, `fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    /// Always exit 0 when the scan ran (useful when uploading SARIF).
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Level> {
        match self {
            FailOn::Error => Some(Level::Error),
            FailOn::Warning => Some(Level::Warning),
            FailOn::Note => Some(Level::Note),
            FailOn::Never => None,
        }
    }
}

/// A configuration file that cannot be used. Shown as `file:line:col: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub file: String,
    /// 1-based line and column (in characters), when the problem has a place.
    pub position: Option<(usize, usize)>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, col)) => write!(f, "{}:{line}:{col}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// `per-file-ignores`: rules dropped for the paths each glob matches.
#[derive(Debug, Clone)]
pub struct PerFileIgnores {
    patterns: PathPatterns,
    /// The rule ids of each pattern, by pattern index.
    rules: Vec<Vec<String>>,
}

/// One configuration file, checked.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file, as errors and notes name it.
    pub file: String,
    pub select: Option<Vec<String>>,
    pub ignore: Vec<String>,
    pub per_file_ignores: Option<PerFileIgnores>,
    pub extend_exclude: Option<PathPatterns>,
    pub allow_secrets: Option<RegexSet>,
    pub allow_paths: Option<PathPatterns>,
    pub fail_on: Option<FailOn>,
    pub as_of: Option<jiff::civil::Date>,
}

/// Find the configuration that governs `start` (a file or folder), walking up.
/// `Ok(None)` when no folder above has one.
pub fn discover(start: &Path, cwd: &Path, rules: &RuleSet) -> Result<Option<Config>, ConfigError> {
    let start = walk::absolute(start, cwd);
    let first = if start.is_dir() {
        start.as_path()
    } else {
        start.parent().unwrap_or(&start)
    };
    for dir in first.ancestors() {
        for name in FILE_NAMES {
            let path = dir.join(name);
            if !path.is_file() {
                continue;
            }
            let shown = shown_path(&path, cwd);
            let text = read(&path, &shown)?;
            let found = parse(&text, &shown, dir, name == "pyproject.toml", rules)?;
            if found.is_some() {
                return Ok(found);
            }
        }
    }
    Ok(None)
}

/// Read the file given with `--config`. A `pyproject.toml` must have `[tool.keylint]`.
pub fn load(file: &Path, cwd: &Path, rules: &RuleSet) -> Result<Config, ConfigError> {
    let shown = walk::display_path(file);
    let text = read(file, &shown)?;
    let absolute = walk::absolute(file, cwd);
    let dir = absolute.parent().unwrap_or(&absolute);
    let pyproject = file.file_name().is_some_and(|n| n == "pyproject.toml");
    parse(&text, &shown, dir, pyproject, rules)?.ok_or_else(|| ConfigError {
        file: shown,
        position: None,
        message: "has no [tool.keylint] table".to_string(),
    })
}

fn read(path: &Path, shown: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: shown.to_string(),
        position: None,
        message: format!("cannot read the configuration: {e}"),
    })
}

/// A discovered file as the user knows it: relative below the working directory.
fn shown_path(path: &Path, cwd: &Path) -> String {
    walk::display_path(path.strip_prefix(cwd).unwrap_or(path))
}

/// Check the text of a configuration file whose folder is the absolute `dir`.
/// For a `pyproject.toml`, only `[tool.keylint]` is read, and `Ok(None)` means it
/// has none.
pub fn parse(
    text: &str,
    file: &str,
    dir: &Path,
    pyproject: bool,
    rules: &RuleSet,
) -> Result<Option<Config>, ConfigError> {
    let checker = Checker {
        text,
        file,
        dir,
        rules,
    };
    let root = match DeTable::parse(text) {
        Ok(root) => root.into_inner(),
        // A broken pyproject.toml is someone else's problem unless it is ours.
        Err(_) if pyproject && !text.contains("tool.keylint") => return Ok(None),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim_end().replace('\n', "; ");
            let place = key_on_line(text, span.start)
                .map(|k| format!(" in `{k}`"))
                .unwrap_or_default();
            return Err(checker.error(span, format!("invalid TOML{place}: {message}")));
        }
    };
    if !pyproject {
        return checker.config(&root).map(Some);
    }
    let Some(tool) = root.get("tool") else {
        return Ok(None);
    };
    let Some(tool) = tool.get_ref().as_table() else {
        return Ok(None);
    };
    let Some(ours) = tool.get("keylint") else {
        return Ok(None);
    };
    match ours.get_ref() {
        DeValue::Table(table) => checker.config(table).map(Some),
        other => Err(checker.error(
            ours.span(),
            format!("`tool.keylint` must be a table, not {}", type_name(other)),
        )),
    }
}

type Item<'i> = Spanned<DeValue<'i>>;

struct Checker<'a> {
    text: &'a str,
    file: &'a str,
    dir: &'a Path,
    rules: &'a RuleSet,
}

impl Checker<'_> {
    fn error(&self, span: Range<usize>, message: String) -> ConfigError {
        ConfigError {
            file: self.file.to_string(),
            position: Some(line_col(self.text, span.start)),
            message,
        }
    }

    fn config(&self, table: &DeTable<'_>) -> Result<Config, ConfigError> {
        let mut config = Config {
            file: self.file.to_string(),
            ..Config::default()
        };
        for (key, value) in in_source_order(table) {
            match key.get_ref().as_ref() {
                "select" => config.select = Some(self.rule_ids("select", value)?),
                "ignore" => config.ignore = self.rule_ids("ignore", value)?,
                "per-file-ignores" => config.per_file_ignores = Some(self.per_file(value)?),
                "extend-exclude" => {
                    config.extend_exclude = Some(self.patterns("extend-exclude", value)?);
                }
                "allowlist" => {
                    let table = self.table("allowlist", value)?;
                    for (key, value) in in_source_order(table) {
                        match key.get_ref().as_ref() {
                            "secrets" => config.allow_secrets = Some(self.secrets(value)?),
                            "paths" => {
                                config.allow_paths = Some(self.patterns("allowlist.paths", value)?);
                            }
                            other => {
                                return Err(self.unknown(
                                    key.span(),
                                    "allowlist.",
                                    other,
                                    &ALLOWLIST_KEYS,
                                ));
                            }
                        }
                    }
                }
                "fail-on" => config.fail_on = Some(self.fail_on(value)?),
                "as-of" => config.as_of = Some(self.date(value)?),
                other => return Err(self.unknown(key.span(), "", other, &KEYS)),
            }
        }
        Ok(config)
    }

    fn unknown(&self, span: Range<usize>, parent: &str, key: &str, known: &[&str]) -> ConfigError {
        let mut message = format!("unknown key `{parent}{key}`");
        let best = known
            .iter()
            .map(|k| (strsim::damerau_levenshtein(key, k), *k))
            .filter(|(d, k)| *d <= k.len() / 3 + 1)
            .min();
        if let Some((_, best)) = best {
            message.push_str(&format!("; did you mean `{parent}{best}`?"));
        }
        let list: Vec<String> = known.iter().map(|k| format!("`{parent}{k}`")).collect();
        message.push_str(&format!(" (known keys: {})", list.join(", ")));
        self.error(span, message)
    }

    fn table<'t, 'i>(
        &self,
        key: &str,
        value: &'t Item<'i>,
    ) -> Result<&'t DeTable<'i>, ConfigError> {
        match value.get_ref() {
            DeValue::Table(table) => Ok(table),
            other => Err(self.error(
                value.span(),
                format!("`{key}` must be a table, not {}", type_name(other)),
            )),
        }
    }

    fn string<'t>(
        &self,
        key: &str,
        value: &'t Item<'_>,
        what: &str,
    ) -> Result<&'t str, ConfigError> {
        match value.get_ref() {
            DeValue::String(s) => Ok(s.as_ref()),
            other => Err(self.error(
                value.span(),
                format!("`{key}` must be {what}, not {}", type_name(other)),
            )),
        }
    }

    /// An array of strings, each with its span.
    fn strings<'t>(
        &self,
        key: &str,
        value: &'t Item<'_>,
        what: &str,
    ) -> Result<Vec<(&'t str, Range<usize>)>, ConfigError> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.error(
                value.span(),
                format!(
                    "`{key}` must be a list of {what}, not {}",
                    type_name(value.get_ref())
                ),
            ));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(s) => Ok((s.as_ref(), item.span())),
                other => Err(self.error(
                    item.span(),
                    format!(
                        "`{key}` must be a list of {what}; this item is {}",
                        type_name(other)
                    ),
                )),
            })
            .collect()
    }

    fn rule_ids(&self, key: &str, value: &Item<'_>) -> Result<Vec<String>, ConfigError> {
        let mut ids = Vec::new();
        for (id, span) in self.strings(key, value, "rule ids")? {
            self.rules
                .check_id(id)
                .map_err(|why| self.error(span, format!("`{key}`: {why}")))?;
            ids.push(id.to_string());
        }
        Ok(ids)
    }

    fn patterns(&self, key: &str, value: &Item<'_>) -> Result<PathPatterns, ConfigError> {
        let globs = self.strings(key, value, "globs")?;
        let texts: Vec<&str> = globs.iter().map(|(g, _)| *g).collect();
        PathPatterns::new(self.dir, &texts).map_err(|(i, why)| {
            let (glob, span) = &globs[i];
            self.error(
                span.clone(),
                format!("`{key}`: invalid glob `{glob}`: {why}"),
            )
        })
    }

    fn per_file(&self, value: &Item<'_>) -> Result<PerFileIgnores, ConfigError> {
        const KEY: &str = "per-file-ignores";
        let table = self.table(KEY, value)?;
        let mut globs = Vec::new();
        let mut rules = Vec::new();
        for (glob, ids) in in_source_order(table) {
            globs.push((glob.get_ref().as_ref(), glob.span()));
            rules.push(self.rule_ids(&format!("{KEY}.\"{}\"", glob.get_ref()), ids)?);
        }
        let texts: Vec<&str> = globs.iter().map(|(g, _)| *g).collect();
        let patterns = PathPatterns::new(self.dir, &texts).map_err(|(i, why)| {
            let (glob, span) = &globs[i];
            self.error(
                span.clone(),
                format!("`{KEY}`: invalid glob `{glob}`: {why}"),
            )
        })?;
        Ok(PerFileIgnores { patterns, rules })
    }

    fn secrets(&self, value: &Item<'_>) -> Result<RegexSet, ConfigError> {
        const KEY: &str = "allowlist.secrets";
        let items = self.strings(KEY, value, "regexes")?;
        for (n, (source, span)) in items.iter().enumerate() {
            // The pattern may be a key itself: errors point at it and never quote it.
            let bad =
                |why: String| self.error(span.clone(), format!("`{KEY}`: item {} {why}", n + 1));
            let regex = Regex::new(source)
                .map_err(|e| bad(format!("is not a valid regex: {}", regex_reason(&e))))?;
            if regex.is_match("") {
                return Err(bad(
                    "matches the empty string, so it would silence every key".to_string(),
                ));
            }
        }
        RegexSet::new(items.iter().map(|(s, _)| *s)).map_err(|e| {
            self.error(
                value.span(),
                format!(
                    "`{KEY}`: the regexes are too large together: {}",
                    regex_reason(&e)
                ),
            )
        })
    }

    fn fail_on(&self, value: &Item<'_>) -> Result<FailOn, ConfigError> {
        let names: Vec<String> = FailOn::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value())
            .map(|v| format!("`{}`", v.get_name()))
            .collect();
        let what = format!("one of {}", names.join(", "));
        let text = self.string("fail-on", value, &what)?;
        FailOn::from_str(text, false).map_err(|_| {
            self.error(
                value.span(),
                format!("`fail-on` must be {what}; got `{text}`"),
            )
        })
    }

    fn date(&self, value: &Item<'_>) -> Result<jiff::civil::Date, ConfigError> {
        let text = match value.get_ref() {
            // `as-of = 2026-01-31` is a TOML local date; a quoted one works too.
            DeValue::Datetime(d) if d.time.is_none() && d.offset.is_none() => d.to_string(),
            DeValue::Datetime(d) => {
                return Err(self.error(
                    value.span(),
                    format!("`as-of` must be a date (YYYY-MM-DD) without a time; got `{d}`"),
                ));
            }
            _ => self
                .string("as-of", value, "a date (YYYY-MM-DD)")?
                .to_string(),
        };
        text.parse::<jiff::civil::Date>().map_err(|e| {
            self.error(
                value.span(),
                format!("`as-of`: `{text}` is not a date in YYYY-MM-DD form ({e})"),
            )
        })
    }
}

/// A table's entries as written: `DeTable` keeps them sorted by key, and the first
/// error in the file should be the one reported.
fn in_source_order<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(&'t Spanned<std::borrow::Cow<'i, str>>, &'t Item<'i>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// The last line of a regex error (`error: unclosed group`), without the pattern
/// the full message quotes.
fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(str::to_string)
        .unwrap_or_else(|| match e {
            regex::Error::CompiledTooBig(limit) => format!("compiled size over {limit} bytes"),
            _ => "invalid regex".to_string(),
        })
}

/// The key assigned on the line holding byte `offset` (`as-of = 2026-02-30`), to
/// name it in a syntax error.
fn key_on_line(text: &str, offset: usize) -> Option<&str> {
    let before = text.get(..offset)?;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = &text[start..];
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    let bare = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '"');
    (!key.is_empty() && key.chars().all(bare) && start + key.len() < offset).then_some(key)
}

/// 1-based line and character column of byte `offset`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

/// What the command line sets on top of the file.
#[derive(Debug, Default)]
pub struct Overrides<'a> {
    pub select: &'a [String],
    pub ignore: &'a [String],
    pub fail_on: Option<FailOn>,
    pub as_of: Option<jiff::civil::Date>,
}

/// The rules to run. As in ruff, a `select` starts the selection afresh: the
/// command line's `--select` replaces the file's `select` and `ignore`, while a
/// lone `--ignore` removes rules from what the file chose.
pub fn select_rules(
    all: &RuleSet,
    config: Option<&Config>,
    cli: &Overrides<'_>,
) -> Result<RuleSet, String> {
    for id in cli.select.iter().chain(cli.ignore) {
        all.check_id(id)?;
    }
    let (select, mut ignore): (Option<&[String]>, Vec<&String>) = if !cli.select.is_empty() {
        (Some(cli.select), Vec::new())
    } else {
        match config {
            Some(c) => (c.select.as_deref(), c.ignore.iter().collect()),
            None => (None, Vec::new()),
        }
    };
    ignore.extend(cli.ignore);
    let rules = all
        .rules
        .iter()
        .filter(|r| select.is_none_or(|s| s.contains(&r.id)))
        .filter(|r| !ignore.contains(&&r.id))
        .cloned()
        .collect();
    Ok(RuleSet { rules })
}

/// The `--fail-on` level: the flag, else the file's `fail-on`, else `warning`.
pub fn fail_on(config: Option<&Config>, cli: &Overrides<'_>) -> FailOn {
    cli.fail_on
        .or(config.and_then(|c| c.fail_on))
        .unwrap_or(FailOn::Warning)
}

/// The `--as-of` date: the flag, else the file's `as-of`; `None` means today.
pub fn as_of(config: Option<&Config>, cli: &Overrides<'_>) -> Option<jiff::civil::Date> {
    cli.as_of.or(config.and_then(|c| c.as_of))
}

impl Config {
    /// Whether a finding of `rule` in the absolute `path` is dropped by
    /// `per-file-ignores` or `allowlist.paths`.
    pub fn drops(&self, path: &Path, rule: &str) -> bool {
        if self.allow_paths.as_ref().is_some_and(|p| p.is_match(path)) {
            return true;
        }
        self.per_file_ignores.as_ref().is_some_and(|pf| {
            pf.patterns
                .matching(path)
                .into_iter()
                .any(|i| pf.rules[i].iter().any(|r| r == rule))
        })
    }

    /// Drop the findings `per-file-ignores` and `allowlist.paths` cover. Finding
    /// paths are relative to `cwd` (or absolute).
    pub fn filter(&self, report: &mut Report, cwd: &Path) {
        if self.allow_paths.is_none() && self.per_file_ignores.is_none() {
            return;
        }
        let mut last: Option<(String, PathBuf)> = None;
        report.findings.retain(|f| {
            if last.as_ref().is_none_or(|(p, _)| *p != f.path) {
                last = Some((f.path.clone(), walk::absolute(Path::new(&f.path), cwd)));
            }
            let absolute = last
                .as_ref()
                .map(|(_, a)| a.as_path())
                .unwrap_or(Path::new(""));
            !self.drops(absolute, &f.rule)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> Result<Config, ConfigError> {
        parse(
            text,
            "keylint.toml",
            Path::new("/p"),
            false,
            &RuleSet::builtin(),
        )
        .map(Option::unwrap)
    }

    #[track_caller]
    fn error(text: &str) -> String {
        check(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_every_key() {
        let c = check(
            r#"
select = ["hardcoded-key", "missing-bearer"]
ignore = ["missing-bearer"]
extend-exclude = ["vendor", "legacy/**"]
fail-on = "error"
as-of = 2026-01-31

[per-file-ignores]
"tests/**" = ["placeholder-key"]

[allowlist]
secrets = ["^sk-test-"]
paths = ["docs"]
"#,
        )
        .unwrap();
        assert_eq!(
            c.select.as_deref().unwrap(),
            ["hardcoded-key", "missing-bearer"]
        );
        assert_eq!(c.ignore, ["missing-bearer"]);
        assert_eq!(c.fail_on, Some(FailOn::Error));
        assert_eq!(c.as_of.unwrap().to_string(), "2026-01-31");
        let p = Path::new;
        assert!(
            c.extend_exclude
                .as_ref()
                .unwrap()
                .is_match(p("/p/a/vendor/x.py"))
        );
        assert!(c.drops(p("/p/tests/unit/t.py"), "placeholder-key"));
        assert!(!c.drops(p("/p/tests/unit/t.py"), "hardcoded-key"));
        assert!(c.drops(p("/p/docs/guide.md"), "hardcoded-key"));
        assert!(c.allow_secrets.unwrap().is_match("sk-test-abc"));
    }

    #[test]
    fn quoted_date_and_dotted_keys_work() {
        let c = check("as-of = \"2025-06-01\"\nallowlist.paths = [\"*.md\"]\n").unwrap();
        assert_eq!(c.as_of.unwrap().to_string(), "2025-06-01");
        assert!(c.drops(Path::new("/p/README.md"), "hardcoded-key"));
    }

    #[test]
    fn unknown_keys_name_the_line_and_suggest() {
        let e = error("fail-on = \"error\"\nselct = []\n");
        assert!(
            e.starts_with("keylint.toml:2:1: unknown key `selct`; did you mean `select`?"),
            "{e}"
        );
        let e = error("[allowlist]\nsecret = []\n");
        assert!(e.starts_with("keylint.toml:2:1: unknown key `allowlist.secret`; did you mean `allowlist.secrets`?"), "{e}");
    }

    #[test]
    fn unknown_rule_ids_suggest_the_closest() {
        let e = error("select = [\"missing-bearer\", \"hardcoded-keys\"]\n");
        assert!(e.starts_with("keylint.toml:1:29: `select`: unknown rule id `hardcoded-keys`; did you mean `hardcoded-key`?"), "{e}");
        let e = error("[per-file-ignores]\n\"a/*\" = [\"placeholder\"]\n");
        assert!(
            e.starts_with(
                "keylint.toml:2:10: `per-file-ignores.\"a/*\"`: unknown rule id `placeholder`"
            ),
            "{e}"
        );
    }

    #[test]
    fn bad_values_name_the_key() {
        for (text, want) in [
            (
                "select = \"hardcoded-key\"\n",
                "1:10: `select` must be a list of rule ids, not a string",
            ),
            (
                "ignore = [1]\n",
                "1:11: `ignore` must be a list of rule ids; this item is an integer",
            ),
            (
                "extend-exclude = [\"a[b\"]\n",
                "1:19: `extend-exclude`: invalid glob `a[b`: unclosed character class",
            ),
            (
                "[per-file-ignores]\n\"{a\" = []\n",
                "2:1: `per-file-ignores`: invalid glob `{a`: unclosed alternate group",
            ),
            (
                "allowlist = []\n",
                "1:13: `allowlist` must be a table, not a list",
            ),
            (
                "[allowlist]\nsecrets = [\"ok\", \"(\"]\n",
                "2:18: `allowlist.secrets`: item 2 is not a valid regex: unclosed group",
            ),
            (
                "[allowlist]\nsecrets = [\"x*\"]\n",
                "2:12: `allowlist.secrets`: item 1 matches the empty string",
            ),
            (
                "fail-on = \"warn\"\n",
                "1:11: `fail-on` must be one of `error`, `warning`, `note`, `never`; got `warn`",
            ),
            ("fail-on = 1\n", "1:11: `fail-on` must be one of"),
            (
                "as-of = \"2026-13-01\"\n",
                "1:9: `as-of`: `2026-13-01` is not a date",
            ),
            (
                "as-of = 2026-01-01T10:00:00\n",
                "1:9: `as-of` must be a date (YYYY-MM-DD) without a time",
            ),
            (
                "as-of = true\n",
                "1:9: `as-of` must be a date (YYYY-MM-DD), not a boolean",
            ),
            (
                "select = [\n",
                "1:11: invalid TOML in `select`: unclosed array",
            ),
            (
                "as-of = 2026-02-30\n",
                "1:9: invalid TOML in `as-of`: invalid date",
            ),
        ] {
            let e = error(text);
            assert!(
                e.starts_with(&format!("keylint.toml:{want}")),
                "{text:?}: {e}"
            );
        }
    }

    #[test]
    fn pyproject_counts_only_with_tool_keylint() {
        let rules = RuleSet::builtin();
        let dir = Path::new("/p");
        let none = parse(
            "[tool.ruff]\nselect = [\"E\"]\n",
            "pyproject.toml",
            dir,
            true,
            &rules,
        );
        assert!(none.unwrap().is_none());
        // Broken TOML that does not mention us is not our error.
        assert!(
            parse("[project\n", "pyproject.toml", dir, true, &rules)
                .unwrap()
                .is_none()
        );
        let some = parse(
            "[project]\nname = \"x\"\n\n[tool.keylint]\nignore = [\"key-logged\"]\n",
            "pyproject.toml",
            dir,
            true,
            &rules,
        );
        assert_eq!(some.unwrap().unwrap().ignore, ["key-logged"]);
        let e = parse(
            "[tool.keylint]\nfail_on = \"x\"\n",
            "pyproject.toml",
            dir,
            true,
            &rules,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("pyproject.toml:2:1: unknown key `fail_on`; did you mean `fail-on`?"),
            "{e}"
        );
    }

    #[test]
    fn regex_errors_never_quote_the_pattern() {
        let e = error("[allowlist]\nsecrets = [\"sk-very-secret-(\"]\n");
        assert!(!e.contains("very-secret"), "{e}");
    }

    #[test]
    fn command_line_selection_layers_like_ruff() {
        let all = RuleSet::builtin();
        let c = check("select = [\"hardcoded-key\", \"key-logged\"]\nignore = [\"key-logged\"]\n")
            .unwrap();
        let ids = |set: RuleSet| set.ids().map(str::to_string).collect::<Vec<_>>();
        let none = Overrides::default();
        assert_eq!(
            ids(select_rules(&all, Some(&c), &none).unwrap()),
            ["hardcoded-key"]
        );
        // --select starts afresh: the file's ignore no longer applies.
        let sel = ["key-logged".to_string()];
        let cli = Overrides {
            select: &sel,
            ..Overrides::default()
        };
        assert_eq!(
            ids(select_rules(&all, Some(&c), &cli).unwrap()),
            ["key-logged"]
        );
        // --ignore removes from the file's choice.
        let ign = ["hardcoded-key".to_string()];
        let cli = Overrides {
            ignore: &ign,
            ..Overrides::default()
        };
        assert!(ids(select_rules(&all, Some(&c), &cli).unwrap()).is_empty());
        assert_eq!(
            select_rules(&all, None, &none).unwrap().rules.len(),
            all.rules.len()
        );
    }

    #[test]
    fn command_line_beats_the_file_for_fail_on_and_as_of() {
        let c = check("fail-on = \"never\"\nas-of = 2020-01-01\n").unwrap();
        let none = Overrides::default();
        assert_eq!(fail_on(Some(&c), &none), FailOn::Never);
        assert_eq!(fail_on(None, &none), FailOn::Warning);
        let date: jiff::civil::Date = "2026-05-05".parse().unwrap();
        let cli = Overrides {
            fail_on: Some(FailOn::Error),
            as_of: Some(date),
            ..Overrides::default()
        };
        assert_eq!(fail_on(Some(&c), &cli), FailOn::Error);
        assert_eq!(as_of(Some(&c), &cli), Some(date));
        assert_eq!(as_of(Some(&c), &none).unwrap().to_string(), "2020-01-01");
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\ncé d", 7), (2, 4));
        assert_eq!(line_col("x", 99), (1, 2));
    }

    #[test]
    fn discovery_walks_up_and_prefers_keylint_toml() {
        let rules = RuleSet::builtin();
        let root = tempfile::tempdir().unwrap();
        let deep = root.path().join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(
            root.path().join("pyproject.toml"),
            "[tool.keylint]\nignore = [\"key-logged\"]\n",
        )
        .unwrap();
        std::fs::write(
            root.path().join("a/pyproject.toml"),
            "[project]\nname = \"a\"\n",
        )
        .unwrap();
        let found = discover(&deep, root.path(), &rules).unwrap().unwrap();
        assert_eq!(found.file, "pyproject.toml");
        std::fs::write(
            root.path().join(".keylint.toml"),
            "ignore = [\"missing-bearer\"]\n",
        )
        .unwrap();
        assert_eq!(
            discover(&deep, root.path(), &rules).unwrap().unwrap().file,
            ".keylint.toml"
        );
        std::fs::write(root.path().join("keylint.toml"), "").unwrap();
        let found = discover(&deep.join("x.py"), &deep, &rules)
            .unwrap()
            .unwrap();
        assert!(
            found.file.ends_with("/keylint.toml") && found.ignore.is_empty(),
            "{}",
            found.file
        );
    }
}
