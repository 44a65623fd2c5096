//! The command-line contract, run against the real binary: exit codes, standard input,
//! redaction in every output format, `--output`, the rule commands, robustness on
//! hostile inputs, and suppression comments.
//!
//! No key-shaped literal is written here: every key is built at run time from a
//! `{key:ID}` template, and no assertion prints a full key when it fails.

mod cli_support;

use cli_support::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

// ---------------------------------------------------------------------------------
// 1. Exit codes
// ---------------------------------------------------------------------------------

#[test]
fn clean_directory_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        "import os\nkey = os.environ[\"OPENAI_API_KEY\"]\n",
    );
    write(dir.path(), ".env", "OPENAI_API_KEY=${OPENAI_API_KEY}\n");
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(0);
    assert_eq!(r.stdout, "", "a clean folder has no findings");
}

#[test]
fn hardcoded_key_exits_1() {
    let (dir, _) = dir_with_key();
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    assert_eq!(r.lines().len(), 1);
    assert!(
        r.stdout.starts_with("app.py:2:12: error[hardcoded-key] "),
        "concise line shape: path:line:col: level[rule] message"
    );
}

#[test]
fn fail_on_never_exits_0_even_with_findings() {
    let (dir, _) = dir_with_key();
    let r = run(
        dir.path(),
        &["scan", "--format", "concise", "--fail-on", "never", "."],
    );
    r.expect_code(0);
    assert!(
        r.stdout.contains("error[hardcoded-key]"),
        "the finding is still reported"
    );
}

#[test]
fn fail_on_error_exits_0_with_only_warning_level_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "app.py", PLACEHOLDER_LINE);
    // The default threshold (warning) fails on this file...
    let default = run(dir.path(), &["scan", "--format", "concise", "."]);
    default.expect_code(1);
    assert!(
        default
            .stdout
            .starts_with("app.py:1:26: warning[placeholder-key] "),
        "placeholder-key is a warning-level finding"
    );
    // ...and `--fail-on error` does not, though it still reports it.
    let r = run(
        dir.path(),
        &["scan", "--format", "concise", "--fail-on", "error", "."],
    );
    r.expect_code(0);
    assert_eq!(r.stdout, default.stdout);
}

#[test]
fn fail_on_error_still_exits_1_for_error_level_findings() {
    let (dir, _) = dir_with_key();
    let r = run(
        dir.path(),
        &["scan", "--format", "concise", "--fail-on", "error", "."],
    );
    r.expect_code(1);
}

#[test]
fn nonexistent_path_exits_2_with_one_stderr_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["scan", "no-such-dir/missing.py"]);
    r.expect_code(2);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "exactly one stderr line, got:\n{}",
        r.stderr
    );
    assert!(
        lines[0].contains("no-such-dir/missing.py"),
        "the line names the path: {}",
        lines[0]
    );
    assert_eq!(r.stdout, "", "no report is written on a usage error");
}

#[test]
fn nonexistent_path_next_to_a_real_one_still_exits_2() {
    let (dir, _) = dir_with_key();
    let r = run(dir.path(), &["scan", "app.py", "missing.py"]);
    r.expect_code(2);
    assert!(r.stderr.contains("missing.py"), "stderr:\n{}", r.stderr);
}

#[test]
fn unknown_select_id_exits_2_and_names_the_id() {
    let (dir, _) = dir_with_key();
    let r = run(dir.path(), &["scan", "--select", "unknown-id", "."]);
    r.expect_code(2);
    assert!(r.stderr.contains("unknown-id"), "stderr:\n{}", r.stderr);
    assert_eq!(r.stdout, "");
}

#[test]
fn unknown_ignore_id_exits_2_and_names_the_id() {
    let (dir, _) = dir_with_key();
    let r = run(dir.path(), &["scan", "--ignore", "no-such-rule", "."]);
    r.expect_code(2);
    assert!(r.stderr.contains("no-such-rule"), "stderr:\n{}", r.stderr);
}

#[test]
fn bad_as_of_date_exits_2() {
    let (dir, _) = dir_with_key();
    for bad in ["2026-13-45", "yesterday", "25/11/2026"] {
        let r = run(dir.path(), &["scan", "--as-of", bad, "."]);
        r.expect_code(2);
        assert!(r.stderr.contains("--as-of"), "{bad}: stderr:\n{}", r.stderr);
        assert_eq!(r.stdout, "", "{bad}: nothing scanned");
    }
    // A good date is accepted, so the failures above are about the value.
    run(dir.path(), &["scan", "--as-of", "2026-11-25", "."]).expect_code(1);
}

#[test]
fn bad_max_file_size_exits_2() {
    let (dir, _) = dir_with_key();
    for bad in ["ten", "5T", "-1", "99999999999999999999G"] {
        let r = run(
            dir.path(),
            &["scan", &format!("--max-file-size={bad}"), "."],
        );
        r.expect_code(2);
        assert!(
            r.stderr.contains("--max-file-size"),
            "{bad}: stderr:\n{}",
            r.stderr
        );
    }
    run(dir.path(), &["scan", "--max-file-size", "512K", "."]).expect_code(1);
}

