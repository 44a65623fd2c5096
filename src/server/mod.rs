//! `keylint server`: a Language Server over standard input and output.
//!
//! Each open document goes through the same per-file pipeline as
//! `keylint scan --stdin-filename NAME`, and the cross-file rules judge it as a
//! project of one, as the stdin mode does. Diagnostics are pushed on open, change
//! and save; code actions add a suppression directive or apply a finding's
//! replacement. Positions are UTF-16 code units, the protocol's default encoding.
//!
//! The loop is synchronous (`lsp-server`, rust-analyzer's scaffold): one analysis
//! takes milliseconds, and documents are analysed only when the client has no
//! message waiting, so a burst of keystrokes costs one analysis.

mod documents;
mod edits;

use crate::analyze::Analyzer;
use crate::config::Config;
use crate::findings::{Finding, Level, Report};
use crate::rules::env_file_git::{self, GitStatus};
use crate::rules::keys;
use crate::source::FileKind;
use documents::Document;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    LogMessage, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{CodeActionRequest, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, Diagnostic, DiagnosticSeverity, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DidSaveTextDocumentParams,
    InitializeResult, LogMessageParams, MessageType, NumberOrString, Position,
    PositionEncodingKind, PublishDiagnosticsParams, Range, SaveOptions, ServerCapabilities,
    ServerInfo, ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// Documents larger than this are not analysed, as `keylint scan` skips files over
/// its `--max-file-size` default: typing in a huge bundle must stay responsive.
const MAX_DOCUMENT_BYTES: usize = 10 << 20;

/// How the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `shutdown`, then `exit`: the protocol's clean end.
    Clean,
    /// `exit` without `shutdown`, or the client closed the stream.
    Abrupt,
}

/// What the server analyses with: built from the flags and the workspace's
/// configuration, and built again when the configuration is saved.
pub struct Setup {
    pub analyzer: Analyzer,
    pub config: Option<Config>,
}

/// Builds the [`Setup`] anew; `Err` explains a configuration that cannot be used.
pub type Reload = Box<dyn Fn() -> Result<Setup, String>>;

/// Serve one client over stdio until it exits. `Err` explains a broken stream; it
/// never quotes the client's messages, which carry file contents.
pub fn run(setup: Setup, reload: Reload) -> Result<Ending, String> {
    let (connection, io_threads) = Connection::stdio();
    let ending = serve(connection, setup, reload);
    // Every way out of `serve` means the reader has stopped (exit, end of input or
    // an unreadable message) and the connection is dropped, so the writer drains
    // what is queued and both threads end.
    match io_threads.join() {
        Ok(()) => Ok(ending),
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => Err(
            "the client sent a message that is not valid JSON-RPC framing or JSON; stopping"
                .to_string(),
        ),
        // The client hung up after its last message: nothing was lost.
        Err(_) if ending == Ending::Clean => Ok(ending),
        Err(e) => Err(format!("the connection to the client failed: {}", e.kind())),
    }
}

/// The capabilities: only what is implemented.
fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..Default::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        ..Default::default()
    }
}

fn serve(connection: Connection, setup: Setup, reload: Reload) -> Ending {
    let Some(roots) = initialize(&connection) else {
        return Ending::Abrupt;
    };
    let mut server = Server {
        config: setup.config,
        connection,
        analyzer: setup.analyzer,
        reload,
        roots,
        documents: HashMap::new(),
        shutdown: false,
    };
    loop {
        let message = match server.connection.receiver.try_recv() {
            Ok(message) => message,
            Err(e) if e.is_empty() => {
                server.publish_stale();
                match server.connection.receiver.recv() {
                    Ok(message) => message,
                    Err(_) => return Ending::Abrupt,
                }
            }
            Err(_) => return Ending::Abrupt,
        };
        match message {
            Message::Request(request) => server.request(request),
            Message::Notification(n) if n.method == "exit" => {
                return if server.shutdown {
                    Ending::Clean
                } else {
                    Ending::Abrupt
                };
            }
            Message::Notification(n) => server.notification(n),
            // keylint sends no requests, so no response is awaited.
            Message::Response(_) => {}
        }
    }
}

