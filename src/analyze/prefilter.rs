//! The keyword prefilter: one Aho-Corasick pass over the raw bytes decides which
//! rules and key formats can possibly fire. A file with no hit costs that one pass.
//!
//! The pass is a Teddy SIMD search. Teddy sorts keywords into 16 buckets and keeps
//! keywords that share their first bytes (up to ASCII case) in one bucket; when
//! there are more distinct prefixes than buckets, unrelated keywords share a bucket
//! and common text (`open`, `api`, `dat`) sends the search into its slow
//! verification again and again. Measured on the benchmark corpus: 58 keywords in
//! 21 prefix groups took 134 ms per 489 MB on one core, 47 keywords in 16 groups
//! took 70 ms. So the built-in rules keep to [`PREFIX_GROUP_BUDGET`] groups (a test
//! holds them to it), and [`Prefilter::new`] lists one keyword per group first so
//! each group gets a bucket of its own.
//!
//! Teddy gives a group the bucket of the first keyword it *visits* from the group.
//! A leftmost-longest search visits keywords longest first, so the leaders' order
//! was lost and groups shared buckets by accident. The search is leftmost-first
//! instead, which visits keywords in the order given; that order lists each
//! group's longest keyword as its leader and the rest longest first, so where two
//! keywords start at one position the longer still wins, as leftmost-longest
//! would have it. The corpus pass (54 keywords, 551 MB, one core) went from
//! 109 ms to 72 ms.
//!
//! Keywords that start like the most common words of code (`open`, `OpenAI`,
//! `Authorization`) are searched without their first byte (`penai`, `penAI`,
//! `uthorization`): Teddy matches on a keyword's first bytes, and `ope` sends it
//! into verification at every `open(`. Every file that holds a keyword holds what
//! is searched for, so no file is lost; one that holds only `penai` is analysed
//! for nothing, and the corpus has none. 72 ms to 62 ms.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// What a keyword switches on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hits {
    /// Bit `i`: rule `i` of the selected rule set.
    pub rules: u64,
    /// Bit `i`: key format `i` of the key-format table.
    pub formats: u64,
    /// Bit `i`: one of rule `i`'s `also-keywords` occurs (both groups must hit).
    pub also: u64,
}

impl Hits {
    pub fn is_empty(&self) -> bool {
        self.rules == 0 && self.formats == 0
    }

    fn add(&mut self, other: Hits) {
        self.rules |= other.rules;
        self.formats |= other.formats;
        self.also |= other.also;
    }
}

/// Teddy's bucket count: the most prefix groups the keywords may fall into.
pub const PREFIX_GROUP_BUDGET: usize = 16;

/// How many bytes of a keyword decide its Teddy bucket (its shortest keywords'
/// length, `gpt` and `hf_`, caps the search's fingerprint at 3).
const PREFIX_LEN: usize = 3;

/// The group a keyword's search bucket is chosen by: its first bytes, ASCII case
/// folded (`api_key`, `API_KEY` and `apiKey` share one).
fn prefix_group(word: &str) -> Vec<u8> {
    word.bytes()
        .take(PREFIX_LEN)
        .map(|b| b.to_ascii_lowercase())
        .collect()
}

pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    /// Per automaton pattern: what it switches on.
    triggers: Vec<Hits>,
    everything: Hits,
    groups: usize,
}