#[test]
fn unknown_flag_exits_2() {
    let (dir, _) = dir_with_key();
    let r = run(dir.path(), &["scan", "--no-such-flag", "."]);
    r.expect_code(2);
    assert!(r.stderr.contains("--no-such-flag"), "stderr:\n{}", r.stderr);
    run(dir.path(), &["no-such-command"]).expect_code(2);
}

#[test]
fn stdin_filename_with_paths_exits_2() {
    let (dir, _) = dir_with_key();
    let r = run_stdin(
        dir.path(),
        &["scan", "--stdin-filename", "x.py", "app.py"],
        b"x = 1\n",
    );
    r.expect_code(2);
    assert!(
        r.stderr.contains("--stdin-filename"),
        "stderr:\n{}",
        r.stderr
    );
}

#[test]
fn unwritable_output_file_exits_2() {
    let (dir, _) = dir_with_key();
    let r = run(
        dir.path(),
        &[
            "scan",
            "-o",
            "no-such-dir/out.json",
            "--format",
            "json",
            ".",
        ],
    );
    r.expect_code(2);
    assert!(
        r.stderr.contains("no-such-dir/out.json"),
        "stderr:\n{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------
// 2. Standard input
// ---------------------------------------------------------------------------------

#[test]
fn dash_reads_stdin_and_reports_it_as_dash() {
    let dir = tempfile::tempdir().unwrap();
    let input = expand("x = 1\n\napi_key = \"{key:openai-project}\"\n");
    let r = run_stdin(
        dir.path(),
        &["scan", "--format", "concise", "-"],
        input.as_bytes(),
    );
    r.expect_code(1);
    assert_eq!(r.lines().len(), 1);
    assert!(
        r.stdout.starts_with("-:3:12: error[hardcoded-key] "),
        "stdin is reported as `-`"
    );
}

#[test]
fn stdin_filename_names_the_finding() {
    let dir = tempfile::tempdir().unwrap();
    let input = expand("import openai\nopenai.api_key = \"{key:openai-project}\"\n");
    let r = run_stdin(
        dir.path(),
        &["scan", "--format", "concise", "--stdin-filename", "app.py"],
        input.as_bytes(),
    );
    r.expect_code(1);
    assert_eq!(r.lines().len(), 1);
    assert!(
        r.stdout.starts_with("app.py:2:19: error[hardcoded-key] "),
        "the finding is reported under the given name"
    );
}

#[test]
fn stdin_filename_does_not_scan_the_current_directory() {
    let (dir, _) = dir_with_key();
    let r = run_stdin(
        dir.path(),
        &[
            "scan",
            "--format",
            "concise",
            "--stdin-filename",
            "clean.py",
        ],
        b"x = 1\n",
    );
    r.expect_code(0);
    assert_eq!(r.stdout, "", "app.py on disk must not be scanned");
}

#[test]
fn stdin_filename_dotenv_is_parsed_as_dotenv() {
    let dir = tempfile::tempdir().unwrap();
    let input = expand("OPENAI_API_KEY={key:openai-project}\n");
    let r = run_stdin(
        dir.path(),
        &["scan", "--format", "concise", "--stdin-filename", ".env"],
        input.as_bytes(),
    );
    r.expect_code(1);
    assert!(
        r.stdout.starts_with(".env:1:16: error[hardcoded-key] "),
        "the key in the .env line is reported"
    );

    // The placeholder rule reports `.env` values the app loads, but not the same text
    // in an unknown kind of file: proof that the name chose the dotenv parser.
    let placeholder = b"OPENAI_API_KEY=sk-your-key-here\n";
    let env = run_stdin(
        dir.path(),
        &["scan", "--format", "concise", "--stdin-filename", ".env"],
        placeholder,
    );
    env.expect_code(1);
    assert!(
        env.stdout
            .starts_with(".env:1:16: warning[placeholder-key] "),
        "stdout:\n{}",
        env.stdout
    );
    let text = run_stdin(
        dir.path(),
        &[
            "scan",
            "--format",
            "concise",
            "--stdin-filename",
            "notes.txt",
        ],
        placeholder,
    );
    text.expect_code(0);
    assert_eq!(text.stdout, "");
    let template = run_stdin(
        dir.path(),
        &[
            "scan",
            "--format",
            "concise",
            "--stdin-filename",
            ".env.example",
        ],
        placeholder,
    );
    template.expect_code(0);
    assert_eq!(template.stdout, "", ".env.example is documentation");
}

#[test]
fn binary_stdin_is_skipped_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = expand("api_key = \"{key:openai-project}\"\n").into_bytes();
    input.insert(0, 0);
    let r = run_stdin(
        dir.path(),
        &["scan", "--format", "concise", "--stdin-filename", "x.py"],
        &input,
    );
    r.expect_code(0);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("x.py") && r.stderr.contains("binary"),
        "stderr:\n{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------
// 3. Redaction
// ---------------------------------------------------------------------------------

/// A folder with keys of several families in several file kinds.
fn dir_with_many_keys() -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "app.py",
        expand("client = OpenAI(api_key=\"{key:openai-project}\")\n"),
    );
    write(p, ".env", expand("ANTHROPIC_API_KEY={key:anthropic-api}\n"));
    write(p, "config.yaml", expand("llm:\n  api_key: {key:groq}\n"));
    write(
        p,
        "demo.ipynb",
        expand(
            r#"{"cells": [{"cell_type": "code", "source": ["token = \"{key:huggingface}\"\n"], "outputs": []}], "metadata": {}}"#,
        ),
    );
    write(
        p,
        "bundle.js",
        expand("var a=1;var k=\"{key:openai-service-account}\";var b=2;\n"),
    );
    let keys = [
        "openai-project",
        "anthropic-api",
        "groq",
        "huggingface",
        "openai-service-account",
    ]
    .iter()
    .map(|id| key(id))
    .collect();
    (dir, keys)
}

