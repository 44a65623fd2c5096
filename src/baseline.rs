//! Baselines: record today's findings so a scan reports only new ones.
//!
//! An entry is a rule, a path and a fingerprint (a hash of the rule and the
//! normalised secret or code; see [`crate::findings::fingerprint`]), with a count
//! for identical findings in one file. No field can hold the secret or the source
//! line. Paths are relative to the baseline file's folder, so the baseline works
//! from any working directory.
//!
//! Matching: a finding first takes an entry with the same rule, path and
//! fingerprint (so moved lines still match), then one with the same rule and
//! fingerprint elsewhere (so a renamed file still matches). Each entry absorbs at
//! most its count.

use crate::findings::{Finding, Report};
use crate::walk;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The format version this build writes and reads.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
    /// How many findings with this rule, path and fingerprint there were.
    pub count: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Baseline {
    /// The absolute folder that entry paths are relative to.
    dir: PathBuf,
    /// Sorted by path, rule, fingerprint; one entry per triple.
    entries: Vec<Entry>,
}

impl Baseline {
    /// The baseline of `report`'s findings, to be written at `file`. Finding paths
    /// are relative to `cwd` (or absolute).
    pub fn from_report(report: &Report, file: &Path, cwd: &Path) -> Baseline {
        let dir = folder_of(file, cwd);
        let mut counts: BTreeMap<(String, String, String), usize> = BTreeMap::new();
        for f in &report.findings {
            let key = (
                relative(&f.path, &dir, cwd),
                f.rule.clone(),
                f.fingerprint.clone(),
            );
            *counts.entry(key).or_default() += 1;
        }
        Baseline {
            dir,
            entries: entries(counts),
        }
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The file's text: pretty JSON, sorted, ending with a newline, so it diffs well.
    pub fn to_json(&self) -> String {
        let file = File {
            version: VERSION,
            findings: self.entries.clone(),
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Read a baseline file. `Err` names the file and why it cannot be used.
    pub fn load(file: &Path, cwd: &Path) -> Result<Baseline, String> {
        let shown = walk::display_path(file);
        let text = std::fs::read_to_string(file)
            .map_err(|e| format!("{shown}: cannot read the baseline: {e}"))?;
        Baseline::parse(&text, folder_of(file, cwd)).map_err(|why| format!("{shown}: {why}"))
    }

    fn parse(text: &str, dir: PathBuf) -> Result<Baseline, String> {
        #[derive(Deserialize)]
        struct Version {
            version: Option<u32>,
        }
        // The version first, so a newer file says so instead of failing on a field.
        let version: Version = serde_json::from_str(text)
            .map_err(|e| format!("not a keylint baseline (invalid JSON: {e})"))?;
        match version.version {
            Some(VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "baseline version {v} is not supported (this keylint reads version {VERSION})"
                ));
            }
            None => return Err("not a keylint baseline (no `version` field)".to_string()),
        }
        let file: File =
            serde_json::from_str(text).map_err(|e| format!("not a keylint baseline ({e})"))?;
        let mut merged: BTreeMap<(String, String, String), usize> = BTreeMap::new();
        for e in file.findings {
            let hex = !e.fingerprint.is_empty()
                && e.fingerprint.len() <= 64
                && e.fingerprint.bytes().all(|b| b.is_ascii_hexdigit());
            if !hex {
                return Err(format!(
                    "entry for `{}` in {} has a fingerprint that is not a hex hash",
                    e.rule, e.path
                ));
            }
            if e.count == 0 {
                return Err(format!(
                    "entry for `{}` in {} has count 0; remove it instead",
                    e.rule, e.path
                ));
            }
            *merged
                .entry((e.path, e.rule, e.fingerprint.to_ascii_lowercase()))
                .or_default() += e.count;
        }
        Ok(Baseline {
            dir,
            entries: entries(merged),
        })
    }

    /// Remove the findings the baseline holds from `report`, count them in
    /// `report.in_baseline`. Finding paths are relative to `cwd` (or absolute).
    pub fn apply(&self, report: &mut Report, cwd: &Path) {
        let mut left: Vec<usize> = self.entries.iter().map(|e| e.count).collect();
        let paths: Vec<String> = report
            .findings
            .iter()
            .map(|f| relative(&f.path, &self.dir, cwd))
            .collect();
        let mut known = vec![false; report.findings.len()];
        // Same rule, path and fingerprint: the finding only moved within its file.
        for (i, f) in report.findings.iter().enumerate() {
            if let Some(e) = self.find(&left, |e| e.path == paths[i] && same(e, f)) {
                left[e] -= 1;
                known[i] = true;
            }
        }
        // Same rule and fingerprint in another file: a rename or a move, taken only
        // from entries whose file is gone or was scanned now (a key moved out of a
        // file that stays). A file that exists but was not scanned (a pre-commit run
        // names only staged files) keeps its entries, so copying a recorded key into
        // a new file is still reported.
        let scanned: std::collections::BTreeSet<String> = report
            .scanned_paths
            .iter()
            .map(|p| relative(p, &self.dir, cwd))
            .collect();
        for (i, f) in report.findings.iter().enumerate() {
            if known[i] {
                continue;
            }
            let movable = |e: &Entry| {
                same(e, f) && (scanned.contains(&e.path) || !self.dir.join(&e.path).exists())
            };
            if let Some(e) = self.find(&left, movable) {
                left[e] -= 1;
                known[i] = true;
            }
        }
        let mut flags = known.into_iter();
        let before = report.findings.len();
        report.findings.retain(|_| !flags.next().unwrap_or(false));
        report.in_baseline = Some(before - report.findings.len());
    }

    fn find(&self, left: &[usize], test: impl Fn(&Entry) -> bool) -> Option<usize> {
        self.entries
            .iter()
            .enumerate()
            .find(|(i, e)| left[*i] > 0 && test(e))
            .map(|(i, _)| i)
    }
}

/// Entries from counts by (path, rule, fingerprint), in that order.
fn entries(counts: BTreeMap<(String, String, String), usize>) -> Vec<Entry> {
    counts
        .into_iter()
        .map(|((path, rule, fingerprint), count)| Entry {
            path,
            rule,
            fingerprint,
            count,
        })
        .collect()
}

fn same(e: &Entry, f: &Finding) -> bool {
    e.rule == f.rule && e.fingerprint == f.fingerprint
}

fn folder_of(file: &Path, cwd: &Path) -> PathBuf {
    let absolute = walk::absolute(file, cwd);
    absolute.parent().map(Path::to_path_buf).unwrap_or(absolute)
}

/// A finding's path relative to the baseline's folder, `/`-separated; absolute
/// when it lies outside.
fn relative(path: &str, dir: &Path, cwd: &Path) -> String {
    let absolute = walk::absolute(Path::new(path), cwd);
    walk::display_path(absolute.strip_prefix(dir).unwrap_or(&absolute))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::findings::{Level, Position, Snippet};

    fn finding(path: &str, rule: &str, fingerprint: &str, line: usize) -> Finding {
        let at = Position {
            line,
            column: 1,
            utf16_column: 1,
        };
        Finding {
            path: path.to_string(),
            rule: rule.to_string(),
            level: Level::Error,
            start: at,
            end: at,
            message: String::new(),
            fingerprint: fingerprint.to_string(),
            snippet: Snippet {
                text: String::new(),
                highlight: 0..0,
            },
            replacement: None,
        }
    }

    /// A scan of the files the findings are in.
    fn report(findings: Vec<Finding>) -> Report {
        let mut scanned_paths: Vec<String> = findings.iter().map(|f| f.path.clone()).collect();
        scanned_paths.dedup();
        Report {
            findings,
            scanned_paths,
            ..Report::default()
        }
    }

    #[test]
    fn entries_are_sorted_counted_and_relative_to_the_baseline_folder() {
        let r = report(vec![
            finding("src/b.py", "hardcoded-key", "aa", 3),
            finding("src/b.py", "hardcoded-key", "aa", 9),
            finding("a.py", "missing-bearer", "bb", 1),
        ]);
        let b = Baseline::from_report(&r, Path::new("../base.json"), Path::new("/w/app"));
        let got: Vec<(&str, usize)> = b
            .entries
            .iter()
            .map(|e| (e.path.as_str(), e.count))
            .collect();
        assert_eq!(got, [("app/a.py", 1), ("app/src/b.py", 2)]);
        let json = b.to_json();
        assert!(
            json.starts_with("{\n  \"version\": 1,\n  \"findings\": ["),
            "{json}"
        );
        assert!(json.ends_with("}\n"));
        assert_eq!(Baseline::parse(&json, PathBuf::from("/w")).unwrap(), b);
    }

    #[test]
    fn moved_lines_match_and_counts_are_absorbed_once() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        std::fs::write(cwd.join("a.py"), "").unwrap();
        let old = report(vec![finding("a.py", "hardcoded-key", "aa", 2)]);
        let b = Baseline::from_report(&old, Path::new("b.json"), cwd);
        let mut now = report(vec![
            finding("a.py", "hardcoded-key", "aa", 40),
            finding("a.py", "hardcoded-key", "aa", 41),
        ]);
        b.apply(&mut now, cwd);
        assert_eq!(now.findings.len(), 1, "the second copy is new");
        assert_eq!(now.in_baseline, Some(1));
    }

