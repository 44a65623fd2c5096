//! The OpenAI model table (`rules/data/models.toml`): deprecations, which endpoint
//! accepts which model, the API's wrong-model errors and the ids the API knows. Used by
//! deprecated-model, unknown-model and model-endpoint-mismatch.

use jiff::civil::Date;
use serde::Deserialize;
use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// An endpoint family: what a model is used on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    Chat,
    Responses,
    Completions,
    Embeddings,
    Images,
    AudioTranscription,
    AudioTranslation,
    AudioSpeech,
    Moderation,
    Realtime,
    Edits,
    FineTunes,
    Videos,
}

impl Family {
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Chat => "chat",
            Family::Responses => "responses",
            Family::Completions => "completions",
            Family::Embeddings => "embeddings",
            Family::Images => "images",
            Family::AudioTranscription => "audio-transcription",
            Family::AudioTranslation => "audio-translation",
            Family::AudioSpeech => "audio-speech",
            Family::Moderation => "moderation",
            Family::Realtime => "realtime",
            Family::Edits => "edits",
            Family::FineTunes => "fine-tunes",
            Family::Videos => "videos",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a fact is backed: A = the official page or SDK source, B = a verbatim copy of an
/// official page, C = a secondary write-up or user-pasted output. Also used by the
/// other data tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Confidence {
    A,
    B,
    C,
}

/// Parse a `YYYY-MM-DD` field, naming it in the error.
pub(crate) fn parse_date(what: &str, value: &str) -> Result<Date, String> {
    value
        .parse::<Date>()
        .map_err(|e| format!("{what}: `{value}` is not a YYYY-MM-DD date ({e})"))
}

/// Fail when a required text field is blank.
pub(crate) fn require(what: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        Err(format!("{what} is empty"))
    } else {
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ModelsFile {
    #[serde(default)]
    model_error: Vec<ErrorRow>,
    #[serde(default)]
    endpoint: Vec<EndpointRow>,
    #[serde(default)]
    responses_only: Vec<IdsRow>,
    #[serde(default)]
    completions_only: Vec<IdsRow>,
    #[serde(default)]
    known: Vec<IdsRow>,
    #[serde(default)]
    deprecation: Vec<DeprecationRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ErrorRow {
    #[serde(default)]
    when: Option<ModelErrorKind>,
    #[serde(default)]
    wrong_model: Option<Family>,
    status: u16,
    message: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    param: Option<String>,
    source: String,
    confidence: Confidence,
    #[serde(default)]
    reviewed: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct EndpointRow {
    id: Family,
    paths: Vec<String>,
    sdk_calls: Vec<String>,
    #[serde(default)]
    legacy_sdk_calls: Vec<String>,
    #[serde(default)]
    includes: Vec<Family>,
    models: Vec<String>,
    source: String,
    reviewed: String,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    error: Vec<ErrorRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct IdsRow {
    ids: Vec<String>,
    source: String,
    confidence: Confidence,
    reviewed: String,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct DeprecationRow {
    ids: Vec<String>,
    endpoint: Family,
    notice: String,
    shutdown: String,
    #[serde(default)]
    replacement: Option<String>,
    replacement_retrieved: String,
    source: String,
    confidence: Confidence,
    reviewed: String,
    #[serde(default)]
    note: Option<String>,
}

/// Which generic model error a `[[model-error]]` row is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelErrorKind {
    /// The model has been shut down.
    ShutDown,
    /// No such model, or no access to it.
    Unknown,
}

/// An error body the API returns. `code` and `param` of `None` are JSON null.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    /// Verbatim; `{model}` stands for the model id sent, where the API echoes it.
    pub message: String,
    /// The error `type`, e.g. `invalid_request_error`.
    pub kind: String,
    pub code: Option<String>,
    pub param: Option<String>,
    pub source: String,
    pub confidence: Confidence,
    pub note: Option<String>,
}

impl ApiError {
    /// The message with `{model}` filled in.
    pub fn message_for(&self, model: &str) -> String {
        self.message.replace("{model}", model)
    }
}

/// A `[[model-error]]` row: the API's answer for a shut-down or unknown model.
#[derive(Debug, Clone)]
pub struct ModelError {
    pub when: ModelErrorKind,
    pub error: ApiError,
    pub reviewed: Date,
}

/// The API's answer when a model of family `wrong_model` is sent to an endpoint.
#[derive(Debug, Clone)]
pub struct EndpointError {
    pub wrong_model: Family,
    pub error: ApiError,
}

/// One `[[endpoint]]` row.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: Family,
    /// URL paths, e.g. `/v1/chat/completions`.
    pub paths: Vec<String>,
    /// Dotted SDK method paths after the client object (python and node).
    pub sdk_calls: Vec<String>,
    /// openai-python 0.x and openai-node 3.x names (`ChatCompletion.create`,
    /// `createChatCompletion`).
    pub legacy_sdk_calls: Vec<String>,
    /// Endpoints whose models this one also accepts (`responses` includes `chat`).
    pub includes: Vec<Family>,
    /// Exact ids and `prefix*` patterns.
    pub models: Vec<String>,
    pub errors: Vec<EndpointError>,
    pub source: String,
    pub reviewed: Date,
    pub note: Option<String>,
}

impl Endpoint {
    /// True when one of this row's own `models` (exact or `prefix*`) matches `id`.
    pub fn lists(&self, id: &str) -> bool {
        self.models.iter().any(|p| pattern_matches(p, id))
    }
}

/// A list of ids with its provenance (`[[responses-only]]`, `[[completions-only]]`,
/// `[[known]]`).
#[derive(Debug, Clone)]
pub struct IdGroup {
    pub ids: Vec<String>,
    pub source: String,
    pub confidence: Confidence,
    pub reviewed: Date,
    pub note: Option<String>,
}

/// One `[[deprecation]]` row.
#[derive(Debug, Clone)]
pub struct Deprecation {
    pub ids: Vec<String>,
    /// The family the models were used on.
    pub endpoint: Family,
    pub notice: Date,
    /// Requests fail after this date.
    pub shutdown: Date,
    /// Advisory text (OpenAI edits it after the fact); `None` when DEP names none.
    pub replacement: Option<String>,
    /// When the replacement text was read.
    pub replacement_retrieved: Date,
    pub source: String,
    /// Always A or B: C rows are rejected at load time.
    pub confidence: Confidence,
    pub reviewed: Date,
    pub note: Option<String>,
}

/// Where a deprecated model stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Before the notice date.
    Active,
    /// From the notice date up to and including the shutdown date.
    Deprecated,
    /// After the shutdown date: requests fail.
    ShutDown,
}

impl Deprecation {
    pub fn phase(&self, as_of: Date) -> Phase {
        if as_of > self.shutdown {
            Phase::ShutDown
        } else if as_of >= self.notice {
            Phase::Deprecated
        } else {
            Phase::Active
        }
    }
}

/// What [`Models::endpoint_for_call`] found.
#[derive(Debug, Clone, Copy)]
pub struct CallMatch<'a> {
    pub endpoint: &'a Endpoint,
    /// The call is an openai-python 0.x / openai-node 3.x name.
    pub legacy: bool,
}