/// Answer `initialize`; return the workspace folders, or `None` when the client
/// left before initialising.
fn initialize(connection: &Connection) -> Option<Vec<PathBuf>> {
    loop {
        match connection.receiver.recv().ok()? {
            Message::Request(r) if r.method == "initialize" => {
                let result = InitializeResult {
                    capabilities: capabilities(),
                    server_info: Some(ServerInfo {
                        name: "keylint".to_string(),
                        version: Some(env!("CARGO_PKG_VERSION").to_string()),
                    }),
                };
                let response = Response::new_ok(r.id, result);
                connection.sender.send(response.into()).ok()?;
                return Some(workspace_roots(&r.params));
            }
            Message::Request(r) => {
                let response = Response::new_err(
                    r.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server is not initialised yet".to_string(),
                );
                connection.sender.send(response.into()).ok()?;
            }
            Message::Notification(n) if n.method == "exit" => return None,
            Message::Notification(_) | Message::Response(_) => {}
        }
    }
}

/// The workspace folders of the `initialize` parameters, read leniently: a client
/// that sends an odd capability shape still gets a server.
fn workspace_roots(params: &serde_json::Value) -> Vec<PathBuf> {
    let folders = params
        .get("workspaceFolders")
        .and_then(|f| f.as_array())
        .into_iter()
        .flatten()
        .filter_map(|f| f.get("uri"));
    let root = params.get("rootUri").into_iter();
    folders
        .chain(root)
        .filter_map(|uri| uri.as_str()?.parse::<Uri>().ok())
        .filter_map(|uri| documents::file_path(&uri))
        .collect()
}

struct Server {
    connection: Connection,
    analyzer: Analyzer,
    /// The workspace's `keylint.toml`: its path rules (`per-file-ignores`,
    /// `allowlist.paths`) drop findings as they do for `keylint scan`.
    config: Option<Config>,
    reload: Reload,
    roots: Vec<PathBuf>,
    /// By URI text.
    documents: HashMap<String, Document>,
    shutdown: bool,
}

impl Server {
    fn send(&self, message: impl Into<Message>) {
        // A closed channel means the client is gone; the loop ends on its own.
        let _ = self.connection.sender.send(message.into());
    }

    /// A parameter error: serde quotes the offending value, which may be document
    /// text, so keys in it are redacted.
    fn redacted(&self, e: &serde_json::Error) -> String {
        keys::redact_all(&e.to_string(), self.analyzer.formats(), false)
    }

