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
use crate::project::{Definition, EnvRole, LegacyEnvSite, NearMissSite, Pin, PinOrigin, SdkUse};
use crate::rules::RuleSet;
use crate::rules::auth::AuthFacts;
use crate::rules::auth_header;
use crate::rules::browser_exposure;
use crate::rules::client_options::{self, ClientOptions};
use crate::rules::env_file_git;
use crate::rules::env_typo;
use crate::rules::env_vars::EnvVars;
use crate::rules::key_formats::KeyFormats;
use crate::rules::key_logging;
use crate::rules::keys::{self, RawFinding, SegmentInfo, Wanted};
use crate::rules::model_usage::{self, ModelUsage};
use crate::rules::openai_clients::ClientSignals;
use crate::rules::retry_wrappers;
use crate::rules::sdk_client::SdkClient;
use crate::rules::sdk_pins;
use crate::rules::sdk_releases::SdkReleases;
use crate::rules::sdk_usage::{self, SdkMigration};
use crate::rules::transport::{self, Transport};
use crate::source::FileKind;
use crate::source::SourceFile;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use code_view::{CodeView, is_type_declaration};
use lines::LineIndex;
use prefilter::{Hits, Prefilter};
use std::cell::LazyCell;
use std::ops::Range;
use suppression::Suppressions;

/// The prefilter bits of the rules the per-file pass routes by hand, looked up
/// once instead of by id for every file.
#[derive(Debug, Clone, Copy, Default)]
struct RuleBits {
    hardcoded: u64,
    placeholder: u64,
    malformed: u64,
    env_file: u64,
    /// env-var-typo and legacy-env-var: both need the variable sites.
    env_sites: u64,
    legacy_env: u64,
    /// legacy-sdk-call and sdk-version-mismatch: both need the SDK sites.
    sdk_sites: u64,
    /// Every rule that judges the project's SDK pins.
    pins: u64,
}

impl RuleBits {
    fn of(rules: &RuleSet) -> RuleBits {
        let bit = |id: &str| {
            rules
                .rules
                .iter()
                .position(|r| r.id == id)
                .map_or(0, |i| 1u64 << i)
        };
        let legacy_env = bit(sdk_pins::LEGACY_ENV_VAR);
        let sdk_sites = bit(sdk_usage::LEGACY_SDK_CALL) | bit(sdk_usage::SDK_VERSION_MISMATCH);
        RuleBits {
            hardcoded: bit(keys::HARDCODED),
            placeholder: bit(keys::PLACEHOLDER),
            malformed: bit(keys::MALFORMED),
            env_file: bit(env_file_git::ENV_FILE_NOT_IGNORED),
            env_sites: bit(env_typo::ENV_VAR_TYPO) | legacy_env,
            legacy_env,
            sdk_sites,
            pins: sdk_sites | legacy_env | bit(sdk_pins::OUTDATED_SDK),
        }
    }
}

/// The marker every suppression directive contains.
const DIRECTIVE_KEYWORD: &[u8] = b"keylint:";

/// Settings that change what rules report.
#[derive(Debug, Clone)]
pub struct AnalyzeOptions {
    pub show_secrets: bool,
    /// The date date-aware rules judge against (`--as-of`).
    pub as_of: jiff::civil::Date,
    /// The configuration's `allowlist.secrets`: a key any of them matches is not
    /// reported by the secret rules.
    pub allow_secrets: Option<regex::RegexSet>,
}

