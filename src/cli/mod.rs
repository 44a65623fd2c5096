//! The command line: argument definitions and exit codes.
//!
//! Exit codes: 0 nothing at or above `--fail-on`; 1 findings at or above it;
//! 2 usage errors, a missing path, or output that cannot be written.

mod rules_cmd;
mod scan_cmd;
mod server_cmd;

use crate::config::FailOn;
use crate::output::Format;
use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

const AFTER_HELP: &str = "\
Examples:
  keylint scan                         scan the current directory
  keylint scan src/ .env               scan a folder and a file
  keylint scan --format sarif -o keylint.sarif
  cat app.py | keylint scan --stdin-filename app.py
  keylint rules                        list the rules
  keylint rule hardcoded-key           explain one rule
  keylint server                       serve editors (Language Server Protocol)

Suppress a finding with a comment on its line or the line above:
  api_key = load()  # keylint: ignore[placeholder-key]";

#[derive(Debug, Parser)]
#[command(
    name = "keylint",
    version,
    about = "Find leaked, placeholder and malformed LLM API keys before the code runs",
    after_help = AFTER_HELP
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

const SCAN_AFTER_HELP: &str = r#"Examples:
  keylint scan                         scan the current directory
  keylint scan src/ .env               scan a folder and a file
  keylint scan --format sarif -o keylint.sarif
  cat app.py | keylint scan --stdin-filename app.py
  keylint scan --write-baseline .keylint-baseline.json   record today's findings
  keylint scan --baseline .keylint-baseline.json         then report only new ones
  keylint scan --staged                git pre-commit hook: what the commit holds
  keylint scan --format sarif -o keylint.sarif --sarif-category keylint-web web/

Suppress a finding with a comment on its line or the line above:
  api_key = load()  # keylint: ignore[placeholder-key]

Configuration: the first keylint.toml, .keylint.toml, or pyproject.toml with a
[tool.keylint] table, found walking up from the first PATH (from the working
directory for standard input). Command-line flags win over it. Keys:
  select = ["hardcoded-key", "key-logged"]   run only these rules
  ignore = ["key-logged"]                    skip these rules
  fail-on = "error"                          as --fail-on
  as-of = 2026-01-31                         as --as-of
  extend-exclude = ["vendor", "legacy/**"]   paths never scanned
  [per-file-ignores]
  "tests/**" = ["placeholder-key"]           rules dropped for matching paths
  [allowlist]
  secrets = ["^sk-test-"]                    regexes of keys fine to commit
  paths = ["docs/**"]                        paths whose findings are dropped
Globs are relative to the configuration file's folder; a glob without `/`
matches a file or folder name at any depth."#;

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan files and directories (the default is the current directory).
    #[command(after_help = SCAN_AFTER_HELP)]
    Scan(ScanArgs),
    /// List every rule with its level and a one-line summary.
    Rules {
        /// How to print the list.
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// Print the documentation of one rule.
    Rule {
        /// The rule id, e.g. `hardcoded-key`.
        id: String,
    },
    /// Run as a Language Server on standard input and output, for editors.
    #[command(after_help = server_cmd::AFTER_HELP)]
    Server(ServerArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RulesFormat {
    Text,
    Json,
    /// The table used in the README.
    Markdown,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorChoice {
    /// Colour when writing to a terminal and NO_COLOR is not set.
    Auto,
    Always,
    Never,
}

#[derive(Debug, clap::Args)]
struct ScanArgs {
    /// Files and directories to scan. Files named here are always scanned, even if
    /// ignored. `-` reads standard input.
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Full, env = "KEYLINT_FORMAT")]
    format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Run only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    select: Vec<String>,

    /// Do not run these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    ignore: Vec<String>,

    /// Exit with 1 when a finding is at or above this level [default: warning].
    #[arg(long, value_enum)]
    fail_on: Option<FailOn>,

    /// Worker threads [default: the number of CPUs, at most 12].
    #[arg(short = 'j', long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    threads: Option<u16>,

    /// Print secrets in full instead of `sk-proj-...Ab1d`. Never use in CI logs.
    #[arg(long)]
    show_secrets: bool,

    /// The date that date-aware rules judge against [default: today].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<jiff::civil::Date>,

    /// Read the content from standard input and report it as NAME (the name also
    /// decides the file kind, e.g. `app.py` or `.env`).
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<String>,

    /// Scan what the next commit holds: the staged content of the files added,
    /// copied, modified or renamed in git's index (not the work tree), for a git
    /// pre-commit hook. The staged files are the project the cross-file rules see.
    #[arg(long, conflicts_with_all = ["paths", "stdin_filename", "write_baseline"])]
    staged: bool,

    /// With --format sarif: the category GitHub code scanning files the results
    /// under (`automationDetails.id` = `CATEGORY/`). Give each keylint upload of a
    /// commit its own [default: keylint].
    #[arg(long, value_name = "CATEGORY", value_parser = parse_sarif_category)]
    sarif_category: Option<String>,

    /// Also scan files ignored by .gitignore, .ignore, .keylintignore, and dependency
    /// folders such as node_modules and virtualenvs.
    #[arg(long)]
    no_ignore: bool,

    /// Follow symbolic links while walking directories.
    #[arg(short = 'L', long)]
    follow: bool,

    /// Skip files larger than this (e.g. 10M, 512K).
    #[arg(long, value_name = "SIZE", default_value = "10M", value_parser = crate::source::parse_size)]
    max_file_size: u64,

    /// When to colour the `full` format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    /// Do not print warnings about skipped or unreadable files on stderr.
    #[arg(short, long)]
    quiet: bool,

    /// Read the configuration from FILE instead of searching for keylint.toml,
    /// .keylint.toml or pyproject.toml [tool.keylint] above the scanned path.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,

    /// Use no configuration file, only the defaults and these flags.
    #[arg(long)]
    no_config: bool,

    /// Report only findings that FILE (written by --write-baseline) does not hold.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,

    /// Record the current findings in FILE (by fingerprint, never the secret) and
    /// exit 0. Later scans with --baseline FILE report only new ones.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ServerArgs {
    /// Run only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    select: Vec<String>,

    /// Do not run these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULE")]
    ignore: Vec<String>,

    /// The date that date-aware rules judge against [default: today].
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<jiff::civil::Date>,
}

fn parse_sarif_category(s: &str) -> Result<String, String> {
    crate::output::sarif_automation_id(s).map(|_| s.to_string())
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    s.parse::<jiff::civil::Date>()
        .map_err(|e| format!("`{s}` is not a date in YYYY-MM-DD form ({e})"))
}

/// Print a usage-level error and return exit code 2.
fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("keylint: error: {message}");
    ExitCode::from(2)
}

pub fn main() -> ExitCode {
    // The default hook prints the panic message, which can quote input text (and so a
    // secret). Print only where it happened.
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("keylint: internal error at {at}; please report it");
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match cli.command {
        Command::Scan(args) => scan_cmd::run(args),
        Command::Rules { format } => rules_cmd::list(format),
        Command::Rule { id } => rules_cmd::show(&id),
        Command::Server(args) => server_cmd::run(args),
    }
}
