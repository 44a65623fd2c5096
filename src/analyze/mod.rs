//! Per-file analysis: prefilter → segments → rule engines → suppression → positions.
//!
//! `Analyzer` is built once per scan and shared by every thread; it holds only
//! compiled, immutable data.

pub mod code_view;
pub mod lines;
pub mod prefilter;
pub mod segments;
pub mod suppression;

use crate::findings::{Diagnostic, DiagnosticKind, Finding, Report, fingerprint, normalize_code};
use crate::project::{Definition, EnvRole, NearMissSite};
use crate::rules::RuleSet;
use crate::rules::auth::AuthFacts;
use crate::rules::auth_header;
use crate::rules::browser_exposure;
use crate::rules::client_options::{self, ClientOptions};
use crate::rules::env_typo;
use crate::rules::env_vars::EnvVars;
use crate::rules::key_formats::KeyFormats;
use crate::rules::key_logging;
use crate::rules::keys::{self, RawFinding, SegmentInfo, Wanted};
use crate::rules::model_usage::{self, ModelUsage};
use crate::rules::openai_clients::ClientSignals;
use crate::rules::retry_wrappers;
use crate::rules::sdk_client::SdkClient;
use crate::rules::transport::{self, Transport};
use crate::source::FileKind;
use crate::source::SourceFile;
use code_view::CodeView;
use lines::LineIndex;
use prefilter::{Hits, Prefilter};
use std::cell::LazyCell;
use std::ops::Range;
use suppression::Suppressions;

/// The marker every suppression directive contains.
const DIRECTIVE_KEYWORD: &[u8] = b"keylint:";

/// Settings that change what rules report.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    pub show_secrets: bool,
    /// The date date-aware rules judge against (`--as-of`).
    pub as_of: jiff::civil::Date,
}

pub struct Analyzer {
    rules: RuleSet,
    known_ids: Vec<String>,
    formats: KeyFormats,
    auth: AuthFacts,
    /// The model table for deprecated-model, unknown-model and model-endpoint-mismatch.
    models: ModelUsage,
    env: EnvVars,
    /// The SDK client table for base-url, retries-disabled, unbounded-retry and
    /// insecure-transport.
    sdk_client: SdkClient,
    prefilter: Prefilter,
    /// Rules with `also-keywords`: they run only when both keyword groups hit.
    needs_also: u64,
    /// Rules whose engine reads syntax (every engine but `keys`).
    code_rules: u64,
    options: AnalyzeOptions,
}

