//! Facts that only mean something across files, gathered during the per-file pass
//! and judged once every file is in: which environment variables the project
//! defines and reads, and where a client relies on the SDK's implicit key lookup.

use crate::findings::Finding;
use crate::manifest::Ecosystem;
use crate::rules::sdk_releases::Admits;
use crate::rules::sdk_usage::Api;

/// Whether a site defines or reads a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EnvRole {
    /// `.env*`, compose `environment:`, Dockerfile `ENV`, workflow `env:`, `export`.
    Definition,
    /// `os.environ[...]`, `os.getenv`, `process.env.X`, `import.meta.env.X`, `$X`.
    Read,
}

/// A near-miss of an SDK variable, seen in one place. `finding` is complete except
/// for its message and level, which depend on the rest of the project.
#[derive(Debug, Clone)]
pub struct NearMissSite {
    pub name: String,
    pub canonical: String,
    pub role: EnvRole,
    pub finding: Finding,
}

/// Where a variable is defined: enough to point the user at it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Definition {
    pub name: String,
    pub path: String,
    pub line: usize,
}

/// Where a pin comes from; a lock file repeats what its manifest says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PinOrigin {
    Manifest,
    Install,
    Lock,
}

/// One dependency pin of an OpenAI SDK. `finding` is the `outdated-sdk` finding
/// it would give (message and level complete; `None` when that rule is off or
/// suppressed there), kept until the project decides whether a lock file's pin
/// repeats a manifest's.
#[derive(Debug, Clone)]
pub struct Pin {
    pub path: String,
    pub ecosystem: Ecosystem,
    /// `None`: a spec that names no version range (a URL, `workspace:`).
    pub admits: Option<Admits>,
    pub origin: PinOrigin,
    pub line: usize,
    pub finding: Option<Finding>,
}

/// A use of a legacy or current SDK API in code; its message and level wait for
/// the project's pin.
#[derive(Debug, Clone)]
pub struct SdkUse {
    pub ecosystem: Ecosystem,
    pub api: Api,
    pub what: String,
    pub instead: String,
    pub finding: Finding,
}

/// A legacy SDK variable (`OPENAI_API_BASE`) defined or read; judged against the
/// project's pin and its other consumers (LangChain, LiteLLM).
#[derive(Debug, Clone)]
pub struct LegacyEnvSite {
    pub name: String,
    pub role: EnvRole,
    pub finding: Finding,
}

#[derive(Debug, Clone, Default)]
pub struct ProjectFacts {
    pub near_misses: Vec<NearMissSite>,
    /// Every variable definition seen, near miss or not.
    pub definitions: Vec<Definition>,
    /// Every variable read in code or scripts: `(path, name)`.
    pub reads: Vec<(String, String)>,
    /// Directories holding a project manifest (`package.json`, `pyproject.toml`,
    /// `requirements.txt`, …): each is the root of its own project in a monorepo.
    pub roots: Vec<String>,
    /// `path:line` of clients built without an explicit key (`OpenAI()`), which
    /// rely on the SDK reading `OPENAI_API_KEY` itself.
    pub implicit_key_lookups: Vec<(String, usize)>,
    /// Pins of the OpenAI SDKs in manifests, lock files and install commands.
    pub pins: Vec<Pin>,
    pub sdk_uses: Vec<SdkUse>,
    pub legacy_env: Vec<LegacyEnvSite>,
    /// `(path, library)`: a library that reads the legacy variables itself
    /// (`langchain`, `litellm`), declared in a manifest or imported in code.
    pub consumers: Vec<(String, String)>,
    /// `.env` files holding a key: the first key's finding, for
    /// `env-file-not-ignored` once git has been asked.
    pub env_files_with_keys: Vec<Finding>,
    /// Directories of manifests that declare the `openai` package itself: the
    /// SDK's own sources, where the legacy API is defined, not called.
    pub sdk_sources: Vec<String>,
}

impl ProjectFacts {
    pub fn merge(&mut self, other: ProjectFacts) {
        self.near_misses.extend(other.near_misses);
        self.definitions.extend(other.definitions);
        self.reads.extend(other.reads);
        self.implicit_key_lookups.extend(other.implicit_key_lookups);
        self.roots.extend(other.roots);
        self.pins.extend(other.pins);
        self.sdk_uses.extend(other.sdk_uses);
        self.legacy_env.extend(other.legacy_env);
        self.consumers.extend(other.consumers);
        self.env_files_with_keys.extend(other.env_files_with_keys);
        self.sdk_sources.extend(other.sdk_sources);
    }