pub struct Analyzer {
    rules: RuleSet,
    known_ids: Vec<String>,
    formats: KeyFormats,
    auth: AuthFacts,
    /// The model table for deprecated-model, unknown-model and model-endpoint-mismatch.
    models: ModelUsage,
    env: EnvVars,
    releases: SdkReleases,
    migration: SdkMigration,
    bits: RuleBits,
    /// The SDK client table for base-url, retries-disabled, unbounded-retry and
    /// insecure-transport.
    sdk_client: SdkClient,
    prefilter: Prefilter,
    /// Rules with `also-keywords`: they run only when both keyword groups hit.
    needs_also: u64,
    /// Rules whose engine reads syntax (every engine but `keys`).
    code_rules: u64,
    /// Rules that judge code using the SDK: silent in the SDK's own sources.
    sdk_consumer_rules: u64,
    /// `openai` and the libraries that read its legacy variables, in any case:
    /// the package names a manifest must hold to be worth reading.
    tracked_packages: AhoCorasick,
    /// Imports of the libraries that read the legacy variables (legacy-env-var).
    consumer_imports: sdk_pins::ConsumerImports,
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
        let bits = RuleBits::of(&rules);
        let env = EnvVars::builtin();
        let tracked_packages = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(std::iter::once("openai").chain(env.legacy_variable_readers()))
            .expect("package names are plain literals");
        let consumer_imports = sdk_pins::ConsumerImports::new(env.legacy_variable_readers());
        Analyzer {
            consumer_imports,
            tracked_packages,
            known_ids: all.ids().map(str::to_string).collect(),
            prefilter: Prefilter::new(keywords),
            needs_also,
            code_rules: rules
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| {
                    // These engines run outside `check_code`: per segment for keys,
                    // and as project facts judged after every file is in.
                    !matches!(
                        r.engine.as_str(),
                        "keys" | "project" | "sdk" | "manifest" | "git"
                    )
                })
                .fold(0, |mask, (i, _)| mask | 1 << i),
            sdk_consumer_rules: rules
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.sdk_consumer)
                .fold(0, |mask, (i, _)| mask | 1 << i),
            rules,
            formats,
            auth: AuthFacts::builtin(),
            models: ModelUsage::builtin(),
            env,
            bits,
            releases: SdkReleases::builtin(),
            migration: SdkMigration::builtin(),
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
    /// any keyword is never decoded or parsed. `sdk_source`: the file is part of the
    /// OpenAI SDK's own package, where the rules about using the SDK do not apply.
    pub fn analyze_bytes(
        &self,
        path: &str,
        kind: FileKind,
        bytes: Vec<u8>,
        sdk_source: bool,
    ) -> Report {
        let mut hits = self.prefilter_scan(&bytes);
        if sdk_source {
            hits.rules &= !self.sdk_consumer_rules;
        }
        let pins = self.wants_pins(path, hits);
        let mut report = if hits.is_empty() && !pins {
            Report {
                files_scanned: 1,
                ..Default::default()
            }
        } else {
            let file = SourceFile::from_text_bytes(bytes, path.to_string(), kind);
            let mut report = self.analyze_hits(&file, hits);
            if pins {
                self.collect_pins(&file, &mut report);
            }
            report
        };
        note_project_root(path, &mut report);
        report
    }

    /// Analyse one file. Never fails: problems become diagnostics in the report.
    pub fn analyze(&self, file: &SourceFile) -> Report {
        let hits = self.prefilter_scan(file.text.as_bytes());
        let mut report = self.analyze_hits(file, hits);
        if self.wants_pins(&file.path, hits) {
            self.collect_pins(file, &mut report);
        }
        note_project_root(&file.path, &mut report);
        report
    }

    /// Manifests and lock files are the project's facts: read whenever a rule
    /// judges pins, keyword or not (a manifest may name only `langchain`). Scripts,
    /// Dockerfiles and CI files are read for install commands when a keyword hit.
    fn wants_pins(&self, path: &str, hits: Hits) -> bool {
        self.bits.pins != 0
            && (crate::manifest::is_manifest_path(path)
                || (hits.rules & self.bits.pins != 0
                    && crate::manifest::carries_install_commands(path)))
    }

    /// Record the OpenAI SDK pins and the consumer libraries a manifest, lock file
    /// or install command declares.
    fn collect_pins(&self, file: &SourceFile, report: &mut Report) {
        // Only the SDK's pins and the libraries that read its variables matter: a
        // manifest that names neither is not read (nor parsed, for `setup.py`).
        if self.tracked_packages.find(&file.text).is_none() {
            return;
        }
        let Some(facts) = crate::manifest::read(&file.path, &file.text) else {
            return;
        };
        let name = file.path.rsplit('/').next().unwrap_or(&file.path);
        if sdk_pins::MANIFESTS_NAMING_A_PACKAGE.contains(&name)
            && sdk_pins::declares_the_sdk(&file.text)
        {
            let dir = file.path.rsplit_once('/').map_or("", |(d, _)| d);
            report.project.sdk_sources.push(dir.to_string());
        }
        let lines = LineIndex::new(&file.text);
        let known = |id: &str| self.known_ids.iter().any(|k| k == id);
        let suppressions =
            if memchr::memmem::find(file.text.as_bytes(), DIRECTIVE_KEYWORD).is_some() {
                Suppressions::parse(&file.text, &known).0
            } else {
                Suppressions::default()
            };
        let outdated = self.rules.get(sdk_pins::OUTDATED_SDK);
        for req in facts.requirements {
            let name = req.name.trim_start_matches('@');
            if self.env.reads_legacy_variables(name) {
                report
                    .project
                    .consumers
                    .push((file.path.clone(), name.to_string()));
            }
            if req.name != "openai" {
                continue;
            }
            let admits = self.releases.admits(req.ecosystem, &req.spec);
            let line = lines.line_of(req.range.start);
            let origin = match req.origin {
                crate::manifest::Origin::Manifest => PinOrigin::Manifest,
                crate::manifest::Origin::Install => PinOrigin::Install,
                crate::manifest::Origin::Lock => PinOrigin::Lock,
            };
            let finding = outdated
                .filter(|_| admits.is_some_and(|a| a.legacy_only()))
                .filter(|rule| !suppressions.covers(line, &rule.id))
                .map(|rule| {
                    let written: String = file.text[req.range.clone()]
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ");
                    // Lock files give the bare version, except `Pipfile.lock`,
                    // which writes `==0.27.10`.
                    let pin = match origin {
                        PinOrigin::Lock => {
                            format!("openai {}", written.trim_start_matches("=="))
                        }
                        _ => written,
                    };
                    Finding {
                        path: file.path.clone(),
                        rule: rule.id.clone(),
                        level: rule.level,
                        start: lines.position(&file.text, req.range.start),
                        end: lines.position(&file.text, req.range.end),
                        message: sdk_pins::outdated_message(&pin, req.ecosystem, &self.releases),
                        fingerprint: fingerprint(
                            &rule.id,
                            &format!("{:?}:{}", req.ecosystem, req.spec),
                        ),
                        snippet: lines::snippet(&file.text, &lines, req.range.clone(), &[]),
                        replacement: None,
                    }
                });
            report.project.pins.push(Pin {
                path: file.path.clone(),
                ecosystem: req.ecosystem,
                admits,
                origin,
                line,
                finding,
            });
        }
    }

    /// Drop the secret rules' findings whose key `allowlist.secrets` matches. The
    /// text tried is the key, and for a key split by whitespace the key joined (the
    /// fingerprint basis); a placeholder without a key-shaped part is tried as
    /// written.
    fn drop_allowlisted(&self, text: &str, raw: &mut Vec<RawFinding>) {
        let Some(allow) = &self.options.allow_secrets else {
            return;
        };
        raw.retain(|f| {
            if !crate::config::SECRET_RULES.contains(&f.rule) {
                return true;
            }
            let key = match &f.secret {
                Some((range, _)) => text.get(range.clone()),
                None if f.rule == keys::PLACEHOLDER => text
                    .get(f.range.clone())
                    .map(|v| v.trim().trim_matches(['"', '\'', '`'])),
                None => None,
            };
            let joined = (f.rule == keys::MALFORMED).then_some(f.basis.as_str());
            !key.into_iter().chain(joined).any(|t| allow.is_match(t))
        });
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
        let bits = self.bits;
        let want = Wanted {
            // env-file-not-ignored is about the keys hardcoded-key finds.
            hardcoded: hits.rules & (bits.hardcoded | bits.env_file) != 0,
            placeholder: hits.rules & bits.placeholder != 0,
            malformed: hits.rules & bits.malformed != 0,
            formats: hits.formats,
        };
        let known = |id: &str| self.known_ids.iter().any(|k| k == id);
        // Most files with a keyword hit yield nothing: index lines only on demand.
        let file_lines = LazyCell::new(|| LineIndex::new(&file.text));
        let mut found: Vec<(Range<usize>, RawFinding, Option<Range<usize>>)> = Vec::new();
        let mut pending_env: Vec<(Range<usize>, env_typo::Site, String, &str)> = Vec::new();
        let mut pending_sdk: Vec<(Range<usize>, sdk_usage::SdkSite, &str)> = Vec::new();
        let mut env_file_key: Option<Range<usize>> = None;

        let skip_placeholders = is_test_path(&file.path)
            || is_docs_or_build_path(&file.path)
            || is_type_declaration(&file.path);
        for segment in &segments {
            let info = SegmentInfo {
                kind: segment.kind,
                skip_placeholders,
                show_secrets: self.options.show_secrets,
            };
            let mut raw = self.check_keys(segment, info, want);
            // Before env-file-not-ignored looks: an allowlisted key is not a real one.
            self.drop_allowlisted(&segment.text, &mut raw);
            // env-file-not-ignored is about the file, reported once at its first key.
            let env_file_site = if hits.rules & bits.env_file != 0
                && segment.kind == FileKind::DotEnv
                && env_file_key.is_none()
            {
                raw.iter()
                    .find(|f| f.rule == keys::HARDCODED)
                    .map(|f| f.range.clone())
            } else {
                None
            };
            let code_hits = hits.rules & self.code_rules;
            let view =
                CodeView::new(&segment.text, segment.kind, &file.path).with_cells(&segment.cells);
            if code_hits != 0 {
                let mut code = self.check_code(&view, code_hits);
                self.drop_allowlisted(&segment.text, &mut code);
                raw.extend(code);
            }
            let near_misses = if hits.rules & bits.env_sites != 0 {
                self.collect_env(&view, segment, &file_lines, &file.text, &mut report)
            } else {
                Vec::new()
            };
            if hits.rules & bits.legacy_env != 0 && segment.kind.is_code() {
                for lib in self.consumer_imports.find(&segment.text) {
                    report.project.consumers.push((file.path.clone(), lib));
                }
            }
            let sdk_sites = if hits.rules & bits.sdk_sites != 0 {
                self.migration.collect(&view)
            } else {
                Vec::new()
            };
            if raw.is_empty() && near_misses.is_empty() && sdk_sites.is_empty() && !directive {
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
            if let Some(site) = env_file_site
                && !suppressions.covers(
                    seg_lines.line_of(site.start),
                    env_file_git::ENV_FILE_NOT_IGNORED,
                )
            {
                env_file_key = Some(segment.to_file(site));
            }
            for (range, site, canonical, rule) in near_misses {
                if !suppressions.covers(seg_lines.line_of(range.start), rule) {
                    pending_env.push((segment.to_file(range), site, canonical, rule));
                }
            }
            for site in sdk_sites {
                let rule = match site.api {
                    sdk_usage::Api::Legacy => sdk_usage::LEGACY_SDK_CALL,
                    sdk_usage::Api::Current => sdk_usage::SDK_VERSION_MISMATCH,
                };
                if !suppressions.covers(seg_lines.line_of(site.range.start), rule) {
                    pending_sdk.push((segment.to_file(site.range.clone()), site, rule));
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
                replacement: exact_replacement(&file.text, range, &f.basis, &f.replacement),
            });
        }
        // Message and level of these wait for the whole project: see `judge_project`.
        let pending = |rule: &crate::rules::Rule, range: Range<usize>, basis: &str| Finding {
            path: file.path.clone(),
            rule: rule.id.clone(),
            level: rule.level,
            start: file_lines.position(&file.text, range.start),
            end: file_lines.position(&file.text, range.end),
            message: String::new(),
            fingerprint: fingerprint(&rule.id, basis),
            snippet: lines::snippet(&file.text, &file_lines, range.clone(), &secrets),
            replacement: None,
        };
        for (range, site, canonical, rule_id) in pending_env {
            let Some(rule) = self.rules.get(rule_id) else {
                continue;
            };
            let mut finding = pending(
                rule,
                range.clone(),
                &format!("{:?}:{}", site.role, site.name),
            );
            let rename = if rule_id == sdk_pins::LEGACY_ENV_VAR {
                self.env
                    .context_dependent(&site.name)
                    .and_then(|row| row.v1_replacement.clone())
            } else {
                Some(canonical.clone())
            };
            finding.replacement = exact_replacement(&file.text, &range, &site.name, &rename);
            if rule_id == sdk_pins::LEGACY_ENV_VAR {
                report.project.legacy_env.push(LegacyEnvSite {
                    name: site.name,
                    role: site.role,
                    finding,
                });
            } else {
                report.project.near_misses.push(NearMissSite {
                    name: site.name,
                    canonical,
                    role: site.role,
                    finding,
                });
            }
        }
        if let Some(range) = env_file_key
            && let Some(rule) = self.rules.get(env_file_git::ENV_FILE_NOT_IGNORED)
        {
            let name = file.path.rsplit('/').next().unwrap_or(&file.path);
            let finding = pending(rule, range, name);
            report.project.env_files_with_keys.push(finding);
        }
        for (range, site, rule_id) in pending_sdk {
            let Some(rule) = self.rules.get(rule_id) else {
                continue;
            };
            let finding = pending(rule, range, &site.what);
            report.project.sdk_uses.push(SdkUse {
                ecosystem: site.ecosystem,
                api: site.api,
                what: site.what,
                instead: site.instead,
                finding,
            });
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
    ) -> Vec<(Range<usize>, env_typo::Site, String, &'static str)> {
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
            if self
                .env
                .context_dependent(&site.name)
                .is_some_and(|c| c.read_by_v0_sdk)
            {
                if site.role == EnvRole::Definition {
                    let name = site.name.clone();
                    near.push((site.range.clone(), site, name, sdk_pins::LEGACY_ENV_VAR));
                }
            } else if self.env.canonical(&site.name).is_none()
                && let Some(miss) = self.env.near_miss(&site.name)
            {
                let canonical = miss.canonical.to_string();
                near.push((site.range.clone(), site, canonical, env_typo::ENV_VAR_TYPO));
            }
        }
        near
    }

    /// Judge the cross-file rules once every file has been analysed.
    pub fn judge_project(&self, report: &mut Report) {
        self.judge_project_with(report, &env_file_git::git_status);
    }

    /// `judge_project`, asking `git_status` about `.env` files by their report path:
    /// the language server reports paths relative to the workspace, not to its own
    /// working directory.
    pub fn judge_project_with(
        &self,
        report: &mut Report,
        git_status: &dyn Fn(&str) -> env_file_git::GitStatus,
    ) {
        report.project.sort();
        if self.rules.get(env_typo::ENV_VAR_TYPO).is_some() {
            let findings = env_typo::judge(&report.project, &self.env);
            report.findings.extend(findings);
        }
        let findings = sdk_pins::judge(&report.project, &self.env, &self.rules);
        report.findings.extend(findings);
        if self.rules.get(env_file_git::ENV_FILE_NOT_IGNORED).is_some() {
            let sites = &report.project.env_files_with_keys;
            let findings = env_file_git::judge(sites, git_status);
            report.findings.extend(findings);
        }
    }
}

