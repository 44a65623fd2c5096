//! Open documents: where each one is on disk, the name keylint analyses it under,
//! and its latest findings.

use crate::findings::Finding;
use lsp_types::Uri;
use std::path::{Path, PathBuf};

pub struct Document {
    pub uri: Uri,
    pub version: i32,
    pub text: String,
    /// The name the analysis sees: relative to the workspace folder that holds the
    /// file (what `keylint scan` run there would print), else the absolute path.
    /// It decides the file kind and the test/docs path judgements.
    pub name: String,
    /// The file on disk, for the rules that ask git about it.
    pub disk: Option<PathBuf>,
    /// From the last analysis of `text`; `None` when `text` changed since.
    pub findings: Option<Vec<Finding>>,
}

impl Document {
    pub fn new(uri: Uri, version: i32, text: String, language: &str, roots: &[PathBuf]) -> Self {
        let disk = file_path(&uri);
        let name = match &disk {
            Some(path) => report_name(path, roots),
            None => untitled_name(&uri, language),
        };
        Document {
            uri,
            version,
            text,
            name,
            disk,
            findings: None,
        }
    }
}

/// The local path of a `file:` URI.
pub fn file_path(uri: &Uri) -> Option<PathBuf> {
    if !uri.scheme()?.as_str().eq_ignore_ascii_case("file") {
        return None;
    }
    let host = uri.authority().map(|a| a.host().as_str()).unwrap_or("");
    let path = uri.path().as_estr().decode().into_string().ok()?;
    if !host.is_empty() && !host.eq_ignore_ascii_case("localhost") {
        // `file://server/share/x`: a UNC path, meaningful on Windows only.
        return cfg!(windows).then(|| PathBuf::from(format!(r"\\{host}{path}")));
    }
    // `file:///C:/x` names `C:/x` on Windows.
    let path = match path.strip_prefix('/') {
        Some(rest) if cfg!(windows) && rest.as_bytes().get(1) == Some(&b':') => rest,
        _ => &path,
    };
    Some(PathBuf::from(path))
}

/// `path` relative to the deepest workspace folder holding it.
fn report_name(path: &Path, roots: &[PathBuf]) -> String {
    let relative = roots
        .iter()
        .filter_map(|root| path.strip_prefix(root).ok())
        .min_by_key(|rel| rel.components().count())
        .filter(|rel| !rel.as_os_str().is_empty());
    crate::walk::display_path(relative.unwrap_or(path))
}

/// A name for a buffer that is not a file (`untitled:Untitled-1`, a notebook cell):
/// one its language implies, so the right syntax is read, else its last path
/// segment when that has an extension.
fn untitled_name(uri: &Uri, language: &str) -> String {
    let by_language = match language {
        "python" => "untitled.py",
        "javascript" | "javascriptreact" => "untitled.js",
        "typescript" | "typescriptreact" => "untitled.ts",
        "yaml" | "github-actions-workflow" => "untitled.yaml",
        "json" | "jsonc" => "untitled.json",
        "toml" => "untitled.toml",
        "shellscript" | "sh" | "bash" | "zsh" => "untitled.sh",
        "dockerfile" => "Dockerfile",
        "dotenv" | "env" => ".env",
        "markdown" => "untitled.md",
        _ => "",
    };
    if !by_language.is_empty() {
        return by_language.to_string();
    }
    uri.path()
        .segments()
        .next_back()
        .and_then(|s| s.decode().into_string().ok())
        .filter(|s| s.contains('.'))
        .map_or_else(|| "untitled.txt".to_string(), |s| s.into_owned())
}
