//! YAML read with a real parser (saphyr, the maintained YAML 1.2 successor of
//! yaml-rust) into scalar entries that know their key path and byte range, so rules
//! can ask "the keys of `environment:`" instead of guessing from indentation.

use saphyr_parser::{Event, Parser};
use std::ops::Range;

/// One scalar value with the keys that lead to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Mapping keys from the root; a sequence item is `-`.
    pub path: Vec<String>,
    pub value: String,
    /// Byte range of the value as written (quotes included).
    pub value_range: Range<usize>,
    /// Byte range of the last key in `path`, when it is a mapping key.
    pub key_range: Option<Range<usize>>,
    /// The mapping that holds the value (an id unique in the document), so the
    /// `name:` and `value:` of one list item can be paired.
    pub mapping: Option<usize>,
}

enum Frame {
    Mapping {
        key: Option<(String, Range<usize>)>,
        id: usize,
    },
    Sequence,
}

/// Every scalar value in every document of `text`, in order. `Err` when the text is
/// not YAML (a Helm template, say); callers then fall back to reading lines.
pub fn entries(text: &str) -> Result<Vec<Entry>, String> {
    let bytes_at = CharToByte::new(text);
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut mappings = 0;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| e.to_string())?;
        let range = bytes_at.get(span.start.index())..bytes_at.get(span.end.index());
        match event {
            Event::MappingStart(..) => {
                mappings += 1;
                stack.push(Frame::Mapping {
                    key: None,
                    id: mappings,
                });
            }
            Event::SequenceStart(..) => stack.push(Frame::Sequence),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                value_done(&mut stack);
            }
            Event::Scalar(value, ..) => match stack.last_mut() {
                Some(Frame::Mapping {
                    key: key @ None, ..
                }) => {
                    *key = Some((value.into_owned(), range));
                }
                _ => {
                    let (key_range, mapping) = match stack.last() {
                        Some(Frame::Mapping {
                            key: Some((_, r)),
                            id,
                        }) => (Some(r.clone()), Some(*id)),
                        _ => (None, None),
                    };
                    out.push(Entry {
                        path: path_of(&stack),
                        value: value.into_owned(),
                        value_range: range,
                        key_range,
                        mapping,
                    });
                    value_done(&mut stack);
                }
            },
            Event::Alias(_) => value_done(&mut stack),
            _ => {}
        }
    }
    Ok(out)
}

/// A mapping's value is complete: the next scalar is a key again.
fn value_done(stack: &mut [Frame]) {
    if let Some(Frame::Mapping { key, .. }) = stack.last_mut() {
        *key = None;
    }
}

fn path_of(stack: &[Frame]) -> Vec<String> {
    stack
        .iter()
        .filter_map(|f| match f {
            Frame::Mapping { key, .. } => key.as_ref().map(|(k, _)| k.clone()),
            Frame::Sequence => Some("-".to_string()),
        })
        .collect()
}

/// The parser counts characters; rules work in bytes.
pub(crate) struct CharToByte {
    offsets: Option<Vec<usize>>,
    len: usize,
}

impl CharToByte {
    pub(crate) fn new(text: &str) -> CharToByte {
        let offsets = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        CharToByte {
            offsets,
            len: text.len(),
        }
    }

    pub(crate) fn get(&self, char_index: usize) -> usize {
        match &self.offsets {
            None => char_index.min(self.len),
            Some(o) => o.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

/// An environment variable a YAML file sets, and its value when one is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvAssignment {
    pub name: String,
    pub name_range: Range<usize>,
    /// The value's text and the byte range of that text (quotes excluded);
    /// `None` for Kubernetes `valueFrom:` entries.
    pub value: Option<(String, Range<usize>)>,
}

/// Environment variables a YAML file defines, with the byte range of each name:
/// compose `environment:` (map or `NAME=value` list), workflow and job `env:` maps,
/// and Kubernetes `env:` lists of `name:` entries.
#[cfg(test)]
pub fn env_definitions(text: &str) -> Result<Vec<(String, Range<usize>)>, String> {
    Ok(env_assignments(text)?
        .into_iter()
        .map(|a| (a.name, a.name_range))
        .collect())
}

/// Every environment variable set in `environment:` / `env:` blocks, with its
/// value: compose maps and `NAME=value` lists, workflow `env:` maps, and
/// Kubernetes `- name: NAME` / `value: …` items.
pub fn env_assignments(text: &str) -> Result<Vec<EnvAssignment>, String> {
    Ok(env_assignments_in(text, &entries(text)?))
}

/// [`env_definitions`] from already parsed entries of `text`.
pub fn env_definitions_in(text: &str, entries: &[Entry]) -> Vec<(String, Range<usize>)> {
    env_assignments_in(text, entries)
        .into_iter()
        .map(|a| (a.name, a.name_range))
        .collect()
}

/// [`env_assignments`] from already parsed entries of `text`.
pub fn env_assignments_in(text: &str, entries: &[Entry]) -> Vec<EnvAssignment> {
    let mut out = Vec::new();
    // The text of a scalar as written starts after its opening quote, if any.
    let content_start = |range: &Range<usize>| {
        range.start + usize::from(text[range.clone()].starts_with(['"', '\'']))
    };
    // Where `value` is written; a scalar whose escapes or folding make the written
    // text differ is located as a whole.
    let locate = |value: &str, start: usize, scalar: &Range<usize>| {
        let range = start..start + value.len();
        if text.get(range.clone()) == Some(value) {
            range
        } else {
            scalar.clone()
        }
    };
    for entry in entries {
        let n = entry.path.len();
        let parent = |up: usize| n.checked_sub(up).map(|i| entry.path[i].as_str());
        let is_env = |k: Option<&str>| matches!(k, Some("environment" | "env"));
        if parent(1) == Some("-") && is_env(parent(2)) {
            // `environment: [NAME=value]`
            let (name, value) = match entry.value.split_once('=') {
                Some((name, value)) => (name.trim(), Some(value)),
                None => (entry.value.trim(), None),
            };
            if is_env_name(name) {
                let start = content_start(&entry.value_range);
                let value_start = start + name.len() + 1;
                out.push(EnvAssignment {
                    name: name.to_string(),
                    name_range: start..start + name.len(),
                    value: value
                        .map(|v| (v.to_string(), locate(v, value_start, &entry.value_range))),
                });
            }
        } else if is_env(parent(2)) {
            // `environment: { NAME: value }`
            if let Some(range) = entry.key_range.clone()
                && is_env_name(&entry.path[n - 1])
            {
                let start = content_start(&entry.value_range);
                out.push(EnvAssignment {
                    name: entry.path[n - 1].clone(),
                    name_range: range,
                    value: Some((
                        entry.value.clone(),
                        locate(&entry.value, start, &entry.value_range),
                    )),
                });
            }
        } else if parent(1) == Some("name") && parent(2) == Some("-") && is_env(parent(3)) {
            // Kubernetes `env: [{ name: NAME, value: … }]`
            if is_env_name(&entry.value) {
                let start = content_start(&entry.value_range);
                let value = entries
                    .iter()
                    .find(|e| {
                        e.mapping.is_some()
                            && e.mapping == entry.mapping
                            && e.path.last().is_some_and(|k| k == "value")
                    })
                    .map(|e| {
                        let s = content_start(&e.value_range);
                        (e.value.clone(), locate(&e.value, s, &e.value_range))
                    });
                out.push(EnvAssignment {
                    name: entry.value.clone(),
                    name_range: start..start + entry.value.len(),
                    value,
                });
            }
        }
    }
    out
}

fn is_env_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        let defs = env_definitions(text).unwrap();
        for (name, range) in &defs {
            assert_eq!(&text[range.clone()], name, "range of {name}");
        }
        defs.into_iter().map(|(n, _)| n).collect()
    }

