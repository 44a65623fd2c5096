//! Baselines (`--write-baseline`, `--baseline`), run against the real binary.
//!
//! No key-shaped literal is written here: keys are built at run time.

mod cli_support;

use cli_support::*;
use serde_json::Value;

// ---------------------------------------------------------------------------------
// 9. Baselines
// ---------------------------------------------------------------------------------

/// A Python module with a hardcoded key (at `line`) and an Authorization header
/// without `Bearer ` after it.
fn legacy_module(k: &str, blank_lines_above: usize) -> String {
    format!(
        "{}import os, requests\nKEY = \"{k}\"\nr = requests.post(\n    \
         \"https://api.openai.com/v1/chat/completions\",\n    \
         headers={{\"Authorization\": os.environ[\"OPENAI_API_KEY\"]}},\n)\n",
        "# moved down\n".repeat(blank_lines_above)
    )
}

#[test]
fn baseline_reports_only_new_findings_after_moves_and_renames() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let k = key("openai-project");
    write(root, "app/service.py", legacy_module(&k, 0));

    // Record.
    let r = run(
        root,
        &["scan", "--write-baseline", ".keylint-baseline.json"],
    );
    r.expect_code(0);
    assert_eq!(r.stdout, "", "writing a baseline prints no report");
    assert!(
        r.stderr
            .contains("recorded 2 findings in .keylint-baseline.json"),
        "{}",
        r.stderr
    );
    let text = std::fs::read_to_string(root.join(".keylint-baseline.json")).unwrap();
    assert_no_key(&text, &k, "the baseline");
    assert_no_key(&text, &k[8..28], "the baseline");
    assert_no_key(&text, &k[k.len() - 12..], "the baseline");
    assert!(text.ends_with("}\n"));
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["version"], 1);
    let entries = doc["findings"].as_array().unwrap();
    let rules: Vec<&str> = entries
        .iter()
        .map(|e| e["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        ["hardcoded-key", "missing-bearer"],
        "sorted by path, rule"
    );
    for e in entries {
        let mut fields: Vec<&String> = e.as_object().unwrap().keys().collect();
        fields.sort();
        assert_eq!(
            fields,
            ["count", "fingerprint", "path", "rule"],
            "nothing else is stored"
        );
        assert_eq!(e["path"], "app/service.py");
    }
    // Writing again gives the same bytes.
    run(
        root,
        &["scan", "--write-baseline", ".keylint-baseline.json"],
    )
    .expect_code(0);
    assert_eq!(
        std::fs::read_to_string(root.join(".keylint-baseline.json")).unwrap(),
        text
    );

    let base = [
        "scan",
        "--format",
        "concise",
        "--baseline",
        ".keylint-baseline.json",
        ".",
    ];
    let r = run(root, &base);
    r.expect_code(0);
    assert_eq!(r.stdout, "");

    // Lines inserted above, then the file renamed: still the same findings.
    write(root, "app/service.py", legacy_module(&k, 7));
    run(root, &base).expect_code(0);
    std::fs::rename(root.join("app/service.py"), root.join("app/client.py")).unwrap();
    let r = run(root, &base);
    r.expect_code(0);
    assert_eq!(r.stdout, "", "a renamed file keeps its baseline");
    // The summary counts what the baseline held back.
    let full = run(
        root,
        &[
            "scan",
            "--baseline",
            ".keylint-baseline.json",
            "--color",
            "never",
        ],
    );
    full.expect_code(0);
    assert_eq!(
        full.stdout,
        "No new findings in 2 files; 2 findings in the baseline.\n"
    );
    // From a subfolder, with the baseline above it.
    let r = run(
        &root.join("app"),
        &[
            "scan",
            "--format",
            "json",
            "--baseline",
            "../.keylint-baseline.json",
            ".",
        ],
    );
    r.expect_code(0);
    assert_eq!(r.json()["summary"]["in_baseline"], 2);

    // One new key: exactly one finding.
    let new = key("openai-project#2");
    let mut module = legacy_module(&k, 7);
    module.push_str(&format!("OTHER = \"{new}\"\n"));
    write(root, "app/client.py", module);
    let r = run(root, &base);
    r.expect_code(1);
    assert_eq!(r.lines().len(), 1, "exactly the new key");
    assert!(
        r.stdout
            .starts_with("app/client.py:14:10: error[hardcoded-key] "),
        "{}",
        r.lines()[0]
    );
}

#[test]
fn baseline_copy_of_a_recorded_key_into_a_second_file_is_new() {
    let dir = tempfile::tempdir().unwrap();
    let k = key("openai-project");
    write(dir.path(), "a.py", format!("A = \"{k}\"\n"));
    run(dir.path(), &["scan", "--write-baseline", "b.json"]).expect_code(0);
    write(dir.path(), "b.py", format!("B = \"{k}\"\n"));
    let r = run(
        dir.path(),
        &["scan", "--format", "concise", "--baseline", "b.json", "."],
    );
    r.expect_code(1);
    assert_eq!(reported(&r), ["b.py hardcoded-key"]);
    // A pre-commit run names only the new file: a.py is not scanned but still
    // exists, so its entry does not absorb the copy.
    let r = run(
        dir.path(),
        &[
            "scan",
            "--format",
            "concise",
            "--baseline",
            "b.json",
            "b.py",
        ],
    );
    r.expect_code(1);
    assert_eq!(reported(&r), ["b.py hardcoded-key"]);
}

#[test]
fn bad_baseline_files_exit_2_naming_the_file_and_reason() {
    let (dir, _) = dir_with_key();
    for (text, why) in [
        ("not json", "not a keylint baseline"),
        (
            "{\"version\": 9, \"findings\": []}",
            "version 9 is not supported",
        ),
        (
            "{\"version\": 1, \"findings\": [{\"path\": \"app.py\"}]}",
            "missing field",
        ),
    ] {
        write(dir.path(), "base.json", text);
        let r = run(dir.path(), &["scan", "--baseline", "base.json", "."]);
        r.expect_code(2);
        assert!(
            r.stderr.starts_with("keylint: error: base.json: "),
            "{}",
            r.stderr
        );
        assert!(r.stderr.contains(why), "{text}: {}", r.stderr);
        assert_eq!(r.stdout, "");
    }
    let r = run(dir.path(), &["scan", "--baseline", "missing.json", "."]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("missing.json: cannot read the baseline"),
        "{}",
        r.stderr
    );
    let r = run(
        dir.path(),
        &["scan", "--baseline", "a.json", "--write-baseline", "b.json"],
    );
    r.expect_code(2);
}
