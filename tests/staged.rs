//! `keylint scan --staged`: the index, not the work tree, run against the real
//! binary in temporary git repositories.
//!
//! No key-shaped literal is written here: keys are built at run time.

mod cli_support;

use cli_support::*;
use std::path::Path;
use std::process::Command;

// ---------------------------------------------------------------------------------
// 10. Staged content (--staged)
// ---------------------------------------------------------------------------------

/// Run git in `dir`, isolated from the user's and the system's configuration.
#[track_caller]
fn git(dir: &Path, args: &[&str]) {
    let mut cmd = Command::new("git");
    cmd.args([
        "-c",
        "user.name=keylint",
        "-c",
        "user.email=keylint@example.invalid",
    ])
    .args(args)
    .current_dir(dir)
    .env("GIT_CONFIG_NOSYSTEM", "1")
    .env("GIT_CONFIG_GLOBAL", "/dev/null");
    for var in GIT_LOCATION_VARS {
        cmd.env_remove(var);
    }
    let out = cmd.output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A new git repository in a temporary folder.
fn git_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q"]);
    dir
}

fn key_module(k: &str) -> String {
    format!("import openai\napi_key = \"{k}\"\n")
}

const CLEAN_MODULE: &str = "import os\napi_key = os.environ[\"OPENAI_API_KEY\"]\n";

#[test]
fn staged_reads_the_index_not_the_work_tree() {
    let repo = git_repo();
    let root = repo.path();
    let k = key("openai-project");

    // The work tree has a key, the index does not: nothing to report.
    write(root, "app.py", CLEAN_MODULE);
    git(root, &["add", "app.py"]);
    write(root, "app.py", key_module(&k));
    let r = run(root, &["scan", "--staged", "--format", "concise"]);
    r.expect_code(0);
    assert_eq!(r.stdout, "");
    // A plain scan reads the work tree and finds it.
    run(root, &["scan", "--format", "concise", "app.py"]).expect_code(1);

    // The index has the key and the work tree is clean: the commit would hold it.
    git(root, &["add", "app.py"]);
    write(root, "app.py", CLEAN_MODULE);
    let r = run(root, &["scan", "--staged", "--format", "concise"]);
    r.expect_code(1);
    assert_eq!(reported(&r), ["app.py hardcoded-key"]);
    assert!(r.stdout.starts_with("app.py:2:12: "), "{}", r.stdout);
    assert_no_key(&r.stdout, &k, "--staged output");

    // The full format says how many staged files it read.
    let r = run(root, &["scan", "--staged", "--color", "never"]);
    r.expect_code(1);
    assert!(r.stdout.contains("in 1 of 1 file scanned"), "{}", r.stdout);
}

