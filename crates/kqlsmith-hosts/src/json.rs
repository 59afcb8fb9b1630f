//! JSON: ARM templates of Sentinel analytics rules and hunting queries (`properties.query` of
//! `alertRules` and `savedSearches` resources) and Defender XDR custom detection rules
//! (`queryCondition.queryText`), anywhere in the file (a single rule, a list, nested
//! resources). jsonc-parser gives every value's byte range; ARM templates may hold comments.

use jsonc_parser::ast::{Array, Object, ObjectPropName, StringLit, Value};
use jsonc_parser::common::Ranged;
use jsonc_parser::tokens::Token;
use jsonc_parser::{
    CollectOptions, CommentCollectionStrategy, ParseOptions, Scanner, ScannerOptions, parse_to_ast,
};

use crate::align::align;
use crate::map::OffsetMap;
use crate::spelling::Spelling;
use crate::yaml::split_at;
use crate::{EmbeddedQuery, HostError, HostKind, line_column};

/// Resource types (their last segment, in any case) whose `properties.query` is Sentinel KQL.
const SENTINEL_RESOURCES: [&str; 2] = ["alertrules", "savedsearches"];

/// Whether a JSON text is one kqlsmith reads queries from: it has a Defender XDR rule's
/// `queryCondition` key, a Sentinel resource's `type` ending in `/alertRules` or
/// `/savedSearches`, or the `$schema` of an ARM deployment template
/// (`.../deploymentTemplate.json#` and its subscription, management-group and tenant forms),
/// at any depth. The text is scanned, not parsed, up to its first malformed token: a broken
/// host is still told (and then reported), while a settings file with comments and trailing
/// commas, or a `package.json`, is not one.
pub(crate) fn is_host(text: &str) -> bool {
    let mut scanner = Scanner::new(text, &ScannerOptions::default());
    // The two tokens before the current one, comments left out: a key is a string before a
    // colon, and its value the token after the colon.
    let (mut before_last, mut last): (Option<Token>, Option<Token>) = (None, None);
    while let Ok(Some(token)) = scanner.scan() {
        match (&before_last, &last, &token) {
            (_, _, Token::CommentLine(_) | Token::CommentBlock(_)) => continue,
            (_, Some(Token::String(key)), Token::Colon) if key == "queryCondition" => return true,
            (Some(Token::String(key)), Some(Token::Colon), Token::String(value))
                if key == "$schema"
                    && value
                        .to_ascii_lowercase()
                        .contains("deploymenttemplate.json")
                    || key == "type" && is_sentinel_type(value) =>
            {
                return true;
            }
            _ => {}
        }
        before_last = last.replace(token);
    }
    false
}

/// Whether a resource's `type` is one whose `properties.query` is Sentinel KQL.
fn is_sentinel_type(kind: &str) -> bool {
    kind.rsplit('/').next().is_some_and(|last| {
        SENTINEL_RESOURCES
            .iter()
            .any(|r| last.eq_ignore_ascii_case(r))
    })
}

/// The queries of a JSON text.
pub(crate) fn read(text: &str) -> Result<Vec<EmbeddedQuery>, HostError> {
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    // Standard JSON, plus the comments ARM templates allow.
    let options = ParseOptions {
        allow_comments: true,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let parsed = parse_to_ast(text, &collect, &options).map_err(|error| {
        let (line, column) = line_column(text, error.range().start);
        HostError::Syntax {
            kind: HostKind::Json,
            line,
            column,
            message: error.kind().to_string(),
        }
    })?;
    let mut queries = Vec::new();
    let Some(root) = parsed.value else {
        return Ok(queries);
    };
    // Depth-first with a stack of its own: a deep file cannot overflow ours.
    let mut stack: Vec<(&Value, String)> = vec![(&root, String::new())];
    while let Some((value, path)) = stack.pop() {
        match value {
            Value::Object(object) => {
                find_queries(text, object, &path, &mut queries)?;
                for property in object.properties.iter().rev() {
                    let name = property_name(&property.name);
                    let child = if path.is_empty() {
                        name.to_string()
                    } else {
                        format!("{path}.{name}")
                    };
                    stack.push((&property.value, child));
                }
            }
            Value::Array(Array { elements, .. }) => {
                for (index, element) in elements.iter().enumerate().rev() {
                    stack.push((element, format!("{path}[{index}]")));
                }
            }
            _ => {}
        }
    }
    queries.sort_by_key(|q| q.region.start);
    Ok(queries)
}

fn property_name<'a>(name: &'a ObjectPropName) -> &'a str {
    match name {
        ObjectPropName::String(s) => &s.value,
        ObjectPropName::Word(w) => w.value,
    }
}

