//! Configuration files (`keylint.toml`, `.keylint.toml`, `[tool.keylint]`), run
//! against the real binary: discovery, layering, every key, and the errors.
//!
//! No key-shaped literal is written here: keys are built at run time.

mod cli_support;

use cli_support::*;

// ---------------------------------------------------------------------------------
// 8. Configuration files
// ---------------------------------------------------------------------------------

/// Python holding a hardcoded key (line 1) and a placeholder (line 2).
fn key_and_placeholder(k: &str) -> String {
    format!("a = \"{k}\"\n{PLACEHOLDER_LINE}")
}

#[test]
fn config_is_found_by_walking_up_from_a_subdirectory() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "keylint.toml",
        "ignore = [\"placeholder-key\"]\n",
    );
    write(
        dir.path(),
        "pkg/src/app.py",
        key_and_placeholder(&key("openai-project")),
    );
    let sub = dir.path().join("pkg/src");
    let r = run(&sub, &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    assert_eq!(reported(&r), ["app.py hardcoded-key"]);
    // From the root, naming the file: the same file governs it.
    let r = run(
        dir.path(),
        &["scan", "--format", "concise", "pkg/src/app.py"],
    );
    assert_eq!(reported(&r), ["pkg/src/app.py hardcoded-key"]);
    // --no-config skips the search.
    let r = run(&sub, &["scan", "--format", "concise", "--no-config", "."]);
    assert_eq!(
        reported(&r),
        ["app.py hardcoded-key", "app.py placeholder-key"]
    );
    // Standard input starts the search at the working directory.
    let r = run_stdin(
        &sub,
        &["scan", "--format", "concise", "--stdin-filename", "x.py"],
        PLACEHOLDER_LINE.as_bytes(),
    );
    r.expect_code(0);
    assert_eq!(r.stdout, "");
}

#[test]
fn keylint_toml_wins_over_dot_keylint_toml_in_one_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "keylint.toml",
        "ignore = [\"placeholder-key\"]\n",
    );
    write(
        dir.path(),
        ".keylint.toml",
        "ignore = [\"hardcoded-key\"]\n",
    );
    write(
        dir.path(),
        "app.py",
        key_and_placeholder(&key("openai-project")),
    );
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    assert_eq!(reported(&r), ["app.py hardcoded-key"]);
    std::fs::remove_file(dir.path().join("keylint.toml")).unwrap();
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    assert_eq!(reported(&r), ["app.py placeholder-key"]);
}

#[test]
fn pyproject_tool_keylint_is_read_and_a_pyproject_without_it_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"app\"\n\n[tool.keylint]\nfail-on = \"never\"\n",
    );
    // A nested project without [tool.keylint] does not stop the search.
    write(
        dir.path(),
        "svc/pyproject.toml",
        "[project]\nname = \"svc\"\n\n[tool.ruff]\nline-length = 100\n",
    );
    write(
        dir.path(),
        "svc/app.py",
        key_and_placeholder(&key("openai-project")),
    );
    let r = run(
        &dir.path().join("svc"),
        &["scan", "--format", "concise", "."],
    );
    r.expect_code(0);
    assert_eq!(reported(&r).len(), 2, "fail-on only changes the exit code");
}

#[test]
fn command_line_flags_beat_the_file_and_config_replaces_the_search() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "keylint.toml",
        "select = [\"placeholder-key\"]\nfail-on = \"never\"\n",
    );
    write(dir.path(), "other.toml", "ignore = [\"placeholder-key\"]\n");
    write(
        dir.path(),
        "app.py",
        key_and_placeholder(&key("openai-project")),
    );
    let concise = ["scan", "--format", "concise"];
    let with = |extra: &[&str]| {
        let args: Vec<&str> = concise.iter().chain(extra).copied().collect();
        run(dir.path(), &args)
    };
    let r = with(&["."]);
    r.expect_code(0);
    assert_eq!(reported(&r), ["app.py placeholder-key"]);
    with(&["--fail-on", "warning", "."]).expect_code(1);
    let r = with(&["--select", "hardcoded-key", "."]);
    assert_eq!(reported(&r), ["app.py hardcoded-key"]);
    r.expect_code(0);
    let r = with(&["--config", "other.toml", "."]);
    r.expect_code(1);
    assert_eq!(reported(&r), ["app.py hardcoded-key"]);
    let r = with(&["--config", "other.toml", "--no-config", "."]);
    r.expect_code(2);
}

