//! `keylint scan --staged`: the files of the next commit, as git's index holds them.
//!
//! The list comes from `git diff --cached` and the content from the staged blobs
//! (`git cat-file --batch`), never from the work tree: a key that is staged and then
//! deleted from the work tree is still reported, and a key only in the work tree is
//! not. That is what a plain `pre-commit` hook needs, since git commits the index.

use crate::analyze::Analyzer;
use crate::findings::Report;
use crate::rules::env_file_git::GitStatus;
use crate::scan::{self, NamedContent};
use crate::source::{self, FileKind, LoadError, RawFile};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

/// The result of scanning the index.
#[derive(Debug)]
pub struct StagedScan {
    pub report: Report,
    /// Staged files that the commit adds or changes (regular files only).
    pub staged: usize,
    /// Of those, the files the configuration's `extend-exclude` left out.
    pub excluded: usize,
}

impl StagedScan {
    /// Why nothing was analysed, when nothing was.
    pub fn nothing_to_scan(&self) -> Option<&'static str> {
        match (self.staged, self.excluded) {
            (0, _) => Some("nothing is staged"),
            (n, e) if n == e => Some("every staged file is excluded by `extend-exclude`"),
            _ => None,
        }
    }
}

/// Scan the staged content of every staged file, named relative to `cwd` as the
/// walk names files. The staged files are the project the cross-file rules see.
/// `Err` is a usage-level error: not a git work tree, or git failing.
pub fn scan(
    analyzer: &Analyzer,
    cwd: &Path,
    max_size: u64,
    threads: usize,
    excluded: &dyn Fn(&str) -> bool,
) -> Result<StagedScan, String> {
    let top = WorkTree::find(cwd)?;
    let entries = top.staged_entries()?;
    let staged = entries.len();
    let entries: Vec<Entry> = entries
        .into_iter()
        .filter(|e| !excluded(&e.display))
        .collect();
    let excluded = staged - entries.len();
    let files = top.read_blobs(entries, max_size)?;
    let mut report = scan::analyze_contents(analyzer, files, threads)?;
    // Every file here is in the index: a `.env` with a key is about to be committed.
    analyzer.judge_project_with(&mut report, &|_| GitStatus::Tracked);
    report.finish();
    Ok(StagedScan {
        report,
        staged,
        excluded,
    })
}

/// One staged regular file.
#[derive(Debug)]
struct Entry {
    /// Relative to the working directory, `/`-separated.
    display: String,
    /// The staged blob's object id.
    blob: String,
}

struct WorkTree {
    top: std::path::PathBuf,
    /// The working directory relative to `top`: `""` or `sub/dir/`.
    prefix: String,
}

fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir).stdin(Stdio::null());
    cmd
}

/// Run a git command to completion; `Err` carries git's own first error line.
fn output(cmd: &mut Command, what: &str) -> Result<Vec<u8>, String> {
    let out = cmd
        .stderr(Stdio::piped())
        .stdout(Stdio::piped())
        .output()
        .map_err(|e| format!("--staged runs git, which did not start: {e}"))?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    Err(format!("{what} ({})", first_line(&out.stderr)))
}

fn first_line(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    line.trim().trim_start_matches("fatal: ").to_string()
}

impl WorkTree {
    fn find(cwd: &Path) -> Result<WorkTree, String> {
        let out = output(
            git(cwd).args(["rev-parse", "--show-toplevel", "--show-prefix"]),
            &format!(
                "--staged reads git's index, but {} is not inside a git work tree",
                cwd.display()
            ),
        )?;
        let text = String::from_utf8_lossy(&out);
        let mut lines = text.lines();
        let top = lines.next().filter(|t| !t.is_empty()).ok_or_else(|| {
            format!(
                "--staged reads git's index, but git names no work tree for {}",
                cwd.display()
            )
        })?;
        Ok(WorkTree {
            top: top.into(),
            prefix: lines.next().unwrap_or("").to_string(),
        })
    }