fn get<'a, 'b>(object: &'a Object<'b>, key: &str) -> Option<&'a Value<'b>> {
    object
        .properties
        .iter()
        .find(|p| property_name(&p.name) == key)
        .map(|p| &p.value)
}

/// The query of `object` itself, if it is a Defender rule or a Sentinel resource.
fn find_queries(
    text: &str,
    object: &Object,
    path: &str,
    queries: &mut Vec<EmbeddedQuery>,
) -> Result<(), HostError> {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_string()
        } else {
            format!("{path}.{key}")
        }
    };
    if let Some(Value::Object(condition)) = get(object, "queryCondition")
        && let Some(value) = get(condition, "queryText")
    {
        let empty = matches!(value, Value::StringLit(s) if s.value.trim().is_empty());
        if !empty {
            let key = join("queryCondition.queryText");
            queries.push(query(text, value, key, "defender")?);
        }
    }
    let is_sentinel = matches!(get(object, "type"), Some(Value::StringLit(kind)) if is_sentinel_type(&kind.value));
    if is_sentinel
        && let Some(Value::Object(properties)) = get(object, "properties")
        && let Some(value) = get(properties, "query")
    {
        // An ARM expression (`[concat(...)]`) is computed at deployment, not KQL as written.
        let expression = matches!(value, Value::StringLit(s) if s.value.starts_with('['));
        let empty = matches!(value, Value::StringLit(s) if s.value.trim().is_empty());
        if !expression && !empty {
            queries.push(query(text, value, join("properties.query"), "sentinel")?);
        }
    }
    Ok(())
}

fn query(
    text: &str,
    value: &Value,
    key: String,
    platform: &'static str,
) -> Result<EmbeddedQuery, HostError> {
    let Value::StringLit(StringLit { range, value }) = value else {
        return Err(HostError::NotAString {
            key,
            line: line_column(text, value.start()).0,
        });
    };
    let (start, end) = (range.start, range.end);
    let mut chunks = Vec::new();
    split_at(
        text,
        start + 1..end.saturating_sub(1),
        &mut chunks,
        |rest| rest.starts_with('\\').then(|| json_escape(rest)),
    );
    // Characters spelled `\uXXXX` that JSON lets be written as they are: the rewrite keeps
    // their spelling. (Letters, digits and `\` cannot be told from an escape's own text.)
    let mut escaped: Vec<char> = Vec::new();
    for chunk in &chunks {
        if let Some(spelled) = &chunk.spells
            && text[chunk.host.clone()].starts_with("\\u")
        {
            for c in spelled.chars() {
                let plain = c.is_ascii_alphanumeric() || c == '\\' || c.is_control() || c == '"';
                if !plain && !escaped.contains(&c) {
                    escaped.push(c);
                }
            }
        }
    }
    let map = align(value, text, &chunks, end - 1).unwrap_or_else(|| {
        let mut map = OffsetMap::new(start);
        map.push_spelled(value.len(), start..end);
        map
    });
    Ok(EmbeddedQuery {
        text: value.to_string(),
        key,
        platform: Some(platform),
        map,
        region: start..end,
        spelling: Spelling::JsonString { escaped },
    })
}

/// A JSON escape at the start of `rest`: its length and what it stands for (a surrogate pair
/// is one escape of twelve bytes).
fn json_escape(rest: &str) -> (usize, String) {
    let code = |at: usize| {
        rest.get(at..at + 4)
            .and_then(|digits| u32::from_str_radix(digits, 16).ok())
    };
    let simple = match rest.as_bytes().get(1) {
        Some(b'u') => {
            let Some(unit) = code(2) else {
                return (2, String::new());
            };
            if (0xD800..0xDC00).contains(&unit)
                && rest.get(6..8) == Some("\\u")
                && let Some(low) = code(8)
                && (0xDC00..0xE000).contains(&low)
            {
                let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return (12, char::from_u32(c).map(String::from).unwrap_or_default());
            }
            return (
                6,
                char::from_u32(unit).map(String::from).unwrap_or_default(),
            );
        }
        Some(b'n') => '\n',
        Some(b't') => '\t',
        Some(b'r') => '\r',
        Some(b'b') => '\u{8}',
        Some(b'f') => '\u{c}',
        Some(&other) => other as char,
        None => return (1, String::new()),
    };
    (2, simple.to_string())
}
