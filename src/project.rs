//! Facts that only mean something across files, gathered during the per-file pass
//! and judged once every file is in: which environment variables the project
//! defines and reads, and where a client relies on the SDK's implicit key lookup.

use crate::findings::Finding;

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
}

impl ProjectFacts {
    pub fn merge(&mut self, other: ProjectFacts) {
        self.near_misses.extend(other.near_misses);
        self.definitions.extend(other.definitions);
        self.reads.extend(other.reads);
        self.implicit_key_lookups.extend(other.implicit_key_lookups);
        self.roots.extend(other.roots);
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
