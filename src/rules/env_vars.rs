//! The environment-variable table (`rules/data/env-vars.toml`): the names the OpenAI
//! SDKs read, legacy and third-party names, known misspellings and the SDKs'
//! missing-credential errors. Used by env-var-typo and legacy-env-var.

use super::models::{parse_date, require};
use jiff::civil::Date;
use serde::Deserialize;

/// Which official SDK reads a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Sdk {
    Python,
    Node,
    Both,
}

impl Sdk {
    /// True when this SDK value covers `other` (`Both` covers either).
    pub fn covers(self, other: Sdk) -> bool {
        self == Sdk::Both || self == other
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct EnvFile {
    #[serde(default)]
    canonical: Vec<CanonicalRow>,
    #[serde(default)]
    context_dependent: Vec<ContextRow>,
    #[serde(default)]
    near_miss: Vec<NearMissRow>,
    #[serde(default)]
    missing_credentials_error: Vec<MissingRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CanonicalRow {
    name: String,
    sdk: Sdk,
    sets: String,
    since: String,
    source: String,
    reviewed: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ContextRow {
    name: String,
    consumers: Vec<String>,
    read_by_v0_sdk: bool,
    #[serde(default)]
    v1_replacement: Option<String>,
    source: String,
    reviewed: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct NearMissRow {
    name: String,
    canonical: String,
    source: String,
    reviewed: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct MissingRow {
    sdk: Sdk,
    client: String,
    versions: String,
    missing: Vec<String>,
    text: String,
    source: String,
    reviewed: String,
}

/// A variable an official SDK reads.
#[derive(Debug, Clone)]
pub struct Canonical {
    pub name: String,
    pub sdk: Sdk,
    /// What it sets, for messages.
    pub sets: String,
    /// The SDK versions or dates that read it first.
    pub since: String,
    pub source: String,
    pub reviewed: Date,
    pub note: Option<String>,
}

/// A variable the current SDKs (openai-python 1+, openai-node 4+) never read, but
/// other libraries do.
#[derive(Debug, Clone)]
pub struct ContextDependent {
    pub name: String,
    /// Libraries that read it: `langchain`, `litellm`, `open-webui`.
    pub consumers: Vec<String>,
    /// openai-python 0.x read it: the SDK silently ignores it since 1.0.
    pub read_by_v0_sdk: bool,
    /// The name the current SDKs read instead, if any.
    pub v1_replacement: Option<String>,
    pub source: String,
    pub reviewed: Date,
    pub note: Option<String>,
}

/// A `[[near-miss]]` row: a misspelling seen in public code.
#[derive(Debug, Clone)]
pub struct NearMissName {
    pub name: String,
    pub canonical: String,
    pub source: String,
    pub reviewed: Date,
    pub note: Option<String>,
}

/// What the SDK raises when the credential variables are missing.
#[derive(Debug, Clone)]
pub struct MissingCredentialsError {
    /// `Python` or `Node`.
    pub sdk: Sdk,
    /// `openai` or `azure`.
    pub client: String,
    pub versions: String,
    /// The variables whose absence causes it.
    pub missing: Vec<String>,
    /// Verbatim.
    pub text: String,
    pub source: String,
    pub reviewed: Date,
}

/// How [`EnvVars::near_miss`] matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NearMissKind {
    /// The `[[near-miss]]` table lists the name (ASCII case ignored).
    Listed,
    /// Within the edit distance of a canonical or a legacy name.
    EditDistance,
}

/// A name that looks like a misspelled SDK variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NearMiss<'a> {
    /// The SDK variable to use instead.
    pub canonical: &'a str,
    /// The name it resembles: `canonical`, or a context-dependent name whose
    /// replacement `canonical` is (`OPENAI_ORGANISATION` resembles
    /// `OPENAI_ORGANIZATION`, which LangChain and LiteLLM read).
    pub resembles: &'a str,
    pub kind: NearMissKind,
}

/// The whole table.
#[derive(Debug)]
pub struct EnvVars {
    pub canonical: Vec<Canonical>,
    pub context_dependent: Vec<ContextDependent>,
    pub near_misses: Vec<NearMissName>,
    pub missing_credentials_errors: Vec<MissingCredentialsError>,
}

impl EnvVars {
    /// The table compiled into the binary (see [`super::builtin::table`]).
    pub fn builtin() -> EnvVars {
        super::builtin::table("env-vars.toml", Self::parse)
    }

    pub fn parse(text: &str) -> Result<EnvVars, String> {
        let file: EnvFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let date = |what: &str, name: &str, v: &str| parse_date(&format!("{what} {name}"), v);

        let mut canonical = Vec::new();
        for r in file.canonical {
            check_name("canonical", &r.name)?;
            for (field, v) in [
                ("sets", &r.sets),
                ("since", &r.since),
                ("source", &r.source),
            ] {
                require(&format!("canonical {} {field}", r.name), v)?;
            }
            canonical.push(Canonical {
                reviewed: date("canonical", &r.name, &r.reviewed)?,
                name: r.name,
                sdk: r.sdk,
                sets: r.sets,
                since: r.since,
                source: r.source,
                note: r.note,
            });
        }

        let mut context_dependent = Vec::new();
        for r in file.context_dependent {
            check_name("context-dependent", &r.name)?;
            require(&format!("context-dependent {} source", r.name), &r.source)?;
            if let Some(rep) = &r.v1_replacement
                && !canonical.iter().any(|c| c.name == *rep)
            {
                return Err(format!(
                    "context-dependent {}: v1-replacement {rep} is not a canonical name",
                    r.name
                ));
            }
            context_dependent.push(ContextDependent {
                reviewed: date("context-dependent", &r.name, &r.reviewed)?,
                name: r.name,
                consumers: r.consumers,
                read_by_v0_sdk: r.read_by_v0_sdk,
                v1_replacement: r.v1_replacement,
                source: r.source,
                note: r.note,
            });
        }

        let mut near_misses = Vec::new();
        for r in file.near_miss {
            check_name("near-miss", &r.name)?;
            require(&format!("near-miss {} source", r.name), &r.source)?;
            if !canonical.iter().any(|c| c.name == r.canonical) {
                return Err(format!(
                    "near-miss {}: {} is not a canonical name",
                    r.name, r.canonical
                ));
            }
            if canonical
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(&r.name))
            {
                return Err(format!("near-miss {} is a canonical name", r.name));
            }
            near_misses.push(NearMissName {
                reviewed: date("near-miss", &r.name, &r.reviewed)?,
                name: r.name,
                canonical: r.canonical,
                source: r.source,
                note: r.note,
            });
        }

        let mut missing_credentials_errors = Vec::new();
        for r in file.missing_credentials_error {
            let what = format!("missing-credentials-error ({:?} {})", r.sdk, r.versions);
            if r.sdk == Sdk::Both {
                return Err(format!("{what}: sdk is python or node"));
            }
            for (field, v) in [
                ("client", &r.client),
                ("text", &r.text),
                ("source", &r.source),
            ] {
                require(&format!("{what} {field}"), v)?;
            }
            for m in &r.missing {
                if !canonical.iter().any(|c| c.name == *m) {
                    return Err(format!("{what}: {m} is not a canonical name"));
                }
            }
            missing_credentials_errors.push(MissingCredentialsError {
                reviewed: parse_date(&format!("{what} reviewed"), &r.reviewed)?,
                sdk: r.sdk,
                client: r.client,
                versions: r.versions,
                missing: r.missing,
                text: r.text,
                source: r.source,
            });
        }

        let mut names: Vec<&str> = canonical
            .iter()
            .map(|c| c.name.as_str())
            .chain(context_dependent.iter().map(|c| c.name.as_str()))
            .collect();
        let n = names.len();
        names.sort();
        names.dedup();
        if names.len() != n {
            return Err("a name is listed twice in [[canonical]] / [[context-dependent]]".into());
        }

        Ok(EnvVars {
            canonical,
            context_dependent,
            near_misses,
            missing_credentials_errors,
        })
    }

    /// The canonical row for exactly `name`.
    pub fn canonical(&self, name: &str) -> Option<&Canonical> {
        self.canonical.iter().find(|c| c.name == name)
    }

    /// Whether `library` (a package or module name: `langchain-openai`,
    /// `litellm`) reads one of the legacy SDK variables itself.
    pub fn reads_legacy_variables(&self, library: &str) -> bool {
        self.legacy_variable_readers()
            .any(|l| library.starts_with(l))
    }

    /// The name prefixes of the libraries that read a legacy SDK variable
    /// themselves (`langchain`, `litellm`).
    pub fn legacy_variable_readers(&self) -> impl Iterator<Item = &str> {
        self.context_dependent
            .iter()
            .filter(|c| c.read_by_v0_sdk)
            .flat_map(|c| c.consumers.iter().map(String::as_str))
    }

    /// The context-dependent row for exactly `name`.
    pub fn context_dependent(&self, name: &str) -> Option<&ContextDependent> {
        self.context_dependent.iter().find(|c| c.name == name)
    }

    /// The SDK variable `name` was most likely meant to be. See [`EnvVars::near_miss`].
    pub fn canonical_for_near_miss(&self, name: &str) -> Option<&str> {
        self.near_miss(name).map(|m| m.canonical)
    }

    /// `Some` when `name` looks like a misspelled SDK variable.
    ///
    /// 1. A `[[near-miss]]` row matches the whole name, ignoring ASCII case (so
    ///    `OpenAI_ApiKey` is `OPENAI_APIKEY`, but `ZAI_OPENAPI_API_KEY` is nothing). This
    ///    comes first: a listed name can also be a third-party setting
    ///    (`OPENAI_API_BASE_URL` is Open WebUI's), so check
    ///    [`EnvVars::context_dependent`] before reporting.
    /// 2. Canonical and context-dependent names are never near misses, in any case:
    ///    settings classes (pydantic-settings) read `openai_api_key` from
    ///    `OPENAI_API_KEY`, so a case difference proves nothing.
    /// 3. Otherwise, Damerau-Levenshtein distance on the upper-cased name against every
    ///    canonical name, and against every context-dependent name that has a
    ///    `v1-replacement` (which is then the answer: `OPENAI_ORGANISATION` →
    ///    `OPENAI_ORG_ID`). At most 1 edit for names shorter than 14 characters, 2 from
    ///    14 on (the length of `OPENAI_API_KEY`): the short canonical names are close
    ///    to each other (`OPENAI_ORG` is 2 edits from `OPENAI_LOG`). A name that
    ///    extends a candidate with `_` or a digit (`OPENAI_API_KEY_2`,
    ///    `OPENAI_API_KEY2`) is a deliberate second name, not a typo. Ties go to the
    ///    canonical table, then table order.
    pub fn near_miss(&self, name: &str) -> Option<NearMiss<'_>> {
        if let Some(row) = self
            .near_misses
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name))
        {
            return Some(NearMiss {
                canonical: &row.canonical,
                resembles: &row.canonical,
                kind: NearMissKind::Listed,
            });
        }
        let upper = name.to_ascii_uppercase();
        let exact = |n: &str| n == upper;
        if self.canonical.iter().any(|c| exact(&c.name))
            || self.context_dependent.iter().any(|c| exact(&c.name))
            || upper.is_empty()
        {
            return None;
        }
        let upper_chars = upper.chars().count();
        let max = if upper_chars < 14 { 1 } else { 2 };
        let candidates = self
            .canonical
            .iter()
            .map(|c| (c.name.as_str(), c.name.as_str()))
            .chain(self.context_dependent.iter().filter_map(|c| {
                c.v1_replacement
                    .as_deref()
                    .map(|rep| (c.name.as_str(), rep))
            }));
        candidates
            .enumerate()
            // The distance is at least the length difference: skip the costly
            // computation for names that cannot be close.
            .filter(|(_, (resembles, _))| {
                upper_chars.abs_diff(resembles.chars().count()) <= max
                    && !extends(&upper, resembles)
            })
            .map(|(i, (resembles, canonical))| {
                (
                    strsim::damerau_levenshtein(&upper, resembles),
                    i,
                    resembles,
                    canonical,
                )
            })
            .filter(|(d, ..)| *d <= max)
            .min_by_key(|(d, i, ..)| (*d, *i))
            .map(|(_, _, resembles, canonical)| NearMiss {
                canonical,
                resembles,
                kind: NearMissKind::EditDistance,
            })
    }
}

