//! Helpers shared by the integration tests.

use keylint::rules::key_formats::KeyFormats;
use keylint::rules::synthetic;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Copy `fixtures/` into `dest/fixtures`, expanding every `{key:…}` template into
/// its synthetic key, so the copy holds key-shaped strings the repository must not.
pub fn materialise_fixtures(dest: &Path) -> PathBuf {
    let formats = KeyFormats::builtin();
    let target = dest.join("fixtures");
    copy_expanded(&repo_root().join("fixtures"), &target, &formats);
    target
}

fn copy_expanded(from: &Path, to: &Path, formats: &KeyFormats) {
    std::fs::create_dir_all(to).unwrap();
    let mut entries: Vec<_> = std::fs::read_dir(from)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.file_name().is_some_and(|n| n == "README.md")
            && path.parent() == Some(&repo_root().join("fixtures"))
        {
            continue; // documents the fixtures; its template example is not a fixture
        }
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_expanded(&path, &dest, formats);
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: fixtures are UTF-8 text: {e}", path.display()));
        let expanded =
            synthetic::expand(formats, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        std::fs::write(&dest, expanded).unwrap();
    }
}

/// Run the keylint binary in `dir` with `args`.
pub fn keylint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keylint"))
        .args(args)
        .current_dir(dir)
        .env_remove("KEYLINT_FORMAT")
        .env("NO_COLOR", "1")
        .output()
        .expect("the keylint binary runs")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("output is UTF-8")
}