impl Analyzer {
    /// `rules` are the selected rules; `all` decides which ids suppression comments
    /// may name without a warning.
    pub fn new(rules: RuleSet, all: &RuleSet, options: AnalyzeOptions) -> Analyzer {
        assert!(rules.rules.len() <= 64, "the prefilter mask holds 64 rules");
        let formats = KeyFormats::builtin();
        let mut keywords: Vec<(String, Hits)> = Vec::new();
        let mut needs_also = 0u64;
        for (i, rule) in rules.rules.iter().enumerate() {
            let bit = Hits {
                rules: 1 << i,
                ..Default::default()
            };
            for word in &rule.keywords {
                if rule.exact_keywords {
                    keywords.push((word.clone(), bit));
                } else {
                    keywords.extend(prefilter::spellings(word).into_iter().map(|w| (w, bit)));
                }
            }
            let also = Hits {
                also: 1 << i,
                ..Default::default()
            };
            for word in &rule.also_keywords {
                keywords.extend(prefilter::spellings(word).into_iter().map(|w| (w, also)));
            }
            if !rule.also_keywords.is_empty() {
                needs_also |= 1 << i;
            }
            if rule.key_format_keywords {
                for (f, word) in keys::format_keywords(&formats) {
                    let hits = Hits {
                        rules: 1 << i,
                        formats: 1 << f,
                        ..Default::default()
                    };
                    keywords.push((word.to_string(), hits));
                }
            }
        }
        Analyzer {
            known_ids: all.ids().map(str::to_string).collect(),
            prefilter: Prefilter::new(keywords),
            needs_also,
            code_rules: rules
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| !matches!(r.engine.as_str(), "keys" | "project"))
                .fold(0, |mask, (i, _)| mask | 1 << i),
            rules,
            formats,
            auth: AuthFacts::builtin(),
            models: ModelUsage::builtin(),
            env: EnvVars::builtin(),
            sdk_client: SdkClient::builtin(),
            options,
        }
    }

    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    pub fn formats(&self) -> &KeyFormats {
        &self.formats
    }

    fn bit(&self, id: &str) -> u64 {
        self.rules
            .rules
            .iter()
            .position(|r| r.id == id)
            .map(|i| 1u64 << i)
            .unwrap_or(0)
    }

    /// Analyse raw file content. The prefilter runs on the bytes, so a file without
    /// any keyword is never decoded or parsed.
    pub fn analyze_bytes(&self, path: &str, kind: FileKind, bytes: Vec<u8>) -> Report {
        let hits = self.prefilter_scan(&bytes);
        let mut report = if hits.is_empty() {
            Report {
                files_scanned: 1,
                ..Default::default()
            }
        } else {
            let file = SourceFile::from_text_bytes(bytes, path.to_string(), kind);
            self.analyze_hits(&file, hits)
        };
        note_project_root(path, &mut report);
        report
    }

    /// Analyse one file. Never fails: problems become diagnostics in the report.
    pub fn analyze(&self, file: &SourceFile) -> Report {
        let hits = self.prefilter_scan(file.text.as_bytes());
        let mut report = self.analyze_hits(file, hits);
        note_project_root(&file.path, &mut report);
        report
    }

    fn prefilter_scan(&self, bytes: &[u8]) -> Hits {
        let mut hits = self.prefilter.scan(bytes);
        hits.rules &= hits.also | !self.needs_also;
        hits
    }

    fn analyze_hits(&self, file: &SourceFile, hits: Hits) -> Report {
        let mut report = Report {
            files_scanned: 1,
            ..Default::default()
        };
        if hits.is_empty() {
            return report;
        }
        // Directives are only looked for where a rule can fire: elsewhere they could
        // suppress nothing.
        let directive = memchr::memmem::find(file.text.as_bytes(), DIRECTIVE_KEYWORD).is_some();
        let (segments, parse_error) = segments::split(file);
        if let Some(why) = parse_error {
            report.diagnostics.push(Diagnostic::new(
                &file.path,
                DiagnosticKind::Parse,
                format!("{why}; scanned as plain text"),
            ));
        }
        let want = Wanted {
            hardcoded: hits.rules & self.bit(keys::HARDCODED) != 0,
            placeholder: hits.rules & self.bit(keys::PLACEHOLDER) != 0,
            malformed: hits.rules & self.bit(keys::MALFORMED) != 0,
            formats: hits.formats,
        };
        let known = |id: &str| self.known_ids.iter().any(|k| k == id);
        // Most files with a keyword hit yield nothing: index lines only on demand.
        let file_lines = LazyCell::new(|| LineIndex::new(&file.text));
        let mut found: Vec<(Range<usize>, RawFinding, Option<Range<usize>>)> = Vec::new();
        let mut pending_env: Vec<(Range<usize>, env_typo::Site, String)> = Vec::new();

        let test_or_docs = is_test_path(&file.path) || is_docs_or_build_path(&file.path);
        for segment in &segments {
            let info = SegmentInfo {
                kind: segment.kind,
                is_test_path: test_or_docs,
                show_secrets: self.options.show_secrets,
            };
            let mut raw = keys::check(&segment.text, info, want, &self.formats);
            let code_hits = hits.rules & self.code_rules;
            let view = CodeView::new(&segment.text, segment.kind, &file.path);
            if code_hits != 0 {
                raw.extend(self.check_code(&view, code_hits));
            }
            let near_misses = if hits.rules & self.bit(env_typo::ENV_VAR_TYPO) != 0 {
                self.collect_env(&view, segment, &file_lines, &file.text, &mut report)
            } else {
                Vec::new()
            };
            if raw.is_empty() && near_misses.is_empty() && !directive {
                continue;
            }
            let seg_lines = LineIndex::new(&segment.text);
            let (suppressions, errors) = if directive {
                Suppressions::parse(&segment.text, &known)
            } else {
                (Suppressions::default(), Vec::new())
            };
            for error in errors {
                let at = seg_lines.line_range(&segment.text, error.line).start;
                let file_at = segment.to_file(at..at + 1).start;
                report.diagnostics.push(Diagnostic {
                    path: Some(file.path.clone()),
                    line: Some(file_lines.line_of(file_at) + 1),
                    kind: DiagnosticKind::Suppression,
                    // The message quotes the comment, which may hold a key.
                    message: keys::redact_all(
                        &error.message,
                        &self.formats,
                        self.options.show_secrets,
                    ),
                });
            }
            for (range, site, canonical) in near_misses {
                if !suppressions.covers(seg_lines.line_of(range.start), env_typo::ENV_VAR_TYPO) {
                    pending_env.push((segment.to_file(range), site, canonical));
                }
            }
            for f in raw {
                if suppressions.covers(seg_lines.line_of(f.range.start), f.rule) {
                    continue;
                }
                let range = segment.to_file(f.range.clone());
                let secret = f.secret.as_ref().map(|(r, _)| segment.to_file(r.clone()));
                found.push((range, f, secret));
            }
        }

        let secrets: Vec<(Range<usize>, &str)> = found
            .iter()
            .filter_map(|(_, f, r)| Some((r.clone()?, f.secret.as_ref()?.1.as_str())))
            .collect();
        for (range, f, _) in &found {
            let Some(rule) = self.rules.get(f.rule) else {
                continue;
            };
            report.findings.push(Finding {
                path: file.path.clone(),
                rule: rule.id.clone(),
                level: f.level.unwrap_or(rule.level),
                start: file_lines.position(&file.text, range.start),
                end: file_lines.position(&file.text, range.end),
                message: f.message.clone(),
                fingerprint: fingerprint(&rule.id, &normalize_code(&f.basis)),
                snippet: lines::snippet(&file.text, &file_lines, range.clone(), &secrets),
            });
        }
        if let Some(rule) = self.rules.get(env_typo::ENV_VAR_TYPO) {
            for (range, site, canonical) in pending_env {
                // Message and level wait for the whole project: see `judge_project`.
                let finding = Finding {
                    path: file.path.clone(),
                    rule: rule.id.clone(),
                    level: rule.level,
                    start: file_lines.position(&file.text, range.start),
                    end: file_lines.position(&file.text, range.end),
                    message: String::new(),
                    fingerprint: fingerprint(&rule.id, &format!("{:?}:{}", site.role, site.name)),
                    snippet: lines::snippet(&file.text, &file_lines, range.clone(), &secrets),
                };
                report.project.near_misses.push(NearMissSite {
                    name: site.name,
                    canonical,
                    role: site.role,
                    finding,
                });
            }
        }
        report
    }

    /// Record one segment's variable definitions, reads and implicit key lookups in
    /// the project facts; return the near misses (segment ranges) for judgement.
    fn collect_env(
        &self,
        view: &CodeView,
        segment: &segments::Segment,
        file_lines: &LazyCell<LineIndex, impl FnOnce() -> LineIndex>,
        file_text: &str,
        report: &mut Report,
    ) -> Vec<(Range<usize>, env_typo::Site, String)> {
        let collected = env_typo::collect(view, &self.env);
        let line_of = |seg_offset: usize| {
            let at = segment.to_file(seg_offset..seg_offset + 1).start;
            file_lines.position(file_text, at).line
        };
        for &at in &collected.implicit_key_lookups {
            report
                .project
                .implicit_key_lookups
                .push((view.path.to_string(), line_of(at)));
        }
        let mut near = Vec::new();
        for site in collected.sites {
            match site.role {
                EnvRole::Definition => report.project.definitions.push(Definition {
                    name: site.name.clone(),
                    path: view.path.to_string(),
                    line: line_of(site.range.start),
                }),
                EnvRole::Read => report
                    .project
                    .reads
                    .push((view.path.to_string(), site.name.clone())),
            }
            if self.env.canonical(&site.name).is_none()
                && let Some(miss) = self.env.near_miss(&site.name)
            {
                near.push((site.range.clone(), site, miss.canonical.to_string()));
            }
        }
        near
    }

    /// Judge the cross-file rules once every file has been analysed.
    pub fn judge_project(&self, report: &mut Report) {
        report.project.sort();
        if self.rules.get(env_typo::ENV_VAR_TYPO).is_some() {
            let findings = env_typo::judge(&report.project, &self.env);
            report.findings.extend(findings);
        }
    }
}

