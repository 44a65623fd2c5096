//! Dependency pins read from manifests, lock files and install commands, each with
//! the byte range a finding can point at. Rules such as `outdated-sdk` ask "which
//! OpenAI SDK versions does this project allow?"; this module only reads what is
//! written, it does not evaluate versions.
//!
//! Specs come out in the syntax the version checkers parse: PEP 440 specifier sets
//! for Python (Poetry and conda forms are translated) and npm ranges for Node. A
//! spec that cannot be expressed that way (an `||` of ranges) comes out empty, the
//! same as "any version": the reader never claims a bound it did not see.

mod conda;
mod install;
mod locks;
mod node;
mod pipfile;
mod pyproject;
mod python_spec;
mod requirements_txt;
mod setup_files;
mod toml_spans;
mod yaml_tree;

use crate::source::FileKind;
use std::ops::Range;
use std::path::Path;

pub use install::{install_commands, install_facts};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Ecosystem {
    Python,
    Node,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// A declared range: requirements file, pyproject, package.json, …
    Manifest,
    /// The exact version a lock file resolved.
    Lock,
    /// A `pip install` / `npm install` command in a script, Dockerfile or CI file.
    Install,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub ecosystem: Ecosystem,
    /// Python: normalised per PEP 503 (lowercase, runs of `-_.` become `-`).
    /// Node: as written (`@langchain/core`).
    pub name: String,
    /// Python: a PEP 440 specifier set, `""` for any version (`>=0.27,<0.29`,
    /// `==0.28.1`, `==0.28.*`). Node: an npm range, `""` or `*` for any (`^3.2.1`).
    /// Lock files give the exact version (`==0.28.1` for Python, `3.3.0` for Node).
    pub spec: String,
    pub origin: Origin,
    /// Byte range in the file text: the requirement string (`openai==0.28.1`), the
    /// `key = value` entry (`"openai": "^3.2.1"`), or for lock files the locked
    /// version.
    pub range: Range<usize>,
    /// Python extras and environment marker as written: `[datalib]`,
    /// `; python_version < "3.8"`, or both (`[datalib]; python_version < "3.8"`).
    /// Poetry's `python = "<3.8"` restriction is kept as `; python <3.8`.
    pub extras_or_marker: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestFacts {
    pub requirements: Vec<Requirement>,
    /// `-r` / `-c` targets as written, relative to the file's directory (for a
    /// requirements file) or to the command's working directory (install commands).
    pub includes: Vec<String>,
}

impl ManifestFacts {
    fn sorted(mut self) -> ManifestFacts {
        self.requirements
            .sort_by_key(|r| (r.range.start, r.range.end));
        self
    }
}

/// What a file is, judged by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ManifestKind {
    RequirementsTxt,
    Pyproject,
    Pipfile,
    PipfileLock,
    SetupCfg,
    SetupPy,
    CondaEnvironment,
    PackageJson,
    PoetryLock,
    UvLock,
    PackageLock,
    YarnLock,
    PnpmLock,
}

fn manifest_kind(path: &str) -> Option<ManifestKind> {
    let mut parts = path.rsplit(['/', '\\']);
    let name = parts.next().unwrap_or("").to_ascii_lowercase();
    let parent = parts.next().unwrap_or("").to_ascii_lowercase();
    let kind = match name.as_str() {
        "pyproject.toml" => ManifestKind::Pyproject,
        "pipfile" => ManifestKind::Pipfile,
        "pipfile.lock" => ManifestKind::PipfileLock,
        "setup.cfg" => ManifestKind::SetupCfg,
        "setup.py" => ManifestKind::SetupPy,
        "package.json" => ManifestKind::PackageJson,
        "poetry.lock" => ManifestKind::PoetryLock,
        "uv.lock" => ManifestKind::UvLock,
        "package-lock.json" | "npm-shrinkwrap.json" => ManifestKind::PackageLock,
        "yarn.lock" => ManifestKind::YarnLock,
        "pnpm-lock.yaml" => ManifestKind::PnpmLock,
        _ => {
            let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
            let is_conda = matches!(ext, "yml" | "yaml")
                && (stem == "environment"
                    || stem.starts_with("environment-")
                    || stem.starts_with("environment_"));
            // pip-tools `.in` files hold the same syntax as the `.txt` they compile to.
            let requirements_ext = matches!(ext, "txt" | "in");
            let requirements_name = stem.contains("requirements")
                || stem.contains("constraints")
                || parent == "requirements";
            if is_conda {
                ManifestKind::CondaEnvironment
            } else if requirements_ext && requirements_name {
                ManifestKind::RequirementsTxt
            } else {
                return None;
            }
        }
    };
    Some(kind)
}