/// What [`Models::mismatch`] found: a model sent to an endpoint that rejects it.
#[derive(Debug, Clone, Copy)]
pub struct Mismatch<'a> {
    /// The family the model belongs to (the one whose error applies, if any).
    pub model_family: Family,
    /// The API's answer, when the table has one for this pair.
    pub error: Option<&'a ApiError>,
}

/// The whole table plus lookup indexes.
#[derive(Debug)]
pub struct Models {
    pub deprecations: Vec<Deprecation>,
    pub endpoints: Vec<Endpoint>,
    pub responses_only: Vec<IdGroup>,
    pub completions_only: Vec<IdGroup>,
    pub known: Vec<IdGroup>,
    pub model_errors: Vec<ModelError>,
    deprecation_index: HashMap<String, usize>,
    responses_only_ids: HashSet<String>,
    completions_only_ids: HashSet<String>,
    /// Every exact id in the file, sorted and deduplicated.
    known_ids: Vec<String>,
    known_set: HashSet<String>,
    /// The name and numeric runs (`("gpt", ["5.5"])` for `gpt-5.5-mini`) of every
    /// known id, minus its snapshot date. See [`Models::closest_known`].
    known_versions: HashSet<(String, Vec<String>)>,
    /// The last two names of every SDK call (`completions . create`,
    /// `createChatCompletion`), with room for line breaks between them. Built on
    /// first use: a one-file run rarely needs it.
    call_names: std::sync::OnceLock<regex::Regex>,
}

impl Models {
    /// The table compiled into the binary (see [`super::builtin::table`]).
    pub fn builtin() -> Models {
        super::builtin::table("models.toml", Self::parse)
    }

