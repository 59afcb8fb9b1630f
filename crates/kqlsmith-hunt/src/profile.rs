//! Hunt profiles: the hunt model written in TOML (`profiles/hunts/*.toml`), changed from the
//! command line with `--set KEY=VALUE`, and the errors that say where a profile is wrong.
//!
//! Every key of a profile is required, so that a profile names every knob of the hunt and the
//! shipped default profile lists every key that `--set` may change.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::model::{Hunt, HuntKind, HuntModel, KindVisitor};

/// Where the default profile lives in the source tree; it is also embedded in the binary.
pub const DEFAULT_PROFILE_PATH: &str = "profiles/hunts/internal-connections.toml";

/// The text of the default profile (the hardened hunt).
pub const DEFAULT_PROFILE: &str = include_str!("../data/hunts/internal-connections.toml");

/// The profiles shipped with kqlsmith, embedded in the binary: `(name, path in the source
/// tree, TOML text)`, in name order. The name is the file name without `.toml`; the build
/// script lists every file of `data/hunts/` (the top-level `profiles/hunts/`).
pub const SHIPPED: &[(&str, &str, &str)] = include!(concat!(env!("OUT_DIR"), "/hunts.rs"));

/// The shipped profile that lists every key of a hunt kind, the one named like the kind:
/// `--set` accepts its keys for every profile of that kind.
pub fn reference_profile(kind: HuntKind) -> &'static str {
    SHIPPED
        .iter()
        .find(|(shipped, _, _)| *shipped == kind.as_str())
        .map(|(_, _, text)| *text)
        .expect("every hunt kind has a shipped reference profile")
}

/// A change to one value of a profile, made on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// The dotted key: `device.match`.
    pub key: String,
    /// The value as typed. A string key takes it as is; other keys read it as a TOML value,
    /// and list keys also take comma-separated items (`ConnectionSuccess,ConnectionFailed`).
    pub value: String,
    /// How the user wrote it, for messages: `--set device.match=x` or `--window 48 hours`.
    pub origin: String,
    /// Whether a profile without the key is left as it is rather than refused: `--device`
    /// applies to the hunts of one device, and a detection over every device has none.
    pub only_where_present: bool,
}

impl Override {
    /// An override of `key` written as `origin` on the command line.
    pub fn new(
        key: impl Into<String>,
        value: impl Into<String>,
        origin: impl Into<String>,
    ) -> Self {
        Override {
            key: key.into(),
            value: value.into(),
            origin: origin.into(),
            only_where_present: false,
        }
    }

    /// An override of `key` that profiles without the key ignore.
    pub fn where_present(
        key: impl Into<String>,
        value: impl Into<String>,
        origin: impl Into<String>,
    ) -> Self {
        Override {
            only_where_present: true,
            ..Override::new(key, value, origin)
        }
    }

    /// Reads `KEY=VALUE`, as given to `--set`.
    pub fn from_assignment(text: &str) -> Result<Override, ProfileError> {
        match text.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => {
                Ok(Override::new(key.trim(), value, format!("--set {text}")))
            }
            _ => Err(ProfileError::MalformedAssignment {
                text: text.to_string(),
            }),
        }
    }
}

/// A profile that cannot be used, and where it is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read profile {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "cannot read profile {given}: there is no such file, and no profile shipped with kqlsmith has that name ({})",
        shipped_names().join(", ")
    )]
    NotFound { given: String },
    #[error("{0}")]
    Invalid(Box<InvalidProfile>),
    #[error("{origin}: invalid value for `{field}`: {message}")]
    InvalidOverride {
        origin: String,
        field: String,
        message: String,
    },
    #[error("{origin}: {problem}; valid keys: {}", .valid.join(", "))]
    UnknownKey {
        origin: String,
        problem: String,
        valid: Vec<String>,
    },
    #[error("--set {text}: expected KEY=VALUE, such as --set device.match=case-insensitive")]
    MalformedAssignment { text: String },
}