    fn log(&self, typ: MessageType, message: String) {
        let params = LogMessageParams { typ, message };
        self.send(Notification::new(LogMessage::METHOD.to_string(), params));
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        if request.method == "shutdown" {
            self.shutdown = true;
            self.send(Response::new_ok(id, ()));
            return;
        }
        if self.shutdown {
            let message = "the server is shutting down".to_string();
            self.send(Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                message,
            ));
            return;
        }
        let response = match catch_unwind(AssertUnwindSafe(|| self.answer(request))) {
            Ok(response) => response,
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                "internal error in keylint (a bug; please report it)".to_string(),
            ),
        };
        self.send(response);
    }

    fn answer(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        match request.method.as_str() {
            "initialize" => Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "the server is initialised already".to_string(),
            ),
            CodeActionRequest::METHOD => match serde_json::from_value(request.params) {
                Ok(params) => Response::new_ok(id, self.code_actions(params)),
                Err(e) => Response::new_err(
                    id,
                    ErrorCode::InvalidParams as i32,
                    format!("invalid parameters: {}", self.redacted(&e)),
                ),
            },
            method => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("keylint does not implement `{method}`"),
            ),
        }
    }

    fn notification(&mut self, notification: Notification) {
        let method = notification.method.clone();
        let handled = catch_unwind(AssertUnwindSafe(|| self.notify(notification)));
        match handled {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.log(
                MessageType::WARNING,
                format!(
                    "keylint: ignored `{method}`: invalid parameters ({})",
                    self.redacted(&e)
                ),
            ),
            Err(_) => self.log(
                MessageType::ERROR,
                format!(
                    "keylint: internal error while handling `{method}` (a bug; please report it)"
                ),
            ),
        }
    }

    fn notify(&mut self, n: Notification) -> Result<(), serde_json::Error> {
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let p: DidOpenTextDocumentParams = serde_json::from_value(n.params)?;
                let doc = p.text_document;
                let key = doc.uri.as_str().to_string();
                let document = Document::new(
                    doc.uri,
                    doc.version,
                    doc.text,
                    &doc.language_id,
                    &self.roots,
                );
                self.documents.insert(key, document);
            }
            DidChangeTextDocument::METHOD => {
                let p: DidChangeTextDocumentParams = serde_json::from_value(n.params)?;
                // Full sync: the last change holds the whole text.
                let (Some(document), Some(change)) = (
                    self.documents.get_mut(p.text_document.uri.as_str()),
                    p.content_changes.into_iter().last(),
                ) else {
                    return Ok(());
                };
                document.version = p.text_document.version;
                document.text = change.text;
                document.findings = None;
            }
            DidSaveTextDocument::METHOD => {
                let p: DidSaveTextDocumentParams = serde_json::from_value(n.params)?;
                if is_configuration(&p.text_document.uri) {
                    self.reload_configuration();
                }
                // The text is the same, but git's view of a `.env` file may not be.
                if let Some(document) = self.documents.get_mut(p.text_document.uri.as_str()) {
                    document.findings = None;
                }
            }
            DidCloseTextDocument::METHOD => {
                let p: DidCloseTextDocumentParams = serde_json::from_value(n.params)?;
                self.documents.remove(p.text_document.uri.as_str());
                self.publish(p.text_document.uri, Vec::new(), None);
            }
            // `initialized`, `$/cancelRequest`, `$/setTrace` and the rest need nothing.
            _ => {}
        }
        Ok(())
    }

    /// Read the configuration again; every open document is analysed anew with it.
    /// A configuration that cannot be used is shown to the user, and the one in
    /// use stays.
    fn reload_configuration(&mut self) {
        match (self.reload)() {
            Ok(setup) => {
                self.analyzer = setup.analyzer;
                self.config = setup.config;
                for document in self.documents.values_mut() {
                    document.findings = None;
                }
                self.log(
                    MessageType::INFO,
                    "keylint: configuration reloaded".to_string(),
                );
            }
            Err(e) => {
                let params = ShowMessageParams {
                    typ: MessageType::ERROR,
                    message: format!("keylint: {e}; keeping the previous configuration"),
                };
                self.send(Notification::new(ShowMessage::METHOD.to_string(), params));
            }
        }
    }

    /// Analyse and publish every document whose text changed since its last publish.
    fn publish_stale(&mut self) {
        let stale: Vec<String> = self
            .documents
            .iter()
            .filter(|(_, d)| d.findings.is_none())
            .map(|(k, _)| k.clone())
            .collect();
        for key in stale {
            if catch_unwind(AssertUnwindSafe(|| self.refresh(&key))).is_err() {
                self.log(
                    MessageType::ERROR,
                    "keylint: internal error while analysing a document (a bug; please report it)"
                        .to_string(),
                );
            }
        }
    }

    /// Analyse the document if its findings are out of date, and publish them.
    fn refresh(&mut self, key: &str) {
        let Some(document) = self.documents.get(key) else {
            return;
        };
        if document.findings.is_some() {
            return;
        }
        if document.text.len() > MAX_DOCUMENT_BYTES {
            let (uri, version) = (document.uri.clone(), document.version);
            self.log(
                MessageType::INFO,
                format!(
                    "keylint: {}: over {} MiB; not analysed",
                    document.name,
                    MAX_DOCUMENT_BYTES >> 20
                ),
            );
            if let Some(document) = self.documents.get_mut(key) {
                document.findings = Some(Vec::new());
            }
            self.publish(uri, Vec::new(), Some(version));
            return;
        }
        let report = self.analyze(document);
        let mut diagnostics: Vec<Diagnostic> = report.findings.iter().map(diagnostic).collect();
        for d in &report.diagnostics {
            match d.line {
                // A suppression comment that could not be read: show it on its line.
                Some(line) => diagnostics.push(line_diagnostic(&document.text, line, d)),
                None => self.log(
                    message_type(d.kind.level()),
                    format!("keylint: {}: {}", document.name, d.message),
                ),
            }
        }
        let (uri, version) = (document.uri.clone(), document.version);
        if let Some(document) = self.documents.get_mut(key) {
            document.findings = Some(report.findings);
        }
        self.publish(uri, diagnostics, Some(version));
    }

    fn analyze(&self, document: &Document) -> Report {
        let bytes = document.text.clone().into_bytes();
        let mut report = crate::scan::analyze_named(&self.analyzer, &document.name, bytes);
        let disk = document
            .disk
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned());
        let git = |_: &str| match &disk {
            Some(path) => env_file_git::git_status(path),
            None => GitStatus::Unknown,
        };
        self.analyzer.judge_project_with(&mut report, &git);
        if let Some(config) = &self.config {
            // Findings are named relative to the document's workspace folder.
            let folder = disk
                .as_deref()
                .and_then(|d| d.strip_suffix(document.name.as_str()))
                .map(PathBuf::from)
                .or_else(|| std::env::current_dir().ok())
                .unwrap_or_default();
            config.filter(&mut report, &folder);
        }
        report.finish();
        report
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            params,
        ));
    }

    /// Quick fixes for the findings that touch the requested range: the finding's
    /// replacement first, then one suppression per rule and line.
    fn code_actions(&mut self, params: CodeActionParams) -> Vec<CodeActionOrCommand> {
        let wants_quickfix = params.context.only.as_ref().is_none_or(|only| {
            only.iter()
                .any(|k| k.as_str().is_empty() || *k == CodeActionKind::QUICKFIX)
        });
        let key = params.text_document.uri.as_str().to_string();
        self.refresh(&key);
        let Some(document) = self.documents.get(&key) else {
            return Vec::new();
        };
        if !wants_quickfix {
            return Vec::new();
        }
        let kind = FileKind::from_path(std::path::Path::new(&document.name));
        let mut replacements = Vec::new();
        let mut suppressions: Vec<(String, u32, CodeAction)> = Vec::new();
        for finding in document.findings.iter().flatten() {
            let diag = diagnostic(finding);
            if !overlaps(diag.range, params.range) {
                continue;
            }
            if let Some(text) = &finding.replacement {
                let edit = TextEdit {
                    range: diag.range,
                    new_text: text.clone(),
                };
                replacements.push(quick_fix(
                    format!("Replace with `{text}`"),
                    &document.uri,
                    edit,
                    diag.clone(),
                    true,
                ));
            }
            let line = diag.range.start.line;
            if let Some((_, _, action)) = suppressions
                .iter_mut()
                .find(|(rule, l, _)| *rule == finding.rule && *l == line)
            {
                action.diagnostics.get_or_insert_with(Vec::new).push(diag);
                continue;
            }
            let edit = edits::suppress(
                &document.text,
                &document.name,
                kind,
                line as usize,
                &finding.rule,
            );
            if let Some(edit) = edit {
                let title = format!("Suppress with `keylint: ignore[{}]`", finding.rule);
                let action = quick_fix(title, &document.uri, edit, diag, false);
                suppressions.push((finding.rule.clone(), line, action));
            }
        }
        replacements
            .into_iter()
            .chain(suppressions.into_iter().map(|(_, _, a)| a))
            .map(CodeActionOrCommand::CodeAction)
            .collect()
    }
}

