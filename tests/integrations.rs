//! The files other tools read from this repository: `.pre-commit-hooks.yaml` for
//! pre-commit and `action.yml` for GitHub Actions. Each is parsed with a YAML 1.2
//! parser and checked for the keys its consumer requires, and the hook's command
//! line is run against the real binary.

use saphyr::{LoadableYamlNode, Yaml};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn keylint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keylint"))
        .args(args)
        .current_dir(dir)
        .env_remove("KEYLINT_FORMAT")
        .output()
        .expect("the keylint binary runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("output is UTF-8")
}

fn load(file: &str) -> Yaml<'static> {
    let text = std::fs::read_to_string(repo_root().join(file)).unwrap();
    // Leaked: the parsed tree borrows the text for the rest of the test.
    let text: &'static str = Box::leak(text.into_boxed_str());
    let mut docs = Yaml::load_from_str(text).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(docs.len(), 1, "{file} holds one YAML document");
    docs.remove(0)
}

#[track_caller]
fn str_at<'a>(node: &'a Yaml, key: &str) -> &'a str {
    node.as_mapping_get(key)
        .and_then(Yaml::as_str)
        .unwrap_or_else(|| panic!("`{key}` is a string"))
}

fn strings(node: Option<&Yaml>) -> Vec<String> {
    node.and_then(Yaml::as_vec)
        .map(|items| {
            items
                .iter()
                .map(|i| i.as_str().expect("a list of strings").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn pre_commit_hooks_manifest_declares_both_hooks() {
    let manifest = load(".pre-commit-hooks.yaml");
    let hooks = manifest.as_vec().expect("a list of hooks");
    let ids: Vec<&str> = hooks.iter().map(|h| str_at(h, "id")).collect();
    assert_eq!(ids, ["keylint", "keylint-system"]);
    for hook in hooks {
        let id = str_at(hook, "id");
        // pre-commit's required keys (clientlib MANIFEST_HOOK_DICT).
        for key in ["id", "name", "entry", "language"] {
            str_at(hook, key);
        }
        let language = str_at(hook, "language");
        assert_eq!(
            language,
            if id == "keylint" { "rust" } else { "system" },
            "{id}"
        );
        assert_eq!(str_at(hook, "entry"), "keylint scan", "{id}");
        assert_eq!(strings(hook.as_mapping_get("types")), ["text"], "{id}");
        assert!(!str_at(hook, "description").is_empty());
        // File names are passed (the default), all in one process.
        assert!(hook.as_mapping_get("pass_filenames").is_none(), "{id}");
        assert_eq!(
            hook.as_mapping_get("require_serial")
                .and_then(Yaml::as_bool),
            Some(true),
            "{id}"
        );
    }
}

/// pre-commit runs `entry` + `args` + the staged file names: run exactly that.
#[test]
fn pre_commit_hook_command_line_fails_on_a_key_and_passes_clean_files() {
    let manifest = load(".pre-commit-hooks.yaml");
    let hook = &manifest.as_vec().unwrap()[0];
    let entry: Vec<String> = str_at(hook, "entry")
        .split_whitespace()
        .map(String::from)
        .collect();
    assert_eq!(entry[0], "keylint");
    let args = strings(hook.as_mapping_get("args"));

    let dir = tempfile::tempdir().unwrap();
    let formats = keylint::rules::key_formats::KeyFormats::builtin();
    let key = keylint::rules::synthetic::key(&formats, "openai-project").unwrap();
    std::fs::write(dir.path().join("leak.py"), format!("KEY = \"{key}\"\n")).unwrap();
    std::fs::write(dir.path().join("clean.py"), "import os\n").unwrap();
    std::fs::write(dir.path().join("notes.md"), "nothing here\n").unwrap();

    let command = |files: &[&str]| {
        let mut all: Vec<&str> = entry[1..].iter().map(String::as_str).collect();
        all.extend(args.iter().map(String::as_str));
        all.extend(files);
        keylint(dir.path(), &all)
    };
    let failed = command(&["clean.py", "leak.py", "notes.md"]);
    assert_eq!(failed.status.code(), Some(1));
    let out = stdout(&failed);
    assert!(
        out.starts_with("leak.py:1:8: error[hardcoded-key] "),
        "one concise line per finding, which terminals and editors link:\n{}",
        out.replace(&key, "<key>")
    );
    assert!(!out.contains(&key), "the key is redacted");
    let passed = command(&["clean.py", "notes.md"]);
    assert_eq!(passed.status.code(), Some(0));
    assert_eq!(stdout(&passed), "");
    assert!(passed.stderr.is_empty());
}

#[test]
fn action_yml_is_a_composite_action_that_scans_and_uploads() {
    let action = load("action.yml");
    assert_eq!(str_at(&action, "name"), "keylint");
    assert!(!str_at(&action, "description").is_empty());

    let inputs = action.as_mapping_get("inputs").expect("inputs");
    for (input, default) in [
        ("path", "."),
        ("args", ""),
        ("category", "keylint"),
        ("upload", "true"),
        ("fail-on", ""),
        ("sarif-file", "keylint.sarif"),
    ] {
        let spec = inputs
            .as_mapping_get(input)
            .unwrap_or_else(|| panic!("input `{input}`"));
        assert!(!str_at(spec, "description").is_empty(), "{input}");
        assert_eq!(str_at(spec, "default"), default, "{input}");
    }

    let runs = action.as_mapping_get("runs").expect("runs");
    assert_eq!(str_at(runs, "using"), "composite");
    let steps = runs
        .as_mapping_get("steps")
        .and_then(Yaml::as_vec)
        .expect("steps");
    let mut scans = 0;
    let mut uploads = 0;
    for step in steps {
        if let Some(run) = step.as_mapping_get("run").and_then(Yaml::as_str) {
            // A composite action's `run` step is rejected without a shell.
            assert_eq!(str_at(step, "shell"), "bash", "{run}");
            if run.contains("keylint scan --format sarif") {
                scans += 1;
                assert!(run.contains("--sarif-category"), "{run}");
                // Inputs reach the script through the environment, never spliced
                // into its text, so a crafted input cannot inject commands.
                assert!(!run.contains("${{"), "{run}");
            }
        } else {
            let uses = str_at(step, "uses");
            assert_eq!(uses, "github/codeql-action/upload-sarif@v4");
            let with = step.as_mapping_get("with").expect("with");
            assert_eq!(str_at(with, "sarif_file"), "${{ inputs.sarif-file }}");
            assert_eq!(str_at(with, "category"), "${{ inputs.category }}");
            uploads += 1;
        }
    }
    assert_eq!((scans, uploads), (1, 1));
}