    /// Order everything so judgement does not depend on thread scheduling.
    pub fn sort(&mut self) {
        self.near_misses.sort_by(|a, b| {
            (
                &a.finding.path,
                a.finding.start.line,
                a.finding.start.column,
                a.role,
            )
                .cmp(&(
                    &b.finding.path,
                    b.finding.start.line,
                    b.finding.start.column,
                    b.role,
                ))
        });
        self.definitions.sort();
        self.definitions.dedup();
        self.reads.sort();
        self.reads.dedup();
        self.implicit_key_lookups.sort();
        self.implicit_key_lookups.dedup();
        self.roots.sort();
        self.roots.dedup();
        let at = |f: &Finding| (f.path.clone(), f.start.line, f.start.column, f.rule.clone());
        self.pins
            .sort_by(|a, b| (&a.path, a.line, a.ecosystem).cmp(&(&b.path, b.line, b.ecosystem)));
        self.sdk_uses.sort_by_key(|u| at(&u.finding));
        self.legacy_env.sort_by_key(|s| at(&s.finding));
        self.consumers.sort();
        self.consumers.dedup();
        self.env_files_with_keys.sort_by_key(|f| at(f));
        self.sdk_sources.sort();
        self.sdk_sources.dedup();
    }

    /// What the pins governing `path` admit for `ecosystem`: those of the deepest
    /// project above the file that pins the SDK at all (a monorepo's packages each
    /// have their own). Several pins there (a manifest and its lock, a Dockerfile's
    /// `pip install`) must all hold. `None`: unpinned, unreadable, or pins that
    /// contradict each other.
    pub fn sdk_admits(&self, path: &str, ecosystem: Ecosystem) -> Option<Admits> {
        let pinned_root = self
            .pins
            .iter()
            .filter(|p| p.ecosystem == ecosystem)
            .map(|p| self.root_of(&p.path))
            .filter(|root| root.is_empty() || path.starts_with(&format!("{root}/")))
            .max_by_key(|root| root.len())?;
        let mut admits = Admits::ANY;
        for pin in self
            .pins
            .iter()
            .filter(|p| p.ecosystem == ecosystem && self.root_of(&p.path) == pinned_root)
        {
            admits = admits.and(pin.admits?);
        }
        (admits != Admits::default()).then_some(admits)
    }

    /// Whether `path` is part of the SDK's own sources.
    pub fn in_sdk_sources(&self, path: &str) -> bool {
        in_any_dir(path, &self.sdk_sources)
    }

    /// Whether a library that reads legacy variables itself is part of the
    /// project of `path`.
    pub fn has_consumer(&self, path: &str, libraries: &[String]) -> bool {
        self.consumers.iter().any(|(at, lib)| {
            self.same_project(at, path) && libraries.iter().any(|l| lib.starts_with(l.as_str()))
        })
    }

    /// The project a file belongs to: the deepest manifest directory above it, or
    /// the scan itself (`""`) when there is none.
    pub fn root_of(&self, path: &str) -> &str {
        self.roots
            .iter()
            .filter(|root| root.is_empty() || path.starts_with(&format!("{root}/")))
            .max_by_key(|root| root.len())
            .map_or("", |r| r.as_str())
    }

    fn same_project(&self, a: &str, b: &str) -> bool {
        self.root_of(a) == self.root_of(b)
    }

    pub fn is_defined(&self, name: &str, near: &str) -> bool {
        self.first_definition(name, near).is_some()
    }

    pub fn is_read(&self, name: &str, near: &str) -> bool {
        self.reads
            .iter()
            .any(|(path, n)| n == name && self.same_project(path, near))
    }

    pub fn first_definition(&self, name: &str, near: &str) -> Option<&Definition> {
        self.definitions
            .iter()
            .find(|d| d.name == name && self.same_project(&d.path, near))
    }

    pub fn first_implicit_lookup(&self, near: &str) -> Option<&(String, usize)> {
        self.implicit_key_lookups
            .iter()
            .find(|(path, _)| self.same_project(path, near))
    }
}

/// File names that mark the root of a project.
pub fn is_manifest(name: &str) -> bool {
    matches!(
        name,
        "package.json"
            | "pyproject.toml"
            | "requirements.txt"
            | "setup.py"
            | "setup.cfg"
            | "Pipfile"
            | "environment.yml"
            | "go.mod"
            | "Cargo.toml"
            | "deno.json"
    )
}

/// Whether `path` lies under one of `dirs` (`""` is the scan itself).
pub fn in_any_dir(path: &str, dirs: &[String]) -> bool {
    dirs.iter().any(|dir| {
        dir.is_empty()
            || path
                .strip_prefix(dir.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_belong_to_the_deepest_manifest_root() {
        let facts = ProjectFacts {
            roots: vec!["apps/web".into(), "apps".into()],
            ..Default::default()
        };
        assert_eq!(facts.root_of("apps/web/src/a.ts"), "apps/web");
        assert_eq!(facts.root_of("apps/api/main.py"), "apps");
        assert_eq!(facts.root_of("tools/x.sh"), "");
        assert_eq!(facts.root_of("apps/webby/x.ts"), "apps");
    }
}
