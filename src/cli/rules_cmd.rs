//! `keylint rules` and `keylint rule <id>`.

use super::{RulesFormat, fail};
use crate::rules::RuleSet;
use std::io::Write;
use std::process::ExitCode;

pub(super) fn list(format: RulesFormat) -> ExitCode {
    let rules = RuleSet::builtin();
    let text = match format {
        RulesFormat::Text => {
            let width = rules.ids().map(str::len).max().unwrap_or(0);
            rules
                .rules
                .iter()
                .map(|r| format!("{:width$}  {:7}  {}\n", r.id, r.level.as_str(), r.summary))
                .collect()
        }
        RulesFormat::Markdown => rules.markdown_table(),
        RulesFormat::Json => {
            let list: Vec<serde_json::Value> = rules
                .rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.id,
                        "name": r.name,
                        "level": r.level.as_str(),
                        "summary": r.summary,
                        "tags": r.tags,
                        "sdk_consumer": r.sdk_consumer,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
        }
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::SUCCESS
}

pub(super) fn show(id: &str) -> ExitCode {
    let rules = RuleSet::builtin();
    let Some(rule) = rules.get(id) else {
        return fail(rules.check_id(id).err().unwrap_or_default());
    };
    let scope = if rule.sdk_consumer {
        "\n\nSilent inside the OpenAI SDK's own package (under a `package.json`, \
         `pyproject.toml`, `setup.py` or `setup.cfg` that names the package `openai`): \
         there the code is the SDK, not a user of it."
    } else {
        ""
    };
    let text = format!(
        "# {} ({})\n\n{}{scope}\n\n{}\n",
        rule.id,
        rule.level.as_str(),
        rule.summary,
        rule.docs.trim()
    );
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    ExitCode::SUCCESS
}
