//! `keylint server`.

use super::{ServerArgs, fail};
use crate::analyze::{AnalyzeOptions, Analyzer};
use crate::config::{self, Overrides};
use crate::rules::RuleSet;
use crate::server::{self, Ending};
use std::path::PathBuf;
use std::process::ExitCode;

pub(super) const AFTER_HELP: &str = "\
The editor starts the server and talks to it over standard input and output; it
is not meant to be run by hand. It reports the rules on each open file as you
type (as `keylint scan --stdin-filename FILE` would), and offers quick fixes:
a `keylint: ignore[rule-id]` comment, and the replacement model or variable name
where a rule names one. It reads the keylint.toml (or [tool.keylint]) of the
folder it is started in, as `keylint scan` does there.

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
    let all = RuleSet::builtin();
    // The editor starts the server in the workspace: its configuration applies as
    // it does to `keylint scan` there.
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let config = match config::discover(&cwd, &cwd, &all) {
        Ok(config) => config,
        Err(e) => return fail(e),
    };
    let config = config.as_ref();
    let cli = Overrides {
        select: &args.select,
        ignore: &args.ignore,
        fail_on: None,
        as_of: args.as_of,
    };
    let rules = match config::select_rules(&all, config, &cli) {
        Ok(rules) => rules,
        Err(e) => return fail(e),
    };
    let options = AnalyzeOptions {
        // Editors show diagnostics on screen and in logs: never a full secret.
        show_secrets: false,
        as_of: config::as_of(config, &cli).unwrap_or_else(|| jiff::ZonedDateTime::now().date()),
        allow_secrets: config.and_then(|c| c.allow_secrets.clone()),
    };
    let analyzer = Analyzer::new(rules, &all, options);
    match server::run(analyzer, config.cloned()) {
        Ok(Ending::Clean) => ExitCode::SUCCESS,
        Ok(Ending::Abrupt) => ExitCode::from(1),
        Err(e) => fail(format!("server: {e}")),
    }
}