    pub fn parse(text: &str) -> Result<Models, String> {
        let file: ModelsFile = toml::from_str(text).map_err(|e| e.to_string())?;

        let mut model_errors = Vec::new();
        for row in file.model_error {
            let what = "model-error";
            let Some(when) = row.when else {
                return Err(format!("{what}: needs `when`"));
            };
            if row.wrong_model.is_some() {
                return Err(format!(
                    "{what}: `wrong-model` belongs in [[endpoint.error]]"
                ));
            }
            let reviewed = row.reviewed.clone().unwrap_or_default();
            let error = api_error(what, row)?;
            model_errors.push(ModelError {
                when,
                error,
                reviewed: parse_date(&format!("{what} reviewed"), &reviewed)?,
            });
        }

        let mut endpoints: Vec<Endpoint> = Vec::new();
        for row in file.endpoint {
            let what = format!("endpoint {}", row.id);
            if endpoints.iter().any(|e| e.id == row.id) {
                return Err(format!("{what} is listed twice"));
            }
            require(&format!("{what} source"), &row.source)?;
            if row.paths.is_empty() || row.paths.iter().any(|p| !p.starts_with('/')) {
                return Err(format!(
                    "{what}: paths must be non-empty and start with `/`"
                ));
            }
            for call in row.sdk_calls.iter().chain(&row.legacy_sdk_calls) {
                if call.is_empty() || call.split('.').any(str::is_empty) {
                    return Err(format!("{what}: bad sdk call `{call}`"));
                }
            }
            for p in &row.models {
                check_id(&what, p, true)?;
            }
            if row.includes.contains(&row.id) {
                return Err(format!("{what} includes itself"));
            }
            let mut errors = Vec::new();
            for e in row.error {
                let Some(wrong_model) = e.wrong_model else {
                    return Err(format!("{what}: an error needs `wrong-model`"));
                };
                if e.when.is_some() || e.reviewed.is_some() {
                    return Err(format!(
                        "{what}: `when` and `reviewed` belong in [[model-error]]"
                    ));
                }
                let error = api_error(&what, e)?;
                errors.push(EndpointError { wrong_model, error });
            }
            endpoints.push(Endpoint {
                id: row.id,
                paths: row.paths,
                sdk_calls: row.sdk_calls,
                legacy_sdk_calls: row.legacy_sdk_calls,
                includes: row.includes,
                models: row.models,
                errors,
                source: row.source,
                reviewed: parse_date(&format!("{what} reviewed"), &row.reviewed)?,
                note: row.note,
            });
        }
        for e in &endpoints {
            for inc in &e.includes {
                if !endpoints.iter().any(|o| o.id == *inc) {
                    return Err(format!("endpoint {} includes unknown endpoint {inc}", e.id));
                }
            }
        }

        let responses_only = id_groups("responses-only", file.responses_only)?;
        let completions_only = id_groups("completions-only", file.completions_only)?;
        let known = id_groups("known", file.known)?;
        let responses_only_ids: HashSet<String> = responses_only
            .iter()
            .flat_map(|g| g.ids.iter().cloned())
            .collect();
        let completions_only_ids: HashSet<String> = completions_only
            .iter()
            .flat_map(|g| g.ids.iter().cloned())
            .collect();
        if let Some(id) = responses_only_ids
            .intersection(&completions_only_ids)
            .next()
        {
            return Err(format!("{id} is both responses-only and completions-only"));
        }

        let mut deprecations = Vec::new();
        let mut deprecation_index = HashMap::new();
        for row in file.deprecation {
            let what = format!(
                "deprecation {}",
                row.ids.first().map(String::as_str).unwrap_or("(no ids)")
            );
            if row.ids.is_empty() {
                return Err(format!("{what}: no ids"));
            }
            require(&format!("{what} source"), &row.source)?;
            if row.confidence == Confidence::C {
                return Err(format!(
                    "{what}: confidence C rows must not ship (list them in the comment block)"
                ));
            }
            let notice = parse_date(&format!("{what} notice"), &row.notice)?;
            let shutdown = parse_date(&format!("{what} shutdown"), &row.shutdown)?;
            if shutdown < notice {
                return Err(format!(
                    "{what}: shutdown {shutdown} is before notice {notice}"
                ));
            }
            if let Some(r) = &row.replacement {
                require(&format!("{what} replacement"), r)?;
            }
            for id in &row.ids {
                check_id(&what, id, false)?;
                if deprecation_index
                    .insert(id.clone(), deprecations.len())
                    .is_some()
                {
                    return Err(format!("{id} is in two deprecation rows"));
                }
            }
            deprecations.push(Deprecation {
                ids: row.ids,
                endpoint: row.endpoint,
                notice,
                shutdown,
                replacement: row.replacement,
                replacement_retrieved: parse_date(
                    &format!("{what} replacement-retrieved"),
                    &row.replacement_retrieved,
                )?,
                source: row.source,
                confidence: row.confidence,
                reviewed: parse_date(&format!("{what} reviewed"), &row.reviewed)?,
                note: row.note,
            });
        }

        let mut known_ids: Vec<String> = endpoints
            .iter()
            .flat_map(|e| e.models.iter())
            .filter(|p| !p.ends_with('*'))
            .chain(
                responses_only
                    .iter()
                    .chain(&completions_only)
                    .chain(&known)
                    .flat_map(|g| g.ids.iter()),
            )
            .chain(deprecations.iter().flat_map(|d| d.ids.iter()))
            .cloned()
            .collect();
        known_ids.sort();
        known_ids.dedup();
        let known_set = known_ids.iter().cloned().collect();
        let known_versions = known_ids
            .iter()
            .map(|id| version_of(split_snapshot(id).0))
            .collect();

        Ok(Models {
            call_names: std::sync::OnceLock::new(),
            deprecations,
            endpoints,
            responses_only,
            completions_only,
            known,
            model_errors,
            deprecation_index,
            responses_only_ids,
            completions_only_ids,
            known_ids,
            known_set,
            known_versions,
        })
    }

    /// The deprecation row naming exactly `id` (case-sensitive). `gpt-4o` does not match
    /// the `gpt-4` row, and a fine-tune id `ft:<base>:…` does not match its base: the
    /// reference does not say how DEP's `ft-<base>` entries map to runtime fine-tune
    /// ids, so those rows only match DEP's own spelling.
    pub fn deprecation(&self, id: &str) -> Option<&Deprecation> {
        self.deprecation_index
            .get(id)
            .map(|&i| &self.deprecations[i])
    }

