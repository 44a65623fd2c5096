//! `keylint scan`.

use super::{ColorChoice, ScanArgs, fail};
use crate::analyze::{AnalyzeOptions, Analyzer};
use crate::baseline::Baseline;
use crate::config::{self, Config, Overrides};
use crate::findings::{DiagnosticKind, Report};
use crate::output::{self, Context, Format};
use crate::rules::RuleSet;
use crate::scan::{self, ScanRequest};
use crate::staged;
use crate::walk::{Excluded, WalkOptions};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

pub(super) fn run(args: ScanArgs) -> ExitCode {
    let all = RuleSet::builtin();
    let cwd = match std::env::current_dir() {
        Ok(cwd) => cwd,
        Err(e) => return fail(format!("cannot read the working directory: {e}")),
    };

    let mut paths: Vec<PathBuf> = Vec::new();
    let mut dash = false;
    for p in &args.paths {
        if p.as_os_str() == "-" {
            dash = true;
        } else {
            paths.push(p.clone());
        }
    }
    if args.sarif_category.is_some() && args.format != Format::Sarif {
        return fail("--sarif-category applies to --format sarif only");
    }
    let stdin_name = match (&args.stdin_filename, dash) {
        (Some(name), _) => {
            if !paths.is_empty() {
                return fail(format!(
                    "--stdin-filename reads standard input; do not also pass paths (got `{}`)",
                    paths[0].display()
                ));
            }
            Some(name.clone())
        }
        (None, true) => Some("-".to_string()),
        (None, false) => None,
    };
    if stdin_name.is_none() && paths.is_empty() && !args.staged {
        paths.push(PathBuf::from("."));
    }

    let config = match find_config(&args, paths.first().map(PathBuf::as_path), &cwd, &all) {
        Ok(config) => config,
        Err(e) => return fail(e),
    };
    let config = config.as_ref();
    let cli = Overrides {
        select: &args.select,
        ignore: &args.ignore,
        fail_on: args.fail_on,
        as_of: args.as_of,
    };
    let rules = match config::select_rules(&all, config, &cli) {
        Ok(rules) => rules,
        Err(e) => return fail(e),
    };
    let baseline = match args.baseline.as_deref().map(|b| Baseline::load(b, &cwd)) {
        Some(Err(e)) => return fail(e),
        Some(Ok(b)) => Some(b),
        None => None,
    };

    let threads = args.threads.map(usize::from).unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(12)
    });
    let as_of = config::as_of(config, &cli).unwrap_or_else(|| jiff::ZonedDateTime::now().date());
    let analyzer = Analyzer::new(
        rules,
        &all,
        AnalyzeOptions {
            show_secrets: args.show_secrets,
            as_of,
            allow_secrets: config.and_then(|c| c.allow_secrets.clone()),
        },
    );
    let exclude = config
        .and_then(|c| c.extend_exclude.clone())
        .map(|patterns| {
            Arc::new(Excluded {
                patterns,
                cwd: cwd.clone(),
            })
        });
    // With --staged, why nothing was scanned, if nothing was.
    let mut nothing_to_scan = None;
    let scanned = if args.staged {
        let excluded = |name: &str| {
            exclude
                .as_ref()
                .is_some_and(|e| e.contains(Path::new(name)))
        };
        staged::scan(&analyzer, &cwd, args.max_file_size, threads, &excluded).map(|s| {
            nothing_to_scan = s.nothing_to_scan();
            s.report
        })
    } else {
        let request = ScanRequest {
            paths,
            stdin_name,
            walk: WalkOptions {
                threads,
                no_ignore: args.no_ignore,
                follow_links: args.follow,
                exclude,
            },
            max_file_size: args.max_file_size,
        };
        scan::run(&analyzer, &request, &mut std::io::stdin().lock())
    };
    let mut report = match scanned {
        Ok(report) => report,
        Err(e) => return fail(e),
    };
    if let Some(config) = config {
        config.filter(&mut report, &cwd);
    }

    if !args.quiet {
        let excludes = config.is_some_and(|c| c.extend_exclude.is_some());
        print_diagnostics(&report, nothing_to_scan.is_some(), excludes);
    }

    if let Some(file) = &args.write_baseline {
        return write_baseline(&report, file, &cwd, args.quiet);
    }
    if let Some(baseline) = &baseline {
        baseline.apply(&mut report, &cwd);
    }

    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    };
    let ctx = Context {
        rules: analyzer.rules(),
        color,
        sarif_category: args.sarif_category.as_deref(),
    };
    let render = |w: &mut dyn Write| match (nothing_to_scan, args.format) {
        // In place of "No findings in 0 files.".
        (Some(why), Format::Full) => writeln!(w, "No files to scan: {why}."),
        _ => output::write(args.format, &report, &ctx, w),
    };
    if let Some(why) = nothing_to_scan
        && args.format != Format::Full
        && !args.quiet
    {
        eprintln!("keylint: note: No files to scan: {why}.");
    }
    let written = match &args.output {
        Some(path) => std::fs::File::create(path)
            .and_then(|file| {
                let mut w = std::io::BufWriter::new(file);
                render(&mut w)?;
                w.flush()
            })
            .map_err(|e| format!("cannot write {}: {e}", path.display())),
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            match render(&mut w).and_then(|_| w.flush()) {
                // A closed pipe (`keylint scan | head`) is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.map_err(|e| format!("cannot write to standard output: {e}")),
            }
        }
    };
    if let Err(e) = written {
        return fail(e);
    }
    if args.output.is_some() && args.format == Format::Full && !args.quiet {
        // The frames went to a file; keep the terminal informed.
        eprintln!(
            "keylint: {} finding(s) written to {}",
            report.findings.len(),
            args.output
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        );
    }

    let failing = config::fail_on(config, &cli)
        .threshold()
        .is_some_and(|level| report.count_at_or_above(level) > 0);
    ExitCode::from(u8::from(failing))
}