fn quick_fix(
    title: String,
    uri: &Uri,
    edit: TextEdit,
    diagnostic: Diagnostic,
    preferred: bool,
) -> CodeAction {
    CodeAction {
        title,
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic]),
        edit: Some(WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
            ..Default::default()
        }),
        is_preferred: Some(preferred),
        ..Default::default()
    }
}

/// Whether two ranges share a position; an empty range (a cursor) at either end of
/// a finding counts.
fn overlaps(a: Range, b: Range) -> bool {
    let key = |p: Position| (p.line, p.character);
    key(a.start) <= key(b.end) && key(b.start) <= key(a.end)
}

/// A finding as an LSP diagnostic. Its message is redacted already.
fn diagnostic(finding: &Finding) -> Diagnostic {
    let at = |p: &crate::findings::Position| {
        Position::new(
            p.line.saturating_sub(1) as u32,
            p.utf16_column.saturating_sub(1) as u32,
        )
    };
    Diagnostic {
        range: Range::new(at(&finding.start), at(&finding.end)),
        severity: Some(severity(finding.level)),
        code: Some(NumberOrString::String(finding.rule.clone())),
        source: Some("keylint".to_string()),
        message: finding.message.clone(),
        ..Default::default()
    }
}

/// A message about the scan (a suppression comment that could not be read) on the
/// 1-based `line` it names.
fn line_diagnostic(text: &str, line: usize, d: &crate::findings::Diagnostic) -> Diagnostic {
    let index = line.saturating_sub(1);
    let content = text.split('\n').nth(index).unwrap_or("");
    let content = content.strip_suffix('\r').unwrap_or(content);
    let line = index as u32;
    Diagnostic {
        range: Range::new(
            Position::new(line, 0),
            Position::new(line, edits::utf16_len(content)),
        ),
        severity: Some(severity(d.kind.level())),
        source: Some("keylint".to_string()),
        message: d.message.clone(),
        ..Default::default()
    }
}

fn severity(level: Level) -> DiagnosticSeverity {
    match level {
        Level::Error => DiagnosticSeverity::ERROR,
        Level::Warning => DiagnosticSeverity::WARNING,
        Level::Note => DiagnosticSeverity::INFORMATION,
    }
}

fn message_type(level: Level) -> MessageType {
    match level {
        Level::Error => MessageType::ERROR,
        Level::Warning => MessageType::WARNING,
        Level::Note => MessageType::INFO,
    }
}

/// Whether a saved file can hold keylint's configuration.
fn is_configuration(uri: &Uri) -> bool {
    let path = uri.path().as_str();
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(name, "keylint.toml" | ".keylint.toml" | "pyproject.toml")
}