#[test]
fn no_output_format_prints_a_full_key() {
    let (dir, keys) = dir_with_many_keys();
    for format in ["full", "concise", "json", "sarif", "github"] {
        let r = run(
            dir.path(),
            &["scan", "--color", "never", "--format", format, "."],
        );
        r.expect_code(1);
        for k in &keys {
            assert_no_key(&r.stdout, k, &format!("{format} stdout"));
            assert_no_key(&r.stderr, k, &format!("{format} stderr"));
        }
        // Not vacuous: every key was found, and shown in its redacted form.
        let count = r.stdout.matches("hardcoded-key").count();
        assert!(
            count >= keys.len(),
            "{format}: expected a finding per key, saw {count} mentions"
        );
        if format != "sarif" {
            assert!(
                r.stdout.contains("`sk-proj-..."),
                "{format}: redacted form is shown"
            );
        }
    }
}

#[test]
fn show_secrets_prints_the_full_key_in_concise() {
    let (dir, k) = dir_with_key();
    let hidden = run(dir.path(), &["scan", "--format", "concise", "."]);
    assert!(
        !hidden.stdout.contains(&k),
        "full key leaked without --show-secrets"
    );
    let shown = run(
        dir.path(),
        &["scan", "--format", "concise", "--show-secrets", "."],
    );
    shown.expect_code(1);
    assert!(
        shown.stdout.contains(&k),
        "--show-secrets must print the key in full"
    );
}

#[test]
fn suppression_warnings_never_quote_a_full_key() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // Each line holds a key inside a directive that cannot be understood.
    write(
        p,
        "reason.py",
        with_directives("x = 1  # kl: ignore -- rotated {key:openai-project}\n"),
    );
    write(
        p,
        "glued.py",
        with_directives("x = 1  # kl: ignore[hardcoded-key]{key:openai-project#2}\n"),
    );
    write(
        p,
        "as_id.py",
        with_directives("x = 1  # kl: ignore[{key:openai-project#3}]\n"),
    );
    write(
        p,
        "word.py",
        with_directives("x = 1  # kl: {key:openai-user}\n"),
    );
    let keys = [
        key("openai-project"),
        key("openai-project#2"),
        key("openai-project#3"),
        key("openai-user"),
    ];
    for format in ["full", "json", "sarif"] {
        let r = run(p, &["scan", "--color", "never", "--format", format, "."]);
        assert!(
            r.stderr.matches("suppression").count() >= 4,
            "{format}: every directive is warned about"
        );
        for k in &keys {
            assert_no_key(
                &r.stderr,
                k,
                &format!("{format} stderr (suppression warning)"),
            );
            assert_no_key(
                &r.stdout,
                k,
                &format!("{format} stdout (suppression warning)"),
            );
        }
    }
}

// ---------------------------------------------------------------------------------
// 4. --output
// ---------------------------------------------------------------------------------

#[test]
fn output_flag_writes_the_report_to_the_file_and_nothing_to_stdout() {
    let (dir, k) = dir_with_key();
    let r = run(
        dir.path(),
        &[
            "scan",
            "--format",
            "json",
            "--output",
            "report.json",
            "app.py",
        ],
    );
    r.expect_code(1);
    assert_eq!(r.stdout, "", "the report goes to the file, not stdout");
    let text = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
    assert_no_key(&text, &k, "--output json file");
    let doc: Value = serde_json::from_str(&text).expect("the file is JSON");
    let findings = doc["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["rule"], "hardcoded-key");
    assert_eq!(findings[0]["path"], "app.py");
    assert_eq!(findings[0]["start"]["line"], 2);
    assert_eq!(findings[0]["start"]["column"], 12);
}

#[test]
fn output_flag_with_full_format_notes_the_count_on_stderr() {
    let (dir, _) = dir_with_key();
    let r = run(
        dir.path(),
        &["scan", "--color", "never", "-o", "report.txt", "app.py"],
    );
    r.expect_code(1);
    assert_eq!(r.stdout, "");
    let text = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(
        text.contains("error[hardcoded-key]"),
        "the frames are in the file"
    );
    assert!(text.contains(" --> app.py:2:12"), "file:\n{text}");
    assert!(
        r.stderr.contains("1 finding(s) written to report.txt"),
        "stderr:\n{}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------------
// 5. Rule commands
// ---------------------------------------------------------------------------------

fn rule_ids_from_rules_dir() -> Vec<String> {
    let rules_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(rules_dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let table: toml::Table = std::fs::read_to_string(&path).unwrap().parse().unwrap();
            ids.push(table["id"].as_str().unwrap().to_string());
        }
    }
    ids.sort();
    assert!(!ids.is_empty(), "rules/*.toml exist");
    ids
}

#[test]
fn rules_lists_every_rule_file() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["rules"]);
    r.expect_code(0);
    let mut listed: Vec<String> = r
        .lines()
        .iter()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    listed.sort();
    assert_eq!(listed, rule_ids_from_rules_dir());

    let json = run(dir.path(), &["rules", "--format", "json"]);
    json.expect_code(0);
    let mut ids: Vec<String> = json
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, rule_ids_from_rules_dir());
}

