//! `keylint server` driven over stdio by a small JSON-RPC client, as an editor would:
//! diagnostics on open, change, save and close, UTF-16 positions, quick fixes whose
//! edits really silence the finding, and a session that ends cleanly or fails
//! without a panic and without quoting what the client sent.
//!
//! No key-shaped literal is written here: keys are built at run time.

mod cli_support;

use cli_support::key;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// Generous: a hang fails the test instead of the whole suite. Not a timing check.
const DEADLINE: Duration = Duration::from_secs(30);

/// The date the date-aware rules judge against, so results do not age.
const AS_OF: &str = "2026-11-25";

/// The rule examples' missing Bearer, and the same request fixed.
const MISSING_BEARER: &str = "import os, requests\n\
r = requests.post(\n    \"https://api.openai.com/v1/chat/completions\",\n    \
headers={\"Authorization\": os.environ[\"OPENAI_API_KEY\"]},\n    json=body,\n)\n";
const WITH_BEARER: &str = "import os, requests\n\
r = requests.post(\n    \"https://api.openai.com/v1/chat/completions\",\n    \
headers={\"Authorization\": f\"Bearer {os.environ['OPENAI_API_KEY']}\"},\n    json=body,\n)\n";

// ---------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    inbox: Receiver<Value>,
    /// Notifications read while waiting for something else.
    backlog: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start(dir: &Path, args: &[&str]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_keylint"))
            .arg("server")
            .args(["--as-of", AS_OF])
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("keylint server starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, inbox) = channel();
        std::thread::spawn(move || {
            let mut out = BufReader::new(stdout);
            while let Some(message) = read_frame(&mut out) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            stdin: child.stdin.take(),
            child,
            inbox,
            backlog: Vec::new(),
            next_id: 0,
        }
    }

    /// Started and initialised with `root` as the workspace folder.
    fn initialized(root: &Path) -> Client {
        let mut client = Client::start(root, &[]);
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "workspaceFolders": [{"uri": uri(root), "name": "ws"}],
                "capabilities": {},
            }),
        );
        assert!(result.get("error").is_none(), "initialize failed: {result}");
        client.notify("initialized", json!({}));
        client
    }

    fn write_raw(&mut self, body: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        // The server may have gone already (the tests of its exit): not an error here.
        let _ = stdin
            .write_all(header.as_bytes())
            .and_then(|_| stdin.write_all(body))
            .and_then(|_| stdin.flush());
    }

    fn send(&mut self, message: Value) {
        self.write_raw(message.to_string().as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Send a request and return the whole response (`result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(&format!("the response to {method}"), |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        })
    }

    /// The first message matching `want`, keeping the others for later.
    fn wait(&mut self, what: &str, want: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.backlog.iter().position(&want) {
            return self.backlog.remove(i);
        }
        let started = Instant::now();
        loop {
            let left = DEADLINE.saturating_sub(started.elapsed());
            match self.inbox.recv_timeout(left) {
                Ok(m) if want(&m) => return m,
                Ok(m) => self.backlog.push(m),
                Err(RecvTimeoutError::Timeout) => panic!("timed out waiting for {what}"),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server closed its output while we waited for {what}")
                }
            }
        }
    }

    /// The next `publishDiagnostics` for `uri`: `(version, diagnostics)`.
    fn diagnostics(&mut self, uri: &str) -> (Value, Vec<Value>) {
        let m = self.wait(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        let list = m["params"]["diagnostics"].as_array().cloned().unwrap();
        (m["params"]["version"].clone(), list)
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        let doc = json!({"uri": uri, "languageId": language, "version": 1, "text": text});
        self.notify("textDocument/didOpen", json!({"textDocument": doc}));
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            }),
        );
    }

    fn code_actions(&mut self, uri: &str, range: &Value) -> Vec<Value> {
        let response = self.request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": range,
                "context": {"diagnostics": []},
            }),
        );
        response["result"].as_array().cloned().unwrap_or_default()
    }

    /// Close stdin and wait for the process, with the deadline.
    fn finish(mut self) -> (ExitStatus, String) {
        drop(self.stdin.take());
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().expect("wait works") {
                break status;
            }
            if started.elapsed() > DEADLINE {
                let _ = self.child.kill();
                panic!("keylint server did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        if let Some(mut err) = self.child.stderr.take() {
            let _ = err.read_to_string(&mut stderr);
        }
        (status, stderr)
    }

    fn shutdown_and_exit(mut self) -> (ExitStatus, String) {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        assert!(response.get("error").is_none(), "{response}");
        self.notify("exit", Value::Null);
        self.finish()
    }
}

fn read_frame(out: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if out.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    out.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The `file:` URI of `path`, percent-encoded as editors send it.
fn uri(path: &Path) -> String {
    let text = path.to_str().expect("test paths are UTF-8");
    const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'/')
        .remove(b'-')
        .remove(b'_')
        .remove(b'.');
    format!(
        "file://{}",
        percent_encoding::utf8_percent_encode(text, PATH)
    )
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("?"))
        .collect()
}

/// `text` with one code action's edits for `uri` applied (positions in UTF-16).
fn apply(text: &str, action: &Value, uri: &str) -> String {
    let edits = action["edit"]["changes"][uri]
        .as_array()
        .expect("the action edits this document");
    let offset = |p: &Value| {
        let (line, character) = (
            p["line"].as_u64().unwrap(),
            p["character"].as_u64().unwrap(),
        );
        let mut at = 0;
        for (i, l) in text.split_inclusive('\n').enumerate() {
            if i as u64 == line {
                let mut units = 0;
                for (b, c) in l.char_indices() {
                    if units >= character {
                        return at + b;
                    }
                    units += c.len_utf16() as u64;
                }
                return at + l.len();
            }
            at += l.len();
        }
        at
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            let r = &e["range"];
            (
                offset(&r["start"]),
                offset(&r["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (s, e, new) in edits {
        out.replace_range(s..e, new);
    }
    out
}

// ---------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------

#[test]
fn diagnostics_follow_open_change_save_and_close() {
    let dir = tempfile::tempdir().unwrap();
    // A space in the folder name: the URI is percent-encoded.
    let root = dir.path().join("my app");
    std::fs::create_dir_all(&root).unwrap();
    let file = uri(&root.join("client.py"));
    let mut client = Client::initialized(&root);

    client.open(&file, "python", MISSING_BEARER);
    let (version, diagnostics) = client.diagnostics(&file);
    assert_eq!(version, json!(1));
    assert_eq!(codes(&diagnostics), ["missing-bearer"]);
    let d = &diagnostics[0];
    assert_eq!(d["source"], "keylint");
    assert_eq!(d["severity"], 1, "error level is Error");
    assert_eq!(d["range"]["start"], json!({"line": 3, "character": 30}));
    assert!(d.get("codeDescription").is_none(), "no URL to point at yet");

    client.change(&file, 2, WITH_BEARER);
    let (version, diagnostics) = client.diagnostics(&file);
    assert_eq!(version, json!(2));
    assert!(diagnostics.is_empty(), "fixed: {diagnostics:?}");

    client.change(&file, 3, MISSING_BEARER);
    assert_eq!(codes(&client.diagnostics(&file).1), ["missing-bearer"]);
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": file}}),
    );
    let (version, diagnostics) = client.diagnostics(&file);
    assert_eq!(version, json!(3));
    assert_eq!(codes(&diagnostics), ["missing-bearer"]);

    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": file}}),
    );
    let (version, diagnostics) = client.diagnostics(&file);
    assert!(
        diagnostics.is_empty(),
        "closing clears the file's diagnostics"
    );
    assert_eq!(version, Value::Null);

    let (status, stderr) = client.shutdown_and_exit();
    assert_eq!(status.code(), Some(0), "stderr:\n{stderr}");
}

#[test]
fn initialize_advertises_only_what_is_implemented() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(dir.path(), &[]);
    let response = client.request("initialize", json!({"capabilities": {}}));
    let result = &response["result"];
    assert_eq!(result["serverInfo"]["name"], "keylint");
    let mut advertised: Vec<&str> = result["capabilities"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    advertised.sort();
    assert_eq!(
        advertised,
        ["codeActionProvider", "positionEncoding", "textDocumentSync"]
    );
    let caps = &result["capabilities"];
    assert_eq!(caps["positionEncoding"], "utf-16");
    assert_eq!(caps["textDocumentSync"]["change"], 1, "full sync");
    assert_eq!(caps["textDocumentSync"]["openClose"], true);
    assert_eq!(
        caps["codeActionProvider"]["codeActionKinds"],
        json!(["quickfix"])
    );
    client.notify("initialized", json!({}));
    let (status, _) = client.shutdown_and_exit();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn positions_count_utf16_code_units_after_non_ascii_text() {
    let dir = tempfile::tempdir().unwrap();
    let file = uri(&dir.path().join("app.py"));
    let mut client = Client::initialized(dir.path());
    // `é` is 2 bytes and 1 UTF-16 unit; the emoji is 4 bytes, 1 character and 2
    // UTF-16 units. The model id starts after 32 bytes, 28 characters, 29 units.
    let text = "x = \"é😀\"; r = create(model=\"gpt-4\")\n";
    let (before, _) = text.split_once("gpt-4").unwrap();
    assert_eq!(
        (
            before.len(),
            before.chars().count(),
            before.encode_utf16().count()
        ),
        (32, 28, 29)
    );
    client.open(&file, "python", text);
    let (_, diagnostics) = client.diagnostics(&file);
    assert_eq!(codes(&diagnostics), ["deprecated-model"]);
    assert_eq!(
        diagnostics[0]["range"],
        json!({"start": {"line": 0, "character": 29}, "end": {"line": 0, "character": 34}})
    );
    client.shutdown_and_exit();
}

#[test]
fn quick_fixes_replace_the_model_or_suppress_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = uri(&dir.path().join("app.py"));
    let mut client = Client::initialized(dir.path());
    let text = "import os\nr = client.chat.completions.create(model=\"gpt-4\")\n";
    client.open(&file, "python", text);
    let (_, diagnostics) = client.diagnostics(&file);
    assert_eq!(codes(&diagnostics), ["deprecated-model"]);

    // A cursor inside the model id asks for the fixes.
    let cursor =
        json!({"start": {"line": 1, "character": 44}, "end": {"line": 1, "character": 44}});
    let actions = client.code_actions(&file, &cursor);
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Replace with `gpt-5.5`",
            "Suppress with `keylint: ignore[deprecated-model]`"
        ]
    );
    for action in &actions {
        assert_eq!(action["kind"], "quickfix");
        assert_eq!(action["diagnostics"][0]["code"], "deprecated-model");
    }
    assert_eq!(actions[0]["isPreferred"], true);

    let replaced = apply(text, &actions[0], &file);
    assert_eq!(
        replaced,
        "import os\nr = client.chat.completions.create(model=\"gpt-5.5\")\n"
    );
    let suppressed = apply(text, &actions[1], &file);
    assert_eq!(
        suppressed,
        "import os\nr = client.chat.completions.create(model=\"gpt-4\")  # keylint: ignore[deprecated-model]\n"
    );
    // Both edits really silence the finding.
    for (version, fixed) in [(2, &replaced), (3, &suppressed)] {
        client.change(&file, version, fixed);
        let (_, diagnostics) = client.diagnostics(&file);
        assert!(diagnostics.is_empty(), "{fixed}: {diagnostics:?}");
    }

    // A range elsewhere, and a request for other kinds, get nothing.
    client.change(&file, 4, text);
    client.diagnostics(&file);
    let first_line =
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 3}});
    assert!(client.code_actions(&file, &first_line).is_empty());
    let response = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": file},
            "range": cursor,
            "context": {"diagnostics": [], "only": ["source.organizeImports"]},
        }),
    );
    assert_eq!(response["result"], json!([]));
    client.shutdown_and_exit();
}

#[test]
fn legacy_env_var_in_a_dotenv_file_is_renamed_or_suppressed_on_the_line_above() {
    let dir = tempfile::tempdir().unwrap();
    let file = uri(&dir.path().join(".env"));
    let mut client = Client::initialized(dir.path());
    let text = "OPENAI_MODEL=gpt-4o\r\nOPENAI_API_BASE=https://api.openai.com/v1\r\n";
    client.open(&file, "dotenv", text);
    let (_, diagnostics) = client.diagnostics(&file);
    assert_eq!(codes(&diagnostics), ["legacy-env-var"]);

    let whole_file =
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 2, "character": 0}});
    let actions = client.code_actions(&file, &whole_file);
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert_eq!(actions[0]["title"], "Replace with `OPENAI_BASE_URL`");
    assert_eq!(
        apply(text, &actions[0], &file),
        "OPENAI_MODEL=gpt-4o\r\nOPENAI_BASE_URL=https://api.openai.com/v1\r\n"
    );
    // An inline `#` would end up in the value for `docker run --env-file`.
    let suppressed = apply(text, &actions[1], &file);
    assert_eq!(
        suppressed,
        "OPENAI_MODEL=gpt-4o\r\n# keylint: ignore[legacy-env-var]\r\nOPENAI_API_BASE=https://api.openai.com/v1\r\n"
    );
    client.change(&file, 2, &suppressed);
    let (_, diagnostics) = client.diagnostics(&file);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    client.shutdown_and_exit();
}

#[test]
fn every_suppression_offered_silences_its_finding() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::initialized(dir.path());
    let project_key = key("openai-project");
    let cases = [
        (
            "app.py",
            "python",
            format!(
                "import openai\nclient = openai.OpenAI(api_key=\"{project_key}\")\n\
                 print(openai.api_key)\nm = client.chat.completions.create(model=\"gpt-4o-mnii\")\n"
            ),
        ),
        (
            "web.ts",
            "typescript",
            "const r = await fetch(\"https://api.openai.com/v1/models\", {\n  \
             headers: { Authorization: process.env.OPENAI_API_KEY },\n});\n\
             const c = await openai.chat.completions.create({ model: \"gpt-4\" });\n"
                .to_string(),
        ),
        (
            ".github/workflows/ci.yml",
            "yaml",
            "jobs:\n  t:\n    steps:\n      - run: pip install \"openai==0.28.1\"\n".to_string(),
        ),
        (
            "compose.yaml",
            "yaml",
            "services:\n  app:\n    environment:\n      OPENAI_API_BASE: https://api.openai.com/v1\n"
                .to_string(),
        ),
        (
            "Dockerfile",
            "dockerfile",
            "FROM python:3.12\nENV OPENAI_API_BASE=https://api.openai.com/v1\n".to_string(),
        ),
        (
            "requirements.txt",
            "pip-requirements",
            "requests\nopenai==0.28.1\n".to_string(),
        ),
        (
            "settings.toml",
            "toml",
            "[llm]\nmodel = \"gpt-4\"\n".to_string(),
        ),
    ];
    for (name, language, text) in &cases {
        let file = uri(&dir.path().join(name));
        client.open(&file, language, text);
        let (_, diagnostics) = client.diagnostics(&file);
        assert!(!diagnostics.is_empty(), "{name}: not vacuous");
        let serialized = serde_json::to_string(&diagnostics).unwrap();
        assert!(
            !serialized.contains(&project_key),
            "{name}: a diagnostic quotes the full key"
        );
        let mut version = 1;
        for d in &diagnostics {
            let rule = d["code"].as_str().unwrap();
            let line = d["range"]["start"]["line"].clone();
            let actions = client.code_actions(&file, &d["range"]);
            let title = format!("Suppress with `keylint: ignore[{rule}]`");
            let action = actions
                .iter()
                .find(|a| a["title"] == title.as_str())
                .unwrap_or_else(|| panic!("{name}: no suppression for {rule}: {actions:?}"));
            let fixed = apply(text, action, &file);
            version += 1;
            client.change(&file, version, &fixed);
            let (_, after) = client.diagnostics(&file);
            assert!(
                !after
                    .iter()
                    .any(|a| a["code"] == rule && a["range"]["start"]["line"] == line),
                "{name}: {rule} is still reported after\n{fixed}"
            );
            assert!(
                after
                    .iter()
                    .all(|a| a["severity"] != 2 || a.get("code").is_some()),
                "{name}: the directive itself is warned about: {after:?}"
            );
            // Back to the original for the next diagnostic.
            version += 1;
            client.change(&file, version, text);
            client.diagnostics(&file);
        }
    }
    client.shutdown_and_exit();
}

#[test]
fn unknown_methods_bad_parameters_and_unknown_documents_do_not_stop_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(dir.path(), &[]);
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(
        early["error"]["code"], -32002,
        "not initialised yet: {early}"
    );
    client.request("initialize", json!({"capabilities": {}}));
    client.notify("initialized", json!({}));

    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nowhere.py"}, "position": {"line": 0, "character": 0}}),
    );
    assert_eq!(hover["error"]["code"], -32601, "MethodNotFound: {hover}");
    // serde quotes a value of the wrong type: a key there is redacted.
    let key = key("openai-project");
    let bad = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": "file:///a.py"}, "range": key, "context": {"diagnostics": []}}),
    );
    assert_eq!(bad["error"]["code"], -32602, "InvalidParams");
    let message = bad["error"]["message"].as_str().unwrap();
    assert!(message.contains("invalid type"), "{message}");
    assert!(!message.contains(&key), "the error quotes the key");
    let doc = json!({"uri": "file:///a.py", "languageId": "python", "version": key, "text": ""});
    client.notify("textDocument/didOpen", json!({"textDocument": doc}));
    let log = client.wait("a log message", |m| m["method"] == "window/logMessage");
    let message = log["params"]["message"].as_str().unwrap();
    assert!(message.contains("didOpen"), "{message}");
    assert!(!message.contains(&key), "the log quotes the key");
    client.notify("textDocument/didOpen", json!({"textDocument": 7}));
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///never-opened.py", "version": 2}, "contentChanges": [{"text": "x"}]}),
    );
    let unknown = client.code_actions(
        "file:///never-opened.py",
        &json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}),
    );
    assert!(unknown.is_empty());

    // A buffer that is not a file yet is analysed by its language.
    client.open("untitled:Untitled-1", "python", MISSING_BEARER);
    let (_, diagnostics) = client.diagnostics("untitled:Untitled-1");
    assert_eq!(codes(&diagnostics), ["missing-bearer"]);

    let (status, stderr) = client.shutdown_and_exit();
    assert_eq!(status.code(), Some(0), "stderr:\n{stderr}");
    assert!(!stderr.contains("internal error"), "{stderr}");
}

