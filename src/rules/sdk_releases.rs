//! Which OpenAI SDK API a dependency pin admits: the legacy one (openai-python < 1,
//! openai-node < 4), the current one, or both. Pins are judged by the released
//! versions they admit (`rules/data/sdk-releases.toml`), with the PEP 440 and npm
//! range semantics of the `pep440_rs` and `nodejs-semver` crates.

use crate::manifest::Ecosystem;
use crate::rules::models::{parse_date, require};
use pep440_rs::{Version as PyVersion, VersionSpecifiers};
use serde::Deserialize;
use std::str::FromStr;

/// The SDK APIs a pin admits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Admits {
    /// openai-python 0.x / openai-node ≤ 3.
    pub legacy: bool,
    /// openai-python ≥ 1 / openai-node ≥ 4.
    pub current: bool,
}

impl Admits {
    pub const ANY: Admits = Admits {
        legacy: true,
        current: true,
    };

    pub fn legacy_only(self) -> bool {
        self.legacy && !self.current
    }

    pub fn current_only(self) -> bool {
        self.current && !self.legacy
    }

    /// What several pins of one project admit together (a manifest and its lock).
    pub fn and(self, other: Admits) -> Admits {
        Admits {
            legacy: self.legacy && other.legacy,
            current: self.current && other.current,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct ReleasesFile {
    python: ReleaseRow,
    node: ReleaseRow,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct ReleaseRow {
    package: String,
    current_from: String,
    source: String,
    reviewed: String,
    versions: Vec<String>,
}

/// The release table, parsed.
pub struct SdkReleases {
    python: Vec<PyVersion>,
    python_current_from: PyVersion,
    node: Vec<nodejs_semver::Version>,
    node_current_from: nodejs_semver::Version,
    /// `(ecosystem, source, reviewed)` for the rule docs and data tests.
    pub sources: Vec<(Ecosystem, String, String)>,
}

impl SdkReleases {
    /// The table compiled into the binary (see [`super::builtin::table`]).
    pub fn builtin() -> SdkReleases {
        super::builtin::table("sdk-releases.toml", Self::parse)
    }

    pub fn parse(text: &str) -> Result<SdkReleases, String> {
        let file: ReleasesFile = toml::from_str(text).map_err(|e| e.to_string())?;
        for (what, row) in [("python", &file.python), ("node", &file.node)] {
            if row.package != "openai" {
                return Err(format!("{what}: package must be `openai`"));
            }
            require(&format!("{what} source"), &row.source)?;
            parse_date(&format!("{what} reviewed"), &row.reviewed)?;
            if row.versions.is_empty() {
                return Err(format!("{what}: no versions"));
            }
        }
        let py = |v: &str| PyVersion::from_str(v).map_err(|e| format!("python version {v}: {e}"));
        let node = |v: &str| {
            nodejs_semver::Version::parse(v).map_err(|e| format!("node version {v}: {e}"))
        };
        Ok(SdkReleases {
            python: file
                .python
                .versions
                .iter()
                .map(|v| py(v))
                .collect::<Result<_, _>>()?,
            python_current_from: py(&file.python.current_from)?,
            node: file
                .node
                .versions
                .iter()
                .map(|v| node(v))
                .collect::<Result<_, _>>()?,
            node_current_from: node(&file.node.current_from)?,
            sources: vec![
                (Ecosystem::Python, file.python.source, file.python.reviewed),
                (Ecosystem::Node, file.node.source, file.node.reviewed),
            ],
        })
    }

    /// What a pin admits; `None` when the spec cannot be read (a URL, a git ref,
    /// `workspace:`): the project then counts as unpinned.
    pub fn admits(&self, ecosystem: Ecosystem, spec: &str) -> Option<Admits> {
        match ecosystem {
            Ecosystem::Python => self.python_admits(spec),
            Ecosystem::Node => self.node_admits(spec),
        }
    }

    /// The last legacy release (`0.28.1`, `3.3.0`), for messages.
    pub fn last_legacy(&self, ecosystem: Ecosystem) -> String {
        match ecosystem {
            Ecosystem::Python => self
                .python
                .iter()
                .filter(|v| **v < self.python_current_from)
                .max()
                .map(ToString::to_string),
            Ecosystem::Node => self
                .node
                .iter()
                .filter(|v| **v < self.node_current_from)
                .max()
                .map(ToString::to_string),
        }
        .unwrap_or_default()
    }

    /// The newest release in the table, for messages.
    pub fn latest(&self, ecosystem: Ecosystem) -> String {
        match ecosystem {
            Ecosystem::Python => self.python.iter().max().map(ToString::to_string),
            Ecosystem::Node => self.node.iter().max().map(ToString::to_string),
        }
        .unwrap_or_default()
    }

    fn python_admits(&self, spec: &str) -> Option<Admits> {
        let spec = spec.trim();
        if spec.is_empty() {
            return Some(Admits::ANY);
        }
        let specifiers = VersionSpecifiers::from_str(spec).ok()?;
        let mut admits = Admits::default();
        for v in self.python.iter().filter(|v| specifiers.contains(v)) {
            if *v < self.python_current_from {
                admits.legacy = true;
            } else {
                admits.current = true;
            }
        }
        if admits == Admits::default() {
            // No listed release fits: the pin names a version the table lacks. It
            // belongs to the API of the versions it names (`==0.28.5` is legacy,
            // `>=3.60` newer than the table).
            let legacy = specifiers
                .iter()
                .all(|s| *s.version() < self.python_current_from);
            admits = Admits {
                legacy,
                current: !legacy,
            };
        }
        Some(admits)
    }

    fn node_admits(&self, spec: &str) -> Option<Admits> {
        let spec = spec.trim();
        let spec = if spec.is_empty() || spec == "latest" {
            "*"
        } else {
            spec
        };
        let range = nodejs_semver::Range::parse(spec).ok()?;
        let mut admits = Admits::default();
        for v in self.node.iter().filter(|v| range.satisfies(v)) {
            if *v < self.node_current_from {
                admits.legacy = true;
            } else {
                admits.current = true;
            }
        }
        if admits == Admits::default() {
            let legacy = range
                .min_version()
                .is_some_and(|min| min < self.node_current_from);
            admits = Admits {
                legacy,
                current: !legacy,
            };
        }
        Some(admits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn py(spec: &str) -> Admits {
        SdkReleases::builtin()
            .admits(Ecosystem::Python, spec)
            .unwrap_or_else(|| panic!("unreadable: {spec}"))
    }

    fn node(spec: &str) -> Admits {
        SdkReleases::builtin()
            .admits(Ecosystem::Node, spec)
            .unwrap_or_else(|| panic!("unreadable: {spec}"))
    }

    const LEGACY: Admits = Admits {
        legacy: true,
        current: false,
    };
    const CURRENT: Admits = Admits {
        legacy: false,
        current: true,
    };

    #[test]
    fn python_pins() {
        for spec in [
            "==0.28",
            "==0.28.1",
            "~=0.27.0",
            "<1",
            ">=0.27,<0.29",
            "==0.28.*",
        ] {
            assert_eq!(py(spec), LEGACY, "{spec}");
        }
        for spec in [
            ">=1", ">=1.0.0", "~=1.3", "==1.2.4", ">1.0,<4", "==3.57.0", ">=3.60",
        ] {
            assert_eq!(py(spec), CURRENT, "{spec}");
        }
        for spec in ["", ">=0.27", ">=0.27,<2", "!=0.28.0"] {
            assert_eq!(py(spec), Admits::ANY, "{spec}");
        }
        // Not PEP 440 (a Poetry caret the manifest reader failed to translate).
        assert!(
            SdkReleases::builtin()
                .admits(Ecosystem::Python, "^0.28")
                .is_none()
        );
    }

    #[test]
    fn node_pins() {
        for spec in ["^3.2.1", "3.3.0", "~3.1", "3.x", "<4", "^3 || ^2"] {
            assert_eq!(node(spec), LEGACY, "{spec}");
        }
        for spec in ["^4.0.0", "^7.5.0", ">=4", "4.x", "7.57.0", "^9"] {
            assert_eq!(node(spec), CURRENT, "{spec}");
        }
        for spec in ["", "*", "latest", ">=3", "^3 || ^4"] {
            assert_eq!(node(spec), Admits::ANY, "{spec}");
        }
        assert!(
            SdkReleases::builtin()
                .admits(Ecosystem::Node, "workspace:*")
                .is_none()
        );
    }

    #[test]
    fn messages_name_real_releases() {
        let r = SdkReleases::builtin();
        assert_eq!(r.last_legacy(Ecosystem::Python), "0.28.1");
        assert_eq!(r.last_legacy(Ecosystem::Node), "3.3.0");
        assert!(r.latest(Ecosystem::Python).starts_with("3."));
    }
}