#[test]
fn as_of_in_the_file_dates_the_model_rules_and_the_flag_beats_it() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "app.py",
        "from openai import OpenAI\nclient = OpenAI()\n\
         client.chat.completions.create(model=\"gpt-4-32k\", messages=[])\n",
    );
    let cmd = [
        "scan",
        "--format",
        "concise",
        "--select",
        "deprecated-model",
        ".",
    ];
    write(dir.path(), "keylint.toml", "as-of = 2020-01-01\n");
    let early = run(dir.path(), &cmd);
    write(dir.path(), "keylint.toml", "as-of = 2030-01-01\n");
    let late = run(dir.path(), &cmd);
    assert_ne!(early.stdout, late.stdout, "the date changes the verdict");
    let mut args = cmd.to_vec();
    args.extend(["--as-of", "2020-01-01"]);
    assert_eq!(run(dir.path(), &args).stdout, early.stdout);
}

#[test]
fn per_file_ignores_drop_rules_for_matching_paths_relative_to_the_config() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "keylint.toml",
        "[per-file-ignores]\n\"tools/**\" = [\"hardcoded-key\"]\n\"legacy_*.py\" = [\"placeholder-key\"]\n",
    );
    let k = key_and_placeholder(&key("openai-project"));
    write(dir.path(), "tools/unit/fetch.py", &k);
    write(dir.path(), "src/tools/app.py", &k);
    write(dir.path(), "src/old/legacy_client.py", &k);
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    assert_eq!(
        reported(&r),
        [
            "src/old/legacy_client.py hardcoded-key",
            "src/tools/app.py hardcoded-key",
            "src/tools/app.py placeholder-key",
            "tools/unit/fetch.py placeholder-key",
        ],
        "`tools/**` is anchored at the config's folder; `legacy_*.py` matches at any depth"
    );
    // The globs stay relative to the config file when run from below it.
    let r = run(
        &dir.path().join("tools"),
        &["scan", "--format", "concise", "."],
    );
    assert_eq!(reported(&r), ["unit/fetch.py placeholder-key"]);
}

#[test]
fn extend_exclude_skips_paths_even_when_named_or_piped() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "keylint.toml",
        "extend-exclude = [\"vendor\", \"gen/*.py\"]\n",
    );
    let k = format!("a = \"{}\"\n", key("openai-project"));
    for path in [
        "app.py",
        "vendor/lib.py",
        "x/vendor/lib.py",
        "gen/a.py",
        "gen/sub/b.py",
    ] {
        write(dir.path(), path, &k);
    }
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    assert_eq!(
        reported(&r),
        ["app.py hardcoded-key", "gen/sub/b.py hardcoded-key"]
    );
    let r = run(
        dir.path(),
        &["scan", "--format", "concise", "vendor/lib.py", "gen/a.py"],
    );
    r.expect_code(0);
    assert_eq!(r.stdout, "");
    let r = run_stdin(
        dir.path(),
        &[
            "scan",
            "--format",
            "concise",
            "--stdin-filename",
            "vendor/new.py",
        ],
        k.as_bytes(),
    );
    r.expect_code(0);
    assert_eq!(r.stdout, "");
}

#[test]
fn allowlist_secrets_silence_matching_keys_and_paths_drop_findings() {
    let dir = tempfile::tempdir().unwrap();
    let allowed = key("openai-project");
    let other = key("openai-project#2");
    // A part of the key is enough: the regexes search the key.
    let part = &allowed[10..30];
    write(
        dir.path(),
        "keylint.toml",
        format!("[allowlist]\nsecrets = ['{part}', '^sk-YOUR_KEY_HERE$']\npaths = [\"docs\"]\n"),
    );
    write(
        dir.path(),
        "app.py",
        format!("a = \"{allowed}\"\nb = \"{other}\"\n{PLACEHOLDER_LINE}print(\"{allowed}\")\n"),
    );
    write(
        dir.path(),
        "docs/setup.md",
        format!("OPENAI_API_KEY={other}\n"),
    );
    let r = run(dir.path(), &["scan", "--format", "concise", "."]);
    r.expect_code(1);
    assert_eq!(reported(&r), ["app.py hardcoded-key"]);
    assert!(r.stdout.starts_with("app.py:2:6: "), "only the other key");
    let all = run(
        dir.path(),
        &["scan", "--format", "concise", "--no-config", "."],
    );
    assert!(
        all.lines().len() >= 5,
        "without the file every finding is back"
    );
}