    pub fn endpoint(&self, family: Family) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.id == family)
    }

    /// True for ids the API accepts on `/v1/responses` only.
    pub fn is_responses_only(&self, id: &str) -> bool {
        self.responses_only_ids.contains(id)
    }

    /// True for ids the API accepts on `/v1/completions` only.
    pub fn is_completions_only(&self, id: &str) -> bool {
        self.completions_only_ids.contains(id)
    }

    /// Every endpoint family that accepts `id`, the model's home family first (its
    /// deprecation row's family, else the first endpoint row that lists it). Empty for
    /// an id the table does not know (another provider's model, an Azure deployment,
    /// a variable). Responses-only and completions-only ids belong to that endpoint
    /// alone; otherwise an endpoint accepts what it lists (exact or `prefix*`), its
    /// deprecation rows' ids and whatever the endpoints it `includes` accept.
    pub fn families_of(&self, id: &str) -> Vec<Family> {
        if self.is_responses_only(id) {
            return vec![Family::Responses];
        }
        if self.is_completions_only(id) {
            return vec![Family::Completions];
        }
        let mut out = Vec::new();
        if let Some(d) = self.deprecation(id) {
            out.push(d.endpoint);
        }
        for e in &self.endpoints {
            if !out.contains(&e.id) && e.lists(id) {
                out.push(e.id);
            }
        }
        let direct = out.clone();
        for e in &self.endpoints {
            if !out.contains(&e.id) && e.includes.iter().any(|f| direct.contains(f)) {
                out.push(e.id);
            }
        }
        out
    }

    /// The model's home family (see [`Models::families_of`]), `None` when unknown.
    pub fn endpoint_of_model(&self, id: &str) -> Option<Family> {
        self.families_of(id).first().copied()
    }

    /// True when `endpoint` accepts `id`. False for ids the table does not know, so
    /// check [`Models::families_of`] is non-empty before calling that a mismatch (or
    /// use [`Models::mismatch`]).
    pub fn accepts(&self, endpoint: Family, id: &str) -> bool {
        self.families_of(id).contains(&endpoint)
    }

    /// `Some` when `id` is a model the table knows and `endpoint` does not accept it,
    /// with the API's error body when the table has one for that pair. `None` for
    /// accepted and for unknown ids.
    pub fn mismatch(&self, endpoint: Family, id: &str) -> Option<Mismatch<'_>> {
        let families = self.families_of(id);
        if families.is_empty() || families.contains(&endpoint) {
            return None;
        }
        let with_error = families
            .iter()
            .find_map(|&f| self.mismatch_error(endpoint, f).map(|e| (f, e)));
        Some(match with_error {
            Some((model_family, error)) => Mismatch {
                model_family,
                error: Some(error),
            },
            None => Mismatch {
                model_family: families[0],
                error: None,
            },
        })
    }

    /// The API's answer when a `model_family` model is sent to `endpoint`, if known.
    pub fn mismatch_error(&self, endpoint: Family, model_family: Family) -> Option<&ApiError> {
        self.endpoint(endpoint)?
            .errors
            .iter()
            .find(|e| e.wrong_model == model_family)
            .map(|e| &e.error)
    }

    /// The API's answer for a shut-down or unknown model.
    pub fn model_error(&self, when: ModelErrorKind) -> Option<&ApiError> {
        self.model_errors
            .iter()
            .find(|e| e.when == when)
            .map(|e| &e.error)
    }

    /// The endpoint a dotted call path reaches: `client.chat.completions.create`,
    /// `openai.ChatCompletion.create`, `openai.createCompletion`. Matching is by whole
    /// dotted segments from the end, longest first, so `chat.completions.create` is
    /// never `completions.create`. openai-python's `with_raw_response` /
    /// `with_streaming_response` segments are skipped.
    pub fn endpoint_for_call(&self, call: &str) -> Option<CallMatch<'_>> {
        let segments: Vec<&str> = call
            .split('.')
            .map(str::trim)
            .filter(|s| *s != "with_raw_response" && *s != "with_streaming_response")
            .collect();
        let mut best: Option<(usize, CallMatch<'_>)> = None;
        for endpoint in &self.endpoints {
            let calls = endpoint
                .sdk_calls
                .iter()
                .map(|c| (c, false))
                .chain(endpoint.legacy_sdk_calls.iter().map(|c| (c, true)));
            for (c, legacy) in calls {
                let want: Vec<&str> = c.split('.').collect();
                if segments.ends_with(&want) && best.is_none_or(|(n, _)| want.len() > n) {
                    best = Some((want.len(), CallMatch { endpoint, legacy }));
                }
            }
        }
        best.map(|(_, m)| m)
    }

    /// Whether `text` may hold an SDK call [`Models::endpoint_for_call`] knows: a
    /// text search that decides whether a parse can find one.
    pub fn may_name_a_call(&self, text: &str) -> bool {
        self.call_names
            .get_or_init(|| call_names(&self.endpoints))
            .is_match(text)
    }

    /// The endpoint a URL or path reaches (`https://api.openai.com/v1/embeddings`,
    /// `/v1/chat/completions?x=1`): the longest endpoint path the URL's path ends with.
    pub fn endpoint_for_path(&self, url: &str) -> Option<&Endpoint> {
        let path = url.split(['?', '#']).next().unwrap_or(url);
        let path = path.trim_end_matches('/');
        self.endpoints
            .iter()
            .flat_map(|e| e.paths.iter().map(move |p| (p, e)))
            .filter(|(p, _)| path.ends_with(p.as_str()))
            .max_by_key(|(p, _)| p.len())
            .map(|(_, e)| e)
    }

    /// True for an id the table knows: any exact id in the file (current, deprecated
    /// or shut down), or an id an endpoint's `prefix*` pattern accepts. Case-sensitive.
    pub fn is_known(&self, id: &str) -> bool {
        self.known_set.contains(id) || self.endpoints.iter().any(|e| e.lists(id))
    }

    /// Every exact known id, sorted.
    pub fn known_ids(&self) -> impl Iterator<Item = &str> {
        self.known_ids.iter().map(String::as_str)
    }

    /// The known id `id` was most likely meant to be, for unknown-model's "did you
    /// mean". `None` for known ids, fine-tune ids (`ft:…`) and ids not close to any
    /// known one.
    ///
    /// The choice is deliberately conservative, because a wrong suggestion on a real
    /// model (a new release, a snapshot keylint's table has not caught up with, an
    /// Azure deployment name) is worse than no suggestion:
    ///
    /// - Ids are compared ASCII-lowercased, so `GPT-4o` suggests `gpt-4o`.
    /// - Only exact known ids are candidates, never `prefix*` patterns.
    /// - A trailing snapshot date (`-2024-08-06`, or the older `-0613`) is never
    ///   "corrected": the id and the candidate must carry the same date (or none), and
    ///   only the part before it is compared. `gpt-4o-2024-08-07` is more likely a
    ///   snapshot we do not know than a typo.
    /// - The distance is Damerau-Levenshtein (a swap of two neighbours counts once) on
    ///   that part: at most 1 edit for ids shorter than 7 characters (`gpt4` →
    ///   `gpt-4`), at most 2 otherwise (`gpt-4-o` → `gpt-4o`, `gpt3.5-turbo` →
    ///   `gpt-3.5-turbo`). Short ids are too dense for 2: `o1` is 2 edits from `o3-`
    ///   anything.
    /// - Version numbers: an edit that changes the id's numbers (its runs of digits and
    ///   dots: `5.5` in `gpt-5.5-mini`) is a different model, not a typo. It is allowed
    ///   only when the name and numbers the user wrote already belong to a known model
    ///   (the letters before the first digit: `gpt` and `5.5` are `gpt-5.5`; `3` in
    ///   `o3` says nothing about `gpt-3`), and even then the major version (the first
    ///   number's integer part) stays as written. So `gpt-5.5-mini` suggests
    ///   `gpt-5.4-mini` (there is a `gpt-5.5`, but no `gpt-5.5-mini`) and `gpt-4-nano`
    ///   suggests `gpt-4.1-nano`, not the nearer `gpt-5-nano`; while `gpt-3` (the old
    ///   family name, never an API id), `gpt-5.7` (no known 5.7: likely newer than the
    ///   table), `gpt-35-turbo` (the Azure spelling; no known `35`) and `o4-pro` (no
    ///   o4 pro; `o3-pro` is another major version) get no suggestion.
    /// - Ties go to the candidate that keeps the numbers, then the longer common
    ///   prefix, then the greater id (usually the newer version).
    pub fn closest_known(&self, id: &str) -> Option<&str> {
        if id.is_empty() || id.starts_with("ft:") || self.is_known(id) {
            return None;
        }
        let lower = id.to_ascii_lowercase();
        if let Some(k) = self.known_set.get(&lower) {
            return Some(k.as_str());
        }
        let (stem, date) = split_snapshot(&lower);
        let runs = numeric_runs(stem);
        let major = major_version(&runs);
        let version_known = self.known_versions.contains(&version_of(stem));
        let max = if lower.chars().count() < 7 { 1 } else { 2 };
        let stem_chars = stem.chars().count();
        self.known_ids
            .iter()
            .filter_map(|cand| {
                let (cstem, cdate) = split_snapshot(cand);
                // The distance is at least the length difference: skip the costly
                // computation for candidates that cannot be close.
                if cdate != date || stem_chars.abs_diff(cstem.chars().count()) > max {
                    return None;
                }
                let d = strsim::damerau_levenshtein(stem, cstem);
                if d == 0 || d > max {
                    return None;
                }
                let cand_runs = numeric_runs(cstem);
                let changed = cand_runs != runs;
                if changed && (!version_known || major_version(&cand_runs) != major) {
                    return None;
                }
                let prefix = stem
                    .bytes()
                    .zip(cstem.bytes())
                    .take_while(|(a, b)| a == b)
                    .count();
                Some(((d, changed, Reverse(prefix), Reverse(cand.as_str())), cand))
            })
            .min_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, cand)| cand.as_str())
    }
}

