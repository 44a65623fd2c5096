//! `env-file-not-ignored`: a `.env`-style file holding a real key that git would
//! commit. The per-file pass notes `.env` files with a hardcoded key; judgement
//! asks git, once per file, whether the file is ignored or already tracked.

use crate::findings::Finding;
use std::path::Path;
use std::process::{Command, Stdio};

pub const ENV_FILE_NOT_IGNORED: &str = "env-file-not-ignored";

/// What git says about a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GitStatus {
    /// Matched by `.gitignore`, `.git/info/exclude` or the global excludes file.
    Ignored,
    /// Not ignored and not yet committed: the next `git add .` takes it.
    Unignored,
    /// Already in the index: the key is (or will be) in the history.
    Tracked,
    /// Not in a git work tree, or git is unavailable: nothing to say.
    Unknown,
}

/// Ask git about `path` (as given on the command line, relative to the current
/// directory or absolute). Runs from the file's own directory so a scan of
/// several repositories asks each its own question.
pub fn git_status(path: &str) -> GitStatus {
    let file = Path::new(path);
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let Some(name) = file.file_name() else {
        return GitStatus::Unknown;
    };
    if !dir.is_dir() {
        return GitStatus::Unknown;
    }
    let git = |args: &[&std::ffi::OsStr]| {
        Command::new("git")
            .current_dir(dir)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()
            .and_then(|s| s.code())
    };
    let tracked = git(&[
        "ls-files".as_ref(),
        "--error-unmatch".as_ref(),
        "--".as_ref(),
        name,
    ]);
    match tracked {
        Some(0) => return GitStatus::Tracked,
        Some(1) => {}
        _ => return GitStatus::Unknown, // 128: not a work tree; None: no git
    }
    match git(&["check-ignore".as_ref(), "-q".as_ref(), "--".as_ref(), name]) {
        Some(0) => GitStatus::Ignored,
        Some(1) => GitStatus::Unignored,
        _ => GitStatus::Unknown,
    }
}

/// Turn the pending sites (one per file: its first key) into findings.
pub fn judge(sites: &[Finding], status: &dyn Fn(&str) -> GitStatus) -> Vec<Finding> {
    let mut out = Vec::new();
    for site in sites {
        let name = site.path.rsplit('/').next().unwrap_or(&site.path);
        let message = match status(&site.path) {
            GitStatus::Ignored | GitStatus::Unknown => continue,
            GitStatus::Unignored => format!(
                "`{name}` holds an API key and git does not ignore it: the next `git add .` \
                 commits the key, and everyone who can read the repository can use it (providers \
                 and secret scanners find pushed keys within minutes and revoke them). Add \
                 `{name}` to `.gitignore`, and commit a `.env.example` with empty values instead"
            ),
            GitStatus::Tracked => format!(
                "`{name}` holds an API key and is tracked by git: the key is in the \
                 repository's history for everyone who can read it. Revoke the key, remove the \
                 file from the index (`git rm --cached {name}`), add it to `.gitignore`, and \
                 commit a `.env.example` with empty values instead"
            ),
        };
        let mut finding = site.clone();
        finding.message = message;
        out.push(finding);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git")
            .current_dir(dir)
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn asks_git_about_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join("app").join(".env");
        std::fs::create_dir(dir.path().join("app")).unwrap();
        std::fs::write(&env, "X=1\n").unwrap();
        let path = env.to_str().unwrap();
        // Outside a work tree (a fresh temporary directory): nothing to say.
        if git_status(path) != GitStatus::Unknown {
            return; // TMPDIR itself is inside a repository; the rest still holds below
        }
        git(dir.path(), &["init", "-q"]);
        assert_eq!(git_status(path), GitStatus::Unignored);
        std::fs::write(dir.path().join(".gitignore"), ".env\n").unwrap();
        assert_eq!(git_status(path), GitStatus::Ignored);
        git(dir.path(), &["add", "-f", "app/.env"]);
        assert_eq!(git_status(path), GitStatus::Tracked);
        assert_eq!(git_status("/no/such/dir/.env"), GitStatus::Unknown);
    }
}