/// A profile file that is not valid TOML or not a valid hunt, with the place of the error.
#[derive(Debug)]
pub struct InvalidProfile {
    /// The file name, or `<embedded>/…` for the profile built into the binary.
    pub origin: String,
    /// The whole text of the profile, for source snippets.
    pub source: String,
    /// Byte range of the offending text, where known.
    pub span: Option<Range<usize>>,
    /// The dotted field, where known: `search.window`.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl InvalidProfile {
    /// One-based line and column of the start of the span.
    pub fn line_column(&self) -> Option<(usize, usize)> {
        let start = self.span.as_ref()?.start.min(self.source.len());
        let before = &self.source[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = self.source[line_start..start].chars().count() + 1;
        Some((line, column))
    }
}

impl std::fmt::Display for InvalidProfile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid profile {}", self.origin)?;
        if let Some((line, column)) = self.line_column() {
            write!(f, ", line {line}, column {column}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Loads the profile at `path` and applies `overrides`.
pub fn load_file(path: &Path, overrides: &[Override]) -> Result<Hunt, ProfileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Io {
        path: path.display().to_string(),
        source,
    })?;
    load(&text, &path.display().to_string(), overrides)
}

/// Loads the default profile embedded in the binary and applies `overrides`.
pub fn load_default(overrides: &[Override]) -> Result<Hunt, ProfileError> {
    load(
        DEFAULT_PROFILE,
        &format!("<embedded>/{DEFAULT_PROFILE_PATH}"),
        overrides,
    )
}

/// The names of the shipped profiles.
pub fn shipped_names() -> Vec<&'static str> {
    SHIPPED.iter().map(|(name, _, _)| *name).collect()
}

/// Loads the shipped profile called `name` (see [`SHIPPED`]) and applies `overrides`; `None`
/// when no shipped profile has that name.
pub fn load_shipped(name: &str, overrides: &[Override]) -> Option<Result<Hunt, ProfileError>> {
    let (_, path, text) = SHIPPED.iter().find(|(shipped, _, _)| *shipped == name)?;
    Some(load(text, &format!("<embedded>/{path}"), overrides))
}

/// Reads a profile from TOML `text` (`origin` names it in messages) and applies `overrides`
/// in order. `hunt.kind` says which hunt the profile describes.
pub fn load(text: &str, origin: &str, overrides: &[Override]) -> Result<Hunt, ProfileError> {
    let invalid = |span: Option<Range<usize>>, field: Option<String>, message: String| {
        ProfileError::Invalid(Box::new(InvalidProfile {
            origin: origin.to_string(),
            source: text.to_string(),
            span,
            field,
            message,
        }))
    };
    let mut root = DeTable::parse(text).map_err(|e| invalid(e.span(), None, e.message().into()))?;
    let kind = kind_of_profile(root.get_ref())
        .map_err(|(span, message)| invalid(span, Some("hunt.kind".to_string()), message))?;
    let valid = keys(kind);
    for change in overrides {
        apply(root.get_mut(), change, kind, &valid)?;
    }
    let deserializer = toml::de::Deserializer::from(root);
    kind.visit(ReadModel(deserializer)).map_err(|e| {
        let field = dotted(e.path());
        let message = e.inner().message().to_string();
        let overridden = overrides.iter().rev().find(|change| {
            field == change.key
                || field.starts_with(&format!("{}.", change.key))
                || field.starts_with(&format!("{}[", change.key))
        });
        match overridden {
            Some(change) => ProfileError::InvalidOverride {
                origin: change.origin.clone(),
                field,
                message,
            },
            None => invalid(
                e.inner().span(),
                Some(field).filter(|f| !f.is_empty()),
                message,
            ),
        }
    })
}

/// Reads a profile's tables into the model of its hunt kind.
struct ReadModel<'a>(toml::de::Deserializer<'a>);

impl KindVisitor for ReadModel<'_> {
    type Output = Result<Hunt, serde_path_to_error::Error<toml::de::Error>>;

    fn visit<H: HuntModel>(self) -> Self::Output {
        serde_path_to_error::deserialize::<_, H>(self.0).map(Into::into)
    }
}

