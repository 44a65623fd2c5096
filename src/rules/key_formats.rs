//! The provider key-format table (`rules/data/key-formats.toml`), compiled once.

use regex::Regex;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FormatsFile {
    format: Vec<FormatRow>,
    placeholders: PlaceholderRow,
    assignment: AssignmentRow,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FormatRow {
    id: String,
    provider: String,
    env: String,
    keywords: Vec<String>,
    #[serde(default)]
    marker: Option<String>,
    pattern: String,
    min_entropy: f64,
    source: String,
    reviewed: String,
    family: Vec<Family>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Family {
    /// Template id: `{key:<id>}` in examples and fixtures.
    pub id: String,
    pub prefix: String,
    /// Human name of the key kind, used in messages ("project key").
    pub kind: String,
    /// Shape of a synthetic key, e.g. `sk-proj-{b64u:74}T3BlbkFJ{b64u:74}`.
    pub synthetic: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct PlaceholderRow {
    in_keys: Vec<String>,
    words_in_values: Vec<String>,
    symbols_in_values: Vec<String>,
    source: String,
    reviewed: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct AssignmentRow {
    pattern: String,
    keywords: Vec<String>,
    source: String,
    reviewed: String,
}

/// One compiled provider format.
#[derive(Debug)]
pub struct KeyFormat {
    pub id: String,
    pub provider: String,
    pub env: String,
    pub keywords: Vec<String>,
    pub marker: Option<String>,
    pub regex: Regex,
    pub min_entropy: f64,
    /// Sorted longest prefix first, so the first match is the most specific.
    pub families: Vec<Family>,
    pub source: String,
    pub reviewed: String,
}

impl KeyFormat {
    pub fn family_of(&self, key: &str) -> &Family {
        self.families
            .iter()
            .find(|f| key.starts_with(&f.prefix))
            .unwrap_or(&self.families[self.families.len() - 1])
    }
}

/// The whole table plus the placeholder and assignment data.
#[derive(Debug)]
pub struct KeyFormats {
    pub formats: Vec<KeyFormat>,
    pub placeholder_words_in_keys: Vec<String>,
    pub placeholder_words_in_values: Vec<String>,
    pub placeholder_symbols_in_values: Vec<String>,
    pub assignment: Regex,
    pub assignment_keywords: Vec<String>,
}

impl KeyFormats {
    pub fn builtin() -> KeyFormats {
        super::builtin::table("key-formats.toml", Self::parse)
    }

    pub fn parse(text: &str) -> Result<KeyFormats, String> {
        let file: FormatsFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut formats = Vec::new();
        for row in file.format {
            for (what, value) in [("source", &row.source), ("reviewed", &row.reviewed)] {
                if value.trim().is_empty() {
                    return Err(format!("format {} has an empty {what}", row.id));
                }
            }
            if row.family.is_empty() {
                return Err(format!("format {} has no family", row.id));
            }
            let regex = Regex::new(&row.pattern)
                .map_err(|e| format!("format {}: bad pattern: {e}", row.id))?;
            let mut families = row.family;
            families.sort_by_key(|f| std::cmp::Reverse(f.prefix.len()));
            formats.push(KeyFormat {
                id: row.id,
                provider: row.provider,
                env: row.env,
                keywords: row.keywords,
                marker: row.marker,
                regex,
                min_entropy: row.min_entropy,
                families,
                source: row.source,
                reviewed: row.reviewed,
            });
        }
        let lower = |v: Vec<String>| v.into_iter().map(|w| w.to_lowercase()).collect();
        for row in [
            &file.placeholders.source,
            &file.placeholders.reviewed,
            &file.assignment.source,
            &file.assignment.reviewed,
        ] {
            if row.trim().is_empty() {
                return Err("placeholders and assignment need a source and a review date".into());
            }
        }
        Ok(KeyFormats {
            formats,
            placeholder_words_in_keys: lower(file.placeholders.in_keys),
            placeholder_words_in_values: lower(file.placeholders.words_in_values),
            placeholder_symbols_in_values: file.placeholders.symbols_in_values,
            assignment: Regex::new(&file.assignment.pattern)
                .map_err(|e| format!("assignment pattern: {e}"))?,
            assignment_keywords: file.assignment.keywords,
        })
    }

    pub fn family(&self, id: &str) -> Option<(&KeyFormat, &Family)> {
        self.formats.iter().find_map(|f| {
            f.families
                .iter()
                .find(|fam| fam.id == id)
                .map(|fam| (f, fam))
        })
    }

    /// Every keyword of every format, for rules that use `key-format-keywords`.
    pub fn all_keywords(&self) -> impl Iterator<Item = &str> {
        self.formats
            .iter()
            .flat_map(|f| f.keywords.iter().map(String::as_str))
    }
}

/// Characters a key is made of; a key must not be glued to more of them.
pub fn is_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

/// Shannon entropy in bits per character.
pub fn entropy(s: &str) -> f64 {
    let mut counts = [0u32; 256];
    let mut n = 0u32;
    for b in s.bytes() {
        counts[b as usize] += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// True for fillers such as `abcdefgh…` or `12345678…`: most neighbours are consecutive.
pub fn is_sequential(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 8 {
        return false;
    }
    let steps = b
        .windows(2)
        .filter(|w| w[1] == w[0].wrapping_add(1) || w[1] == w[0].wrapping_sub(1))
        .count();
    steps * 2 > b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads_and_every_family_is_unique() {
        let t = KeyFormats::builtin();
        let mut ids: Vec<&str> = t
            .formats
            .iter()
            .flat_map(|f| f.families.iter().map(|x| x.id.as_str()))
            .collect();
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate family ids");
        assert!(t.family("openai-project").is_some());
    }

    #[test]
    fn longest_prefix_wins() {
        let t = KeyFormats::builtin();
        let openai = &t.formats[0];
        assert_eq!(openai.family_of("sk-proj-abc").id, "openai-project");
        assert_eq!(openai.family_of("sk-abc").id, "openai-user");
    }

    #[test]
    fn entropy_and_sequences() {
        assert_eq!(entropy("aaaa"), 0.0);
        assert!((entropy("ab") - 1.0).abs() < 1e-9);
        assert!(is_sequential("abcdefghijklmnop"));
        assert!(is_sequential("0123456789"));
        assert!(!is_sequential("q8ZkP2mW7rT4xL9c"));
    }
}