impl Analyzer {
    /// The keys engine reads text, not names, so nothing it judges spans cells: it
    /// runs on each notebook cell alone, and a docstring left open in one cell does
    /// not hide the next cell's keys.
    fn check_keys(
        &self,
        segment: &segments::Segment,
        info: SegmentInfo,
        want: Wanted,
    ) -> Vec<RawFinding> {
        if segment.cells.is_empty() {
            return keys::check(&segment.text, info, want, &self.formats);
        }
        let mut out = Vec::new();
        for cell in &segment.cells {
            let Some(text) = segment.text.get(cell.clone()) else {
                continue;
            };
            let shift = |r: &mut Range<usize>| *r = r.start + cell.start..r.end + cell.start;
            for mut finding in keys::check(text, info, want, &self.formats) {
                shift(&mut finding.range);
                if let Some((secret, _)) = &mut finding.secret {
                    shift(secret);
                }
                out.push(finding);
            }
        }
        out
    }

    /// The rules that read syntax. Each engine first checks the text cheaply; the
    /// parse happens once, for the first engine that needs it.
    fn check_code(&self, view: &CodeView, wanted: u64) -> Vec<RawFinding> {
        let mut out = Vec::new();
        let want = |id: &str| wanted & self.bit(id) != 0;
        // Declarations and bundles are not parsed (see `CodeView::facts`), and
        // every check of Python and JavaScript but the browser-exposed definitions
        // reads the parse: skip their text gates too.
        let parsed_language = matches!(
            view.kind,
            FileKind::Python | FileKind::JavaScript | FileKind::TypeScript
        );
        let show = self.options.show_secrets;
        if want(browser_exposure::KEY_EXPOSED) {
            browser_exposure::check_definitions(
                view.text,
                view.kind,
                &self.formats,
                show,
                &mut out,
            );
        }
        if parsed_language && !view.is_notebook() && view.is_generated() {
            return out;
        }
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
            key_logging::check_code(facts, view.text, &self.formats, show, &mut out);
        }
        if want(browser_exposure::KEY_EXPOSED)
            && matches!(view.kind, FileKind::JavaScript | FileKind::TypeScript)
            && browser_exposure::worth_parsing(view.text, view.path)
            && let Some(facts) = view.facts()
        {
            let path = view.path;
            browser_exposure::check_code(facts, view.text, path, &self.formats, show, &mut out);
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

    /// Whether the text may call the OpenAI API, as [`is_openai_call`] judges
    /// after the parse: an SDK method it knows, or a URL on the API host.
    ///
    /// [`is_openai_call`]: crate::rules::openai_clients::is_openai_call
    fn may_call_openai(&self, text: &str) -> bool {
        self.models.models().may_name_a_call(text)
            || memchr::memmem::find(text.as_bytes(), self.sdk_client.base_url.host.as_bytes())
                .is_some()
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
            && retry_wrappers::worth_parsing(view.text)
            && self.may_call_openai(view.text)
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

/// A replacement applies only where the finding's range holds exactly the text that
/// was judged: a model id inside an escaped JSON string, or a name the range does not
/// cover alone, would be garbled by the edit.
fn exact_replacement(
    text: &str,
    range: &Range<usize>,
    judged: &str,
    replacement: &Option<String>,
) -> Option<String> {
    replacement
        .clone()
        .filter(|_| text.get(range.clone()) == Some(judged))
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

    /// Every built-in rule, judged as of a fixed date.
    fn builtin_analyzer() -> Analyzer {
        let options = AnalyzeOptions {
            show_secrets: false,
            as_of: "2026-11-25".parse().unwrap(),
            allow_secrets: None,
        };
        Analyzer::new(RuleSet::builtin(), &RuleSet::builtin(), options)
    }

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

    #[test]
    fn a_locked_pin_is_named_by_its_version_in_every_lock_file() {
        let analyzer = builtin_analyzer();
        let pipfile_lock = r#"{"default": {"openai": {"version": "==0.27.10"}}, "develop": {}}"#;
        let poetry_lock = "[[package]]\nname = \"openai\"\nversion = \"0.27.10\"\n";
        for (path, text) in [("Pipfile.lock", pipfile_lock), ("poetry.lock", poetry_lock)] {
            let file = crate::source::from_bytes(
                text.as_bytes().to_vec(),
                path.to_string(),
                FileKind::from_path(std::path::Path::new(path)),
            )
            .unwrap();
            let report = analyzer.analyze(&file);
            let message = report.project.pins[0]
                .finding
                .as_ref()
                .map(|f| f.message.as_str())
                .unwrap_or_default();
            assert!(
                message.starts_with("`openai 0.27.10` keeps"),
                "{path}: {message}"
            );
        }
    }

    #[test]
    fn manifests_are_read_for_the_sdk_in_any_case_and_for_its_consumers_only() {
        let analyzer = builtin_analyzer();
        let read = |path: &str, text: &str| {
            let kind = FileKind::from_path(std::path::Path::new(path));
            let file = crate::source::from_bytes(text.as_bytes().to_vec(), path.to_string(), kind)
                .unwrap();
            let report = analyzer.analyze(&file);
            (report.project.pins.len(), report.project.consumers.len())
        };
        assert_eq!(read("requirements.txt", "OpenAI==0.28.1\n"), (1, 0));
        assert_eq!(read("requirements.txt", "langchain-openai>=0.3\n"), (0, 1));
        assert_eq!(read("requirements.txt", "litellm\nrequests\n"), (0, 1));
        assert_eq!(
            read("setup.py", "setup(install_requires=[\"numpy\"])\n"),
            (0, 0)
        );
    }

    /// A new keyword with a new prefix (first three letters) costs every file a
    /// slower search once the groups outnumber Teddy's buckets: reuse a group
    /// (`OpenAI`, `openai`, `api_key`…) and let the rule's engine look further.
    #[test]
    fn builtin_keywords_fit_the_prefilter_budget() {
        let analyzer = builtin_analyzer();
        let groups = analyzer.prefilter.prefix_groups();
        assert!(
            groups <= prefilter::PREFIX_GROUP_BUDGET,
            "{groups} keyword prefix groups, budget {}",
            prefilter::PREFIX_GROUP_BUDGET
        );
    }
}