impl Analyzer {
    /// The rules that read syntax. Each engine first checks the text cheaply; the
    /// parse happens once, for the first engine that needs it.
    fn check_code(&self, view: &CodeView, wanted: u64) -> Vec<RawFinding> {
        let mut out = Vec::new();
        let want = |id: &str| wanted & self.bit(id) != 0;
        if want(auth_header::MISSING_BEARER)
            && auth_header::worth_parsing(view.text, view.is_python_file())
        {
            if let Some(facts) = view.facts() {
                auth_header::check_code(facts, view.text, &self.auth, &mut out);
            }
            auth_header::check_curl(view.curl(), view.text, &self.auth, &mut out);
        }
        if want(key_logging::KEY_LOGGED)
            && key_logging::worth_parsing(view.text, view.path)
            && let Some(facts) = view.facts()
        {
            let show = self.options.show_secrets;
            key_logging::check_code(facts, view.text, &self.formats, show, &mut out);
        }
        if want(browser_exposure::KEY_EXPOSED) {
            let show = self.options.show_secrets;
            browser_exposure::check_definitions(
                view.text,
                view.kind,
                &self.formats,
                show,
                &mut out,
            );
            if matches!(view.kind, FileKind::JavaScript | FileKind::TypeScript)
                && browser_exposure::worth_parsing(view.text, view.path)
                && let Some(facts) = view.facts()
            {
                browser_exposure::check_code(
                    facts,
                    view.text,
                    view.path,
                    &self.formats,
                    show,
                    &mut out,
                );
            }
        }
        let models = model_usage::Wanted {
            deprecated: want(model_usage::DEPRECATED_MODEL),
            unknown: want(model_usage::UNKNOWN_MODEL),
            mismatch: want(model_usage::MODEL_ENDPOINT_MISMATCH),
        };
        if models.any() {
            // Code is parsed only when a model line is worth it; config files are
            // read line by line.
            self.models
                .check(view, self.options.as_of, models, &mut out);
        }
        self.check_client_rules(view, &want, &mut out);
        out
    }