#[test]
fn config_errors_exit_2_naming_the_file_line_and_key() {
    let cases: [(&str, &str, &str); 12] = [
        (
            "keylint.toml",
            "fail-on = \"error\"\nselekt = []\n",
            "keylint.toml:2:1: unknown key `selekt`; did you mean `select`?",
        ),
        (
            "keylint.toml",
            "select = [\n  \"missing-bearer\",\n  \"hardcoded-keys\",\n]\n",
            "keylint.toml:3:3: `select`: unknown rule id `hardcoded-keys`; did you mean `hardcoded-key`?",
        ),
        (
            "keylint.toml",
            "ignore = [\"key-loged\"]\n",
            "keylint.toml:1:11: `ignore`: unknown rule id `key-loged`; did you mean `key-logged`?",
        ),
        (
            "keylint.toml",
            "[per-file-ignores]\n\"tests/**\" = [\"placeholder\"]\n",
            "keylint.toml:2:15: `per-file-ignores.\"tests/**\"`: unknown rule id `placeholder`",
        ),
        (
            "keylint.toml",
            "extend-exclude = [\"ok\", \"src/[a\"]\n",
            "keylint.toml:1:25: `extend-exclude`: invalid glob `src/[a`",
        ),
        (
            "keylint.toml",
            "\n[allowlist]\nsecrets = [\"(\"]\n",
            "keylint.toml:3:12: `allowlist.secrets`: item 1 is not a valid regex",
        ),
        (
            "keylint.toml",
            "as-of = 2026-02-30\n",
            "keylint.toml:1:9: invalid TOML in `as-of`: invalid date",
        ),
        (
            "keylint.toml",
            "as-of = \"soon\"\n",
            "keylint.toml:1:9: `as-of`: `soon` is not a date",
        ),
        (
            "keylint.toml",
            "select = \"hardcoded-key\"\n",
            "keylint.toml:1:10: `select` must be a list of rule ids, not a string",
        ),
        (
            "keylint.toml",
            "fail-on = \"warn\"\n",
            "keylint.toml:1:11: `fail-on` must be one of `error`, `warning`, `note`, `never`; got `warn`",
        ),
        (
            "keylint.toml",
            "select = [\"hardcoded-key\"\n",
            "keylint.toml:1:",
        ),
        (
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[tool.keylint]\nallowlist = { path = [] }\n",
            "pyproject.toml:5:15: unknown key `allowlist.path`; did you mean `allowlist.paths`?",
        ),
    ];
    for (name, text, want) in cases {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), name, text);
        write(dir.path(), "sub/app.py", "x = 1\n");
        let r = run(
            &dir.path().join("sub"),
            &["scan", "--format", "concise", "."],
        );
        r.expect_code(2);
        assert_eq!(r.stdout, "", "{text:?}: nothing is scanned");
        let line = r.stderr.trim_end();
        assert_eq!(
            r.stderr.lines().count(),
            1,
            "{text:?}: one line:\n{}",
            r.stderr
        );
        let at = dir.path().join(name).display().to_string();
        assert!(
            line.starts_with(&format!("keylint: error: {at}:")),
            "{text:?}: names the file:\n{line}"
        );
        let want = want.replace(name, &at);
        assert!(line.contains(&want), "{text:?}: want {want:?}\n got {line}");
    }
}

#[test]
fn explicit_config_errors_name_that_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ci/keylint.toml", "\n\nfail-on = 3\n");
    let r = run(dir.path(), &["scan", "--config", "ci/keylint.toml", "."]);
    r.expect_code(2);
    assert!(
        r.stderr
            .starts_with("keylint: error: ci/keylint.toml:3:11: `fail-on` must be one of"),
        "{}",
        r.stderr
    );
    let r = run(dir.path(), &["scan", "--config", "missing.toml", "."]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("missing.toml: cannot read"),
        "{}",
        r.stderr
    );
    write(dir.path(), "pyproject.toml", "[project]\nname = \"x\"\n");
    let r = run(dir.path(), &["scan", "--config", "pyproject.toml", "."]);
    r.expect_code(2);
    assert!(
        r.stderr.contains("pyproject.toml: has no [tool.keylint]"),
        "{}",
        r.stderr
    );
}

#[test]
fn scan_help_lists_every_configuration_key() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(dir.path(), &["scan", "--help"]);
    r.expect_code(0);
    for key in keylint::config::KEYS {
        assert!(
            r.stdout.contains(&format!("\n  {key}")) || r.stdout.contains(&format!("[{key}]")),
            "{key} missing from --help"
        );
    }
    for flag in ["--config", "--no-config", "--baseline", "--write-baseline"] {
        assert!(r.stdout.contains(flag), "{flag}");
    }
}

#[test]
fn an_empty_scan_names_extend_exclude_when_the_configuration_has_one() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "keylint.toml",
        "extend-exclude = [\"vendor\"]\n",
    );
    write(dir.path(), "vendor/a.py", "x = 1\n");
    let r = run(dir.path(), &["scan", "vendor/a.py"]);
    r.expect_code(0);
    assert!(
        r.stderr.contains("in keylint.toml's extend-exclude"),
        "{}",
        r.stderr
    );
}