/// The hunt kind a parsed profile names in `hunt.kind`, or the place and text of the problem.
fn kind_of_profile(root: &DeTable<'_>) -> Result<HuntKind, (Option<Range<usize>>, String)> {
    let missing = || {
        let known: Vec<&str> = HuntKind::ALL.iter().map(|k| k.as_str()).collect();
        format!(
            "missing field `kind`: every profile names its hunt in [hunt], one of {}",
            known.join(", ")
        )
    };
    let hunt = match root.get("hunt") {
        Some(value) => value,
        None => return Err((None, missing())),
    };
    let DeValue::Table(table) = hunt.get_ref() else {
        return Err((Some(hunt.span()), "`hunt` must be a table".to_string()));
    };
    let Some(kind) = table.get("kind") else {
        return Err((Some(hunt.span()), missing()));
    };
    match kind.get_ref() {
        DeValue::String(name) => name
            .parse::<HuntKind>()
            .map_err(|message| (Some(kind.span()), message)),
        _ => Err((
            Some(kind.span()),
            "`hunt.kind` must be a string".to_string(),
        )),
    }
}

/// Every key `--set` accepts in a profile of `kind`: the keys of the kind's reference profile
/// whose values are not tables (a list counts as one value), except `hunt.kind`, which a
/// profile cannot change.
pub fn keys(kind: HuntKind) -> Vec<String> {
    let root = DeTable::parse(reference_profile(kind)).expect("a shipped profile is TOML");
    let mut keys = Vec::new();
    collect_keys(root.get_ref(), "", &mut keys);
    keys.retain(|key| key != "hunt.kind");
    keys
}

fn collect_keys(table: &DeTable<'_>, prefix: &str, keys: &mut Vec<String>) {
    for (key, value) in table.iter() {
        let path = format!("{prefix}{}", key.get_ref());
        match value.get_ref() {
            DeValue::Table(inner) => collect_keys(inner, &format!("{path}."), keys),
            _ => keys.push(path),
        }
    }
}

/// The valid key nearest to a mistyped one, when it is near enough to be what was meant:
/// most of it alike (a typo, a missing letter), or the same last part under another table.
fn closest_key<'k>(given: &str, valid: &'k [String]) -> Option<&'k str> {
    let leaf = |key: &str| key.rsplit('.').next().unwrap_or(key).to_string();
    valid
        .iter()
        .map(|key| {
            let whole = strsim::jaro_winkler(given, key);
            let last = if leaf(given) == leaf(key) { 0.9 } else { 0.0 };
            (whole.max(last), key.as_str())
        })
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, key)| key)
}

/// Sets one value of the parsed profile.
fn apply<'i>(
    root: &mut DeTable<'i>,
    change: &'i Override,
    kind: HuntKind,
    valid: &[String],
) -> Result<(), ProfileError> {
    if !valid.contains(&change.key) {
        if change.only_where_present {
            return Ok(());
        }
        let inside: Vec<String> = valid
            .iter()
            .filter(|k| k.starts_with(&format!("{}.", change.key)))
            .cloned()
            .collect();
        let problem = if !inside.is_empty() {
            format!(
                "`{}` is a table of the {kind} hunt's profile, not a value: set one of its keys",
                change.key
            )
        } else if let Some(near) = closest_key(&change.key, valid) {
            format!(
                "the {kind} hunt's profile has no key `{}`; did you mean `{near}`?",
                change.key
            )
        } else {
            format!("the {kind} hunt's profile has no key `{}`", change.key)
        };
        return Err(ProfileError::UnknownKey {
            origin: change.origin.clone(),
            problem,
            valid: if inside.is_empty() {
                valid.to_vec()
            } else {
                inside
            },
        });
    }
    let (parents, leaf) = match change.key.rsplit_once('.') {
        Some((parents, leaf)) => (parents.split('.').collect::<Vec<_>>(), leaf),
        None => (Vec::new(), change.key.as_str()),
    };
    let mut table = root;
    for name in parents {
        if !matches!(
            table.get(name).map(Spanned::get_ref),
            Some(DeValue::Table(_))
        ) {
            table.insert(
                synthetic(DeString::Borrowed(name)),
                synthetic(DeValue::Table(DeTable::new())),
            );
        }
        table = match table.get_mut(name).map(Spanned::get_mut) {
            Some(DeValue::Table(inner)) => inner,
            _ => unreachable!("the table was just inserted"),
        };
    }
    // The reference profile says what kind of value the key holds.
    let reference = DeTable::parse(reference_profile(kind)).expect("a shipped profile is TOML");
    let value_kind = lookup(reference.get_ref(), &change.key).map(kind_of);
    let value =
        convert(&change.value, value_kind).map_err(|message| ProfileError::InvalidOverride {
            origin: change.origin.clone(),
            field: change.key.clone(),
            message,
        })?;
    table.insert(synthetic(DeString::Borrowed(leaf)), synthetic(value));
    Ok(())
}

