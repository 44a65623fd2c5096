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
}

enum Frame {
    Mapping { key: Option<(String, Range<usize>)> },
    Sequence,
}

/// Every scalar value in every document of `text`, in order. `Err` when the text is
/// not YAML (a Helm template, say); callers then fall back to reading lines.
pub fn entries(text: &str) -> Result<Vec<Entry>, String> {
    let bytes_at = CharToByte::new(text);
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| e.to_string())?;
        let range = bytes_at.get(span.start.index())..bytes_at.get(span.end.index());
        match event {
            Event::MappingStart(..) => stack.push(Frame::Mapping { key: None }),
            Event::SequenceStart(..) => stack.push(Frame::Sequence),
            Event::MappingEnd | Event::SequenceEnd => {
                stack.pop();
                value_done(&mut stack);
            }
            Event::Scalar(value, ..) => match stack.last_mut() {
                Some(Frame::Mapping { key: key @ None }) => {
                    *key = Some((value.into_owned(), range));
                }
                _ => {
                    let key_range = match stack.last() {
                        Some(Frame::Mapping { key: Some((_, r)) }) => Some(r.clone()),
                        _ => None,
                    };
                    out.push(Entry {
                        path: path_of(&stack),
                        value: value.into_owned(),
                        value_range: range,
                        key_range,
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
    if let Some(Frame::Mapping { key }) = stack.last_mut() {
        *key = None;
    }
}

fn path_of(stack: &[Frame]) -> Vec<String> {
    stack
        .iter()
        .filter_map(|f| match f {
            Frame::Mapping { key } => key.as_ref().map(|(k, _)| k.clone()),
            Frame::Sequence => Some("-".to_string()),
        })
        .collect()
}

/// The parser counts characters; rules work in bytes.
struct CharToByte {
    offsets: Option<Vec<usize>>,
    len: usize,
}

impl CharToByte {
    fn new(text: &str) -> CharToByte {
        let offsets = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        CharToByte {
            offsets,
            len: text.len(),
        }
    }

    fn get(&self, char_index: usize) -> usize {
        match &self.offsets {
            None => char_index.min(self.len),
            Some(o) => o.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

/// Environment variables a YAML file defines, with the byte range of each name:
/// compose `environment:` (map or `NAME=value` list), workflow and job `env:` maps,
/// and Kubernetes `env:` lists of `name:` entries.
#[cfg(test)]
pub fn env_definitions(text: &str) -> Result<Vec<(String, Range<usize>)>, String> {
    Ok(env_definitions_in(text, &entries(text)?))
}

/// [`env_definitions`] from already parsed entries of `text`.
pub fn env_definitions_in(text: &str, entries: &[Entry]) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    for entry in entries {
        let n = entry.path.len();
        let parent = |up: usize| n.checked_sub(up).map(|i| entry.path[i].as_str());
        let is_env = |k: Option<&str>| matches!(k, Some("environment" | "env"));
        if parent(1) == Some("-") && is_env(parent(2)) {
            // `environment: [NAME=value]`
            let name = entry.value.split('=').next().unwrap_or("").trim();
            if is_env_name(name) {
                let quoted = text[entry.value_range.clone()].starts_with(['"', '\'']);
                let start = entry.value_range.start + usize::from(quoted);
                out.push((name.to_string(), start..start + name.len()));
            }
        } else if is_env(parent(2)) {
            // `environment: { NAME: value }`
            if let Some(range) = entry.key_range.clone()
                && is_env_name(&entry.path[n - 1])
            {
                out.push((entry.path[n - 1].clone(), range));
            }
        } else if parent(1) == Some("name") && parent(2) == Some("-") && is_env(parent(3)) {
            // Kubernetes `env: [{ name: NAME, value: … }]`
            if is_env_name(&entry.value) {
                let quoted = text[entry.value_range.clone()].starts_with(['"', '\'']);
                let start = entry.value_range.start + usize::from(quoted);
                out.push((entry.value.clone(), start..start + entry.value.len()));
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
