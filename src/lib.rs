//! keylint: find leaked, placeholder and malformed LLM API keys, and the code that
//! makes a working key fail, before the code runs.
//!
//! The data flow, one module each: [`walk`] discovers files, [`source`] reads them,
//! [`analyze`] runs the per-file pipeline with the [`rules`], [`findings`] holds the
//! sorted result, and [`output`] renders it. [`cli`] is the command line on top;
//! [`config`] reads `keylint.toml` and [`baseline`] the recorded findings;
//! [`staged`] reads the files of the next commit from git's index.
//! [`server`] serves the same analysis to editors over the Language Server Protocol.

pub mod analyze;
pub mod baseline;
pub mod cli;
pub mod config;
pub mod findings;
pub mod manifest;
pub mod output;
pub mod project;
pub mod rules;
pub mod scan;
pub mod server;
pub mod source;
pub mod staged;
pub mod syntax;
pub mod walk;

/// Where rule docs and the project live; SARIF `informationUri` and `helpUri`.
pub const HOMEPAGE: &str = env!("CARGO_PKG_REPOSITORY");
