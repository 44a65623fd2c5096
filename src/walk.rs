//! Discovery: turn the user's paths into a sorted list of files to analyse.
//!
//! Directories are walked in parallel with `.gitignore`, `.ignore` and
//! `.keylintignore` honoured. Hidden files are walked (`.env` is hidden); `.git/`
//! and dependency folders are skipped unless `--no-ignore`. Paths named explicitly
//! are always scanned, since pre-commit passes file names.

use crate::config::PathPatterns;
use crate::findings::{Diagnostic, DiagnosticKind};
use ignore::{WalkBuilder, WalkState};
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// As shown to the user and used for sorting.
    pub display: String,
    pub path: PathBuf,
    /// Named on the command line (not found by walking).
    pub explicit: bool,
}

#[derive(Debug, Clone)]
pub struct WalkOptions {
    pub threads: usize,
    /// Scan ignored files and dependency folders too.
    pub no_ignore: bool,
    /// Follow symbolic links while walking.
    pub follow_links: bool,
    /// The configuration's `extend-exclude`: never scanned, even when named on the
    /// command line (pre-commit names every staged file).
    pub exclude: Option<Arc<Excluded>>,
}

/// Paths that are not scanned, matched against their absolute form.
#[derive(Debug)]
pub struct Excluded {
    pub patterns: PathPatterns,
    pub cwd: PathBuf,
}

impl Excluded {
    pub fn contains(&self, path: &Path) -> bool {
        self.patterns.is_match(&absolute(path, &self.cwd))
    }
}

/// `path` made absolute against `cwd` without touching the file system: `.` and `..`
/// are resolved by their text, so a path and the configuration that governs it
/// compare the same way whether or not either exists.
pub fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in cwd.join(path).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Folders that hold other people's code, never the project's keys.
const DEPENDENCY_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    "bower_components",
    "jspm_packages",
    ".venv",
    "venv",
    "site-packages",
    "dist-packages",
    "__pypackages__",
    ".tox",
    ".nox",
    "__pycache__",
];

pub const IGNORE_FILE: &str = ".keylintignore";

/// Display form of a path: `/`-separated, without a leading `./`.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let mut s = s.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    if s.is_empty() {
        ".".to_string()
    } else {
        s.to_string()
    }
}

fn is_dependency_dir(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    DEPENDENCY_DIRS.contains(&name.as_ref()) || path.join("pyvenv.cfg").is_file()
}

/// Walk `roots`. A root that does not exist is a usage error, returned as `Err`.
pub fn discover(
    roots: &[PathBuf],
    options: &WalkOptions,
) -> Result<(Vec<Candidate>, Vec<Diagnostic>), String> {
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    let excluded = |path: &Path| options.exclude.as_ref().is_some_and(|e| e.contains(path));
    for root in roots {
        if excluded(root) {
            continue;
        }
        match std::fs::metadata(root) {
            Ok(meta) if meta.is_dir() => dirs.push(root.clone()),
            Ok(_) => files.push(Candidate {
                display: display_path(root),
                path: root.clone(),
                explicit: true,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!("{}: no such file or directory", root.display()));
            }
            // Exists but cannot be inspected: the read will report it per file.
            Err(_) => files.push(Candidate {
                display: display_path(root),
                path: root.clone(),
                explicit: true,
            }),
        }
    }
    let found = Mutex::new(files);
    let diagnostics = Mutex::new(Vec::new());
    if !dirs.is_empty() {
        let mut builder = WalkBuilder::new(&dirs[0]);
        for dir in &dirs[1..] {
            builder.add(dir);
        }
        let no_ignore = options.no_ignore;
        let exclude = options.exclude.clone();
        builder
            .hidden(false)
            .follow_links(options.follow_links)
            .threads(options.threads)
            .git_ignore(!no_ignore)
            .git_global(!no_ignore)
            .git_exclude(!no_ignore)
            .ignore(!no_ignore)
            .parents(!no_ignore)
            .filter_entry(move |entry| {
                // Never descend into version-control metadata; dependency folders only
                // when asked. The roots themselves are always walked.
                if entry.depth() > 0 && exclude.as_ref().is_some_and(|e| e.contains(entry.path())) {
                    return false;
                }
                if entry.depth() == 0 || !entry.file_type().is_some_and(|t| t.is_dir()) {
                    return true;
                }
                let name = entry.file_name();
                if name == ".git" || name == ".hg" || name == ".svn" {
                    return false;
                }
                no_ignore || !is_dependency_dir(entry.path())
            });
        if !no_ignore {
            builder.add_custom_ignore_filename(IGNORE_FILE);
        }
        builder.build_parallel().run(|| {
            let found = &found;
            let diagnostics = &diagnostics;
            Box::new(move |entry| {
                match entry {
                    Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                        let candidate = Candidate {
                            display: display_path(entry.path()),
                            path: entry.into_path(),
                            explicit: false,
                        };
                        found
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(candidate);
                    }
                    Ok(_) => {}
                    Err(err) => diagnostics
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(walk_diagnostic(&err)),
                }
                WalkState::Continue
            })
        });
    }
    let mut files = found.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort();
    // The same file named twice (or named and walked) is analysed once; an explicit
    // mention wins so it is never filtered.
    files.dedup_by(|later, earlier| {
        if later.display == earlier.display {
            earlier.explicit |= later.explicit;
            true
        } else {
            false
        }
    });
    let mut diagnostics = diagnostics.into_inner().unwrap_or_else(|e| e.into_inner());
    diagnostics.sort();
    Ok((files, diagnostics))
}

fn walk_diagnostic(err: &ignore::Error) -> Diagnostic {
    let (path, message) = split_walk_error(err);
    Diagnostic {
        path,
        line: None,
        kind: DiagnosticKind::Walk,
        message,
    }
}

fn split_walk_error(err: &ignore::Error) -> (Option<String>, String) {
    match err {
        ignore::Error::WithPath { path, err } => {
            (Some(display_path(path)), split_walk_error(err).1)
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            split_walk_error(err)
        }
        ignore::Error::Loop { child, ancestor } => (
            Some(display_path(child)),
            format!(
                "symbolic link loop back to {}; not followed",
                display_path(ancestor)
            ),
        ),
        ignore::Error::Io(e) => (None, format!("cannot read: {e}")),
        other => (None, other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_paths() {
        assert_eq!(display_path(Path::new("./a/b.py")), "a/b.py");
        assert_eq!(display_path(Path::new(".")), ".");
        assert_eq!(display_path(Path::new("/abs/x")), "/abs/x");
    }

    #[test]
    fn absolute_resolves_dots_by_text() {
        let cwd = Path::new("/work/app");
        assert_eq!(
            absolute(Path::new("./src/../a.py"), cwd),
            Path::new("/work/app/a.py")
        );
        assert_eq!(absolute(Path::new("../lib"), cwd), Path::new("/work/lib"));
        assert_eq!(absolute(Path::new("/etc/x"), cwd), Path::new("/etc/x"));
        assert_eq!(absolute(Path::new("."), cwd), Path::new("/work/app"));
    }
}
