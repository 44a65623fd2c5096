//! TOML read with the span-preserving document of the `toml` crate
//! (`toml::de::DeTable`), so every value knows its byte range in the file.

use super::python_spec::parse_pep508;
use super::{Ecosystem, Origin, Requirement, unquoted};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

pub(super) type Item<'i> = Spanned<DeValue<'i>>;

/// The document's root table. Malformed TOML gives what the parser recovered.
pub(super) fn parse(text: &str) -> DeTable<'_> {
    let (root, _errors) = DeTable::parse_recoverable(text);
    root.into_inner()
}

/// The value at a dotted path of keys.
pub(super) fn at<'a, 'i>(table: &'a DeTable<'i>, path: &[&str]) -> Option<&'a Item<'i>> {
    let (first, rest) = path.split_first()?;
    let value = table.get(*first)?;
    if rest.is_empty() {
        return Some(value);
    }
    at(value.get_ref().as_table()?, rest)
}

pub(super) fn table<'a, 'i>(item: &'a Item<'i>) -> Option<&'a DeTable<'i>> {
    item.get_ref().as_table()
}

pub(super) fn string<'a>(item: &'a Item<'_>) -> Option<&'a str> {
    item.get_ref().as_str()
}

/// The items of an array, none for anything else.
pub(super) fn items<'a, 'i>(item: Option<&'a Item<'i>>) -> &'a [Item<'i>] {
    match item.map(|i| i.get_ref()) {
        Some(DeValue::Array(array)) => array,
        _ => &[],
    }
}

/// The requirements of an array of PEP 508 strings (`[project] dependencies`);
/// other items (PEP 735 `{include-group = …}`) are skipped.
pub(super) fn pep508_strings(text: &str, list: Option<&Item<'_>>, out: &mut Vec<Requirement>) {
    for item in items(list) {
        let Some(value) = string(item) else { continue };
        let Some(parsed) = parse_pep508(value) else {
            continue;
        };
        let content = unquoted(text, item.span());
        // Escapes make the value and the written text differ: point at the string.
        let range = if content.len() == value.len() {
            content.start + parsed.range.start..content.start + parsed.range.end
        } else {
            content
        };
        out.push(Requirement {
            ecosystem: Ecosystem::Python,
            name: parsed.name,
            spec: parsed.spec,
            origin: Origin::Manifest,
            range,
            extras_or_marker: parsed.extras_or_marker,
        });
    }
}

/// The range of a `key = value` entry, from the key to the end of the value.
/// The version constraint of one dependency written in TOML (Poetry, Pipfile),
/// with its extras and environment marker (or Poetry's Python restriction):
/// `"^0.28"`, or `{ version = "…", extras = […], markers = "…" }`. `None` for a
/// dependency that lives elsewhere (git, path, URL, file) and names no version.
pub(super) fn dependency_constraint<'a>(item: &'a Item<'_>) -> Option<(&'a str, Option<String>)> {
    if let Some(constraint) = string(item) {
        return Some((constraint, None));
    }
    let details = table(item)?;
    let version = details.get("version").and_then(string);
    let located_elsewhere = ["git", "path", "url", "file", "ref"]
        .iter()
        .any(|k| details.contains_key(*k));
    if version.is_none() && located_elsewhere {
        return None;
    }
    let extras: Vec<&str> = items(details.get("extras"))
        .iter()
        .filter_map(string)
        .collect();
    let mut annotation = String::new();
    if !extras.is_empty() {
        annotation = format!("[{}]", extras.join(","));
    }
    if let Some(markers) = details.get("markers").and_then(string) {
        annotation.push_str(&format!("; {markers}"));
    } else if let Some(python) = details.get("python").and_then(string) {
        annotation.push_str(&format!("; python {python}"));
    }
    Some((
        version.unwrap_or(""),
        (!annotation.is_empty()).then_some(annotation),
    ))
}

pub(super) fn entry_range(
    key: &Spanned<toml::de::DeString<'_>>,
    value: &Item<'_>,
) -> std::ops::Range<usize> {
    let (key, value) = (key.span(), value.span());
    key.start.min(value.start)..value.end.max(key.end)
}
