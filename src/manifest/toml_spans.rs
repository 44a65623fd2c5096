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
pub(super) fn entry_range(
    key: &Spanned<toml::de::DeString<'_>>,
    value: &Item<'_>,
) -> std::ops::Range<usize> {
    let (key, value) = (key.span(), value.span());
    key.start.min(value.start)..value.end.max(key.end)
}
