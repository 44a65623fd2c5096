//! Path globs of the configuration (`per-file-ignores`, `extend-exclude`,
//! `allowlist.paths`), compiled with `globset` and matched relative to the
//! directory of the file that declares them.
//!
//! A pattern without `/` matches a file or folder name at any depth (`*.ipynb`,
//! `vendor`); a pattern with `/` matches from the configuration's directory
//! (`tests/**`, `/build`). A pattern that matches a folder matches everything in
//! it. `*` stays inside one path component; `**` crosses them.

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct PathPatterns {
    dir: PathBuf,
    /// Patterns with a `/`, matched against the path from `dir`.
    anchored: GlobSet,
    anchored_ids: Vec<usize>,
    /// Patterns without one, matched against each component's name.
    names: GlobSet,
    name_ids: Vec<usize>,
}

impl PathPatterns {
    /// Compile `patterns`, rooted at the absolute directory `dir`. `Err` gives the
    /// index of the first bad pattern and why.
    pub fn new<S: AsRef<str>>(dir: &Path, patterns: &[S]) -> Result<PathPatterns, (usize, String)> {
        let mut anchored = GlobSetBuilder::new();
        let mut anchored_ids = Vec::new();
        let mut names = GlobSetBuilder::new();
        let mut name_ids = Vec::new();
        for (i, pattern) in patterns.iter().enumerate() {
            let raw = pattern.as_ref();
            let trimmed = raw.trim_start_matches("./").trim_end_matches('/');
            let (text, rooted) = match trimmed.strip_prefix('/') {
                Some(rest) => (rest, true),
                None => (trimmed, trimmed.contains('/')),
            };
            if text.is_empty() {
                return Err((i, "an empty pattern matches nothing".to_string()));
            }
            let glob = compile(text).map_err(|e| (i, e))?;
            if rooted {
                anchored.add(glob);
                anchored_ids.push(i);
            } else {
                names.add(glob);
                name_ids.push(i);
            }
        }
        let build = |b: GlobSetBuilder| b.build().map_err(|e| (0, e.to_string()));
        Ok(PathPatterns {
            dir: dir.to_path_buf(),
            anchored: build(anchored)?,
            anchored_ids,
            names: build(names)?,
            name_ids,
        })
    }

    /// Whether any pattern matches the absolute `path` or a folder above it.
    pub fn is_match(&self, path: &Path) -> bool {
        let mut found = false;
        self.visit(path, |set, _, subject| {
            found = set.is_match(subject);
            found
        });
        found
    }

    /// The indices of the patterns that match the absolute `path` or a folder above
    /// it, ascending and without repeats.
    pub fn matching(&self, path: &Path) -> Vec<usize> {
        let mut out = Vec::new();
        let mut hits = Vec::new();
        self.visit(path, |set, ids, subject| {
            set.matches_into(subject, &mut hits);
            out.extend(hits.iter().map(|&h| ids[h]));
            false
        });
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Call `check` for each ancestor of `path` below `dir` (`a`, `a/b`, `a/b/c.py`)
    /// with the anchored set and that path, then the name set and the last
    /// component, until it returns true. Paths outside `dir` match nothing: a
    /// configuration governs only its own folder.
    fn visit(&self, path: &Path, mut check: impl FnMut(&GlobSet, &[usize], &str) -> bool) {
        let Ok(rel) = path.strip_prefix(&self.dir) else {
            return;
        };
        let mut prefix = String::new();
        for part in rel.components() {
            let name = part.as_os_str().to_string_lossy();
            if !prefix.is_empty() {
                prefix.push('/');
            }
            prefix.push_str(&name);
            if !self.anchored.is_empty() && check(&self.anchored, &self.anchored_ids, &prefix) {
                return;
            }
            if !self.names.is_empty() && check(&self.names, &self.name_ids, &name) {
                return;
            }
        }
    }
}

fn compile(text: &str) -> Result<Glob, String> {
    GlobBuilder::new(text)
        .literal_separator(true)
        .build()
        // The kind alone: the full message repeats the pattern, which the caller quotes.
        .map_err(|e| e.kind().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(patterns: &[&str]) -> PathPatterns {
        PathPatterns::new(Path::new("/p"), patterns).unwrap()
    }

    #[test]
    fn name_patterns_match_at_any_depth() {
        let s = set(&["*.ipynb", "vendor"]);
        assert!(s.is_match(Path::new("/p/a/b/n.ipynb")));
        assert!(s.is_match(Path::new("/p/vendor/lib/x.py")));
        assert!(s.is_match(Path::new("/p/src/vendor/x.py")));
        assert!(!s.is_match(Path::new("/p/src/vendored.py")));
    }

    #[test]
    fn patterns_with_a_slash_start_at_the_config_folder() {
        let s = set(&["tests/**", "/build", "src/*.py"]);
        assert!(s.is_match(Path::new("/p/tests/unit/test_a.py")));
        assert!(!s.is_match(Path::new("/p/src/tests/test_a.py")));
        assert!(s.is_match(Path::new("/p/build/out.js")));
        assert!(!s.is_match(Path::new("/p/src/build/out.js")));
        assert!(s.is_match(Path::new("/p/src/app.py")));
    }

    #[test]
    fn star_does_not_cross_folders_but_double_star_does() {
        let s = set(&["src/*.py"]);
        assert!(!s.is_match(Path::new("/p/src/pkg/app.py")));
        let s = set(&["src/**/*.py"]);
        assert!(s.is_match(Path::new("/p/src/pkg/app.py")));
        assert!(s.is_match(Path::new("/p/src/app.py")));
    }

    #[test]
    fn paths_outside_the_folder_never_match() {
        let s = set(&["*.py"]);
        assert!(!s.is_match(Path::new("/other/app.py")));
        assert!(!s.is_match(Path::new("/p")));
    }

    #[test]
    fn matching_reports_every_pattern_index_once() {
        let s = set(&["tests/**", "*.py", "docs"]);
        assert_eq!(s.matching(Path::new("/p/tests/a.py")), [0, 1]);
        assert_eq!(s.matching(Path::new("/p/docs/x/y.md")), [2]);
        assert!(s.matching(Path::new("/p/README.md")).is_empty());
    }

    #[test]
    fn bad_and_empty_patterns_name_their_index() {
        let (i, why) = PathPatterns::new(Path::new("/p"), &["ok", "a[b"]).unwrap_err();
        assert_eq!(i, 1);
        assert!(why.contains("unclosed"), "{why}");
        assert_eq!(PathPatterns::new(Path::new("/p"), &["/"]).unwrap_err().0, 0);
    }
}