/// Is this path a manifest or lock file, judged by its name alone?
/// (`requirements*.txt`, `constraints*.txt`, `requirements/*.txt`, `pyproject.toml`,
/// `Pipfile`, `Pipfile.lock`, `setup.cfg`, `setup.py`, `environment.yml`,
/// `package.json`, `poetry.lock`, `uv.lock`, `package-lock.json`, `yarn.lock`,
/// `pnpm-lock.yaml`.)
pub fn is_manifest_path(path: &str) -> bool {
    manifest_kind(path).is_some()
}

/// Files that run install commands: scripts, Dockerfiles, CI and other YAML,
/// Makefiles. Markdown is documentation, not something that runs.
pub fn carries_install_commands(path: &str) -> bool {
    let name = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match FileKind::from_path(Path::new(path)) {
        FileKind::Shell | FileKind::Dockerfile | FileKind::Yaml => true,
        _ => matches!(
            name.as_str(),
            "makefile" | "gnumakefile" | "justfile" | "procfile"
        ),
    }
}

/// The requirements a file declares. `None` when the file is not a manifest, lock
/// file, or a script/Dockerfile/CI file with install commands in it. Malformed
/// input never fails: it gives fewer requirements.
pub fn read(path: &str, text: &str) -> Option<ManifestFacts> {
    let Some(kind) = manifest_kind(path) else {
        if !carries_install_commands(path) {
            return None;
        }
        let facts = install_facts(text);
        let found = !facts.requirements.is_empty() || !facts.includes.is_empty();
        return found.then_some(facts);
    };
    let facts = match kind {
        ManifestKind::RequirementsTxt => requirements_txt::read(text),
        ManifestKind::Pyproject => pyproject::read(text),
        ManifestKind::Pipfile => pipfile::read_pipfile(text),
        ManifestKind::PipfileLock => pipfile::read_lock(text),
        ManifestKind::SetupCfg => setup_files::read_setup_cfg(text),
        ManifestKind::SetupPy => setup_files::read_setup_py(text),
        ManifestKind::CondaEnvironment => conda::read(text),
        ManifestKind::PackageJson => node::read_package_json(text),
        ManifestKind::PoetryLock | ManifestKind::UvLock => locks::read_toml_lock(text),
        ManifestKind::PackageLock => locks::read_package_lock(text),
        ManifestKind::YarnLock => locks::read_yarn_lock(text),
        ManifestKind::PnpmLock => locks::read_pnpm_lock(text),
    };
    Some(facts.sorted())
}

/// PEP 503 normalisation: lowercase, each run of `-`, `_`, `.` becomes one `-`.
pub fn normalise_python_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_separator_run = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !in_separator_run {
                out.push('-');
            }
            in_separator_run = true;
        } else {
            out.push(c.to_ascii_lowercase());
            in_separator_run = false;
        }
    }
    out
}

/// The range without the quotes around it, when `range` covers a quoted string.
fn unquoted(text: &str, range: Range<usize>) -> Range<usize> {
    let Some(s) = text.get(range.clone()) else {
        return range;
    };
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if s.len() >= 2 * quote.len() && s.starts_with(quote) && s.ends_with(quote) {
            return range.start + quote.len()..range.end - quote.len();
        }
    }
    range
}

/// Bracket nesting of a JSON text, so a hostile file cannot exhaust the stack of
/// the recursive JSON parser.
fn json_too_deep(text: &str) -> bool {
    const MAX_JSON_DEPTH: usize = 128;
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for b in text.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return true;
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    false
}