    #[test]
    fn compose_workflow_and_kubernetes() {
        let compose = "services:\n  api:\n    image: x\n    environment:\n      OPENAI_APIKEY: ${OPENAI_APIKEY}\n      DEBUG: \"1\"\n  worker:\n    environment:\n      - \"OPEN_AI_KEY=abc\"\n      - MODE=fast\n";
        assert_eq!(
            names(compose),
            ["OPENAI_APIKEY", "DEBUG", "OPEN_AI_KEY", "MODE"]
        );
        let workflow = "on: push\nenv:\n  OPENAI_API_KEY: ${{ secrets.KEY }}\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: echo hi\n        env:\n          OPENAI_ORGANISATION: org\n";
        assert_eq!(names(workflow), ["OPENAI_API_KEY", "OPENAI_ORGANISATION"]);
        let k8s = "spec:\n  containers:\n    - name: app\n      env:\n        - name: OPENAI_KEY\n          valueFrom:\n            secretKeyRef: {name: s, key: k}\n";
        assert_eq!(names(k8s), ["OPENAI_KEY"]);
    }

    #[test]
    fn assignments_carry_their_values() {
        let text = "services:\n  api:\n    environment:\n      OPENAI_BASE_URL: \"https://x.example/v1\"\n      - ignored\n";
        let _ = env_assignments(text); // invalid YAML is an error, not a panic
        let compose = "services:\n  api:\n    environment:\n      OPENAI_BASE_URL: \"https://x.example/v1\"\n  w:\n    environment:\n      - 'NODE_TLS_REJECT_UNAUTHORIZED=0'\n";
        let k8s = "env:\n  - name: NODE_TLS_REJECT_UNAUTHORIZED\n    value: \"0\"\n  - value: x\n    name: OPENAI_BASE_URL\n  - name: KEY\n    valueFrom: {secretKeyRef: {name: s, key: k}}\n";
        for text in [compose, k8s] {
            for a in env_assignments(text).unwrap() {
                assert_eq!(&text[a.name_range.clone()], a.name);
                if let Some((value, range)) = &a.value {
                    assert_eq!(&text[range.clone()], value, "{}", a.name);
                }
            }
        }
        let values: Vec<Option<String>> = env_assignments(k8s)
            .unwrap()
            .into_iter()
            .map(|a| a.value.map(|(v, _)| v))
            .collect();
        assert_eq!(values, [Some("0".into()), Some("x".into()), None]);
        let list = env_assignments(compose).unwrap();
        assert_eq!(list[1].value.as_ref().unwrap().0, "0");
        // Escapes make the written text differ: the whole scalar is the range.
        let escaped = "env:\n  URL: \"caf\\u00e9\"\n";
        let a = &env_assignments(escaped).unwrap()[0];
        let (value, range) = a.value.as_ref().unwrap();
        assert_eq!(
            (value.as_str(), &escaped[range.clone()]),
            ("café", "\"caf\\u00e9\"")
        );
    }

    #[test]
    fn other_keys_are_not_definitions() {
        assert!(names("model: gpt-4o\nSERVICE_NAME: api\nname: OPENAI_KEY\n").is_empty());
    }

    #[test]
    fn non_ascii_and_templates() {
        assert_eq!(
            names("# é\nenv:\n  ÄPP: x\n  OPENAI_KEY: \"é\"\n"),
            ["OPENAI_KEY"]
        );
        assert!(env_definitions("env:\n  {{ if .Values.x }}\n  A: [\n").is_err());
    }
}
