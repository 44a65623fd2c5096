//! Reading one input: file kind from its name, binary and size checks, lossy UTF-8.

use std::io::Read;
use std::path::Path;

/// What a file is, decided from its name. Drives which carriers and comment syntax
/// apply; unknown text files are still scanned for keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    Python,
    JavaScript,
    TypeScript,
    Notebook,
    /// `.env`, `.env.local`, `.env.production`: loaded by the app at run time.
    DotEnv,
    /// `.env.example`, `.env.sample`, `.env.template`: documentation for humans.
    DotEnvTemplate,
    Yaml,
    Json,
    Toml,
    Shell,
    Dockerfile,
    Markdown,
    Text,
}

impl FileKind {
    pub fn from_path(path: &Path) -> FileKind {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
            let template = [
                "example", "sample", "template", "tmpl", "dist", "defaults", "default",
            ];
            let is_template = name.split('.').any(|part| template.contains(&part));
            return if is_template {
                FileKind::DotEnvTemplate
            } else {
                FileKind::DotEnv
            };
        }
        if name == "dockerfile"
            || name.starts_with("dockerfile.")
            || name.ends_with(".dockerfile")
            || name == "containerfile"
        {
            return FileKind::Dockerfile;
        }
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        match ext {
            "py" | "pyi" | "pyw" => FileKind::Python,
            "js" | "jsx" | "mjs" | "cjs" => FileKind::JavaScript,
            "ts" | "tsx" | "mts" | "cts" => FileKind::TypeScript,
            "ipynb" => FileKind::Notebook,
            "yaml" | "yml" => FileKind::Yaml,
            "json" | "jsonc" | "json5" => FileKind::Json,
            "toml" => FileKind::Toml,
            "sh" | "bash" | "zsh" | "ksh" => FileKind::Shell,
            "md" | "markdown" | "mdx" | "rst" => FileKind::Markdown,
            _ => FileKind::Text,
        }
    }

    /// Code that runs: a placeholder here is sent to the API.
    pub fn is_code(self) -> bool {
        matches!(
            self,
            FileKind::Python | FileKind::JavaScript | FileKind::TypeScript | FileKind::Shell
        )
    }

    /// The line-comment syntax used to find comments and suppression directives.
    pub fn comment_style(self) -> CommentStyle {
        match self {
            FileKind::JavaScript | FileKind::TypeScript => CommentStyle::Slash,
            FileKind::Json | FileKind::Markdown | FileKind::Notebook | FileKind::Text => {
                CommentStyle::Any
            }
            _ => CommentStyle::Hash,
        }
    }
}

/// How comments start on a line in this kind of text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommentStyle {
    /// `#` to the end of the line (Python, shell, YAML, TOML, `.env`, Dockerfile).
    Hash,
    /// `//` and `/* … */` (JavaScript, TypeScript).
    Slash,
    /// Unknown syntax: accept any common marker for directives, and treat nothing as
    /// a comment when judging code.
    Any,
}

/// A file read from disk, checked for size and binary content but not yet decoded.
#[derive(Debug)]
pub struct RawFile {
    pub kind: FileKind,
    pub bytes: Vec<u8>,
}

/// One file's content, ready for analysis.
#[derive(Debug)]
pub struct SourceFile {
    /// Display path: as given by the user or the walk, `/`-separated.
    pub path: String,
    pub kind: FileKind,
    pub text: String,
}

/// Why a file was not analysed.
#[derive(Debug)]
pub enum LoadError {
    Binary,
    TooLarge { size: u64, limit: u64 },
    Io(std::io::Error),
}

/// How many leading bytes decide whether a file is binary (a NUL byte means binary).
pub const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// Read `path`, skipping binary and oversized files.
pub fn load(path: &Path, max_size: u64) -> Result<RawFile, LoadError> {
    let file = std::fs::File::open(path).map_err(LoadError::Io)?;
    let size = file.metadata().map_err(LoadError::Io)?.len();
    if size > max_size {
        return Err(LoadError::TooLarge {
            size,
            limit: max_size,
        });
    }
    let mut bytes = Vec::with_capacity(size as usize + 1);
    // `take` guards against files that grow while we read them.
    file.take(max_size + 1)
        .read_to_end(&mut bytes)
        .map_err(LoadError::Io)?;
    if bytes.len() as u64 > max_size {
        return Err(LoadError::TooLarge {
            size: bytes.len() as u64,
            limit: max_size,
        });
    }
    if is_binary(&bytes) {
        return Err(LoadError::Binary);
    }
    Ok(RawFile {
        kind: FileKind::from_path(path),
        bytes,
    })
}

impl SourceFile {
    /// Decode text that is known not to be binary. Invalid UTF-8 is replaced, not
    /// rejected: a key in a latin-1 file is still a key.
    pub fn from_text_bytes(bytes: Vec<u8>, path: String, kind: FileKind) -> SourceFile {
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        };
        SourceFile { path, kind, text }
    }
}

/// Build a source from bytes already in memory (stdin, tests).
pub fn from_bytes(
    bytes: Vec<u8>,
    display: String,
    kind: FileKind,
) -> Result<SourceFile, LoadError> {
    if is_binary(&bytes) {
        return Err(LoadError::Binary);
    }
    Ok(SourceFile::from_text_bytes(bytes, display, kind))
}

pub fn is_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(BINARY_SNIFF_LEN)];
    memchr::memchr(0, head).is_some()
}

/// Human-readable byte size for messages: `10 MiB`, `512 KiB`, `12 B`.
pub fn human_size(bytes: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= KIB {
        format!("{:.1} KiB", bytes as f64 / KIB as f64)
    } else {
        format!("{bytes} B")
    }
}

/// Parse a size such as `10M`, `10MiB`, `512k`, `2G` or a plain byte count.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("`{text}` is not a size (examples: 10M, 512K, 1048576)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1024,
        "m" | "mb" | "mib" => 1024 * 1024,
        "g" | "gb" | "gib" => 1024 * 1024 * 1024,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{text}` (use K, M or G)"
            ));
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("size `{text}` is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_names() {
        let k = |p: &str| FileKind::from_path(Path::new(p));
        assert_eq!(k("a/.env"), FileKind::DotEnv);
        assert_eq!(k(".env.local"), FileKind::DotEnv);
        assert_eq!(k(".env.example"), FileKind::DotEnvTemplate);
        assert_eq!(k("prod.env"), FileKind::DotEnv);
        assert_eq!(k("Dockerfile"), FileKind::Dockerfile);
        assert_eq!(k("x.Dockerfile"), FileKind::Dockerfile);
        assert_eq!(k("nb.ipynb"), FileKind::Notebook);
        assert_eq!(k("App.TSX"), FileKind::TypeScript);
        assert_eq!(k("README"), FileKind::Text);
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("10M"), Ok(10 * 1024 * 1024));
        assert_eq!(parse_size("512kib"), Ok(512 * 1024));
        assert_eq!(parse_size("42"), Ok(42));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5T").is_err());
        assert_eq!(human_size(10 * 1024 * 1024), "10 MiB");
    }

    #[test]
    fn binary_and_lossy() {
        assert!(matches!(
            from_bytes(b"a\0b".to_vec(), "x".into(), FileKind::Text),
            Err(LoadError::Binary)
        ));
        let f = from_bytes(b"caf\xe9 ok".to_vec(), "x".into(), FileKind::Text).unwrap();
        assert_eq!(f.text, "caf\u{fffd} ok");
    }
}