/// The configuration in force: `--config FILE`, none with `--no-config`, or the
/// first one found walking up from the first path (the working directory for
/// standard input).
fn find_config(
    args: &ScanArgs,
    first: Option<&Path>,
    cwd: &Path,
    all: &RuleSet,
) -> Result<Option<Config>, String> {
    let found = match (&args.config, args.no_config) {
        (Some(file), _) => config::load(file, cwd, all).map(Some),
        (None, true) => Ok(None),
        (None, false) => config::discover(first.unwrap_or(cwd), cwd, all),
    };
    found.map_err(|e| e.to_string())
}

fn write_baseline(report: &Report, file: &Path, cwd: &Path, quiet: bool) -> ExitCode {
    let baseline = Baseline::from_report(report, file, cwd);
    if let Err(e) = std::fs::write(file, baseline.to_json()) {
        return fail(format!("cannot write the baseline {}: {e}", file.display()));
    }
    if !quiet {
        let n = report.findings.len();
        eprintln!(
            "keylint: recorded {n} finding{} in {}; scan with --baseline {} to report only new ones",
            if n == 1 { "" } else { "s" },
            file.display(),
            file.display()
        );
    }
    ExitCode::SUCCESS
}

/// Warnings on stderr. `explained`: an empty scan is already explained (`--staged`
/// with nothing staged), so the hint about ignore files would mislead.
/// `excludes`: the configuration has an `extend-exclude`, which `--no-ignore`
/// does not lift.
fn print_diagnostics(report: &Report, explained: bool, excludes: bool) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    for d in &report.diagnostics {
        let place = match (&d.path, d.line) {
            (Some(p), Some(l)) => format!("{p}:{l}: "),
            (Some(p), None) => format!("{p}: "),
            _ => String::new(),
        };
        let _ = writeln!(
            err,
            "keylint: {}: {place}{}",
            d.kind.level().as_str(),
            d.message
        );
    }
    let unreadable_only = report
        .diagnostics
        .iter()
        .all(|d| d.kind != DiagnosticKind::Skipped);
    if report.files_scanned == 0 && report.binary_skipped == 0 && unreadable_only && !explained {
        let why = if excludes {
            "they may all be ignored (try --no-ignore) or in keylint.toml's extend-exclude"
        } else {
            "they may all be ignored (try --no-ignore)"
        };
        let _ = writeln!(err, "keylint: note: no files were scanned; {why}");
    }
}
