//! Hunt profiles: the hunt model written in TOML (`profiles/hunts/*.toml`), changed from the
//! command line with `--set KEY=VALUE`, and the errors that say where a profile is wrong.
//!
//! Every key of a profile is required, so that a profile names every knob of the hunt and the
//! shipped default profile lists every key that `--set` may change.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeString, DeTable, DeValue};

use crate::model::InternalConnections;

/// Where the default profile lives in the source tree; it is also embedded in the binary.
pub const DEFAULT_PROFILE_PATH: &str = "profiles/hunts/internal-connections.toml";

/// The text of the default profile (the hardened hunt).
pub const DEFAULT_PROFILE: &str = include_str!("../../../profiles/hunts/internal-connections.toml");

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
pub fn load_file(path: &Path, overrides: &[Override]) -> Result<InternalConnections, ProfileError> {
    let text = std::fs::read_to_string(path).map_err(|source| ProfileError::Io {
        path: path.display().to_string(),
        source,
    })?;
    load(&text, &path.display().to_string(), overrides)
}

/// Loads the default profile embedded in the binary and applies `overrides`.
pub fn load_default(overrides: &[Override]) -> Result<InternalConnections, ProfileError> {
    load(
        DEFAULT_PROFILE,
        &format!("<embedded>/{DEFAULT_PROFILE_PATH}"),
        overrides,
    )
}

/// Reads a profile from TOML `text` (`origin` names it in messages) and applies `overrides`
/// in order.
pub fn load(
    text: &str,
    origin: &str,
    overrides: &[Override],
) -> Result<InternalConnections, ProfileError> {
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
    for change in overrides {
        apply(root.get_mut(), change)?;
    }
    let deserializer = toml::de::Deserializer::from(root);
    serde_path_to_error::deserialize(deserializer).map_err(|e| {
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

/// Every key `--set` accepts, sorted: the keys of the default profile whose values are not
/// tables (a list counts as one value).
pub fn keys() -> Vec<String> {
    let root = DeTable::parse(DEFAULT_PROFILE).expect("the embedded default profile is TOML");
    let mut keys = Vec::new();
    collect_keys(root.get_ref(), "", &mut keys);
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

/// Sets one value of the parsed profile.
fn apply<'i>(root: &mut DeTable<'i>, change: &'i Override) -> Result<(), ProfileError> {
    let valid = keys();
    if !valid.contains(&change.key) {
        let inside: Vec<String> = valid
            .iter()
            .filter(|k| k.starts_with(&format!("{}.", change.key)))
            .cloned()
            .collect();
        let problem = if inside.is_empty() {
            format!("unknown key `{}`", change.key)
        } else {
            format!(
                "`{}` is a table, not a value: set one of its keys",
                change.key
            )
        };
        return Err(ProfileError::UnknownKey {
            origin: change.origin.clone(),
            problem,
            valid: if inside.is_empty() { valid } else { inside },
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
    // The default profile says what kind of value the key holds.
    let default_root =
        DeTable::parse(DEFAULT_PROFILE).expect("the embedded default profile is TOML");
    let kind = lookup(default_root.get_ref(), &change.key).map(kind_of);
    let value = convert(&change.value, kind).map_err(|message| ProfileError::InvalidOverride {
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
