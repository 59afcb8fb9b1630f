//! Rendering a hunt into one platform's KQL. Each hunt has a module that computes the view its
//! askama template reads (`templates/<hunt>.kql`), called by its model's
//! [`HuntModel::query_text`](crate::model::HuntModel::query_text); `views` holds the pieces
//! they share.
//! Every query is laid out by kqlsmith's formatter (so `kqlsmith fmt --check` finds nothing
//! to change in generated rules) and goes through kqlsmith's parser before it is returned.

use kqlsmith_lint::Platform;

use crate::model::Hunt;

pub(crate) mod internal_connections;
pub(crate) mod internal_connections_detection;
pub(crate) mod remote_logons;
mod views;

/// Helpers the hunts' template tests share.
#[cfg(test)]
mod test_support {
    /// The lines of `text` that are not comments, trimmed.
    pub fn code_lines(text: &str) -> Vec<&str> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("//"))
            .collect()
    }
}

/// Why a query could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("platform `{platform}` cannot be used: {message}")]
    Platform { platform: String, message: String },
    #[error("the template failed: {0}")]
    Template(#[from] askama::Error),
    /// The generated query is not valid KQL by kqlsmith's own parser: a bug in a template or
    /// in the escaping, never the user's input.
    #[error(
        "kqlsmith generated a query for {platform} that its own parser rejects, at line {}, column {}: {}",
        .error.line, .error.column, .error.message
    )]
    Unparsable {
        platform: String,
        /// The offending text.
        query: String,
        error: kqlsmith_syntax::ParseError,
    },
    /// The formatter could not lay out the generated query: a bug in kqlsmith.
    #[error("kqlsmith could not format the query it generated for {platform}: {message}")]
    Unformattable { platform: String, message: String },
}

/// Renders `hunt` into the KQL of `platform`, in the canonical layout of
/// [`kqlsmith_syntax::format`] with its default options. The text ends with one line break,
/// and kqlsmith's parser has accepted it: a query that does not parse is an error, never
/// output.
pub fn render(hunt: &Hunt, platform: &Platform) -> Result<String, RenderError> {
    check(template_text(hunt, platform)?, platform)
}

/// The query as the hunt's template prints it, before it is laid out: what the template tests
/// read, so that they do not depend on the formatter's layout.
pub(crate) fn template_text(hunt: &Hunt, platform: &Platform) -> Result<String, RenderError> {
    check_time_column(platform)?;
    let query = hunt.query_text(platform)?;
    // Each block of the template brings its own leading line break (see the template's
    // header), so the text starts with one when the first block is printed.
    Ok(format!("{}\n", query.trim_start_matches('\n').trim_end()))
}

/// `query` in the formatter's canonical layout if kqlsmith's parser accepts it, else
/// [`RenderError::Unparsable`] with the text. The formatter parses its own output back and
/// checks that the tree and the comments are unchanged.
pub(crate) fn check(query: String, platform: &Platform) -> Result<String, RenderError> {
    use kqlsmith_syntax::format::{FormatError, FormatOptions, format};
    match format(&query, &FormatOptions::default()) {
        Ok(formatted) => Ok(formatted),
        Err(FormatError::Syntax(error)) => Err(RenderError::Unparsable {
            platform: platform.name.clone(),
            query,
            error,
        }),
        Err(internal @ FormatError::Internal(_)) => Err(RenderError::Unformattable {
            platform: platform.name.clone(),
            message: internal.to_string(),
        }),
    }
}

/// The file a rendered query is written to: `<hunt>.<platform>.kql`.
pub fn file_name(hunt: &Hunt, platform: &Platform) -> Result<String, RenderError> {
    check_platform_name(platform)?;
    Ok(format!("{}.{}.kql", hunt.name(), platform.name))
}

/// Every table of a platform is timed by its time column: it cannot be blank.
fn check_time_column(platform: &Platform) -> Result<(), RenderError> {
    if platform.time_column.trim().is_empty() {
        return Err(RenderError::Platform {
            platform: platform.name.clone(),
            message: "its time_column is empty".to_string(),
        });
    }
    Ok(())
}

/// A platform's name ends up in file names: keep it to letters, digits, `-` and `_`.
pub(crate) fn check_platform_name(platform: &Platform) -> Result<(), RenderError> {
    let ok = !platform.name.is_empty()
        && platform
            .name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(RenderError::Platform {
            platform: platform.name.clone(),
            message: "its name must be letters, digits, `-` and `_` only".to_string(),
        })
    }
}