    #[test]
    fn renamed_files_match_but_copies_next_to_an_unscanned_original_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        let old = report(vec![finding("old.py", "hardcoded-key", "aa", 2)]);
        let b = Baseline::from_report(&old, Path::new("b.json"), cwd);
        // old.py is gone: the finding in new.py is the same one, renamed.
        let mut now = report(vec![finding("new.py", "hardcoded-key", "aa", 2)]);
        b.apply(&mut now, cwd);
        assert!(now.findings.is_empty());
        // old.py still exists but was not scanned: the copy is reported.
        std::fs::write(cwd.join("old.py"), "").unwrap();
        let mut now = report(vec![finding("new.py", "hardcoded-key", "aa", 2)]);
        b.apply(&mut now, cwd);
        assert_eq!(now.findings.len(), 1);
        // A different rule or fingerprint never matches.
        let mut now = report(vec![
            finding("old.py", "malformed-key", "aa", 2),
            finding("old.py", "hardcoded-key", "ab", 2),
        ]);
        b.apply(&mut now, cwd);
        assert_eq!(now.findings.len(), 2);
        assert_eq!(now.in_baseline, Some(0));
    }

    #[test]
    fn a_key_moved_out_of_a_file_that_stays_and_was_scanned_is_known() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        std::fs::write(cwd.join("a.py"), "").unwrap();
        let old = report(vec![finding("a.py", "hardcoded-key", "aa", 1)]);
        let b = Baseline::from_report(&old, Path::new("b.json"), cwd);
        let mut now = report(vec![finding("b.py", "hardcoded-key", "aa", 7)]);
        now.scanned_paths.push("a.py".to_string());
        b.apply(&mut now, cwd);
        assert!(now.findings.is_empty());
    }

    #[test]
    fn a_finding_split_between_two_files_matches_both() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        std::fs::write(cwd.join("a.py"), "").unwrap();
        let old = report(vec![
            finding("a.py", "hardcoded-key", "aa", 1),
            finding("a.py", "hardcoded-key", "aa", 2),
        ]);
        let b = Baseline::from_report(&old, Path::new("b.json"), cwd);
        let mut now = report(vec![
            finding("a.py", "hardcoded-key", "aa", 1),
            finding("b.py", "hardcoded-key", "aa", 1),
        ]);
        b.apply(&mut now, cwd);
        assert!(now.findings.is_empty());
    }

    #[test]
    fn bad_files_say_why() {
        let dir = PathBuf::from("/w");
        for (text, want) in [
            ("", "invalid JSON"),
            ("[]", "invalid JSON"),
            ("{}", "no `version` field"),
            (
                "{\"version\": 2, \"findings\": []}",
                "version 2 is not supported",
            ),
            ("{\"version\": 1}", "missing field `findings`"),
            (
                "{\"version\": 1, \"findings\": [{\"path\": \"a\", \"rule\": \"r\", \"fingerprint\": \"zz\", \"count\": 1}]}",
                "not a hex hash",
            ),
            (
                "{\"version\": 1, \"findings\": [{\"path\": \"a\", \"rule\": \"r\", \"fingerprint\": \"ab\", \"count\": 1, \"snippet\": \"x\"}]}",
                "unknown field `snippet`",
            ),
        ] {
            let e = Baseline::parse(text, dir.clone()).unwrap_err();
            assert!(e.contains(want), "{text}: {e}");
        }
    }
}
