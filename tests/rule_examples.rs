//! Every rule's examples through the real per-file pipeline, plus the invariants of
//! the rule files themselves.

use keylint::analyze::{AnalyzeOptions, Analyzer};
use keylint::rules::key_formats::KeyFormats;
use keylint::rules::{DOC_SECTIONS, ENGINES, Example, RuleSet, builtin, synthetic};
use keylint::source::{self, FileKind};
use std::path::Path;

fn options() -> AnalyzeOptions {
    AnalyzeOptions {
        show_secrets: false,
        as_of: "2026-11-25".parse().unwrap(),
        allow_secrets: None,
    }
}

/// Run the example (templates expanded) with only `rule` enabled.
fn run(all: &RuleSet, rule: &str, ex: &Example) -> (String, keylint::findings::Report) {
    run_with(all, all.select(&[rule.to_string()], &[]).unwrap(), ex)
}

/// Run the example and its context files as one project with the rule set
/// `enabled`; keep the findings in the example's own file.
fn run_with(all: &RuleSet, enabled: RuleSet, ex: &Example) -> (String, keylint::findings::Report) {
    let formats = KeyFormats::builtin();
    let analyzer = Analyzer::new(enabled, all, options());
    let load = |name: &str, code: &str| {
        let code = synthetic::expand(&formats, code).expect("example templates expand");
        let file = source::from_bytes(
            code.clone().into_bytes(),
            name.to_string(),
            FileKind::from_path(Path::new(name)),
        )
        .expect("examples are text");
        (code, file)
    };
    let (code, file) = load(&ex.file, &ex.code);
    let mut report = analyzer.analyze(&file);
    for ctx in &ex.context {
        let (_, file) = load(&ctx.file, &ctx.code);
        report = report.merge(analyzer.analyze(&file));
    }
    analyzer.judge_project(&mut report);
    report.findings.retain(|f| f.path == ex.file);
    (code, report)
}

#[test]
fn positive_examples_fire_and_negative_examples_stay_silent() {
    let all = RuleSet::builtin();
    let formats = KeyFormats::builtin();
    let mut failures = Vec::new();
    for rule in &all.rules {
        for (i, ex) in rule.positive.iter().enumerate() {
            let (code, report) = run(&all, &rule.id, ex);
            if !report.findings.iter().any(|f| f.rule == rule.id) {
                failures.push(format!(
                    "{}: positive example {i} ({}) gave no finding:\n{code}",
                    rule.id, ex.file
                ));
            }
            // With every rule on, other rules' keywords share the prefilter; the
            // example must still fire.
            let (_, everything) = run_with(&all, RuleSet::builtin(), ex);
            if !everything.findings.iter().any(|f| f.rule == rule.id) {
                failures.push(format!(
                    "{}: positive example {i} ({}) gives no finding when every rule is on",
                    rule.id, ex.file
                ));
            }
            // Whatever fired, the full synthetic keys in the example must not be shown.
            for f in &report.findings {
                for word in code.split(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_')
                {
                    let is_key =
                        formats.formats.iter().any(|k| k.regex.is_match(word)) && word.len() > 30;
                    if is_key && (f.message.contains(word) || f.snippet.text.contains(word)) {
                        failures.push(format!(
                            "{}: positive example {i} prints a full key",
                            rule.id
                        ));
                    }
                }
            }
        }
        for (i, ex) in rule.negative.iter().enumerate() {
            let (_, report) = run(&all, &rule.id, ex);
            for f in report.findings.iter().filter(|f| f.rule == rule.id) {
                failures.push(format!(
                    "{}: negative example {i} ({}) flagged at {}:{}: {}",
                    rule.id, ex.file, f.start.line, f.start.column, f.message
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn rule_files_are_well_formed() {
    let all = RuleSet::builtin();
    let mut ids: Vec<&str> = all.ids().collect();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "duplicate rule ids");
    for (name, _) in builtin::RULE_FILES {
        let id = name.trim_end_matches(".toml");
        assert!(all.get(id).is_some(), "rules/{name} must hold rule `{id}`");
    }
    for rule in &all.rules {
        let id = &rule.id;
        assert!(
            id.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
            "{id}: ids are kebab-case"
        );
        assert!(!rule.positive.is_empty(), "{id}: needs a positive example");
        assert!(!rule.negative.is_empty(), "{id}: needs a negative example");
        assert!(
            ENGINES.contains(&rule.engine.as_str()),
            "{id}: unknown engine"
        );
        assert!(
            !rule.keywords.is_empty() || rule.key_format_keywords,
            "{id}: a rule needs prefilter keywords"
        );
        let mut at = 0;
        for section in DOC_SECTIONS {
            let found = rule.docs[at..]
                .find(section)
                .unwrap_or_else(|| panic!("{id}: docs lack `{section}` (in order)"));
            at += found + section.len();
        }
        assert!(!rule.description().is_empty(), "{id}: empty description");
        assert!(rule.summary.len() <= 200, "{id}: summary is one line");
    }
    for engine in ENGINES {
        assert!(
            all.rules.iter().any(|r| r.engine == *engine),
            "engine `{engine}` has no rule"
        );
    }
}

#[test]
fn builtin_tables_list_every_file_in_rules() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = |dir: &str| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        v.sort();
        v
    };
    let mut rules: Vec<String> = builtin::RULE_FILES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    rules.sort();
    assert_eq!(
        rules,
        listed("rules"),
        "src/rules/builtin.rs RULE_FILES is stale"
    );
    let mut data: Vec<String> = builtin::DATA_FILES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    data.sort();
    assert_eq!(
        data,
        listed("rules/data"),
        "src/rules/builtin.rs DATA_FILES is stale"
    );
}

#[test]
fn every_data_row_names_its_source_and_review_date() {
    let formats = KeyFormats::builtin();
    for f in &formats.formats {
        assert!(!f.source.trim().is_empty(), "{}: no source", f.id);
        assert!(
            f.reviewed.parse::<jiff::civil::Date>().is_ok(),
            "{}: reviewed must be YYYY-MM-DD",
            f.id
        );
    }
}

#[test]
fn readme_rule_table_is_fresh() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let (_, rest) = readme
        .split_once("<!-- rules:begin -->\n")
        .expect("README has a rules:begin marker");
    let (table, _) = rest
        .split_once("<!-- rules:end -->")
        .expect("README has a rules:end marker");
    assert_eq!(
        table,
        RuleSet::builtin().markdown_table(),
        "the README rule table is stale: paste `keylint rules --format markdown` between the markers"
    );
}