#[test]
fn rule_prints_the_documentation_of_one_rule() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["rule", "hardcoded-key"]);
    r.expect_code(0);
    assert!(
        r.stdout.starts_with("# hardcoded-key (error)\n"),
        "stdout:\n{}",
        r.stdout
    );
    for section in ["## What it does", "## Why is this bad?", "## Example"] {
        assert!(r.stdout.contains(section), "missing {section}");
    }
    let other = run(dir.path(), &["rule", "placeholder-key"]);
    other.expect_code(0);
    assert!(other.stdout.starts_with("# placeholder-key (warning)\n"));
}

#[test]
fn rule_with_unknown_id_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["rule", "nope"]);
    r.expect_code(2);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("`nope`"), "stderr:\n{}", r.stderr);
    let near = run(dir.path(), &["rule", "hardcoded"]);
    near.expect_code(2);
    assert!(
        near.stderr.contains("did you mean `hardcoded-key`"),
        "stderr:\n{}",
        near.stderr
    );
}

// ---------------------------------------------------------------------------------
// 6. Robustness
// ---------------------------------------------------------------------------------

#[test]
fn binary_file_is_skipped_and_other_files_are_still_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let mut binary = b"\x89PNG\r\n\x1a\n\0\0\0".to_vec();
    binary.extend(expand("api_key = \"{key:openai-project}\"\n").into_bytes());
    write(p, "image.py", &binary);
    write(
        p,
        "app.py",
        expand("api_key = \"{key:openai-project#2}\"\n"),
    );
    let r = run(p, &["scan", "--format", "json", "."]);
    r.expect_code(1);
    let doc = r.json();
    let paths: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["app.py"], "no finding from the binary file");
    assert_eq!(doc["summary"]["binary_files_skipped"], 1);
    assert_eq!(doc["summary"]["files_scanned"], 1);

    // Named explicitly, the skip is noted on stderr.
    let named = run(p, &["scan", "--format", "concise", "image.py", "app.py"]);
    named.expect_code(1);
    assert!(named.stdout.starts_with("app.py:1:12: "));
    assert!(
        named.stderr.contains("image.py: binary file"),
        "stderr:\n{}",
        named.stderr
    );
}

#[test]
fn nul_byte_after_the_first_8_kib_does_not_make_a_file_binary() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = vec![b'#'; 9000];
    text.extend(b"\n\0\n");
    text.extend(expand("api_key = \"{key:openai-project}\"\n").into_bytes());
    write(dir.path(), "late.py", &text);
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    assert!(
        r.stdout.starts_with("late.py:3:12: error[hardcoded-key] "),
        "stdout lines: {}",
        r.lines().len()
    );
}

#[test]
fn invalid_utf8_file_is_read_lossily_and_its_key_reported() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let mut bytes = b"# caf\xe9 au lait\n\xff\xfe = 1\n".to_vec();
    // Invalid bytes on the key's own line too, before it: columns count U+FFFD as one.
    bytes.extend(b"x\xe9 = 1; api_key = \"");
    bytes.extend(key("openai-project").into_bytes());
    bytes.extend(b"\"\n");
    write(p, "latin1.py", &bytes);
    write(p, "other.py", expand("k = \"{key:openai-project#2}\"\n"));
    let r = run(p, &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 2, "one finding per file");
    assert!(
        lines[0].starts_with("latin1.py:3:20: error[hardcoded-key] "),
        "got {}",
        lines[0].split(' ').next().unwrap_or("")
    );
    assert!(lines[1].starts_with("other.py:1:6: error[hardcoded-key] "));
}

#[test]
fn file_over_max_file_size_is_skipped_with_a_note_and_the_scan_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let mut big = expand("api_key = \"{key:openai-project}\"\n");
    big.push_str(&"# padding\n".repeat(300));
    write(p, "big.py", &big);
    write(
        p,
        "small.py",
        expand("api_key = \"{key:openai-project#2}\"\n"),
    );
    let r = run(
        p,
        &["scan", "--format", "concise", "--max-file-size", "1K", "."],
    );
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 1, "only small.py is reported");
    assert!(lines[0].starts_with("small.py:1:12: "));
    assert!(
        r.stderr
            .lines()
            .any(|l| l.contains("big.py") && l.contains("--max-file-size")),
        "stderr:\n{}",
        r.stderr
    );
    // Raised above the file's size, the same file is scanned.
    let all = run(
        p,
        &["scan", "--format", "concise", "--max-file-size", "1M", "."],
    );
    all.expect_code(1);
    assert_eq!(all.lines().len(), 2);
}