impl Prefilter {
    /// `keywords` pairs each keyword with what it switches on. Matching is
    /// case-sensitive, which keeps the SIMD searcher available: callers pass every
    /// spelling they need (see [`spellings`]). Duplicates are merged.
    pub fn new(keywords: impl IntoIterator<Item = (String, Hits)>) -> Prefilter {
        let mut patterns: Vec<String> = Vec::new();
        let mut triggers: Vec<Hits> = Vec::new();
        let mut everything = Hits::default();
        for (word, hits) in keywords {
            everything.add(hits);
            let word = searched_form(&word).to_string();
            match patterns.iter().position(|p| *p == word) {
                Some(i) => triggers[i].add(hits),
                None => {
                    patterns.push(word);
                    triggers.push(hits);
                }
            }
        }
        // A leftmost search reports one keyword per position, so a keyword inside
        // another (`openai` in `api.openai.com`) would go unseen: a match also
        // switches on everything its contained keywords switch on. (Overlapping
        // search would see them too, but costs three times the CPU.)
        let contained: Vec<Hits> = patterns
            .iter()
            .map(|outer| {
                let mut hits = Hits::default();
                for (inner, trigger) in patterns.iter().zip(&triggers) {
                    if outer.contains(inner.as_str()) {
                        hits.add(*trigger);
                    }
                }
                hits
            })
            .collect();
        let (patterns, triggers) = group_leaders_first(patterns, contained);
        let automaton = (!patterns.is_empty()).then(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostFirst)
                .build(&patterns)
                .expect("keyword automaton builds from plain literals")
        });
        let mut groups: Vec<Vec<u8>> = patterns.iter().map(|p| prefix_group(p)).collect();
        groups.sort();
        groups.dedup();
        Prefilter {
            automaton,
            triggers,
            everything,
            groups: groups.len(),
        }
    }

    /// How many prefix groups the keywords fall into (see the module docs).
    pub fn prefix_groups(&self) -> usize {
        self.groups
    }

    pub fn scan(&self, haystack: &[u8]) -> Hits {
        let mut hits = Hits::default();
        let Some(ac) = &self.automaton else {
            return hits;
        };
        for m in ac.find_iter(haystack) {
            hits.add(self.triggers[m.pattern().as_usize()]);
            if hits == self.everything {
                break;
            }
        }
        hits
    }
}

/// Starts of the most common words of code: a keyword that starts so is searched
/// without its first byte (see the module docs).
const COMMON_WORD_STARTS: &[&str] = &["open", "authorization"];

/// What the search looks for to find `word`: the word, or the word without its
/// first byte where that byte starts a common word.
fn searched_form(word: &str) -> &str {
    let lower = word.to_ascii_lowercase();
    match COMMON_WORD_STARTS.iter().any(|s| lower.starts_with(s)) {
        true => &word[1..],
        false => word,
    }
}

/// Reorder keywords so the longest of each prefix group comes before every other
/// keyword, and the rest follow longest first. Teddy gives each new prefix the
/// bucket its position picks (position modulo 16), so leaders at positions 0..16
/// never share a bucket; and a keyword always comes before the shorter keywords
/// it starts with, so the leftmost-first search prefers it.
fn group_leaders_first(patterns: Vec<String>, triggers: Vec<Hits>) -> (Vec<String>, Vec<Hits>) {
    let mut pairs: Vec<(String, Hits)> = patterns.into_iter().zip(triggers).collect();
    // Stable: keywords of one length keep the order they were given in.
    pairs.sort_by_key(|(word, _)| std::cmp::Reverse(word.len()));
    let mut seen: Vec<Vec<u8>> = Vec::new();
    let (mut leaders, mut rest) = (Vec::new(), Vec::new());
    for pair in pairs {
        let group = prefix_group(&pair.0);
        if seen.contains(&group) {
            rest.push(pair);
        } else {
            seen.push(group);
            leaders.push(pair);
        }
    }
    leaders.into_iter().chain(rest).unzip()
}

