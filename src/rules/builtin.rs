//! The rule files compiled into the binary. `tests/rule_examples.rs` checks that this
//! table lists exactly the files in `rules/`, so a new rule cannot be forgotten here.

/// `(file name, contents)` for every `rules/*.toml`.
pub const RULE_FILES: &[(&str, &str)] = &[
    ("base-url.toml", include_str!("../../rules/base-url.toml")),
    (
        "deprecated-model.toml",
        include_str!("../../rules/deprecated-model.toml"),
    ),
    (
        "env-file-not-ignored.toml",
        include_str!("../../rules/env-file-not-ignored.toml"),
    ),
    (
        "env-var-typo.toml",
        include_str!("../../rules/env-var-typo.toml"),
    ),
    (
        "hardcoded-key.toml",
        include_str!("../../rules/hardcoded-key.toml"),
    ),
    (
        "insecure-transport.toml",
        include_str!("../../rules/insecure-transport.toml"),
    ),
    (
        "key-exposed-to-browser.toml",
        include_str!("../../rules/key-exposed-to-browser.toml"),
    ),
    (
        "key-logged.toml",
        include_str!("../../rules/key-logged.toml"),
    ),
    (
        "legacy-env-var.toml",
        include_str!("../../rules/legacy-env-var.toml"),
    ),
    (
        "legacy-sdk-call.toml",
        include_str!("../../rules/legacy-sdk-call.toml"),
    ),
    (
        "malformed-key.toml",
        include_str!("../../rules/malformed-key.toml"),
    ),
    (
        "missing-bearer.toml",
        include_str!("../../rules/missing-bearer.toml"),
    ),
    (
        "model-endpoint-mismatch.toml",
        include_str!("../../rules/model-endpoint-mismatch.toml"),
    ),
    (
        "outdated-sdk.toml",
        include_str!("../../rules/outdated-sdk.toml"),
    ),
    (
        "placeholder-key.toml",
        include_str!("../../rules/placeholder-key.toml"),
    ),
    (
        "sdk-version-mismatch.toml",
        include_str!("../../rules/sdk-version-mismatch.toml"),
    ),
    (
        "retries-disabled.toml",
        include_str!("../../rules/retries-disabled.toml"),
    ),
    (
        "unbounded-retry.toml",
        include_str!("../../rules/unbounded-retry.toml"),
    ),
    (
        "unknown-model.toml",
        include_str!("../../rules/unknown-model.toml"),
    ),
];

/// `(file name, contents)` for every `rules/data/*.toml`.
pub const DATA_FILES: &[(&str, &str)] = &[
    ("auth.toml", include_str!("../../rules/data/auth.toml")),
    (
        "env-vars.toml",
        include_str!("../../rules/data/env-vars.toml"),
    ),
    (
        "key-formats.toml",
        include_str!("../../rules/data/key-formats.toml"),
    ),
    ("models.toml", include_str!("../../rules/data/models.toml")),
    (
        "sdk-migration.toml",
        include_str!("../../rules/data/sdk-migration.toml"),
    ),
    (
        "sdk-client.toml",
        include_str!("../../rules/data/sdk-client.toml"),
    ),
    (
        "sdk-releases.toml",
        include_str!("../../rules/data/sdk-releases.toml"),
    ),
];

/// The data table `rules/data/{name}` compiled into the binary, read by `parse`.
/// Panics on a broken table, which the unit tests catch before release.
pub fn table<T>(name: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> T {
    parse(data_file(name)).unwrap_or_else(|e| panic!("rules/data/{name} is invalid: {e}"))
}

pub fn data_file(name: &str) -> &'static str {
    DATA_FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| *text)
        .unwrap_or_else(|| panic!("rules/data/{name} is not in the built-in table"))
}