/// The kinds of value a key may hold, as far as reading `--set` text is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ValueKind {
    String,
    List,
    Other,
}

fn kind_of(value: &DeValue<'_>) -> ValueKind {
    match value {
        DeValue::String(_) => ValueKind::String,
        DeValue::Array(_) => ValueKind::List,
        _ => ValueKind::Other,
    }
}

fn lookup<'a, 'i>(table: &'a DeTable<'i>, key: &str) -> Option<&'a DeValue<'i>> {
    let (head, rest) = match key.split_once('.') {
        Some((head, rest)) => (head, Some(rest)),
        None => (key, None),
    };
    let value = table.get(head)?.get_ref();
    match (rest, value) {
        (None, value) => Some(value),
        (Some(rest), DeValue::Table(inner)) => lookup(inner, rest),
        _ => None,
    }
}

/// Turns `--set` text into a TOML value of the kind the key holds.
fn convert(text: &str, kind: Option<ValueKind>) -> Result<DeValue<'_>, String> {
    match kind {
        // A string key takes the text as typed: no quoting needed, and nothing in it is
        // interpreted (a device name may contain anything).
        Some(ValueKind::String) => Ok(DeValue::String(DeString::Borrowed(text))),
        Some(ValueKind::List) if !text.trim_start().starts_with('[') => {
            let mut items = toml::de::DeArray::new();
            for item in text
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
            {
                items.push(synthetic(scalar(item)));
            }
            Ok(DeValue::Array(items))
        }
        Some(ValueKind::List) => DeValue::parse(text)
            .map(Spanned::into_inner)
            .map_err(|e| format!("`{text}` is not a TOML list: {}", e.message())),
        Some(ValueKind::Other) | None => Ok(scalar(text)),
    }
}

/// A number or boolean when the text reads as one, else the text as a string.
fn scalar(text: &str) -> DeValue<'_> {
    match DeValue::parse(text).map(Spanned::into_inner) {
        Ok(value @ (DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_))) => value,
        _ => DeValue::String(DeString::Borrowed(text)),
    }
}

/// A value that comes from the command line, not from the file: it has no place in the file.
fn synthetic<T>(value: T) -> Spanned<T> {
    Spanned::new(0..0, value)
}

