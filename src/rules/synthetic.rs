//! Synthetic, format-valid fake keys for tests and fixtures.
//!
//! The repository holds no real-shaped key. Examples and fixtures say
//! `{key:openai-project}` instead, and tests expand that here at run time. The
//! output is deterministic (same template, same key) so snapshots are stable.
//!
//! Template forms:
//! - `{key:ID}`: a valid key of family `ID` (see `rules/data/key-formats.toml`);
//! - `{key:ID#N}`: another key of the same family;
//! - `{key:ID:TRANSFORM}`: a broken variant, where TRANSFORM is one of
//!   `underscore` (`sk_` instead of `sk-`), `truncate` (cut after the marker),
//!   `ellipsis` (a `…` pasted inside) or `space` (a space inside);
//! - `{key:ID:zeros}`, `{key:ID:xs}`, `{key:ID:sequential}`: the key's shape filled
//!   with `0`, `x` or `abcd…`, the fillers that must *not* be reported.

use super::key_formats::KeyFormats;

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX: &[u8] = b"0123456789abcdef";

/// SplitMix64: tiny, deterministic, good enough to look random to an entropy check.
struct Rng(u64);

impl Rng {
    fn new(seed: &str) -> Rng {
        // FNV-1a over the seed text.
        let mut h: u64 = 0xcbf29ce484222325;
        for b in seed.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
        Rng(h)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }

    fn pick(&mut self, alphabet: &[u8]) -> char {
        alphabet[(self.next() % alphabet.len() as u64) as usize] as char
    }
}

/// Build the key described by a family's `synthetic` shape.
fn from_shape(shape: &str, rng: &mut Rng) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = shape;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("unclosed `{{` in synthetic shape `{shape}`"))?
            + open;
        let spec = &rest[open + 1..close];
        let (class, len) = spec
            .split_once(':')
            .ok_or_else(|| format!("bad spec `{spec}` in `{shape}`"))?;
        let len: usize = len.parse().map_err(|_| format!("bad length in `{spec}`"))?;
        let alphabet = match class {
            "alnum" => ALNUM,
            "b64u" => B64URL,
            "hex" => HEX,
            _ => return Err(format!("unknown class `{class}` in `{shape}`")),
        };
        for _ in 0..len {
            out.push(rng.pick(alphabet));
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// A valid synthetic key for family `id` (`openai-project`, `anthropic-api`, …).
pub fn key(formats: &KeyFormats, id: &str) -> Result<String, String> {
    let (family_id, variant) = id.split_once('#').unwrap_or((id, "0"));
    let (_, family) = formats
        .family(family_id)
        .ok_or_else(|| format!("unknown key family `{family_id}` in template"))?;
    let mut rng = Rng::new(&format!("{family_id}#{variant}"));
    from_shape(&family.synthetic, &mut rng)
}

fn transform(key: &str, how: &str, marker: Option<&str>) -> Result<String, String> {
    let split_at = marker.and_then(|m| key.find(m)).unwrap_or(key.len() / 2);
    Ok(match how {
        "underscore" => key.replacen('-', "_", 1),
        "truncate" => {
            let keep = marker
                .map(|m| split_at + m.len() + 6)
                .unwrap_or(key.len() - 10);
            key[..keep].to_string()
        }
        "ellipsis" => {
            let at = marker
                .map(|m| split_at + m.len() + 10)
                .unwrap_or(key.len() * 3 / 4);
            format!("{}…{}", &key[..at], &key[at + 1..])
        }
        "space" => {
            let at = split_at / 2 + 2;
            format!("{} {}", &key[..at], &key[at..])
        }
        "zeros" | "xs" | "sequential" => {
            let prefix_len = key
                .char_indices()
                .filter(|&(_, c)| c == '-' || c == '_')
                .map(|(i, _)| i + 1)
                .take_while(|&i| i <= 12)
                .last()
                .unwrap_or(0);
            let mut out = key[..prefix_len].to_string();
            let body = &key[prefix_len..];
            let mut i = 0u8;
            let mut rest = body;
            while !rest.is_empty() {
                if let Some(m) = marker.filter(|m| rest.starts_with(*m)) {
                    out.push_str(m);
                    rest = &rest[m.len()..];
                    continue;
                }
                out.push(match how {
                    "zeros" => '0',
                    "xs" => 'x',
                    _ => (b'a' + i % 26) as char,
                });
                i = i.wrapping_add(1);
                rest = &rest[1..];
            }
            out
        }
        other => return Err(format!("unknown key transform `{other}`")),
    })
}

/// Replace every `{key:…}` template in `text`.
pub fn expand(formats: &KeyFormats, text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len() + 256);
    let mut rest = text;
    while let Some(open) = rest.find("{key:") {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| "unclosed `{key:` template".to_string())?
            + open;
        let spec = &rest[open + 5..close];
        let (id, how) = match spec.split_once(':') {
            Some((id, how)) => (id, Some(how)),
            None => (spec, None),
        };
        let k = key(formats, id)?;
        match how {
            None => out.push_str(&k),
            Some(how) => {
                let base_id = id.split('#').next().unwrap_or(id);
                let marker = formats
                    .family(base_id)
                    .and_then(|(f, _)| f.marker.as_deref());
                out.push_str(&transform(&k, how, marker)?);
            }
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_makes_a_key_its_own_regex_accepts() {
        let formats = KeyFormats::builtin();
        for f in &formats.formats {
            for fam in &f.families {
                let k = key(&formats, &fam.id).unwrap();
                let m = f
                    .regex
                    .find(&k)
                    .unwrap_or_else(|| panic!("{} does not match", fam.id));
                assert_eq!(m.as_str(), k, "{}", fam.id);
                assert_eq!(f.family_of(&k).id, fam.id);
            }
        }
    }

    #[test]
    fn deterministic_and_distinct() {
        let formats = KeyFormats::builtin();
        let a = expand(&formats, "{key:openai-project}").unwrap();
        assert_eq!(a, expand(&formats, "{key:openai-project}").unwrap());
        assert_ne!(a, expand(&formats, "{key:openai-project#2}").unwrap());
        assert!(a.starts_with("sk-proj-") && a.len() == 164);
    }

    #[test]
    fn transforms() {
        let formats = KeyFormats::builtin();
        let k = expand(&formats, "{key:openai-project}").unwrap();
        let u = expand(&formats, "{key:openai-project:underscore}").unwrap();
        assert!(u.starts_with("sk_proj-"));
        let t = expand(&formats, "{key:openai-project:truncate}").unwrap();
        assert!(t.ends_with(&k[k.find("T3BlbkFJ").unwrap()..][..14]));
        assert!(
            expand(&formats, "{key:openai-project:ellipsis}")
                .unwrap()
                .contains('…')
        );
        assert!(
            expand(&formats, "{key:openai-project:space}")
                .unwrap()
                .contains(' ')
        );
        let z = expand(&formats, "{key:openai-project:zeros}").unwrap();
        assert!(
            z.starts_with("sk-proj-0000") && z.contains("T3BlbkFJ"),
            "{z}"
        );
        assert!(
            expand(&formats, "{key:openai-user:sequential}")
                .unwrap()
                .starts_with("sk-abcd")
        );
        assert!(expand(&formats, "{key:nope}").is_err());
    }
}