#[test]
fn staged_renames_are_scanned_under_the_new_name_and_deletions_not_at_all() {
    let repo = git_repo();
    let root = repo.path();
    write(root, "old.py", key_module(&key("openai-project")));
    write(root, "gone.py", key_module(&key("openai-project#2")));
    write(root, "README.md", "notes\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "start"]);

    // Nothing staged yet: the commit adds nothing to scan.
    let r = run(root, &["scan", "--staged"]);
    r.expect_code(0);
    assert_eq!(r.stdout, "No files to scan: nothing is staged.\n");
    let r = run(root, &["scan", "--staged", "--format", "concise"]);
    r.expect_code(0);
    assert_eq!(r.stdout, "");
    assert!(r.stderr.contains("No files to scan"), "{}", r.stderr);

    // A staged rename is the file under its new name; a staged deletion is nothing.
    git(root, &["mv", "old.py", "renamed.py"]);
    git(root, &["rm", "-q", "gone.py"]);
    let r = run(root, &["scan", "--staged", "--format", "concise"]);
    r.expect_code(1);
    assert_eq!(reported(&r), ["renamed.py hardcoded-key"]);

    // Deleted from the work tree but still staged: the commit keeps it.
    write(root, "README.md", "more notes\n");
    git(root, &["add", "README.md"]);
    std::fs::remove_file(root.join("renamed.py")).unwrap();
    let r = run(root, &["scan", "--staged", "--format", "concise"]);
    r.expect_code(1);
    assert_eq!(reported(&r), ["renamed.py hardcoded-key"]);
}

#[test]
fn staged_paths_are_relative_to_the_working_directory_and_honour_extend_exclude() {
    let repo = git_repo();
    let root = repo.path();
    let k = key("openai-project");
    write(root, "keylint.toml", "extend-exclude = [\"vendor\"]\n");
    write(root, "src/app.py", key_module(&k));
    write(root, "lib.py", key_module(&k));
    write(root, "vendor/dep.py", key_module(&k));
    // Binary files are skipped silently, as in a walk.
    write(root, "logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR");
    git(root, &["add", "."]);

    let r = run(
        &root.join("src"),
        &["scan", "--staged", "--format", "concise"],
    );
    r.expect_code(1);
    assert_eq!(
        reported(&r),
        ["../lib.py hardcoded-key", "app.py hardcoded-key"]
    );
    assert_eq!(r.stderr, "");

    let r = run(root, &["scan", "--staged", "--format", "json"]);
    r.expect_code(1);
    let paths: Vec<String> = r.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(paths, ["lib.py", "src/app.py"]);

    // Only excluded files staged: nothing to scan, and it says why.
    git(root, &["reset", "-q"]);
    git(root, &["add", "vendor/dep.py"]);
    let r = run(root, &["scan", "--staged"]);
    r.expect_code(0);
    assert_eq!(
        r.stdout,
        "No files to scan: every staged file is excluded by `extend-exclude`.\n"
    );
}

#[test]
fn staged_file_over_max_file_size_is_skipped_and_the_next_is_still_read() {
    let repo = git_repo();
    let root = repo.path();
    let k = key("openai-project");
    let big = format!("{}{}", "# padding\n".repeat(200), key_module(&k));
    write(root, "a_big.py", &big);
    write(root, "b.py", key_module(&k));
    write(root, "c.py", CLEAN_MODULE);
    git(root, &["add", "."]);
    let r = run(
        root,
        &[
            "scan",
            "--staged",
            "--format",
            "concise",
            "--max-file-size",
            "1K",
        ],
    );
    r.expect_code(1);
    // The skipped blob is read past, so the answers for the others stay in step.
    assert_eq!(reported(&r), ["b.py hardcoded-key"]);
    assert!(
        r.stderr.contains("a_big.py: file is 2.") && r.stderr.contains("skipped"),
        "{}",
        r.stderr
    );
}

#[test]
fn staged_files_are_the_project_the_cross_file_rules_see() {
    let repo = git_repo();
    let root = repo.path();
    write(
        root,
        "app.py",
        "import os\nfrom openai import OpenAI\nclient = OpenAI(api_key=os.environ[\"OPENAI_APIKEY\"])\n",
    );
    write(root, ".env.example", "OPENAI_API_KEY=\n");
    git(root, &["add", "app.py"]);
    // The definition is in the work tree only: the staged project does not define it.
    let r = run(root, &["scan", "--staged", "--format", "concise"]);
    r.expect_code(1);
    assert!(r.stdout.contains("warning[env-var-typo]"), "{}", r.stdout);
    git(root, &["add", ".env.example"]);
    let r = run(root, &["scan", "--staged", "--format", "concise"]);
    r.expect_code(1);
    assert!(
        r.stdout.contains("error[env-var-typo]") && r.stdout.contains("(.env.example:1)"),
        "{}",
        r.stdout
    );
}

#[test]
fn staged_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["scan", "--staged"]);
    r.expect_code(2);
    assert!(
        r.stderr
            .starts_with("keylint: error: --staged reads git's index, but ")
            && r.stderr.contains("is not inside a git work tree"),
        "{}",
        r.stderr
    );
    assert_eq!(r.stdout, "");
    let repo = git_repo();
    for args in [
        &["scan", "--staged", "app.py"][..],
        &["scan", "--staged", "-"],
        &["scan", "--staged", "--stdin-filename", "app.py"],
        &["scan", "--staged", "--write-baseline", "b.json"],
    ] {
        let r = run(repo.path(), args);
        r.expect_code(2);
        assert!(
            r.stderr.contains("cannot be used with"),
            "{args:?}: {}",
            r.stderr
        );
    }
}