    /// The regular files the next commit adds, copies, modifies, renames or turns
    /// into a file (from a symbolic link), with their staged blobs. Deletions have
    /// nothing to scan; symbolic links and submodules are not files.
    fn staged_entries(&self) -> Result<Vec<Entry>, String> {
        // `--raw` gives each staged blob's id, so the content is read without a path
        // lookup; `--no-renames` keeps the output one path per entry whatever the
        // user's `diff.renames` (a rename is then an addition, which is scanned).
        let out = output(
            git(&self.top).args([
                "diff",
                "--cached",
                "--raw",
                "-z",
                "--no-abbrev",
                "--no-renames",
                "--no-color",
                "--diff-filter=ACMRT",
            ]),
            "cannot list the staged files with `git diff --cached`",
        )?;
        let mut entries = parse_raw(&out)
            .into_iter()
            .filter(|(mode, _, _)| mode == "100644" || mode == "100755")
            .map(|(_, blob, path)| Entry {
                display: relative_to(&path, &self.prefix),
                blob,
            })
            .collect::<Vec<_>>();
        entries.sort_by(|a, b| a.display.cmp(&b.display));
        Ok(entries)
    }

    /// The staged content of `entries`, through one `git cat-file --batch`.
    fn read_blobs(&self, entries: Vec<Entry>, max_size: u64) -> Result<Vec<NamedContent>, String> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let failed =
            |e: io::Error| format!("cannot read the staged files with `git cat-file`: {e}");
        let mut child = git(&self.top)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("--staged runs git, which did not start: {e}"))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or("git cat-file: no standard input")?;
        let stdout = child
            .stdout
            .take()
            .ok_or("git cat-file: no standard output")?;
        let blobs: Vec<String> = entries.iter().map(|e| e.blob.clone()).collect();
        let read = std::thread::scope(|s| {
            // Written from another thread: git answers while it reads, and a full
            // pipe on both sides would block forever.
            let writer = s.spawn(move || -> io::Result<()> {
                let mut w = io::BufWriter::new(&mut stdin);
                for blob in &blobs {
                    writeln!(w, "{blob}")?;
                }
                w.flush()
            });
            let mut reader = BufReader::new(stdout);
            let files = entries
                .into_iter()
                .map(|entry| {
                    let loaded = read_one(&mut reader, &entry, max_size)?;
                    Ok(NamedContent {
                        display: entry.display,
                        loaded,
                    })
                })
                .collect::<io::Result<Vec<_>>>();
            if files.is_err() {
                // git may be blocked writing answers nobody reads, and the writer
                // blocked behind it: stop git so both ends close.
                let _ = child.kill();
            }
            let written = writer
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("writer thread failed")));
            files.and_then(|files| written.map(|()| files))
        });
        let status = child.wait().map_err(failed)?;
        let files = read.map_err(failed)?;
        if !status.success() {
            let mut stderr = Vec::new();
            if let Some(mut e) = child.stderr.take() {
                let _ = e.read_to_end(&mut stderr);
            }
            return Err(format!(
                "cannot read the staged files with `git cat-file` ({})",
                first_line(&stderr)
            ));
        }
        Ok(files)
    }
}