fn api_error(what: &str, row: ErrorRow) -> Result<ApiError, String> {
    require(&format!("{what} error message"), &row.message)?;
    require(&format!("{what} error type"), &row.kind)?;
    require(&format!("{what} error source"), &row.source)?;
    if !(400..=599).contains(&row.status) {
        return Err(format!(
            "{what}: error status {} is not 4xx/5xx",
            row.status
        ));
    }
    Ok(ApiError {
        status: row.status,
        message: row.message,
        kind: row.kind,
        code: row.code,
        param: row.param,
        source: row.source,
        confidence: row.confidence,
        note: row.note,
    })
}

fn id_groups(what: &str, rows: Vec<IdsRow>) -> Result<Vec<IdGroup>, String> {
    rows.into_iter()
        .map(|row| {
            require(&format!("{what} source"), &row.source)?;
            if row.ids.is_empty() {
                return Err(format!("{what}: a row has no ids"));
            }
            for id in &row.ids {
                check_id(what, id, false)?;
            }
            Ok(IdGroup {
                ids: row.ids,
                source: row.source,
                confidence: row.confidence,
                reviewed: parse_date(&format!("{what} reviewed"), &row.reviewed)?,
                note: row.note,
            })
        })
        .collect()
}

/// A model id has no whitespace; a pattern may end in one `*` after a non-empty prefix.
fn check_id(what: &str, id: &str, pattern_ok: bool) -> Result<(), String> {
    let bare = if pattern_ok {
        id.strip_suffix('*').unwrap_or(id)
    } else {
        id
    };
    if bare.is_empty() || bare.contains('*') || bare.chars().any(char::is_whitespace) {
        return Err(format!("{what}: bad model id `{id}`"));
    }
    Ok(())
}

fn pattern_matches(pattern: &str, id: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => id.starts_with(prefix),
        None => pattern == id,
    }
}

/// Split a trailing snapshot date (`-2024-08-06`, or the older 4-digit `-0613`) off
/// an id: `("gpt-4o", Some("2024-08-06"))`.
fn split_snapshot(id: &str) -> (&str, Option<&str>) {
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    let n = id.len();
    if n > 11
        && let (Some(head), Some(tail)) = (id.get(..n - 11), id.get(n - 11..))
    {
        let t = tail.as_bytes();
        if t[0] == b'-'
            && t[5] == b'-'
            && t[8] == b'-'
            && digits(&t[1..5])
            && digits(&t[6..8])
            && digits(&t[9..])
        {
            return (head, Some(&tail[1..]));
        }
    }
    if n > 5
        && let (Some(head), Some(tail)) = (id.get(..n - 5), id.get(n - 5..))
        && tail.as_bytes()[0] == b'-'
        && digits(&tail.as_bytes()[1..])
    {
        return (head, Some(&tail[1..]));
    }
    (id, None)
}