#[test]
fn a_request_after_shutdown_is_refused_and_exit_without_shutdown_is_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::initialized(dir.path());
    client.request("shutdown", Value::Null);
    let late = client.request("textDocument/codeAction", json!({}));
    assert_eq!(late["error"]["code"], -32600, "{late}");
    client.notify("exit", Value::Null);
    assert_eq!(client.finish().0.code(), Some(0));

    let mut client = Client::initialized(dir.path());
    client.notify("exit", Value::Null);
    assert_eq!(client.finish().0.code(), Some(1));

    // The editor went away without a word.
    let client = Client::initialized(dir.path());
    assert_eq!(client.finish().0.code(), Some(1));
}

#[test]
fn a_malformed_message_ends_the_session_without_a_panic_or_an_echo() {
    let dir = tempfile::tempdir().unwrap();
    let key = key("openai-project");
    let mut client = Client::initialized(dir.path());
    client.write_raw(format!("{{\"jsonrpc\": \"2.0\", \"method\": \"{key}").as_bytes());
    let (status, stderr) = client.finish();
    assert_eq!(status.code(), Some(2), "stderr:\n{stderr}");
    assert!(stderr.contains("not valid JSON-RPC"), "{stderr}");
    assert!(!stderr.contains(&key[..20]), "stderr quotes the message");
    assert!(!stderr.contains("internal error"), "{stderr}");
}