/// The root object of a JSON text, or `None` when it is not JSON.
fn parse_json(text: &str) -> Option<jsonc_parser::ast::Object<'_>> {
    if json_too_deep(text) {
        return None;
    }
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &Default::default()).ok()?;
    match parsed.value {
        Some(jsonc_parser::ast::Value::Object(root)) => Some(root),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_paths_by_name() {
        for path in [
            "requirements.txt",
            "a/requirements-dev.txt",
            "dev-requirements.txt",
            "requirements/base.txt",
            "requirements.in",
            "constraints.txt",
            "pyproject.toml",
            "Pipfile",
            "Pipfile.lock",
            "setup.cfg",
            "setup.py",
            "environment.yml",
            "environment.yaml",
            "envs\\environment-dev.yml",
            "web/package.json",
            "poetry.lock",
            "uv.lock",
            "package-lock.json",
            "yarn.lock",
            "pnpm-lock.yaml",
        ] {
            assert!(is_manifest_path(path), "{path}");
        }
        for path in [
            "README.md",
            "notes.txt",
            "requirements.md",
            "config.yml",
            "main.py",
            "tsconfig.json",
            "docs/environment.md",
        ] {
            assert!(!is_manifest_path(path), "{path}");
        }
    }

    #[test]
    fn read_dispatches_by_name_and_skips_docs() {
        let req = read("requirements.txt", "openai==0.28.1\n").unwrap();
        assert_eq!(req.requirements[0].name, "openai");
        assert_eq!(req.requirements[0].origin, Origin::Manifest);

        let docker = read("Dockerfile", "FROM python\nRUN pip install openai==0.28\n").unwrap();
        assert_eq!(docker.requirements[0].origin, Origin::Install);
        assert_eq!(docker.requirements[0].spec, "==0.28");

        assert!(read("README.md", "pip install openai==0.28\n").is_none());
        assert!(read("run.sh", "echo hello\n").is_none());
        assert!(read("main.py", "import openai\n").is_none());
    }

    #[test]
    fn pep503_names() {
        assert_eq!(
            normalise_python_name("LangChain_OpenAI"),
            "langchain-openai"
        );
        assert_eq!(
            normalise_python_name("llama.index--core"),
            "llama-index-core"
        );
        assert_eq!(normalise_python_name("openai"), "openai");
    }

    /// Every reader on truncations and byte soup of real-looking input: no panic,
    /// and every range lies on character boundaries inside the text.
    #[test]
    fn no_reader_panics_on_garbage() {
        const PATHS: &[&str] = &[
            "requirements.txt",
            "pyproject.toml",
            "Pipfile",
            "Pipfile.lock",
            "setup.cfg",
            "setup.py",
            "environment.yml",
            "package.json",
            "poetry.lock",
            "package-lock.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "Dockerfile",
        ];
        let seeds = [
            "openai[datalib]==0.28 ; python_version < \"3.8\" \\\n-r x.txt\n",
            "[project]\ndependencies = [\"openai>=0.27,<1\"]\n[tool.poetry.dependencies]\nopenai = { version = \"^0.28\" }\n",
            "{\"dependencies\": {\"openai\": \"^3.2.1\"}, \"default\": {\"openai\": {\"version\": \"==0.28\"}}}",
            "setup(install_requires=[\"openai==0.28\", # c\n 'é'])\n[options]\ninstall_requires =\n  openai\n",
            "dependencies:\n  - openai=0.28\n  - pip:\n    - \"openai<1\"\nimporters:\n  .:\n    dependencies:\n      openai: {version: 3.3.0(x)}\n",
            "\"openai@^3\", openai@npm:^3:\n  version \"3.3.0\"\nRUN pip install 'openai==0.28' \\\n && npm i openai@3\n",
        ];
        let mut state = 0x2545_f491_u32;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state
        };
        for seed in seeds {
            let mut inputs: Vec<String> = (0..=seed.len())
                .filter(|&i| seed.is_char_boundary(i))
                .map(|i| seed[..i].to_string())
                .collect();
            for _ in 0..40 {
                let mut bytes = seed.as_bytes().to_vec();
                for _ in 0..4 {
                    let at = next() as usize % bytes.len();
                    let noise = b"\"'[]{}\\\n:=#,@;-^~ \xc3";
                    bytes[at] = noise[next() as usize % noise.len()];
                }
                inputs.push(String::from_utf8_lossy(&bytes).into_owned());
            }
            for input in &inputs {
                for path in PATHS {
                    for r in read(path, input)
                        .map(|f| f.requirements)
                        .unwrap_or_default()
                    {
                        assert!(
                            input.get(r.range.clone()).is_some(),
                            "{path}: {input:?} {r:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn hostile_json_is_refused_not_parsed() {
        let deep = "[".repeat(100_000);
        assert!(parse_json(&deep).is_none());
        assert!(read("package.json", &deep).unwrap().requirements.is_empty());
    }
}

/// What the readers' tests compare: `(name, spec, text under the range)`.
#[cfg(test)]
pub(crate) mod test_support {
    use super::Requirement;

    pub fn written(requirements: &[Requirement], text: &str) -> Vec<(String, String, String)> {
        requirements
            .iter()
            .map(|r| {
                (
                    r.name.clone(),
                    r.spec.clone(),
                    text[r.range.clone()].to_string(),
                )
            })
            .collect()
    }

    pub fn pin(name: &str, spec: &str, written: &str) -> (String, String, String) {
        (name.into(), spec.into(), written.into())
    }
}
