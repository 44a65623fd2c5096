//! `keylint server`.

use super::{ServerArgs, fail};
use crate::analyze::{AnalyzeOptions, Analyzer};
use crate::config::{self, Overrides};
use crate::rules::RuleSet;
use crate::server::{self, Ending, Setup};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub(super) const AFTER_HELP: &str = "\
The editor starts the server and talks to it over standard input and output; it
is not meant to be run by hand. It reports the rules on each open file as you
type (as `keylint scan --stdin-filename FILE` would), and offers quick fixes:
a `keylint: ignore[rule-id]` comment, and the replacement model or variable name
where a rule names one. It reads the keylint.toml (or [tool.keylint]) of the
folder it is started in, as `keylint scan` does there, and reads it again
when the editor saves it.

Neovim (0.11+):
  vim.lsp.config('keylint', { cmd = { 'keylint', 'server' },
    filetypes = { 'python', 'javascript', 'typescript', 'yaml', 'toml', 'sh', 'dockerfile' },
    root_markers = { '.git' } })
  vim.lsp.enable('keylint')

Only some rules, as for `scan`:
  keylint server --ignore unknown-model

The README's Editors section has VS Code and Helix setups.

Exit codes: 0 after the client's shutdown and exit; 1 when the client exits or
hangs up without shutdown; 2 on usage errors or a stream that cannot be read.";

pub(super) fn run(args: ServerArgs) -> ExitCode {
    // The editor starts the server in the workspace: its configuration applies as
    // it does to `keylint scan` there, and is read again when the editor saves it.
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let setup = move || configure(&args, &cwd);
    let first = match setup() {
        Ok(first) => first,
        Err(e) => return fail(e),
    };
    match server::run(first, Box::new(setup)) {
        Ok(Ending::Clean) => ExitCode::SUCCESS,
        Ok(Ending::Abrupt) => ExitCode::from(1),
        Err(e) => fail(format!("server: {e}")),
    }
}

/// The analyzer and configuration the flags and the workspace's `keylint.toml` ask for.
fn configure(args: &ServerArgs, cwd: &Path) -> Result<Setup, String> {
    let all = RuleSet::builtin();
    let config = config::discover(cwd, cwd, &all).map_err(|e| e.to_string())?;
    let cli = Overrides {
        select: &args.select,
        ignore: &args.ignore,
        fail_on: None,
        as_of: args.as_of,
    };
    let rules = config::select_rules(&all, config.as_ref(), &cli)?;
    let options = AnalyzeOptions {
        // Editors show diagnostics on screen and in logs: never a full secret.
        show_secrets: false,
        as_of: config::as_of(config.as_ref(), &cli)
            .unwrap_or_else(|| jiff::ZonedDateTime::now().date()),
        allow_secrets: config.as_ref().and_then(|c| c.allow_secrets.clone()),
    };
    Ok(Setup {
        analyzer: Analyzer::new(rules, &all, options),
        config,
    })
}
