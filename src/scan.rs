//! One scan: discover files, analyse them in parallel, and collect a sorted report.

use crate::analyze::Analyzer;
use crate::findings::{Diagnostic, DiagnosticKind, Report};
use crate::project;
use crate::rules::sdk_pins;
use crate::source::{self, FileKind, LoadError, human_size};
use crate::walk::{self, Candidate, WalkOptions};
use rayon::prelude::*;
use std::borrow::Cow;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct ScanRequest {
    pub paths: Vec<PathBuf>,
    /// Read the content from stdin and report it under this name.
    pub stdin_name: Option<String>,
    pub walk: WalkOptions,
    pub max_file_size: u64,
}

/// Run the scan. `Err` is a usage error (a path that does not exist).
pub fn run(
    analyzer: &Analyzer,
    request: &ScanRequest,
    stdin: &mut dyn Read,
) -> Result<Report, String> {
    let mut report = Report::default();
    let excluded = |name: &str| {
        let exclude = request.walk.exclude.as_ref();
        exclude.is_some_and(|e| e.contains(std::path::Path::new(name)))
    };
    if let Some(name) = request.stdin_name.as_deref().filter(|n| !excluded(n)) {
        let mut bytes = Vec::new();
        stdin
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        report = report.merge(analyze_named(analyzer, name, bytes));
    }
    if !request.paths.is_empty() {
        let (candidates, walk_diagnostics) = walk::discover(&request.paths, &request.walk)?;
        report.diagnostics.extend(walk_diagnostics);
        let max_size = request.max_file_size;
        let sdk_dirs = sdk_source_dirs(candidates.iter().map(|c| {
            let read = move || {
                source::load(&c.path, max_size)
                    .ok()
                    .map(|f| Cow::Owned(f.bytes))
            };
            (c.display.as_str(), read)
        }));
        let files = analyze_each(candidates, request.walk.threads, |c| {
            let sdk_source = project::in_any_dir(&c.display, &sdk_dirs);
            analyze_candidate(analyzer, &c, request.max_file_size, sdk_source)
        })?;
        report = report.merge(files);
    }
    analyzer.judge_project(&mut report);
    report.finish();
    Ok(report)
}

/// Analyse content that does not come from the walk (standard input, an editor's
/// buffer) as the file `name`: the name decides the file kind and the path-based
/// judgements. The cross-file rules are not judged yet (`Analyzer::judge_project`).
pub fn analyze_named(analyzer: &Analyzer, name: &str, bytes: Vec<u8>) -> Report {
    let kind = FileKind::from_path(std::path::Path::new(name));
    let display = walk::display_path(std::path::Path::new(name));
    let loaded = if source::is_binary(&bytes) {
        Err(LoadError::Binary)
    } else {
        Ok(source::RawFile { kind, bytes })
    };
    analyze_loaded(analyzer, &display, true, loaded, false)
}

/// A file whose content does not come from the walk (git's index), under the name it
/// is reported as. The content is already checked for size and binary bytes.
#[derive(Debug)]
pub struct NamedContent {
    pub display: String,
    pub loaded: Result<source::RawFile, LoadError>,
}

/// The per-file pass over contents held in memory, in parallel, exactly as a walk's
/// files are analysed. Binary files count as skipped without a warning each, as in
/// a walk. The cross-file rules are not judged yet (`Analyzer::judge_project`).
pub fn analyze_contents(
    analyzer: &Analyzer,
    files: Vec<NamedContent>,
    threads: usize,
) -> Result<Report, String> {
    let sdk_dirs = sdk_source_dirs(files.iter().map(|f| {
        let read = || {
            f.loaded
                .as_ref()
                .ok()
                .map(|raw| Cow::Borrowed(&raw.bytes[..]))
        };
        (f.display.as_str(), read)
    }));
    analyze_each(files, threads, |file| {
        let sdk_source = project::in_any_dir(&file.display, &sdk_dirs);
        analyze_loaded(analyzer, &file.display, false, file.loaded, sdk_source)
    })
}

/// Run `one` on every item, on `threads` workers, and merge the reports.
fn analyze_each<T: Send>(
    items: Vec<T>,
    threads: usize,
    one: impl Fn(T) -> Report + Sync + Send,
) -> Result<Report, String> {
    if items.len() <= 1 || threads <= 1 {
        return Ok(items
            .into_iter()
            .map(one)
            .fold(Report::default(), Report::merge));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| format!("cannot start worker threads: {e}"))?;
    Ok(pool.install(|| {
        items
            .into_par_iter()
            .map(one)
            .reduce(Report::default, Report::merge)
    }))
}

/// The directories of the OpenAI SDK's own packages among the scanned files: those
/// whose manifest names the package `openai`. Read before the per-file pass, so
/// the rules about using the SDK skip the SDK itself (and never parse it). Each
/// file comes with its display path and its bytes; only manifests are read.
fn sdk_source_dirs<'a, 'b, R>(files: impl Iterator<Item = (&'a str, R)>) -> Vec<String>
where
    R: FnOnce() -> Option<Cow<'b, [u8]>>,
{
    files
        .filter_map(|(display, read)| {
            let (dir, name) = display.rsplit_once('/').unwrap_or(("", display));
            if !sdk_pins::MANIFESTS_NAMING_A_PACKAGE.contains(&name) {
                return None;
            }
            let bytes = read()?;
            let text = String::from_utf8_lossy(&bytes);
            sdk_pins::declares_the_sdk(&text).then(|| dir.to_string())
        })
        .collect()
}

fn analyze_candidate(
    analyzer: &Analyzer,
    candidate: &Candidate,
    max_size: u64,
    sdk_source: bool,
) -> Report {
    let loaded = source::load(&candidate.path, max_size);
    analyze_loaded(
        analyzer,
        &candidate.display,
        candidate.explicit,
        loaded,
        sdk_source,
    )
}

fn analyze_loaded(
    analyzer: &Analyzer,
    display: &str,
    explicit: bool,
    loaded: Result<source::RawFile, LoadError>,
    sdk_source: bool,
) -> Report {
    let mut report = Report::default();
    let file = match loaded {
        Ok(file) => file,
        Err(LoadError::Binary) => {
            if explicit {
                report.diagnostics.push(Diagnostic::new(
                    display,
                    DiagnosticKind::Skipped,
                    "binary file (NUL byte in the first 8 KiB); skipped",
                ));
            } else {
                report.binary_skipped = 1;
            }
            return report;
        }
        Err(LoadError::TooLarge { size, limit }) => {
            report.diagnostics.push(Diagnostic::new(
                display,
                DiagnosticKind::Skipped,
                format!(
                    "file is {}, over --max-file-size {}; skipped",
                    human_size(size),
                    human_size(limit)
                ),
            ));
            return report;
        }
        Err(LoadError::Io(e)) => {
            report.diagnostics.push(Diagnostic::new(
                display,
                DiagnosticKind::Unreadable,
                format!("cannot read: {e}"),
            ));
            return report;
        }
    };
    // A bug in one rule must not stop the scan: report it against the file and go on.
    match catch_unwind(AssertUnwindSafe(|| {
        analyzer.analyze_bytes(display, file.kind, file.bytes, sdk_source)
    })) {
        Ok(mut r) => {
            r.scanned_paths.push(display.to_string());
            r
        }
        Err(_) => {
            // The panic text is not repeated: slicing panics quote the input, which may
            // hold a secret. The panic hook has printed where it happened.
            report.diagnostics.push(Diagnostic::new(
                display,
                DiagnosticKind::Internal,
                "internal error while analysing this file (a keylint bug; please report it); the scan went on",
            ));
            report
        }
    }
}
