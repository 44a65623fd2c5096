//! Snapshots of every output format over `fixtures/`, determinism across thread
//! counts, and the self-scan of the repository.

mod common;

use common::{keylint, materialise_fixtures, repo_root, stdout};

const FORMATS: [&str; 5] = ["full", "concise", "json", "sarif", "github"];

/// Findings of one fixture folder in `full` format (the one people read).
fn snapshot_folder(folder: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    materialise_fixtures(dir.path());
    if folder.starts_with("env-file-not-ignored/") {
        // The one rule that asks git: its fixtures need a work tree (each folder
        // brings its own `.gitignore`). Everywhere else the temporary directory is
        // outside any repository, so the rule stays silent there.
        let fixture = dir.path().join("fixtures").join(folder);
        let init = std::process::Command::new("git")
            .args(["init", "-q"])
            .current_dir(&fixture)
            .status()
            .expect("git runs");
        assert!(init.success());
    }
    let out = keylint(
        dir.path(),
        &[
            "scan",
            &format!("fixtures/{folder}"),
            "--color",
            "never",
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text = stdout(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stderr.is_empty() {
        text.push_str("\n--- stderr ---\n");
        text.push_str(&stderr);
    }
    text
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
            // The CI validates this file against the SARIF schema and GitHub's rules.
            if let Some(path) = std::env::var_os("KEYLINT_SARIF_OUT") {
                std::fs::write(path, &text).unwrap();
            }
        }
        insta::assert_snapshot!(format!("fixtures-{format}"), text);
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