/// `search.action_types[1]`, from serde_path_to_error's path.
fn dotted(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            serde_path_to_error::Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            serde_path_to_error::Segment::Map { key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::internal_connections::ActionType;
    use crate::model::{AddressSelection, DeviceMatch, InternalConnections};

    const CLASSIC: &str = include_str!("../data/hunts/internal-connections-classic.toml");

    fn set(key: &str, value: &str) -> Override {
        Override::new(key, value, format!("--set {key}={value}"))
    }

    /// The internal-connections hunt of a loaded profile.
    fn connections(hunt: Hunt) -> InternalConnections {
        match hunt {
            Hunt::InternalConnections(hunt) => hunt,
            other => panic!(
                "expected an internal-connections hunt, got {:?}",
                other.kind()
            ),
        }
    }

    fn invalid(err: ProfileError) -> InvalidProfile {
        match err {
            ProfileError::Invalid(invalid) => *invalid,
            other => panic!("expected an invalid profile, got {other}"),
        }
    }

    #[test]
    fn an_override_where_present_leaves_other_profiles_alone() {
        let device = Override::where_present("device.name", "ws-1", "--device ws-1");
        let detection = load_shipped(
            "internal-connections-detection",
            std::slice::from_ref(&device),
        )
        .unwrap()
        .unwrap();
        assert!(detection.device().is_none());
        let hunt = load_default(std::slice::from_ref(&device)).unwrap();
        assert_eq!(hunt.device().unwrap().name.as_str(), "ws-1");
        let strict = Override::new("device.name", "ws-1", "--set device.name=ws-1");
        assert!(matches!(
            load_shipped("internal-connections-detection", &[strict]).unwrap(),
            Err(ProfileError::UnknownKey { .. })
        ));
    }

    #[test]
    fn shipped_profiles_load() {
        let hardened = connections(load_default(&[]).unwrap());
        assert_eq!(hardened.hunt.name.as_str(), "internal-connections");
        assert_eq!(hardened.device.matching, DeviceMatch::HostName);
        assert_eq!(hardened.remote_device.addresses, AddressSelection::All);
        let classic = connections(load(CLASSIC, "classic.toml", &[]).unwrap());
        assert_eq!(classic.hunt.name.as_str(), "internal-connections-classic");
        assert_eq!(classic.device.matching, DeviceMatch::Exact);
        assert_eq!(classic.remote_device.addresses, AddressSelection::FirstIpv4);
        // Both keep the published placeholder, so that the rendered `let` reads as published.
        assert_eq!(hardened.device.name.as_str(), "compromiseddevice");
        assert_eq!(classic.device.name.as_str(), "compromiseddevice");
    }

    #[test]
    fn shipped_profiles_load_by_name() {
        let classic = load_shipped("internal-connections-classic", &[])
            .unwrap()
            .unwrap();
        assert_eq!(classic, load(CLASSIC, "x", &[]).unwrap());
        let default = load_shipped("internal-connections", &[]).unwrap().unwrap();
        assert_eq!(default, load_default(&[]).unwrap());
        assert!(load_shipped("nope", &[]).is_none());
        // Every file in profiles/hunts is shipped.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/hunts");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let mut shipped: Vec<String> = SHIPPED.iter().map(|(n, _, _)| n.to_string()).collect();
        shipped.sort();
        assert_eq!(files, shipped);
    }

    #[test]
    fn every_shipped_profile_has_exactly_the_keys_set_accepts() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/hunts");
        let mut count = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                let text = std::fs::read_to_string(&path).unwrap();
                let root = DeTable::parse(&text).unwrap();
                let mut found = Vec::new();
                collect_keys(root.get_ref(), "", &mut found);
                let kind = load(&text, "x", &[]).unwrap().kind();
                found.retain(|key| key != "hunt.kind");
                assert_eq!(found, keys(kind), "{}", path.display());
                count += 1;
            }
        }
        assert!(count >= 3, "the shipped profiles were not found");
        let ic = keys(HuntKind::InternalConnections);
        assert!(ic.contains(&"device.match".to_string()));
        assert!(ic.contains(&"filters.benign_ports".to_string()));
        assert!(!ic.contains(&"hunt.kind".to_string()));
        let logons = keys(HuntKind::RemoteLogons);
        assert!(logons.contains(&"device.match".to_string()));
        assert!(logons.contains(&"search.sources".to_string()));
        assert!(!logons.contains(&"filters.benign_ports".to_string()));
    }

    #[test]
    fn a_string_key_takes_the_text_as_typed() {
        let name = r#""quoted" = true, [x], \n"#;
        let hunt = connections(load_default(&[set("device.name", name)]).unwrap());
        assert_eq!(hunt.device.name.as_str(), name);
        let hunt = connections(load_default(&[set("device.match", "case-insensitive")]).unwrap());
        assert_eq!(hunt.device.matching, DeviceMatch::CaseInsensitive);
    }

    #[test]
    fn a_list_key_takes_comma_separated_items_or_a_toml_list() {
        let both = [ActionType::ConnectionSuccess, ActionType::ConnectionFailed];
        let load_with =
            |key: &str, value: &str| connections(load_default(&[set(key, value)]).unwrap());
        let hunt = load_with("search.action_types", "ConnectionSuccess, ConnectionFailed");
        assert_eq!(hunt.search.action_types, both);
        let hunt = load_with(
            "search.action_types",
            r#"["ConnectionSuccess", "ConnectionFailed"]"#,
        );
        assert_eq!(hunt.search.action_types, both);
        let hunt = load_with("filters.excluded_processes", "");
        assert!(hunt.filters.excluded_processes.is_empty());
        let hunt = load_with(
            "filters.benign_port_sets",
            r#"[{ name = "Printing", ports = [515, 631, 9100] }]"#,
        );
        assert_eq!(hunt.filters.benign_port_sets[0].ports, [515, 631, 9100]);
    }

    #[test]
    fn other_keys_read_the_text_as_a_toml_value() {
        assert!(!connections(load_default(&[]).unwrap()).filters.benign_ports);
        let hunt = connections(load_default(&[set("filters.benign_ports", "true")]).unwrap());
        assert!(hunt.filters.benign_ports);
        let err = load_default(&[set("filters.benign_ports", "yes")]).unwrap_err();
        assert!(
            matches!(&err, ProfileError::InvalidOverride { field, .. } if field == "filters.benign_ports"),
            "{err}"
        );
    }

    #[test]
    fn later_overrides_win() {
        let hunt = connections(
            load_default(&[set("search.window", "7d"), set("search.window", "30m")]).unwrap(),
        );
        assert_eq!(hunt.search.window.to_string(), "30m");
    }

    #[test]
    fn an_unknown_key_lists_the_valid_ones() {
        let err = load_default(&[set("device.matc", "exact")]).unwrap_err();
        let ProfileError::UnknownKey { origin, valid, .. } = &err else {
            panic!("{err}")
        };
        assert_eq!(origin, "--set device.matc=exact");
        assert_eq!(valid, &keys(HuntKind::InternalConnections));
        let message = err.to_string();
        assert!(
            message.contains(
                "the internal-connections hunt's profile has no key `device.matc`; did you mean `device.match`?"
            ),
            "{message}"
        );
        assert!(message.contains("device.match, device.name"), "{message}");
    }

    #[test]
    fn a_table_key_lists_its_own_keys() {
        let err = load_default(&[set("device", "x")]).unwrap_err();
        let ProfileError::UnknownKey { problem, valid, .. } = &err else {
            panic!("{err}")
        };
        assert!(problem.contains("is a table"), "{problem}");
        assert_eq!(valid, &["device.match", "device.name"]);
    }

    #[test]
    fn a_bad_value_from_the_command_line_names_the_option_not_the_file() {
        let err = load_default(&[Override::new(
            "search.window",
            "48 hours",
            "--window '48 hours'",
        )])
        .unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("--window '48 hours': invalid value for `search.window`"),
            "{message}"
        );
        assert!(message.contains("not a timespan"), "{message}");
    }

    #[test]
    fn a_bad_value_in_the_file_names_file_line_column_and_field() {
        let text = CLASSIC.replace(r#"window = "48h""#, r#"window = "48 hours""#);
        let line = text
            .lines()
            .position(|l| l.starts_with("window ="))
            .unwrap()
            + 1;
        let err = invalid(load(&text, "my.toml", &[]).unwrap_err());
        assert_eq!(err.field.as_deref(), Some("search.window"));
        assert_eq!(err.line_column(), Some((line, 10)));
        assert_eq!(&text[err.span.clone().unwrap()], r#""48 hours""#);
        let message = err.to_string();
        assert!(
            message.starts_with(&format!(
                "invalid profile my.toml, line {line}, column 10, field `search.window`:"
            )),
            "{message}"
        );
    }

    #[test]
    fn unknown_and_missing_keys_in_the_file_are_errors() {
        let text = CLASSIC.replace("[device]\n", "[device]\nmatc = 1\n");
        let err = invalid(load(&text, "my.toml", &[]).unwrap_err());
        assert!(
            err.message.contains("unknown field `matc`"),
            "{}",
            err.message
        );
        assert_eq!(&text[err.span.clone().unwrap()], "matc");

        let text = CLASSIC.replace("unmap_ipv4 = false\n", "");
        let err = invalid(load(&text, "my.toml", &[]).unwrap_err());
        assert!(
            err.message.contains("missing field `unmap_ipv4`"),
            "{}",
            err.message
        );
        assert_eq!(err.field.as_deref(), Some("search"));
    }

    #[test]
    fn malformed_toml_is_reported_with_its_line() {
        let text = CLASSIC.replace(r#"window = "48h""#, r#"window = "48h"#);
        let line = text
            .lines()
            .position(|l| l.starts_with("window ="))
            .unwrap()
            + 1;
        let err = invalid(load(&text, "my.toml", &[]).unwrap_err());
        assert_eq!(err.line_column().map(|(l, _)| l), Some(line));
        assert_eq!(err.field, None);
    }

    #[test]
    fn set_needs_key_equals_value() {
        assert_eq!(
            Override::from_assignment("a.b=c=d").unwrap(),
            Override::new("a.b", "c=d", "--set a.b=c=d")
        );
        for bad in ["nokey", "=value", " =x"] {
            assert!(matches!(
                Override::from_assignment(bad),
                Err(ProfileError::MalformedAssignment { .. })
            ));
        }
    }
}