/// One `git cat-file --batch` answer: `<id> blob <size>\n<content>\n`, or
/// `<id> missing\n` (a partial clone, a corrupt repository).
fn read_one(
    reader: &mut impl BufRead,
    entry: &Entry,
    max_size: u64,
) -> io::Result<Result<RawFile, LoadError>> {
    let mut header = String::new();
    if reader.read_line(&mut header)? == 0 {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "git stopped answering",
        ));
    }
    let fields: Vec<&str> = header.split_whitespace().collect();
    let size = match fields.as_slice() {
        [_, "blob", size] => size
            .parse::<u64>()
            .map_err(|_| io::Error::other(format!("unexpected answer `{}`", header.trim())))?,
        [_, "missing"] => {
            return Ok(Err(LoadError::Io(io::Error::new(
                io::ErrorKind::NotFound,
                format!(
                    "the staged blob {} is missing from the repository",
                    entry.blob
                ),
            ))));
        }
        _ => {
            return Err(io::Error::other(format!(
                "unexpected answer `{}`",
                header.trim()
            )));
        }
    };
    let loaded = if size > max_size {
        io::copy(&mut reader.take(size), &mut io::sink())?;
        Err(LoadError::TooLarge {
            size,
            limit: max_size,
        })
    } else {
        let mut bytes = Vec::with_capacity(size as usize);
        reader.take(size).read_to_end(&mut bytes)?;
        if (bytes.len() as u64) < size {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "git's answer ended early",
            ));
        }
        if source::is_binary(&bytes) {
            Err(LoadError::Binary)
        } else {
            Ok(RawFile {
                kind: FileKind::from_path(Path::new(&entry.display)),
                bytes,
            })
        }
    };
    // Each blob's content is followed by a newline.
    let mut newline = [0u8; 1];
    reader.read_exact(&mut newline)?;
    Ok(loaded)
}

/// The entries of `git diff --raw -z`: `:<old mode> <new mode> <old id> <new id>
/// <status>\0<path>\0`, with a second path for renames and copies. Returns the
/// new mode, the new blob id and the (new) path of each.
fn parse_raw(out: &[u8]) -> Vec<(String, String, String)> {
    let mut fields = out.split(|&b| b == 0).filter(|f| !f.is_empty());
    let mut entries = Vec::new();
    while let Some(meta) = fields.next() {
        let meta = String::from_utf8_lossy(meta);
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let [_, new_mode, _, new_id, status] = parts.as_slice() else {
            continue;
        };
        let two_paths = status.starts_with('R') || status.starts_with('C');
        let Some(mut path) = fields.next() else { break };
        if two_paths {
            let Some(new_path) = fields.next() else { break };
            path = new_path;
        }
        entries.push((
            new_mode.to_string(),
            new_id.to_string(),
            String::from_utf8_lossy(path).into_owned(),
        ));
    }
    entries
}

/// `path`, relative to the top of the work tree, as seen from the folder `prefix`
/// (git's `--show-prefix`: `""` or `sub/dir/`).
fn relative_to(path: &str, prefix: &str) -> String {
    let here: Vec<&str> = prefix.split('/').filter(|p| !p.is_empty()).collect();
    let parts: Vec<&str> = path.split('/').collect();
    let dirs = &parts[..parts.len() - 1];
    let common = here.iter().zip(dirs).take_while(|(a, b)| a == b).count();
    let mut out = "../".repeat(here.len() - common);
    out.push_str(&parts[common..].join("/"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_working_directory() {
        assert_eq!(relative_to("app.py", ""), "app.py");
        assert_eq!(relative_to("src/app.py", "src/"), "app.py");
        assert_eq!(relative_to("src/a/b.py", "src/"), "a/b.py");
        assert_eq!(relative_to("app.py", "src/"), "../app.py");
        assert_eq!(relative_to("lib/x.py", "src/deep/"), "../../lib/x.py");
        // A file named like the folder is not inside it.
        assert_eq!(relative_to("src", "src/"), "../src");
    }

    #[test]
    fn raw_entries_give_the_new_path_mode_and_blob() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let z = "0".repeat(40);
        let out = format!(
            ":000000 100644 {z} {a} A\0new file.py\0\
             :100644 100755 {a} {b} M\0bin/run\0\
             :100644 100644 {a} {b} R087\0old.py\0moved/new.py\0\
             :120000 100644 {a} {b} T\0was-a-link\0"
        );
        let entries = parse_raw(out.as_bytes());
        let got: Vec<(&str, &str, &str)> = entries
            .iter()
            .map(|(m, id, p)| (m.as_str(), id.as_str(), p.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("100644", a.as_str(), "new file.py"),
                ("100755", b.as_str(), "bin/run"),
                ("100644", b.as_str(), "moved/new.py"),
                ("100644", b.as_str(), "was-a-link"),
            ]
        );
    }
}
