//! Helpers shared by the command-line tests: run the real binary, build synthetic
//! keys from `{key:ID}` templates, write files into temporary folders.
#![allow(dead_code)] // each test binary uses its own share of them

use keylint::rules::key_formats::KeyFormats;
use keylint::rules::synthetic;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub fn formats() -> &'static KeyFormats {
    static FORMATS: OnceLock<KeyFormats> = OnceLock::new();
    FORMATS.get_or_init(KeyFormats::builtin)
}

/// `text` with every `{key:…}` template replaced by a synthetic key.
pub fn expand(text: &str) -> String {
    synthetic::expand(formats(), text).expect("templates expand")
}

/// `text` with `kl:` spelled out as `keylint:` and templates expanded. Directives are
/// written `# kl: …` here so that scanning this repository (which must come out
/// without warnings) does not read the deliberately broken ones in this file.
pub fn with_directives(text: &str) -> String {
    expand(&text.replace("kl:", "keylint:"))
}

/// One synthetic key of family `id` (`openai-project`, `openai-project#2`, …).
pub fn key(id: &str) -> String {
    synthetic::key(formats(), id).expect("known key family")
}

/// What one run of the binary produced.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(out: Output) -> Run {
        Run {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Fail with the exit code and stderr, never with stdout (which may hold a key
    /// when `--show-secrets` is on); stderr is checked for keys separately.
    #[track_caller]
    pub fn expect_code(&self, want: i32) -> &Run {
        assert_eq!(
            self.code,
            Some(want),
            "unexpected exit status; stderr:\n{}",
            self.stderr
        );
        self
    }

    /// Concise-format lines on stdout.
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).expect("stdout is one JSON document")
    }
}

pub fn keylint(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keylint"));
    cmd.current_dir(dir)
        .env_remove("KEYLINT_FORMAT")
        .env_remove("NO_COLOR")
        .stdin(Stdio::null());
    // Run from a git hook, these would point `--staged` at the outer repository.
    for var in GIT_LOCATION_VARS {
        cmd.env_remove(var);
    }
    cmd
}

pub const GIT_LOCATION_VARS: [&str; 4] =
    ["GIT_DIR", "GIT_INDEX_FILE", "GIT_WORK_TREE", "GIT_PREFIX"];

pub fn run(dir: &Path, args: &[&str]) -> Run {
    Run::from_output(keylint(dir).args(args).output().expect("keylint runs"))
}

pub fn run_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Run {
    let mut child = keylint(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("keylint starts");
    let written = child.stdin.take().expect("stdin is piped").write_all(input);
    // keylint may exit before reading (a usage error); that closes the pipe early.
    if let Err(e) = written {
        assert_eq!(
            e.kind(),
            std::io::ErrorKind::BrokenPipe,
            "writing stdin: {e}"
        );
    }
    Run::from_output(child.wait_with_output().expect("keylint finishes"))
}

/// Run with a generous deadline so a hang fails the test instead of the whole suite.
/// This is a hang guard, not a timing assertion.
pub fn run_with_deadline(dir: &Path, args: &[&str], deadline: Duration) -> Run {
    let out_dir = tempfile::tempdir().unwrap();
    let out_path = out_dir.path().join("stdout");
    let err_path = out_dir.path().join("stderr");
    let mut child = keylint(dir)
        .args(args)
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("keylint starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait works") {
            break status;
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("keylint {args:?} did not finish within {deadline:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: std::fs::read_to_string(&out_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&err_path).unwrap_or_default(),
    }
}

/// Write `content` at `dir/rel`, creating parent folders.
pub fn write(dir: &Path, rel: &str, content: impl AsRef<[u8]>) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
}

/// A folder with one file holding a hardcoded key (`app.py`, line 2, column 12).
pub fn dir_with_key() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let k = key("openai-project");
    write(
        dir.path(),
        "app.py",
        format!("import openai\napi_key = \"{k}\"\n"),
    );
    (dir, k)
}

/// A Python line that only the placeholder rule (level warning) reports.
pub const PLACEHOLDER_LINE: &str = "client = OpenAI(api_key=\"sk-YOUR_KEY_HERE\")\n";

#[track_caller]
pub fn assert_no_key(text: &str, key: &str, what: &str) {
    assert!(!text.contains(key), "full key leaked in {what}");
}

/// The rule ids of concise output lines, with their paths.
pub fn reported(r: &Run) -> Vec<String> {
    r.lines()
        .iter()
        .map(|l| {
            let path = l.split(':').next().unwrap_or_default();
            let rule = l
                .split_once('[')
                .and_then(|(_, rest)| rest.split_once(']'))
                .map(|(rule, _)| rule)
                .unwrap_or_default();
            format!("{path} {rule}")
        })
        .collect()
}