#[test]
fn an_unknown_rule_id_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let client = Client::start(dir.path(), &["--select", "no-such-rule"]);
    let (status, stderr) = client.finish();
    assert_eq!(status.code(), Some(2));
    assert!(stderr.contains("no-such-rule"), "{stderr}");
}

#[test]
fn misspelt_variables_and_model_ids_are_replaced_with_the_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let file = uri(&dir.path().join("app.py"));
    let mut client = Client::initialized(dir.path());
    let text = "import os\nfrom openai import OpenAI\n\
                client = OpenAI(api_key=os.getenv(\"OPENAI_API_KYE\"))\n\
                r = client.chat.completions.create(model=\"gpt-4o-mnii\")\n";
    client.open(&file, "python", text);
    let (_, diagnostics) = client.diagnostics(&file);
    assert_eq!(codes(&diagnostics), ["env-var-typo", "unknown-model"]);
    let mut fixed = text.to_string();
    for d in &diagnostics {
        let actions = client.code_actions(&file, &d["range"]);
        assert!(
            actions[0]["title"]
                .as_str()
                .unwrap()
                .starts_with("Replace with"),
            "{actions:?}"
        );
        fixed = apply(&fixed, &actions[0], &file);
    }
    assert_eq!(
        fixed,
        "import os\nfrom openai import OpenAI\n\
         client = OpenAI(api_key=os.getenv(\"OPENAI_API_KEY\"))\n\
         r = client.chat.completions.create(model=\"gpt-4o-mini\")\n"
    );
    client.change(&file, 2, &fixed);
    let (_, diagnostics) = client.diagnostics(&file);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    client.shutdown_and_exit();
}

#[test]
fn saving_the_configuration_reanalyses_open_files_and_a_broken_one_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let file = uri(&root.join("client.py"));
    let config = root.join("keylint.toml");
    let mut client = Client::initialized(root);
    client.open(&file, "python", MISSING_BEARER);
    assert_eq!(codes(&client.diagnostics(&file).1), ["missing-bearer"]);

    std::fs::write(&config, "ignore = [\"missing-bearer\"]\n").unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&config)}}),
    );
    let (_, diagnostics) = client.diagnostics(&file);
    assert!(diagnostics.is_empty(), "ignored now: {diagnostics:?}");

    std::fs::write(&config, "ignore = [\"missing-bearr\"]\n").unwrap();
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri(&config)}}),
    );
    let shown = client.wait("the configuration error", |m| {
        m["method"] == "window/showMessage"
    });
    let message = shown["params"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("keylint.toml:1:")
            && message.contains("keeping the previous configuration"),
        "{message}"
    );
    let (status, stderr) = client.shutdown_and_exit();
    assert_eq!(status.code(), Some(0), "stderr:\n{stderr}");
}