/// `OPENAI_API_KEY_2` and `OPENAI_API_KEY2` extend `OPENAI_API_KEY` on purpose.
fn extends(name: &str, base: &str) -> bool {
    name.strip_prefix(base)
        .and_then(|rest| rest.chars().next())
        .is_some_and(|c| c == '_' || c.is_ascii_digit())
}

/// Environment variable names: ASCII letters, digits and `_`, not starting with a digit.
fn check_name(what: &str, name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!("{what}: `{name}` is not a variable name"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads_and_rows_are_sourced() {
        let t = EnvVars::builtin();
        assert!(t.canonical.len() >= 13);
        assert!(t.context_dependent.len() >= 7);
        assert!(t.near_misses.len() >= 9);
        assert!(t.missing_credentials_errors.len() >= 7);
        let review: Date = "2026-11-25".parse().unwrap();
        for c in &t.canonical {
            assert!(
                !c.source.trim().is_empty() && c.reviewed == review,
                "{}",
                c.name
            );
        }
        for c in &t.context_dependent {
            assert!(
                !c.source.trim().is_empty() && c.reviewed == review,
                "{}",
                c.name
            );
        }
        for c in &t.near_misses {
            assert!(
                !c.source.trim().is_empty() && c.reviewed == review,
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn facts_from_the_reference() {
        let t = EnvVars::builtin();
        assert_eq!(t.canonical("OPENAI_API_KEY").unwrap().sdk, Sdk::Both);
        assert_eq!(
            t.canonical("AZURE_OPENAI_AD_TOKEN").unwrap().sdk,
            Sdk::Python
        );
        assert!(t.canonical("OPENAI_ORGANIZATION").is_none());

        let org = t.context_dependent("OPENAI_ORGANIZATION").unwrap();
        assert_eq!(org.v1_replacement.as_deref(), Some("OPENAI_ORG_ID"));
        assert!(org.read_by_v0_sdk);
        assert!(org.consumers.iter().any(|c| c == "langchain"));
        let base = t.context_dependent("OPENAI_API_BASE").unwrap();
        assert_eq!(base.v1_replacement.as_deref(), Some("OPENAI_BASE_URL"));
        let path = t.context_dependent("OPENAI_API_KEY_PATH").unwrap();
        assert!(path.read_by_v0_sdk && path.consumers.is_empty());
        assert!(path.v1_replacement.is_none());
        assert!(
            !t.context_dependent("OPENAI_PROJECT")
                .unwrap()
                .read_by_v0_sdk
        );

        let node_now = t
            .missing_credentials_errors
            .iter()
            .find(|e| {
                e.sdk == Sdk::Node && e.client == "openai" && e.versions.starts_with("current")
            })
            .unwrap();
        assert!(node_now.text.starts_with("Missing credentials."));
    }

    #[test]
    fn near_misses() {
        let t = EnvVars::builtin();
        let fix = |n| t.canonical_for_near_miss(n);
        // Listed.
        assert_eq!(fix("OPENAI_APIKEY"), Some("OPENAI_API_KEY"));
        assert_eq!(fix("OpenAI_ApiKey"), Some("OPENAI_API_KEY"));
        assert_eq!(fix("OPENAI_KEY"), Some("OPENAI_API_KEY"));
        assert_eq!(fix("OPENAPI_API_KEY"), Some("OPENAI_API_KEY"));
        assert_eq!(fix("OPENAI_Organization_ID"), Some("OPENAI_ORG_ID"));
        assert_eq!(fix("OPENAI_API_BASE_URL"), Some("OPENAI_BASE_URL"));
        assert_eq!(
            t.near_miss("OPENAI_KEY").unwrap().kind,
            NearMissKind::Listed
        );
        // Edit distance.
        assert_eq!(fix("OPENAI_API_KY"), Some("OPENAI_API_KEY"));
        assert_eq!(fix("OPNEAI_API_KEY"), Some("OPENAI_API_KEY"));
        assert_eq!(fix("OPENAI_BASEURL"), Some("OPENAI_BASE_URL"));
        assert_eq!(fix("OPENAI_PROJECTID"), Some("OPENAI_PROJECT_ID"));
        let org = t.near_miss("OPENAI_ORGANISATION").unwrap();
        assert_eq!(org.canonical, "OPENAI_ORG_ID");
        assert_eq!(org.resembles, "OPENAI_ORGANIZATION");
        assert_eq!(org.kind, NearMissKind::EditDistance);
        // Not near misses.
        for name in [
            "OPENAI_API_KEY",
            "openai_api_key",
            "OPENAI_ORGANIZATION",
            "OPENAI_API_KEYS",
            "OPENAI_API_KEY_2",
            "OPENAI_API_KEY2",
            "ZAI_OPENAPI_API_KEY",
            "ANTHROPIC_API_KEY",
            "AZURE_OPENAI_API_KEY",
            "OPENAI_ORG",
            "OPENAI_MODEL",
            "",
        ] {
            assert_eq!(fix(name), None, "{name}");
        }
    }

    #[test]
    fn bad_tables_are_rejected() {
        let canon = "[[canonical]]\nname = \"OPENAI_API_KEY\"\nsdk = \"both\"\nsets = \"k\"\n\
                     since = \"1.0\"\nsource = \"PY\"\nreviewed = \"2026-11-25\"\n";
        assert!(EnvVars::parse(canon).is_ok());
        let miss = |canonical: &str| {
            format!(
                "{canon}[[near-miss]]\nname = \"OPENAI_KEY\"\ncanonical = \"{canonical}\"\n\
                 source = \"x\"\nreviewed = \"2026-11-25\"\n"
            )
        };
        assert!(EnvVars::parse(&miss("OPENAI_API_KEY")).is_ok());
        assert!(EnvVars::parse(&miss("OPENAI_NOPE")).is_err());
        assert!(EnvVars::parse(&canon.replace("2026-11-25", "soon")).is_err());
        assert!(EnvVars::parse(&canon.replace("\"PY\"", "\" \"")).is_err());
        assert!(EnvVars::parse(&format!("{canon}{canon}")).is_err());
    }
}