#[test]
fn fifty_megabyte_minified_line_with_a_key_in_the_middle_is_scanned() {
    let dir = tempfile::tempdir().unwrap();
    let filler = "var a=1;".repeat(25 * 1024 * 1024 / 8);
    let statement = expand("var k=\"{key:openai-project}\";");
    let mut text = String::with_capacity(2 * filler.len() + statement.len() + 1);
    text.push_str(&filler);
    text.push_str(&statement);
    text.push_str(&filler);
    text.push('\n');
    write(dir.path(), "app.js", text.as_bytes());
    drop(text);
    let column = filler.len() + "var k=\"".len() + 1;
    drop(filler);

    let r = run_with_deadline(
        dir.path(),
        &[
            "scan",
            "--format",
            "concise",
            "--max-file-size",
            "100M",
            ".",
        ],
        Duration::from_secs(300),
    );
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 1);
    let want = format!("app.js:1:{column}: error[hardcoded-key] ");
    assert!(lines[0].starts_with(&want), "want `{want}…`");

    // The full format cuts the line to a window around the key.
    let full = run_with_deadline(
        dir.path(),
        &["scan", "--color", "never", "--max-file-size", "100M", "."],
        Duration::from_secs(300),
    );
    full.expect_code(1);
    assert!(
        full.stdout.len() < 4096,
        "the snippet of a minified line is a window, not the whole line ({} bytes)",
        full.stdout.len()
    );
    assert_no_key(
        &full.stdout,
        &key("openai-project"),
        "full output of minified file",
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop_with_follow_does_not_hang_or_crash() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir(p.join("a")).unwrap();
    std::os::unix::fs::symlink("..", p.join("a/loop")).unwrap();
    write(
        p,
        "a/app.py",
        expand("api_key = \"{key:openai-project}\"\n"),
    );
    for root in [".", "a"] {
        let r = run_with_deadline(
            p,
            &["scan", "-L", "--format", "concise", root],
            Duration::from_secs(120),
        );
        assert!(
            matches!(r.code, Some(0 | 1)),
            "{root}: exit {:?}, stderr:\n{}",
            r.code,
            r.stderr
        );
        assert!(
            r.lines()
                .iter()
                .any(|l| l.starts_with("a/app.py:1:12: error[hardcoded-key] ")),
            "{root}: the real file is still reported"
        );
        assert!(
            !r.stderr.contains("internal error"),
            "{root}: stderr:\n{}",
            r.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn unreadable_file_warns_naming_it_and_the_scan_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "secret.py",
        expand("api_key = \"{key:openai-project}\"\n"),
    );
    write(
        p,
        "other.py",
        expand("api_key = \"{key:openai-project#2}\"\n"),
    );
    let locked = p.join("secret.py");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&locked).is_ok() {
        // Root (or CAP_DAC_OVERRIDE) reads through mode 000, so this setup cannot make
        // a file unreadable; asserting anything here would be meaningless.
        eprintln!(
            "skipped: chmod 000 does not stop this user from reading files (running as root?)"
        );
        return;
    }
    for args in [
        &["scan", "--format", "concise", "."][..],
        &["scan", "--format", "concise", "secret.py", "other.py"][..],
    ] {
        let r = run(p, args);
        assert_eq!(r.code, Some(1), "{args:?}: stderr:\n{}", r.stderr);
        assert!(
            r.stderr
                .lines()
                .any(|l| l.starts_with("keylint: warning: ") && l.contains("secret.py")),
            "{args:?}: stderr:\n{}",
            r.stderr
        );
        let lines = r.lines();
        assert_eq!(lines.len(), 1, "{args:?}");
        assert!(lines[0].starts_with("other.py:1:12: "), "{args:?}");
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
}

#[test]
fn odd_file_names_are_reported_and_percent_encoded_in_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let name = "dir with space/a#b%c é.py";
    write(p, name, expand("api_key = \"{key:openai-project}\"\n"));
    write(
        p,
        "plain.py",
        expand("api_key = \"{key:openai-project#2}\"\n"),
    );

    let concise = run(p, &["scan", "--format", "concise", "."]);
    concise.expect_code(1);
    assert!(
        concise
            .lines()
            .iter()
            .any(|l| l.starts_with(&format!("{name}:1:12: error[hardcoded-key] "))),
        "stdout lines: {}",
        concise.lines().len()
    );

    let sarif = run(p, &["scan", "--format", "sarif", "."]);
    sarif.expect_code(1);
    let doc = sarif.json();
    assert_eq!(doc["version"], "2.1.0");
    let results = doc["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let uris: Vec<(&str, &Value)> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"]["artifactLocation"];
            (loc["uri"].as_str().unwrap(), &loc["uriBaseId"])
        })
        .collect();
    let (uri, base) = uris
        .iter()
        .find(|(u, _)| u.starts_with("dir"))
        .expect("a result for the odd name");
    assert_eq!(*uri, "dir%20with%20space/a%23b%25c%20%C3%A9.py");
    assert_eq!(**base, "%SRCROOT%");
    assert!(uris.iter().any(|(u, _)| *u == "plain.py"));
    let region = &results[0]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 1);
    assert_eq!(region["startColumn"], 12);
}

