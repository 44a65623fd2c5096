//! A small YAML tree with byte ranges, built from saphyr-parser events, for files
//! whose meaning is in their nesting (conda environments, pnpm lock files).

use crate::syntax::yaml::CharToByte;
use saphyr_parser::{Event, Parser};
use std::ops::Range;

/// Nesting kept in the tree; deeper content becomes [`Node::Other`], so a hostile
/// file cannot make the tree (or its recursive drop) exhaust the stack.
const MAX_DEPTH: usize = 64;

#[derive(Debug)]
pub(super) enum Node {
    /// `range` covers the scalar as written, quotes included.
    Scalar {
        value: String,
        range: Range<usize>,
    },
    Map(Vec<(String, Node)>),
    Seq(Vec<Node>),
    /// Aliases, and content past [`MAX_DEPTH`].
    Other,
}

impl Node {
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[(String, Node)] {
        match self {
            Node::Map(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match self {
            Node::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn scalar(&self) -> Option<(&str, Range<usize>)> {
        match self {
            Node::Scalar { value, range } => Some((value, range.clone())),
            _ => None,
        }
    }
}

enum Open {
    Map {
        entries: Vec<(String, Node)>,
        key: Option<String>,
    },
    Seq(Vec<Node>),
}

/// The documents of `text`. A parse error ends reading: what was read before it
/// is kept, so malformed input gives fewer results rather than none.
pub(super) fn parse(text: &str) -> Vec<Node> {
    let bytes_at = CharToByte::new(text);
    let mut documents = Vec::new();
    let mut open: Vec<Open> = Vec::new();
    // Containers opened past MAX_DEPTH that are not closed yet.
    let mut skipped_depth = 0usize;
    for event in Parser::new_from_str(text) {
        let Ok((event, span)) = event else { break };
        if skipped_depth > 0 {
            match event {
                Event::MappingStart(..) | Event::SequenceStart(..) => skipped_depth += 1,
                Event::MappingEnd | Event::SequenceEnd => {
                    skipped_depth -= 1;
                    if skipped_depth == 0 {
                        attach(&mut open, &mut documents, Node::Other);
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::MappingStart(..) | Event::SequenceStart(..) if open.len() >= MAX_DEPTH => {
                skipped_depth = 1;
            }
            Event::MappingStart(..) => open.push(Open::Map {
                entries: Vec::new(),
                key: None,
            }),
            Event::SequenceStart(..) => open.push(Open::Seq(Vec::new())),
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(done) = open.pop() {
                    attach(&mut open, &mut documents, close(done));
                }
            }
            Event::Scalar(value, ..) => {
                let range = bytes_at.get(span.start.index())..bytes_at.get(span.end.index());
                let value = value.into_owned();
                attach(&mut open, &mut documents, Node::Scalar { value, range });
            }
            Event::Alias(_) => attach(&mut open, &mut documents, Node::Other),
            _ => {}
        }
    }
    // Close what an error left open, keeping its content.
    while let Some(done) = open.pop() {
        attach(&mut open, &mut documents, close(done));
    }
    documents
}

fn close(open: Open) -> Node {
    match open {
        Open::Map { entries, .. } => Node::Map(entries),
        Open::Seq(items) => Node::Seq(items),
    }
}

fn attach(open: &mut [Open], documents: &mut Vec<Node>, node: Node) {
    match open.last_mut() {
        None => documents.push(node),
        Some(Open::Seq(items)) => items.push(node),
        Some(Open::Map { entries, key }) => match key.take() {
            Some(k) => entries.push((k, node)),
            // A complex key (`? [a]`) is no name a reader looks up.
            None => {
                *key = Some(match node {
                    Node::Scalar { value, .. } => value,
                    _ => String::new(),
                })
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_and_ranges() {
        let text = "a:\n  - x\n  - b: \"y\"\nc: é\nd: z\n";
        let docs = parse(text);
        let root = &docs[0];
        let items = root.get("a").unwrap().items();
        assert_eq!(items[0].scalar().unwrap().0, "x");
        let (y, range) = items[1].get("b").unwrap().scalar().unwrap();
        assert_eq!((y, &text[range]), ("y", "\"y\""));
        let (z, range) = root.get("d").unwrap().scalar().unwrap();
        assert_eq!((z, &text[range]), ("z", "z"));
        assert_eq!(root.entries()[1].0, "c");
    }

    #[test]
    fn errors_keep_what_came_before_and_depth_is_bounded() {
        let docs = parse("a: 1\nb: [\n");
        assert_eq!(docs[0].get("a").unwrap().scalar().unwrap().0, "1");
        // Past MAX_DEPTH the content is dropped but the document stays.
        let deep = format!("a: {}1{}\nb: 2\n", "[".repeat(100), "]".repeat(100));
        let docs = parse(&deep);
        assert!(matches!(docs[0].get("a"), Some(Node::Seq(_))));
        assert_eq!(docs[0].get("b").unwrap().scalar().unwrap().0, "2");
        let hostile = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
        let _ = parse(&hostile);
        for junk in ["{{ if }}", ":", "- - -", "\t", "&a [*a]", "? [a]\n: b"] {
            let _ = parse(junk);
        }
    }
}