/// The runs of digits and inner dots in `s`: `["5.5"]` for `gpt-5.5-mini`,
/// `["4", "32"]` for `gpt-4-32k`.
fn numeric_runs(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit() {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_digit()
                    || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
            {
                i += 1;
            }
            out.push(&s[start..i]);
        } else {
            i += 1;
        }
    }
    out
}

/// An id's name and numbers: the letters before its first digit (`gpt` for
/// `gpt-5.5-mini` and `gpt4o`, `o` for `o3`) and its numeric runs. Two ids with the
/// same version are the same release line.
fn version_of(stem: &str) -> (String, Vec<String>) {
    let name = stem
        .chars()
        .take_while(|c| !c.is_ascii_digit())
        .filter(char::is_ascii_alphabetic)
        .collect();
    let runs = numeric_runs(stem).into_iter().map(str::to_owned).collect();
    (name, runs)
}

/// The integer part of the first numeric run: `5` for `["5.5"]`, `None` for no numbers.
fn major_version<'a>(runs: &[&'a str]) -> Option<&'a str> {
    runs.first().map(|r| r.split('.').next().unwrap_or(r))
}

/// See [`Models::call_names`].
fn call_names(endpoints: &[Endpoint]) -> regex::Regex {
    let mut names: Vec<String> = endpoints
        .iter()
        .flat_map(|e| e.sdk_calls.iter().chain(&e.legacy_sdk_calls))
        .map(|call| {
            let segments: Vec<&str> = call.split('.').collect();
            let tail = &segments[segments.len().saturating_sub(2)..];
            tail.iter()
                .map(|s| regex::escape(s))
                .collect::<Vec<_>>()
                .join(r"\s*\.\s*")
        })
        .collect();
    names.sort();
    names.dedup();
    // Each name is escaped, so the pattern always compiles.
    regex::Regex::new(&format!("(?-u:\\b)(?:{})(?-u:\\b)", names.join("|")))
        .expect("escaped call names")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_calls_are_found_in_text_across_line_breaks() {
        let m = Models::builtin();
        for call in [
            "client.chat.completions.create(model=m)",
            "await client.chat.completions\n    .create(model=m)",
            "openai.ChatCompletion.acreate(model=m)",
            "openai.createChatCompletion({ model })",
            "client.embeddings.create(input=x)",
        ] {
            assert!(m.may_name_a_call(call), "{call}");
        }
        for other in [
            "db.users.create(name=x)",
            "from litellm.types.llms.openai import X",
        ] {
            assert!(!m.may_name_a_call(other), "{other}");
        }
    }

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn table_loads() {
        let m = Models::builtin();
        assert!(m.deprecations.len() > 40);
        assert!(m.endpoints.len() >= 9);
        assert!(!m.responses_only.is_empty() && !m.completions_only.is_empty());
        assert!(m.model_error(ModelErrorKind::ShutDown).is_some());
        assert!(m.model_error(ModelErrorKind::Unknown).is_some());
        for family in [
            Family::Chat,
            Family::Responses,
            Family::Completions,
            Family::Embeddings,
            Family::Images,
            Family::AudioTranscription,
            Family::AudioSpeech,
            Family::Moderation,
            Family::Realtime,
        ] {
            assert!(m.endpoint(family).is_some(), "no endpoint row for {family}");
        }
    }

    #[test]
    fn every_row_is_sourced_dated_and_shipped_only_at_a_or_b() {
        let m = Models::builtin();
        let mut seen = HashSet::new();
        for d in &m.deprecations {
            assert!(d.shutdown >= d.notice, "{:?}", d.ids);
            assert_ne!(d.confidence, Confidence::C, "{:?}", d.ids);
            assert!(!d.source.trim().is_empty());
            assert_eq!(d.reviewed, date("2026-11-25"));
            for id in &d.ids {
                assert!(seen.insert(id.clone()), "{id} is in two deprecation rows");
            }
        }
    }

    #[test]
    fn deprecation_facts_from_the_reference() {
        let m = Models::builtin();
        let turbo = m.deprecation("gpt-3.5-turbo").unwrap();
        assert_eq!(turbo.shutdown, date("2026-10-23"));
        assert_eq!(turbo.notice, date("2026-04-22"));
        assert_eq!(turbo.replacement.as_deref(), Some("gpt-5.4-mini"));
        assert_eq!(turbo.replacement_retrieved, date("2026-06-27"));

        let davinci = m.deprecation("text-davinci-003").unwrap();
        assert_eq!(davinci.shutdown, date("2024-01-04"));
        assert_eq!(davinci.endpoint, Family::Completions);
        assert_eq!(davinci.phase(date("2026-11-25")), Phase::ShutDown);

        // Listed twice on DEP: the later, confirmed row is kept.
        assert_eq!(
            m.deprecation("code-davinci-002").unwrap().shutdown,
            date("2024-01-04")
        );
        assert_eq!(
            m.deprecation("gpt-4-32k-0314").unwrap().notice,
            date("2024-06-06")
        );
        assert_eq!(
            m.deprecation("gpt-4-1106-preview").unwrap().shutdown,
            date("2026-10-23")
        );
        // Revised dates: the current one.
        assert_eq!(
            m.deprecation("gpt-3.5-turbo-0613").unwrap().shutdown,
            date("2024-09-13")
        );
        // Imprecise notice: first of the month, explained in the note.
        let preview = m.deprecation("gpt-4o-realtime-preview").unwrap();
        assert_eq!(preview.notice, date("2025-09-01"));
        assert!(preview.note.as_deref().unwrap().contains("2025-09"));
        // Upcoming at the test date.
        assert_eq!(
            m.deprecation("gpt-5").unwrap().phase(date("2026-11-25")),
            Phase::Deprecated
        );
        assert_eq!(
            m.deprecation("gpt-5").unwrap().phase(date("2026-06-10")),
            Phase::Active
        );
        // The shutdown day itself still counts as deprecated, not shut down.
        assert_eq!(turbo.phase(date("2026-10-23")), Phase::Deprecated);
        assert!(m.deprecation("sora-2").unwrap().replacement.is_none());
    }

    #[test]
    fn matching_is_exact() {
        let m = Models::builtin();
        assert!(m.deprecation("gpt-4").is_some());
        assert!(m.deprecation("gpt-4o").is_none(), "a prefix must not match");
        assert!(m.deprecation("gpt-4o-mini").is_none());
        assert!(m.deprecation("gpt-4o-2024-08-06").is_none());
        assert!(m.deprecation("gpt-4o-2024-05-13").is_some());
        assert!(m.deprecation("GPT-4").is_none(), "case-sensitive");
        assert!(m.deprecation("ft:gpt-4-0613:acme::abc123").is_none());
        assert!(m.deprecation("ft-gpt-4").is_some(), "DEP's own spelling");
        // C rows are not shipped.
        assert!(m.deprecation("tts-1").is_none());
        assert!(m.deprecation("whisper-1").is_none());
        assert!(m.deprecation("gpt-4o-2024-11-20").is_none());
    }

    #[test]
    fn known_ids() {
        let m = Models::builtin();
        for id in [
            "gpt-4o",
            "gpt-5.6-sol",
            "o3-pro",
            "text-embedding-3-small",
            "text-davinci-003",
            "whisper-1",
            "gpt-realtime-whisper",
            "gpt-4o-mini-tts-2025-03-20",
        ] {
            assert!(m.is_known(id), "{id}");
        }
        // Through a `prefix*` pattern only.
        assert!(m.is_known("gpt-4o-realtime-preview-2099-01-01"));
        assert!(!m.is_known("gpt-4-o"));
        assert!(!m.is_known("claude-sonnet-4-5"));
        assert!(!m.is_known("GPT-4o"));
    }

    #[test]
    fn closest_known() {
        let m = Models::builtin();
        let closest = |id| m.closest_known(id);
        assert_eq!(closest("gpt-4-o"), Some("gpt-4o"));
        assert_eq!(closest("gpt4o"), Some("gpt-4o"));
        assert_eq!(closest("gpt3.5-turbo"), Some("gpt-3.5-turbo"));
        assert_eq!(closest("gpt-4o-mnii"), Some("gpt-4o-mini"));
        assert_eq!(closest("GPT-4o"), Some("gpt-4o"));
        assert_eq!(closest("gpt-5.5-mini"), Some("gpt-5.4-mini"));
        assert_eq!(
            closest("gpt-4-mini"),
            Some("gpt-4o-mini"),
            "keep the numbers"
        );
        assert_eq!(
            closest("gpt4o-mini-2024-07-18"),
            Some("gpt-4o-mini-2024-07-18")
        );
        // Known ids, fine-tunes, dates, unknown versions, Azure names, other providers.
        assert_eq!(closest("gpt-4o"), None);
        assert_eq!(closest("ft:gpt-4o-mini-2024-07-18:acme::abc123"), None);
        assert_eq!(closest("gpt-4o-2024-08-07"), None);
        assert_eq!(closest("gpt-5.7"), None);
        assert_eq!(closest("gpt-35-turbo"), None);
        // An old family name, not a typo: `3` is known only in other names (`o3`,
        // `text-embedding-3-small`), and gpt-4 / gpt-5 are other major versions.
        assert_eq!(closest("gpt-3"), None);
        assert_eq!(closest("GPT-3"), None);
        assert_eq!(closest("o4-pro"), None, "o3-pro is another major version");
        assert_eq!(
            closest("gpt-4-nano"),
            Some("gpt-4.1-nano"),
            "the nearer gpt-5-nano changes the major version"
        );
        assert_eq!(closest("claude-sonnet-4-5"), None);
        assert_eq!(closest("llama-3.1-8b-instant"), None);
        assert_eq!(closest("my-deployment"), None);
        assert_eq!(closest(""), None);
    }

    #[test]
    fn endpoints_accept_their_models() {
        let m = Models::builtin();
        assert!(m.accepts(Family::Chat, "gpt-4o"));
        assert!(m.accepts(Family::Responses, "gpt-4o"));
        assert!(!m.accepts(Family::Completions, "gpt-4o"));
        assert!(!m.accepts(Family::Embeddings, "gpt-4o"));
        assert!(m.accepts(Family::Responses, "o3-pro"));
        assert!(!m.accepts(Family::Chat, "o3-pro"));
        assert!(
            !m.accepts(Family::Chat, "codex-mini-latest"),
            "SDK literal overruled"
        );
        assert!(m.accepts(Family::Completions, "gpt-3.5-turbo-instruct"));
        assert!(!m.accepts(Family::Chat, "gpt-3.5-turbo-instruct"));
        assert!(m.accepts(Family::Completions, "text-davinci-003"));
        assert!(m.accepts(Family::Embeddings, "text-embedding-3-small"));
        assert!(m.accepts(Family::AudioSpeech, "gpt-4o-mini-tts-2025-03-20"));
        assert!(
            m.accepts(Family::Chat, "gpt-4.5-preview"),
            "via its deprecation row"
        );
        assert!(
            m.accepts(Family::Responses, "gpt-4.5-preview"),
            "via includes"
        );
        assert_eq!(m.endpoint_of_model("gpt-4o"), Some(Family::Chat));
        assert_eq!(m.endpoint_of_model("o3-pro"), Some(Family::Responses));
        assert_eq!(m.endpoint_of_model("dall-e-3"), Some(Family::Images));
        assert_eq!(m.endpoint_of_model("claude-sonnet-4-5"), None);
    }

    #[test]
    fn mismatches_carry_the_api_error() {
        let m = Models::builtin();
        let on = |e, id| m.mismatch(e, id).and_then(|x| x.error).map(|e| e.status);
        let msg = |e, id| m.mismatch(e, id).unwrap().error.unwrap().message.clone();
        assert!(msg(Family::Completions, "gpt-4o").starts_with("This is a chat model"));
        assert!(msg(Family::Chat, "gpt-5-pro").contains("only supported in v1/responses"));
        assert!(msg(Family::Chat, "gpt-3.5-turbo-instruct").contains("not a chat model"));
        assert_eq!(on(Family::Embeddings, "gpt-4o"), Some(403));
        assert!(m.mismatch(Family::Chat, "gpt-4o").is_none());
        assert!(m.mismatch(Family::Chat, "my-azure-deployment").is_none());
        let images = m.mismatch(Family::Chat, "dall-e-3").unwrap();
        assert_eq!(images.model_family, Family::Images);
        assert!(images.error.is_none(), "no verbatim body for that pair");
        let shut = m.model_error(ModelErrorKind::ShutDown).unwrap();
        assert!(
            shut.message_for("text-davinci-003")
                .contains("`text-davinci-003`")
        );
    }

    #[test]
    fn calls_and_paths_find_their_endpoint() {
        let m = Models::builtin();
        let call = |c| m.endpoint_for_call(c).map(|x| (x.endpoint.id, x.legacy));
        assert_eq!(
            call("client.chat.completions.create"),
            Some((Family::Chat, false))
        );
        assert_eq!(
            call("client.completions.create"),
            Some((Family::Completions, false))
        );
        assert_eq!(
            call("client.chat.completions.with_raw_response.create"),
            Some((Family::Chat, false))
        );
        assert_eq!(
            call("openai.ChatCompletion.create"),
            Some((Family::Chat, true))
        );
        assert_eq!(
            call("openai.Completion.acreate"),
            Some((Family::Completions, true))
        );
        assert_eq!(
            call("openai.createChatCompletion"),
            Some((Family::Chat, true))
        );
        assert_eq!(
            call("client.beta.chat.completions.parse"),
            Some((Family::Chat, false))
        );
        assert_eq!(
            call("client.responses.create"),
            Some((Family::Responses, false))
        );
        assert_eq!(
            call("client.images.generate"),
            Some((Family::Images, false))
        );
        assert_eq!(call("foo.create"), None);
        let path = |p| m.endpoint_for_path(p).map(|e| e.id);
        assert_eq!(
            path("https://api.openai.com/v1/chat/completions"),
            Some(Family::Chat)
        );
        assert_eq!(path("/v1/completions"), Some(Family::Completions));
        assert_eq!(
            path("https://api.openai.com/v1/embeddings?x=1"),
            Some(Family::Embeddings)
        );
        assert_eq!(path("/v1/realtime/calls"), Some(Family::Realtime));
        assert_eq!(path("https://example.com/v1/models"), None);
    }

    #[test]
    fn bad_tables_are_rejected() {
        let row = |confidence: &str, notice: &str, shutdown: &str| {
            format!(
                "[[deprecation]]\nids = [\"x-1\"]\nendpoint = \"chat\"\nnotice = \"{notice}\"\n\
                 shutdown = \"{shutdown}\"\nreplacement-retrieved = \"2026-06-27\"\n\
                 source = \"DEP\"\nconfidence = \"{confidence}\"\nreviewed = \"2026-11-25\"\n"
            )
        };
        assert!(Models::parse(&row("B", "2026-01-01", "2026-02-01")).is_ok());
        let c = Models::parse(&row("C", "2026-01-01", "2026-02-01")).unwrap_err();
        assert!(c.contains("must not ship"), "{c}");
        let order = Models::parse(&row("A", "2026-03-01", "2026-02-01")).unwrap_err();
        assert!(order.contains("before notice"), "{order}");
        let twice = format!(
            "{}{}",
            row("A", "2026-01-01", "2026-02-01"),
            row("B", "2026-01-01", "2026-03-01")
        );
        assert!(
            Models::parse(&twice)
                .unwrap_err()
                .contains("two deprecation rows")
        );
        assert!(Models::parse(&row("B", "2026-1-1", "2026-02-01")).is_err());
        assert!(
            Models::parse(&format!(
                "{}extra = 1\n",
                row("B", "2026-01-01", "2026-02-01")
            ))
            .is_err()
        );
    }

    #[test]
    fn snapshot_and_number_helpers() {
        assert_eq!(
            split_snapshot("gpt-4o-2024-08-06"),
            ("gpt-4o", Some("2024-08-06"))
        );
        assert_eq!(split_snapshot("gpt-4-0613"), ("gpt-4", Some("0613")));
        assert_eq!(split_snapshot("davinci-002"), ("davinci-002", None));
        assert_eq!(split_snapshot("gpt-4o"), ("gpt-4o", None));
        assert_eq!(split_snapshot("é-2024-08-06"), ("é", Some("2024-08-06")));
        assert_eq!(numeric_runs("gpt-5.5-mini"), ["5.5"]);
        assert_eq!(numeric_runs("gpt-4-32k"), ["4", "32"]);
        assert_eq!(numeric_runs("gpt-5."), ["5"]);
        assert!(numeric_runs("davinci").is_empty());
    }
}