#[test]
fn deep_nesting_in_json_python_and_notebooks_does_not_crash() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let n = 100_000;
    let (open, close) = ("[".repeat(n), "]".repeat(n));
    let k = key("openai-project");
    write(p, "deep.json", format!("{open}\"{k}\"{close}\n"));
    write(
        p,
        "deep.py",
        format!("x = {open}{close}\napi_key = \"{k}\"\n"),
    );
    write(
        p,
        "deep.ipynb",
        format!(
            r#"{{"cells": [{{"cell_type": "code", "source": ["api_key = \"{k}\"\n"], "outputs": {open}{close}}}], "metadata": {{}}}}"#
        ),
    );
    // Deep objects in an output's data, below and far above any depth limit.
    for (file, depth) in [("objects.ipynb", 200), ("objects-deep.ipynb", n)] {
        write(
            p,
            file,
            format!(
                r#"{{"cells": [{{"cell_type": "code", "source": ["api_key = \"{k}\"\n"], "outputs": [{{"data": {{"application/json": {}1{}}}}}]}}], "metadata": {{}}}}"#,
                r#"{"a":"#.repeat(depth),
                "}".repeat(depth)
            ),
        );
    }
    // Brackets hidden from a naive depth count by a quote inside a JSONC comment.
    write(
        p,
        "comment.ipynb",
        format!(
            "{{\"cells\": [{{\"cell_type\": \"code\", \"source\": [\"api_key = \\\"{k}\\\"\\n\"], \"outputs\": []}}], // \"\n \"x\": {open}{close} // \"\n}}"
        ),
    );
    for threads in ["1", "2"] {
        let r = run_with_deadline(
            p,
            &["scan", "-j", threads, "--format", "json", "."],
            Duration::from_secs(120),
        );
        assert_eq!(r.code, Some(1), "-j{threads}: stderr:\n{}", r.stderr);
        assert!(
            !r.stderr.contains("internal error"),
            "stderr:\n{}",
            r.stderr
        );
        let doc = r.json();
        let mut paths: Vec<&str> = doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["path"].as_str().unwrap())
            .collect();
        paths.dedup();
        assert_eq!(
            paths,
            [
                "comment.ipynb",
                "deep.ipynb",
                "deep.json",
                "deep.py",
                "objects-deep.ipynb",
                "objects.ipynb"
            ],
            "-j{threads}: every file's key is still found"
        );
        assert_no_key(&r.stdout, &k, "json output of deeply nested files");
    }
}

#[test]
fn notebook_keys_in_a_code_cell_and_an_output_are_reported_at_ipynb_lines() {
    let dir = tempfile::tempdir().unwrap();
    let notebook = expand(
        r#"{
 "cells": [
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {},
   "source": [
    "import openai\n",
    "openai.api_key = \"{key:openai-project}\"\n",
    "print(openai.api_key)"
   ],
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "using key\n",
      "{key:openai-project#2}\n"
     ]
    }
   ]
  }
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"#,
    );
    write(dir.path(), "nb.ipynb", notebook);
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 3);
    assert!(
        lines[0].starts_with("nb.ipynb:9:25: error[hardcoded-key] "),
        "the cell's key sits on line 9 of the .ipynb, after the escaped quote"
    );
    assert!(
        lines[1].starts_with("nb.ipynb:10:12: warning[key-logged] "),
        "the cell prints the key on line 10: {}",
        lines[1]
    );
    assert!(
        lines[2].starts_with("nb.ipynb:18:8: error[hardcoded-key] "),
        "the output's key sits on line 18 of the .ipynb"
    );
    assert!(r.stderr.is_empty(), "stderr:\n{}", r.stderr);
}

/// Code cells run top to bottom in one namespace: a URL and key set in the first cell
/// reach the requests in later cells. Each finding is reported once, at its line of
/// the `.ipynb`; a `%%bash` cell that is not Python does not stop the cells after it;
/// suppression comments work per line and not across a cell boundary.
#[test]
fn notebook_code_cells_share_names_and_report_at_ipynb_lines() {
    let dir = tempfile::tempdir().unwrap();
    let notebook = with_directives(
        r##"{
 "cells": [
  {"cell_type": "code", "outputs": [], "source": [
    "import os, requests\n",
    "API_URL = \"https://api.openai.com/v1/chat/completions\"\n",
    "key = os.environ[\"OPENAI_API_KEY\"]\n",
    "# kl: ignore[missing-bearer]\n"
  ]},
  {"cell_type": "code", "outputs": [], "source": [
    "first = requests.post(API_URL, headers={\"Authorization\": key})\n"
  ]},
  {"cell_type": "markdown", "source": ["Now with `curl`:\n"]},
  {"cell_type": "code", "outputs": [], "source": [
    "%%bash\n",
    "echo \"$(date\" (\n"
  ]},
  {"cell_type": "code", "outputs": [], "source": [
    "!pip install requests\n",
    "quiet = requests.post(API_URL, headers={\"Authorization\": key})  # kl: ignore[missing-bearer]\n",
    "last = requests.post(API_URL, headers={\"Authorization\": key})\n"
  ]}
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##,
    );
    let position_of = |line_start: &str| {
        let (index, line) = notebook
            .lines()
            .enumerate()
            .find(|(_, l)| l.trim_start().starts_with(line_start))
            .expect("the line is in the notebook");
        let column = line.find("key})").expect("the header value") + 1;
        format!("nb.ipynb:{}:{column}: error[missing-bearer] ", index + 1)
    };
    write(dir.path(), "nb.ipynb", notebook.clone());
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 2, "each finding once:\n{}", r.stdout);
    for (line, want) in lines.iter().zip(["\"first", "\"last"]) {
        assert!(
            line.starts_with(&position_of(want)),
            "{line} is not at {}",
            position_of(want)
        );
    }
    assert!(r.stderr.is_empty(), "stderr:\n{}", r.stderr);
}

