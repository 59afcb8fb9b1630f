//! Rendering a hunt into one platform's KQL. Each hunt has a module that computes the view its
//! askama template reads (`templates/<hunt>.kql`); `views` holds the pieces they share.
//! Every query goes through kqlsmith's parser before it is returned.

use kqlsmith_lint::Platform;

use crate::model::Hunt;

mod internal_connections;
mod internal_connections_detection;
mod remote_logons;
mod views;

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
}

/// Renders `hunt` into the KQL of `platform`. The text ends with one line break, and
/// kqlsmith's parser has accepted it: a query that does not parse is an error, never output.
pub fn render(hunt: &Hunt, platform: &Platform) -> Result<String, RenderError> {
    check_time_column(platform)?;
    let query = match hunt {
        Hunt::InternalConnections(hunt) => internal_connections::query_text(hunt, platform)?,
        Hunt::RemoteLogons(hunt) => remote_logons::query_text(hunt, platform)?,
        Hunt::InternalConnectionsDetection(hunt) => {
            internal_connections_detection::query_text(hunt, platform)?
        }
    };
    // Each block of the template brings its own leading line break (see the template's
    // header), so the text starts with one when the first block is printed.
    let query = format!("{}\n", query.trim_start_matches('\n').trim_end());
    check(query, platform)
}

/// `query` if kqlsmith's parser accepts it, else [`RenderError::Unparsable`] with the text.
pub(crate) fn check(query: String, platform: &Platform) -> Result<String, RenderError> {
    match kqlsmith_syntax::parse(&query) {
        Ok(_) => Ok(query),
        Err(error) => Err(RenderError::Unparsable {
            platform: platform.name.clone(),
            query,
            error,
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