    /// base-url, retries-disabled, unbounded-retry and insecure-transport: how a
    /// client reaches the API.
    fn check_client_rules(
        &self,
        view: &CodeView,
        want: &dyn Fn(&str) -> bool,
        out: &mut Vec<RawFinding>,
    ) {
        let options = client_options::Wanted {
            retries: want(client_options::RETRIES_DISABLED),
            base_url: want(client_options::BASE_URL),
        };
        let unbounded_retry = want(retry_wrappers::UNBOUNDED_RETRY);
        let insecure_transport = want(transport::INSECURE_TRANSPORT);
        if options == client_options::Wanted::default() && !unbounded_retry && !insecure_transport {
            return;
        }
        // One pass over the text for the four rules: most files that mention OpenAI
        // name none of their settings.
        let signals = ClientSignals::of(view.text);
        if !signals.any() {
            return;
        }
        let engine = ClientOptions {
            client: &self.sdk_client,
            models: self.models.models(),
        };
        engine.check(view, options, signals, out);
        if unbounded_retry
            && signals.retry_library
            && view.kind == FileKind::Python
            && !is_test_path(view.path)
            && !is_docs_or_build_path(view.path)
            && let Some(facts) = view.facts()
        {
            retry_wrappers::check(
                facts,
                view.text,
                self.models.models(),
                &self.sdk_client,
                &self.auth,
                out,
            );
        }
        if insecure_transport {
            let engine = Transport {
                client: &self.sdk_client,
                models: self.models.models(),
                auth: &self.auth,
            };
            engine.check(view, signals, out);
        }
    }
}