/// Text heuristics stay within a cell: a cell that leaves a docstring open (a
/// SyntaxError in Jupyter, which compiles each cell alone) does not turn the next
/// cell's code into documentation.
#[test]
fn notebook_docstring_left_open_in_one_cell_does_not_hide_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let notebook = r##"{
 "cells": [
  {"cell_type": "code", "outputs": [], "source": ["notes = \"\"\"draft\n"]},
  {"cell_type": "code", "outputs": [], "source": [
    "from openai import OpenAI\n",
    "client = OpenAI(api_key=\"YOUR_API_KEY\")\n",
    "reply = client.chat.completions.create(model=\"gpt-4\", messages=[])\n"
  ]}
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;
    write(dir.path(), "nb.ipynb", notebook);
    let r = run(
        dir.path(),
        &["scan", "--format", "concise", "--as-of", "2026-11-25", "."],
    );
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert!(
        lines[0].starts_with("nb.ipynb:6:32: warning[placeholder-key] "),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with("nb.ipynb:7:53: error[deprecated-model] "),
        "{}",
        lines[1]
    );
}

// ---------------------------------------------------------------------------------
// 7. Suppression comments
// ---------------------------------------------------------------------------------

#[test]
fn ignore_comment_on_the_same_line_suppresses_the_finding() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        with_directives(
            "a = \"{key:openai-project}\"  # kl: ignore[hardcoded-key]\n\
             b = \"{key:openai-project#2}\"\n",
        ),
    );
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 1, "only the unsuppressed line is reported");
    assert!(lines[0].starts_with("app.py:2:6: "));
    assert_eq!(r.stderr, "", "a valid directive gives no warning");
}

#[test]
fn ignore_comment_on_the_line_above_suppresses_the_next_line_only() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        with_directives(
            "# kl: ignore[hardcoded-key]\n\
             a = \"{key:openai-project}\"\n\
             b = \"{key:openai-project#2}\"\n",
        ),
    );
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 1);
    assert!(
        lines[0].starts_with("app.py:3:6: "),
        "line 2 is covered, line 3 is not"
    );
}

#[test]
fn ignore_comment_for_another_rule_does_not_suppress() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        with_directives("a = \"{key:openai-project}\"  # kl: ignore[placeholder-key]\n"),
    );
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    assert!(r.stdout.starts_with("app.py:1:6: error[hardcoded-key] "));
}

#[test]
fn bare_ignore_comment_suppresses_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        with_directives(
            "a = \"{key:openai-project}\"  # kl: ignore\n\
             client = OpenAI(api_key=\"sk-YOUR_KEY_HERE\")  # kl: ignore\n\
             # kl: ignore\n\
             b = \"{key:openai-project#2}\"\n\
             c = \"{key:openai-project#3}\"\n\
             client = OpenAI(api_key=\"sk-YOUR_KEY_HERE\")\n",
        ),
    );
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 2, "only lines 5 and 6 are reported");
    assert!(lines[0].starts_with("app.py:5:6: error[hardcoded-key] "));
    assert!(lines[1].starts_with("app.py:6:26: warning[placeholder-key] "));
}

#[test]
fn slash_comment_directive_works_in_javascript() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.js",
        with_directives(
            "// kl: ignore[hardcoded-key]\n\
             const a = \"{key:openai-project}\";\n\
             const b = \"{key:openai-project#2}\"; /* kl: ignore */\n\
             const c = \"{key:openai-project#3}\";\n",
        ),
    );
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 1);
    assert!(lines[0].starts_with("app.js:4:12: "));
}

#[test]
fn ignore_comment_suppresses_env_file_not_ignored_at_the_first_key() {
    let dir = tempfile::tempdir().unwrap();
    let init = Command::new("git")
        .args(["init", "-q"])
        .current_dir(dir.path())
        .status()
        .expect("git runs");
    assert!(init.success());
    let body = "OPENAI_API_KEY={key:openai-project}\n";
    write(dir.path(), ".env", expand(body));
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    assert!(
        r.stdout.contains("error[env-file-not-ignored]"),
        "not vacuous: the rule fires without a directive"
    );
    write(
        dir.path(),
        ".env",
        with_directives(&format!("# kl: ignore[env-file-not-ignored]\n{body}")),
    );
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    let lines = r.lines();
    assert_eq!(lines.len(), 1, "only hardcoded-key is left");
    assert!(lines[0].starts_with(".env:2:16: error[hardcoded-key] "));
}

