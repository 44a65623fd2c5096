//! Snapshots of every output format over `fixtures/`, determinism across thread
//! counts, and the self-scan of the repository.

mod common;

use common::{keylint, materialise_fixtures, repo_root, stdout};
use serde_json::Value;
use std::path::Path;
use std::process::Output;

const FORMATS: [&str; 5] = ["full", "concise", "json", "sarif", "github"];

/// Run keylint on `fixtures/{folder}` of a materialised copy in `dir`, with `args`
/// before the path.
fn scan_fixture(dir: &Path, folder: &str, args: &[&str]) -> Output {
    // The one rule that asks git: its fixtures need a work tree (each folder
    // brings its own `.gitignore`). Everywhere else the temporary directory is
    // outside any repository, so the rule stays silent there.
    let rule_dir = dir.join("fixtures/env-file-not-ignored");
    for case in ["errors", "ok"] {
        let fixture = rule_dir.join(case);
        let wanted = folder.starts_with("env-file-not-ignored");
        if wanted && !fixture.join(".git").exists() {
            let init = std::process::Command::new("git")
                .args(["init", "-q"])
                .current_dir(&fixture)
                .status()
                .expect("git runs");
            assert!(init.success());
        }
    }
    let path = format!("fixtures/{folder}");
    let mut all = vec!["scan"];
    all.extend(args);
    all.extend(["--fail-on", "never", &path]);
    let out = keylint(dir, &all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Findings of one fixture folder in `full` format (the one people read).
fn snapshot_folder(folder: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    materialise_fixtures(dir.path());
    let out = scan_fixture(dir.path(), folder, &["--color", "never"]);
    let mut text = stdout(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stderr.is_empty() {
        text.push_str("\n--- stderr ---\n");
        text.push_str(&stderr);
    }
    text
}

/// The fixture folders: one per rule and one per project, as `fixtures/` names them.
fn fixture_folders() -> Vec<String> {
    let names = |dir: &Path| {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().unwrap().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let fixtures = repo_root().join("fixtures");
    let mut folders: Vec<String> = names(&fixtures)
        .into_iter()
        .filter(|n| n != "projects")
        .collect();
    folders.extend(
        names(&fixtures.join("projects"))
            .into_iter()
            .map(|p| format!("projects/{p}")),
    );
    folders
}

#[test]
fn rule_folders_snapshot() {
    let all = keylint::rules::RuleSet::builtin();
    let mut folders = 0;
    for rule in all.ids() {
        if !repo_root().join("fixtures").join(rule).is_dir() {
            continue;
        }
        folders += 1;
        let errors = snapshot_folder(&format!("{rule}/errors"));
        // A snapshot records whatever the rule does; this makes sure it still fires.
        assert!(
            errors.contains(&format!("[{rule}]")),
            "fixtures/{rule}/errors must give findings of {rule}:\n{errors}"
        );
        insta::assert_snapshot!(format!("{rule}-errors"), errors);
        let ok = snapshot_folder(&format!("{rule}/ok"));
        assert!(
            ok.starts_with("No findings"),
            "fixtures/{rule}/ok must stay silent:\n{ok}"
        );
    }
    assert!(folders >= 3, "every rule with fixtures is checked");
}

#[test]
fn project_snapshots() {
    let mut projects: Vec<String> = std::fs::read_dir(repo_root().join("fixtures/projects"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    projects.sort();
    assert!(!projects.is_empty());
    for project in projects {
        insta::assert_snapshot!(
            format!("project-{project}"),
            snapshot_folder(&format!("projects/{project}"))
        );
    }
}

#[test]
fn every_format_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    materialise_fixtures(dir.path());
    for format in FORMATS {
        let out = keylint(
            dir.path(),
            &["scan", "fixtures", "--format", format, "--color", "never"],
        );
        assert_eq!(
            out.status.code(),
            Some(1),
            "findings at warning or above exit 1"
        );
        let text = stdout(&out);
        if format == "sarif" {
            save_sarif("fixtures", &text);
        }
        insta::assert_snapshot!(format!("fixtures-{format}"), text);
    }
}

/// The CI validates every file written here against the SARIF schema and GitHub's
/// ingestion rules (`.ci/validate-sarif.sh --strict`).
fn save_sarif(name: &str, text: &str) {
    if let Some(dir) = std::env::var_os("KEYLINT_SARIF_DIR") {
        let dir = Path::new(&dir);
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(format!("{name}.sarif")), text).unwrap();
    }
}

/// One SARIF per fixture folder, each under its own `--sarif-category`: every rule's
/// errors and ok cases and every project, as a user would upload them.
#[test]
fn sarif_of_every_fixture_folder() {
    let dir = tempfile::tempdir().unwrap();
    materialise_fixtures(dir.path());
    let folders = fixture_folders();
    assert!(folders.iter().any(|f| f.starts_with("projects/")));
    for folder in &folders {
        let category = format!("keylint/{folder}");
        let out = scan_fixture(
            dir.path(),
            folder,
            &["--format", "sarif", "--sarif-category", &category],
        );
        let text = stdout(&out);
        let doc: Value = serde_json::from_str(&text).unwrap();
        let runs = doc["runs"].as_array().unwrap();
        assert_eq!(runs.len(), 1, "{folder}: one run per invocation");
        let run = &runs[0];
        assert_eq!(run["automationDetails"]["id"], format!("{category}/"));
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        let results = run["results"].as_array().unwrap();
        for result in results {
            let index = result["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[index]["id"], result["ruleId"], "{folder}");
        }
        if !folder.starts_with("projects/") {
            // The errors/ half of a rule folder fires that rule.
            assert!(
                results.iter().any(|r| r["ruleId"] == folder.as_str()),
                "{folder}: no {folder} result"
            );
        }
        save_sarif(&folder.replace('/', "-"), &text);
    }
}

#[test]
fn no_format_prints_a_full_key() {
    let dir = tempfile::tempdir().unwrap();
    let fixtures = materialise_fixtures(dir.path());
    let formats = keylint::rules::key_formats::KeyFormats::builtin();
    let key = keylint::rules::synthetic::key(&formats, "openai-project").unwrap();
    let app = std::fs::read_to_string(fixtures.join("hardcoded-key/errors/app.py")).unwrap();
    assert!(app.contains(&key), "the fixture holds the synthetic key");
    for format in FORMATS {
        let out = keylint(dir.path(), &["scan", "fixtures", "--format", format]);
        assert!(
            !stdout(&out).contains(&key),
            "a full key leaked in {format} output"
        );
        assert!(!String::from_utf8_lossy(&out.stderr).contains(&key));
    }
    let shown = keylint(
        dir.path(),
        &["scan", "fixtures", "--format", "concise", "--show-secrets"],
    );
    assert!(
        stdout(&shown).contains(&key),
        "--show-secrets prints the key"
    );
}

#[test]
fn output_is_identical_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    materialise_fixtures(dir.path());
    for format in FORMATS {
        let runs: Vec<Vec<u8>> = ["1", "2", "8"]
            .iter()
            .map(|j| {
                keylint(
                    dir.path(),
                    &["scan", "fixtures", "--format", format, "-j", j],
                )
                .stdout
            })
            .collect();
        assert!(!runs[0].is_empty());
        assert!(
            runs.iter().all(|r| *r == runs[0]),
            "{format} output differs across -j"
        );
    }
}

#[test]
fn the_repository_scans_clean() {
    let out = keylint(&repo_root(), &["scan", ".", "--format", "concise"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "keylint must pass a scan of its own repository:\n{}{}",
        stdout(&out),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "the self-scan warns:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