/// A manifest makes its directory the root of a project for the cross-file rules.
fn note_project_root(path: &str, report: &mut Report) {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    if crate::project::is_manifest(name) {
        report.project.roots.push(dir.to_string());
    }
}

/// Tests and their fixtures: placeholders there are deliberate.
pub fn is_test_path(path: &str) -> bool {
    let mut parts = path.split('/').rev();
    let name = parts.next().unwrap_or("").to_ascii_lowercase();
    let stem = name.split('.').next().unwrap_or("");
    let test_file = stem.starts_with("test_")
        || stem.ends_with("_test")
        || stem.ends_with("_tests")
        || name == "conftest.py"
        || name.contains(".test.")
        || name.contains(".spec.");
    test_file
        || parts.any(|dir| {
            matches!(
                dir.to_ascii_lowercase().as_str(),
                "test" | "tests" | "__tests__" | "testing" | "spec" | "specs"
            )
        })
}

/// Documentation, examples and build output: placeholders there are for readers, or
/// were copied from docs into a bundle.
pub fn is_docs_or_build_path(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    name.contains(".min.")
        || name.contains(".bundle.")
        || path.split('/').rev().skip(1).any(|dir| {
            matches!(
                dir.to_ascii_lowercase().as_str(),
                "docs"
                    | "doc"
                    | "examples"
                    | "example"
                    | "samples"
                    | "sample"
                    | "dist"
                    | "build"
                    | "_next"
                    | ".next"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_paths() {
        for p in [
            "tests/a.py",
            "src/test_x.py",
            "x_test.py",
            "a/__tests__/b.js",
            "c.spec.ts",
            "conftest.py",
        ] {
            assert!(is_test_path(p), "{p}");
        }
        for p in [
            "src/app.py",
            "latest.py",
            "contest/x.py",
            "fixtures/placeholder-key/app.py",
        ] {
            assert!(!is_test_path(p), "{p}");
        }
        assert!(is_docs_or_build_path("docs/setup.py"));
        assert!(is_docs_or_build_path("web/_next/static/chunks/a.js"));
        assert!(is_docs_or_build_path("app.min.js"));
        assert!(!is_docs_or_build_path("src/build.py"));
    }

    /// A new keyword with a new prefix (first three letters) costs every file a
    /// slower search once the groups outnumber Teddy's buckets: reuse a group
    /// (`OpenAI`, `openai`, `api_key`…) and let the rule's engine look further.
    #[test]
    fn builtin_keywords_fit_the_prefilter_budget() {
        let all = RuleSet::builtin();
        let options = AnalyzeOptions {
            show_secrets: false,
            as_of: "2026-11-25".parse().unwrap(),
        };
        let analyzer = Analyzer::new(RuleSet::builtin(), &all, options);
        let groups = analyzer.prefilter.prefix_groups();
        assert!(
            groups <= prefilter::PREFIX_GROUP_BUDGET,
            "{groups} keyword prefix groups, budget {}",
            prefilter::PREFIX_GROUP_BUDGET
        );
    }
}