#[test]
fn malformed_directive_warns_on_stderr_and_in_json_and_suppresses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        with_directives(
            "x = 1\n\
             a = \"{key:openai-project}\"  # kl: ignore[\n",
        ),
    );
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    assert!(
        r.stdout.starts_with("app.py:2:6: error[hardcoded-key] "),
        "the broken directive suppresses nothing"
    );
    let warnings: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(warnings.len(), 1, "stderr:\n{}", r.stderr);
    assert!(
        warnings[0].starts_with("keylint: warning: app.py:2: ")
            && warnings[0].contains("suppression"),
        "stderr:\n{}",
        r.stderr
    );

    let json = run(dir.path(), &["scan", "--format", "json", "."]);
    json.expect_code(1);
    let doc = json.json();
    let listed = doc["warnings"].as_array().unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["kind"], "suppression");
    assert_eq!(listed[0]["path"], "app.py");
    assert_eq!(listed[0]["line"], 2);

    let sarif = run(dir.path(), &["scan", "--format", "sarif", "."]);
    let doc = sarif.json();
    let notes = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["descriptor"]["id"], "suppression");
    assert_eq!(notes[0]["level"], "warning");
}

#[test]
fn unknown_rule_id_in_a_directive_warns() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        with_directives("a = \"{key:openai-project}\"  # kl: ignore[hardcoded-kye]\n"),
    );
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    assert!(r.stdout.starts_with("app.py:1:6: error[hardcoded-key] "));
    assert!(
        r.stderr.contains("app.py:1: ") && r.stderr.contains("hardcoded-kye"),
        "stderr:\n{}",
        r.stderr
    );
}

#[test]
fn quiet_hides_warnings_but_not_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        with_directives("a = \"{key:openai-project}\"  # kl: ignroe\n"),
    );
    let loud = run(dir.path(), &["scan", "--format", "concise", "."]);
    assert!(loud.stderr.contains("keylint: warning: app.py:1: "));
    let quiet = run(dir.path(), &["scan", "--format", "concise", "-q", "."]);
    quiet.expect_code(1);
    assert_eq!(quiet.stderr, "");
    assert_eq!(quiet.stdout, loud.stdout);
}

#[test]
fn the_sdks_own_package_is_not_judged_as_a_consumer_of_it() {
    let dir = tempfile::tempdir().unwrap();
    let helper =
        "import OpenAI from \"openai\";\nexport const fast = new OpenAI({ maxRetries: 0 });\n";
    let key = expand("const leaked = \"{key:openai-project}\";\n");
    for package in ["openai", "my-app"] {
        write(
            dir.path(),
            &format!("{package}/package.json"),
            format!("{{\n  \"name\": \"{package}\",\n  \"version\": \"1.0.0\"\n}}\n"),
        );
        write(dir.path(), &format!("{package}/src/helper.js"), helper);
        write(dir.path(), &format!("{package}/src/leak.js"), &key);
    }
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    let rules: Vec<&str> = r.stdout.lines().filter(|l| l.contains(": ")).collect();
    assert!(
        rules
            .iter()
            .any(|l| l.starts_with("my-app/src/helper.js:") && l.contains("[retries-disabled]")),
        "{rules:?}"
    );
    assert!(
        !rules.iter().any(|l| l.starts_with("openai/src/helper.js:")),
        "{rules:?}"
    );
    // A key is a leak wherever it is.
    assert!(
        rules
            .iter()
            .any(|l| l.starts_with("openai/src/leak.js:") && l.contains("[hardcoded-key]"))
    );
}

// ---------------------------------------------------------------------------------
// 11. SARIF category
// ---------------------------------------------------------------------------------

#[test]
fn sarif_category_sets_the_automation_id() {
    let (dir, _) = dir_with_key();
    let id = |args: &[&str]| {
        let r = run(dir.path(), args);
        r.expect_code(1);
        r.json()["runs"][0]["automationDetails"]["id"].clone()
    };
    assert_eq!(id(&["scan", "--format", "sarif"]), "keylint/");
    assert_eq!(
        id(&[
            "scan",
            "--format",
            "sarif",
            "--sarif-category",
            "keylint-web"
        ]),
        "keylint-web/"
    );
    assert_eq!(
        id(&[
            "scan",
            "--format",
            "sarif",
            "--sarif-category",
            "keylint/web/"
        ]),
        "keylint/web/"
    );
    for (bad, why) in [
        ("", "is empty"),
        ("/", "names no SARIF category"),
        ("key lint", "contains whitespace"),
    ] {
        let r = run(
            dir.path(),
            &["scan", "--format", "sarif", "--sarif-category", bad],
        );
        r.expect_code(2);
        assert!(r.stderr.contains(why), "{bad:?}: {}", r.stderr);
        assert_eq!(r.stdout, "");
    }
    let r = run(dir.path(), &["scan", "--sarif-category", "web"]);
    r.expect_code(2);
    assert!(
        r.stderr
            .contains("--sarif-category applies to --format sarif only"),
        "{}",
        r.stderr
    );
}