/// The spellings of an identifier-like keyword that code uses: as written,
/// lowercase, UPPERCASE, camelCase and PascalCase (`api_key`, `API_KEY`, `apiKey`,
/// `ApiKey`). Checking these exactly is far faster than case-insensitive search.
pub fn spellings(word: &str) -> Vec<String> {
    let lower = word.to_ascii_lowercase();
    let mut camel = String::new();
    let mut upper_next = false;
    for c in lower.chars() {
        if c == '_' || c == '-' {
            upper_next = true;
        } else if upper_next {
            camel.push(c.to_ascii_uppercase());
            upper_next = false;
        } else {
            camel.push(c);
        }
    }
    let mut pascal = camel.clone();
    if let Some(first) = pascal.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    let mut out = vec![
        word.to_string(),
        lower.clone(),
        lower.to_ascii_uppercase(),
        camel,
        pascal,
    ];
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_inside_other_keywords_are_seen() {
        let rule = |bit| Hits {
            rules: bit,
            ..Default::default()
        };
        let p = Prefilter::new(vec![
            ("api.openai.com".to_string(), rule(1)),
            ("openai".to_string(), rule(2)),
        ]);
        assert_eq!(p.scan(b"url = 'https://api.openai.com/v1'").rules, 3);
    }

    #[test]
    fn merges_duplicates_and_matches_exactly() {
        let format = Hits {
            formats: 1,
            ..Default::default()
        };
        let rule = |bit| Hits {
            rules: bit,
            ..Default::default()
        };
        let mut words = vec![
            ("T3BlbkFJ".to_string(), format),
            ("T3BlbkFJ".to_string(), rule(2)),
        ];
        words.extend(spellings("api_key").into_iter().map(|w| (w, rule(4))));
        let p = Prefilter::new(words);
        let h = p.scan(b"x = 'T3BlbkFJ'");
        assert_eq!((h.formats, h.rules), (1, 2));
        assert!(p.scan(b"x = 'T3BLBKFJ'").is_empty());
        assert!(p.scan(b"nothing here").is_empty());
        for s in ["API_KEY", "apiKey", "ApiKey", "api_key"] {
            assert_eq!(p.scan(s.as_bytes()).rules, 4, "{s}");
        }
    }

    #[test]
    fn the_longer_of_two_keywords_at_one_position_wins() {
        let rule = |bit| Hits {
            rules: bit,
            ..Default::default()
        };
        // Given shortest first: the search must still report `OPENAI_KEY`, whose
        // rules `OPENAI` alone would not switch on.
        let p = Prefilter::new(vec![
            ("OPENAI".to_string(), rule(1)),
            ("OPENAI_".to_string(), rule(2)),
            ("OPENAI_KEY".to_string(), rule(4)),
        ]);
        assert_eq!(p.scan(b"x = OPENAI_KEY").rules, 7);
        assert_eq!(p.scan(b"x = OPENAI_BASE").rules, 3);
        assert_eq!(p.scan(b"x = OPENAI").rules, 1);
    }

    #[test]
    fn keywords_starting_like_common_words_are_found() {
        let rule = |bit| Hits {
            rules: bit,
            ..Default::default()
        };
        let p = Prefilter::new(vec![
            ("OpenAI".to_string(), rule(1)),
            ("openai".to_string(), rule(2)),
            ("Authorization".to_string(), rule(4)),
        ]);
        assert_eq!(p.scan(b"from openai import OpenAI").rules, 3);
        assert_eq!(p.scan(b"headers['Authorization'] = k").rules, 4);
        assert!(p.scan(b"with open(path) as f: auth = f.read()").is_empty());
        assert_eq!(searched_form("OPENAI_API_KEY"), "PENAI_API_KEY");
        assert_eq!(searched_form("api_key"), "api_key");
    }

    #[test]
    fn one_keyword_per_prefix_group_leads() {
        let rule = |bit| Hits {
            rules: bit,
            ..Default::default()
        };
        let words = ["api_key", "API_KEY", "gpt", "apiKey", "GPT", "hf_"];
        let p = Prefilter::new(
            words
                .iter()
                .enumerate()
                .map(|(i, w)| (w.to_string(), rule(1 << i))),
        );
        assert_eq!(p.prefix_groups(), 3);
        // Reordering must not change what each keyword switches on.
        for (i, w) in words.iter().enumerate() {
            assert_eq!(p.scan(w.as_bytes()).rules, 1 << i, "{w}");
        }
    }

    #[test]
    fn spellings_cover_code_conventions() {
        assert_eq!(
            spellings("api_key"),
            ["API_KEY", "ApiKey", "apiKey", "api_key"]
        );
        assert_eq!(
            spellings("Authorization"),
            ["AUTHORIZATION", "Authorization", "authorization"]
        );
    }
}
