//! kqlsmith: generate and lint KQL hunting queries for Microsoft Defender XDR and Microsoft
//! Sentinel, from Rust.
//!
//! This crate is the library behind the `kqlsmith` command, for detection-as-code pipelines:
//! load a hunt profile (or build the model in code), render it for a platform, write it as a
//! Sentinel hunting query or a Defender XDR custom detection rule, and parse, lint or format
//! any KQL, or convert a query between the two platforms.
//! Every function returns a typed [`Error`]; nothing here panics on bad input.
//!
//! ```
//! // The shipped remote-logons hunt, for one device, as a Sentinel hunting query.
//! let hunt = kqlsmith::shipped_profile_with(
//!     "remote-logons",
//!     &[kqlsmith::Override::new("device.name", "ws-042", "pipeline")],
//! )?;
//! let sentinel = kqlsmith::platform("sentinel")?;
//! let query = kqlsmith::render(&hunt, &sentinel)?;
//! assert!(query.contains(r#"let CompromisedDevice = "ws-042";"#));
//!
//! // Rule files embed exactly that query.
//! let yaml = kqlsmith::emit(&hunt, kqlsmith::RuleFormat::SentinelYaml, &sentinel)?;
//! assert!(yaml.starts_with("id: "));
//!
//! // Every query kqlsmith renders parses, and this one lints clean on its platform.
//! kqlsmith::parse(&query)?;
//! assert!(kqlsmith::lint(&query, &sentinel).is_empty());
//! # Ok::<(), kqlsmith::Error>(())
//! ```
//!
//! Queries that live in Markdown, Sentinel YAML, ARM templates or Defender XDR JSON are read
//! with [`read_host`]: each comes with its position in the host, and [`HostFile::rewrite`]
//! puts new text back.
//!
//! The crates below the facade are re-exported for what it does not cover: [`hunt`] (models,
//! profiles, templates, rule files), [`lint`](mod@lint) (schemas, rules, configuration, output
//! formats), [`hosts`] (queries inside other files) and [`syntax`] (the grammar, the AST and
//! its printer).

#![warn(missing_docs)]

use std::path::Path;

pub use kqlsmith_hosts as hosts;
pub use kqlsmith_hunt as hunt;
pub use kqlsmith_lint as lint;
pub use kqlsmith_syntax as syntax;

pub use kqlsmith_hosts::{EmbeddedQuery, HostFile, HostKind};
pub use kqlsmith_hunt::{Hunt, HuntKind, Override, RuleFormat};
pub use kqlsmith_lint::convert::Conversion;
pub use kqlsmith_lint::{Config, Diagnostic, Platform, Severity};
pub use kqlsmith_syntax::Script;
pub use kqlsmith_syntax::format::FormatOptions;

/// Everything that can go wrong in the facade, by cause. Each variant carries the error of
/// the crate that found it, with the file, line, field or platform it concerns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A hunt profile could not be read, is not valid TOML, or holds a wrong value.
    #[error(transparent)]
    Profile(#[from] kqlsmith_hunt::ProfileError),
    /// A platform name or platform file is unknown or invalid.
    #[error(transparent)]
    Platform(#[from] kqlsmith_lint::PlatformError),
    /// A query could not be rendered (an unusable platform, or a generated query that
    /// kqlsmith's own parser rejects, which is a bug).
    #[error(transparent)]
    Render(#[from] kqlsmith_hunt::RenderError),
    /// A rule file could not be written from the hunt's metadata.
    #[error(transparent)]
    Export(#[from] kqlsmith_hunt::ExportError),
    /// A KQL text does not parse.
    #[error(transparent)]
    Parse(#[from] kqlsmith_syntax::ParseError),
    /// A KQL text could not be formatted (it does not parse, or the formatter could not keep
    /// the query and its comments intact, which is a bug).
    #[error(transparent)]
    Format(#[from] kqlsmith_syntax::format::FormatError),
    /// A KQL text could not be converted to another platform (it does not parse, or the
    /// converted text would not parse, which is a bug).
    #[error(transparent)]
    Convert(#[from] kqlsmith_lint::convert::ConvertError),
    /// A host file (Markdown, YAML, JSON) could not be read, or new query text could not be
    /// written back into it.
    #[error(transparent)]
    Host(#[from] kqlsmith_hosts::HostError),
}

/// `Result` with the facade's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Loads the hunt profile at `path` (a TOML file, `profiles/hunts/*.toml` style).
///
/// ```
/// let hunt = kqlsmith::load_profile("profiles/hunts/remote-logons.toml")?;
/// assert_eq!(hunt.name().as_str(), "remote-logons");
/// assert_eq!(hunt.kind(), kqlsmith::HuntKind::RemoteLogons);
/// # Ok::<(), kqlsmith::Error>(())
/// ```
///
/// A wrong value is an error that names the file, line and field:
///
/// ```
/// let error = kqlsmith::load_profile("no/such/profile.toml").unwrap_err();
/// assert!(matches!(error, kqlsmith::Error::Profile(_)));
/// assert!(error.to_string().contains("no/such/profile.toml"));
/// ```
pub fn load_profile(path: impl AsRef<Path>) -> Result<Hunt> {
    load_profile_with(path, &[])
}

/// Loads the hunt profile at `path` and changes some of its values, as `--set KEY=VALUE`
/// does on the command line.
///
/// ```
/// use kqlsmith::Override;
///
/// let hunt = kqlsmith::load_profile_with(
///     "profiles/hunts/internal-connections.toml",
///     &[Override::new("search.window", "7d", "pipeline")],
/// )?;
/// let query = kqlsmith::render(&hunt, &kqlsmith::platform("defender")?)?;
/// assert!(query.contains("let SearchWindow = 7d;"));
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn load_profile_with(path: impl AsRef<Path>, overrides: &[Override]) -> Result<Hunt> {
    Ok(kqlsmith_hunt::profile::load_file(path.as_ref(), overrides)?)
}

/// Reads a hunt profile from TOML text; `origin` names it in error messages.
///
/// ```
/// let text = std::fs::read_to_string("profiles/hunts/remote-logons.toml").unwrap();
/// let hunt = kqlsmith::profile_from_toml(&text, "remote-logons.toml")?;
/// assert!(hunt.device().unwrap().is_placeholder());
///
/// let broken = text.replace(r#"window = "48h""#, r#"window = "2 days""#);
/// let error = kqlsmith::profile_from_toml(&broken, "remote-logons.toml").unwrap_err();
/// assert!(error.to_string().contains("field `search.window`"));
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn profile_from_toml(text: &str, origin: &str) -> Result<Hunt> {
    Ok(kqlsmith_hunt::profile::load(text, origin, &[])?)
}

/// The names of the profiles shipped with kqlsmith (built into the library).
///
/// ```
/// assert_eq!(
///     kqlsmith::shipped_profiles(),
///     [
///         "internal-connections",
///         "internal-connections-classic",
///         "internal-connections-detection",
///         "remote-logons"
///     ]
/// );
/// ```
pub fn shipped_profiles() -> Vec<&'static str> {
    kqlsmith_hunt::profile::shipped_names()
}

/// Loads a profile shipped with kqlsmith by name (see [`shipped_profiles`]).
///
/// ```
/// let hunt = kqlsmith::shipped_profile("internal-connections")?;
/// assert_eq!(hunt.kind(), kqlsmith::HuntKind::InternalConnections);
/// assert!(kqlsmith::shipped_profile("nope").is_err());
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn shipped_profile(name: &str) -> Result<Hunt> {
    shipped_profile_with(name, &[])
}

/// Loads a profile shipped with kqlsmith by name and changes some of its values.
///
/// ```
/// use kqlsmith::Override;
///
/// let hunt = kqlsmith::shipped_profile_with(
///     "internal-connections",
///     &[Override::new("device.match", "exact", "pipeline")],
/// )?;
/// assert_eq!(hunt.device().unwrap().matching, kqlsmith::hunt::model::DeviceMatch::Exact);
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn shipped_profile_with(name: &str, overrides: &[Override]) -> Result<Hunt> {
    kqlsmith_hunt::profile::load_shipped(name, overrides)
        .unwrap_or_else(|| {
            Err(kqlsmith_hunt::ProfileError::NotFound {
                given: name.to_string(),
            })
        })
        .map_err(Error::from)
}

/// A platform shipped with kqlsmith, by name: `defender` or `sentinel`.
///
/// ```
/// assert_eq!(kqlsmith::platform("sentinel")?.time_column, "TimeGenerated");
/// assert!(matches!(kqlsmith::platform("splunk"), Err(kqlsmith::Error::Platform(_))));
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn platform(name: &str) -> Result<Platform> {
    Ok(Platform::builtin(name)?)
}

/// Every platform shipped with kqlsmith, in a stable order.
///
/// ```
/// let names: Vec<String> = kqlsmith::platforms().into_iter().map(|p| p.name).collect();
/// assert_eq!(names, ["defender", "sentinel"]);
/// ```
pub fn platforms() -> Vec<Platform> {
    Platform::builtins()
}

/// Renders `hunt` into the KQL of `platform`. The query ends with one line break and has
/// passed kqlsmith's parser.
///
/// ```
/// let hunt = kqlsmith::shipped_profile("internal-connections")?;
/// let defender = kqlsmith::render(&hunt, &kqlsmith::platform("defender")?)?;
/// let sentinel = kqlsmith::render(&hunt, &kqlsmith::platform("sentinel")?)?;
/// assert!(defender.contains("| where Timestamp > ago(SearchWindow)"));
/// assert!(sentinel.contains("| where TimeGenerated > ago(SearchWindow)"));
/// # Ok::<(), kqlsmith::Error>(())
/// ```
///
/// A hunt can also be built in code: every model type is public and `serde`-deserialisable,
/// and [`Hunt`] converts from each hunt's model.
///
/// ```
/// use kqlsmith::hunt::model::{DeviceMatch, Hunt};
///
/// let Hunt::RemoteLogons(mut logons) = kqlsmith::shipped_profile("remote-logons")? else {
///     unreachable!()
/// };
/// logons.device.matching = DeviceMatch::CaseInsensitive;
/// logons.output.comments = false;
/// let query = kqlsmith::render(&Hunt::from(logons), &kqlsmith::platform("defender")?)?;
/// assert!(query.starts_with("let CompromisedDevice"));
/// assert!(query.contains("| where DeviceName =~ CompromisedDevice"));
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn render(hunt: &Hunt, platform: &Platform) -> Result<String> {
    Ok(kqlsmith_hunt::render(hunt, platform)?)
}

/// Writes `hunt` in `format` for `platform`: the query ([`RuleFormat::Kql`]), a Sentinel hunting
/// query ([`RuleFormat::SentinelYaml`]), analytics rule ([`RuleFormat::SentinelRule`]) or ARM template
/// ([`RuleFormat::SentinelArm`]), all for the `sentinel` platform, or a Defender XDR custom
/// detection rule ([`RuleFormat::DefenderJson`], for `defender`). A scheduled rule of a hunt that
/// cannot be one is refused (`Error::Export(ExportError::Refused(_))`): a hunt of one device
/// still naming the placeholder device, or a Defender XDR query without `Timestamp` and
/// `ReportId`.
///
/// ```
/// use kqlsmith::Override;
///
/// let defender = kqlsmith::platform("defender")?;
/// let hunt = kqlsmith::shipped_profile("remote-logons")?;
/// assert!(kqlsmith::emit(&hunt, kqlsmith::RuleFormat::DefenderJson, &defender).is_err());
///
/// let hunt = kqlsmith::shipped_profile_with(
///     "remote-logons",
///     &[Override::new("device.name", "ws-042", "pipeline")],
/// )?;
/// let json = kqlsmith::emit(&hunt, kqlsmith::RuleFormat::DefenderJson, &defender)?;
/// let rule: serde_json::Value = serde_json::from_str(&json).unwrap();
/// assert_eq!(rule["schedule"]["frequency"], "PT12H");
/// assert_eq!(
///     rule["queryCondition"]["queryText"].as_str(),
///     Some(kqlsmith::render(&hunt, &defender)?.as_str())
/// );
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn emit(hunt: &Hunt, format: RuleFormat, platform: &Platform) -> Result<String> {
    Ok(kqlsmith_hunt::export::emit(hunt, format, platform)?)
}

/// The name of the file [`emit`] output goes to: `<hunt>.<platform>.kql`, `.yaml`,
/// `.rule.yaml`, `.arm.json` or `.json`.
///
/// ```
/// let hunt = kqlsmith::shipped_profile("remote-logons")?;
/// let sentinel = kqlsmith::platform("sentinel")?;
/// assert_eq!(
///     kqlsmith::file_name(&hunt, kqlsmith::RuleFormat::SentinelYaml, &sentinel)?,
///     "remote-logons.sentinel.yaml"
/// );
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn file_name(hunt: &Hunt, format: RuleFormat, platform: &Platform) -> Result<String> {
    Ok(format.file_name(hunt, platform)?)
}

/// Parses KQL into a typed, lossless syntax tree (comments and byte spans kept).
///
/// ```
/// let script = kqlsmith::parse("DeviceLogonEvents | take 10")?;
/// assert_eq!(script.statements.len(), 1);
///
/// let error = kqlsmith::parse("DeviceLogonEvents | where").unwrap_err();
/// assert!(matches!(error, kqlsmith::Error::Parse(ref e) if e.line == 1));
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn parse(source: &str) -> Result<Script> {
    Ok(kqlsmith_syntax::parse(source)?)
}

/// Formats KQL in kqlsmith's canonical layout (one pipe stage a line, comments kept where
/// they were). The result parses to the same query; formatting it again changes nothing.
///
/// ```
/// let options = kqlsmith::FormatOptions::default();
/// let formatted = kqlsmith::format("DeviceLogonEvents|where Timestamp>ago(1d)|take 10", &options)?;
/// assert_eq!(formatted, "DeviceLogonEvents\n| where Timestamp > ago(1d)\n| take 10\n");
/// assert_eq!(kqlsmith::format(&formatted, &options)?, formatted);
/// assert!(matches!(
///     kqlsmith::format("DeviceLogonEvents | where", &options),
///     Err(kqlsmith::Error::Format(_))
/// ));
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn format(source: &str, options: &FormatOptions) -> Result<String> {
    Ok(kqlsmith_syntax::format::format(source, options)?)
}

/// Converts a query written for `from` into one for `to`: the time column, and the tables
/// and columns the platforms name differently (`profiles/platforms/*.toml`). Only the tokens
/// that must change are rewritten; comments and layout stay byte for byte. What has no
/// faithful rewrite is reported in [`Conversion::diagnostics`].
///
/// ```
/// let defender = kqlsmith::platform("defender")?;
/// let sentinel = kqlsmith::platform("sentinel")?;
/// let source = "DeviceLogonEvents // last day\n| where Timestamp > ago(1d)\n";
/// let converted = kqlsmith::convert(source, &defender, &sentinel)?;
/// assert_eq!(converted.text, "DeviceLogonEvents // last day\n| where TimeGenerated > ago(1d)\n");
/// assert_eq!(kqlsmith::convert(&converted.text, &sentinel, &defender)?.text, source);
///
/// let error = kqlsmith::convert("DeviceLogonEvents | where", &defender, &sentinel).unwrap_err();
/// assert!(matches!(error, kqlsmith::Error::Convert(_)));
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn convert(source: &str, from: &Platform, to: &Platform) -> Result<Conversion> {
    Ok(kqlsmith_lint::convert::convert(source, from, to)?)
}

/// Lints KQL against `platform`'s schema with the default rules. Findings are data, not
/// errors: a query that does not parse gives one `KQL001` diagnostic.
///
/// ```
/// use kqlsmith::Severity;
///
/// let defender = kqlsmith::platform("defender")?;
/// let findings = kqlsmith::lint("DeviceLogonEvents | where TimeGenerated > ago(1d)", &defender);
/// assert!(findings.iter().any(|d| d.severity == Severity::Error));
/// assert!(kqlsmith::lint("DeviceLogonEvents | where Timestamp > ago(1d)", &defender).is_empty());
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn lint(source: &str, platform: &Platform) -> Vec<Diagnostic> {
    lint_with(source, platform, &Config::new())
}

/// Lints KQL against `platform`'s schema with a configuration (rules on or off, severities,
/// extra tables), as read from a `kqlsmith.toml`.
///
/// ```
/// let mut config = kqlsmith::Config::new();
/// config.set_enabled("KQL101", false);
/// let defender = kqlsmith::platform("defender")?;
/// let findings = kqlsmith::lint_with("NoSuchTable | take 1", &defender, &config);
/// assert!(findings.iter().all(|d| d.code != "KQL101"));
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn lint_with(source: &str, platform: &Platform, config: &Config) -> Vec<Diagnostic> {
    kqlsmith_lint::Linter::new(platform.clone(), config.clone()).lint(source)
}

/// The platform a query is most likely written for, from its tables and time column.
///
/// ```
/// let platform = kqlsmith::infer_platform("SigninLogs | where TimeGenerated > ago(1h)")?;
/// assert_eq!(platform.name, "sentinel");
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn infer_platform(source: &str) -> Result<Platform> {
    platform(kqlsmith_lint::infer_platform(source).platform)
}

/// The queries inside a host file's text: fenced `kql`/`kusto` blocks of Markdown, the
/// `query` keys of Sentinel YAML, `properties.query` of ARM templates and
/// `queryCondition.queryText` of Defender XDR rules. Each query knows its host position and
/// platform; [`HostFile::rewrite`] writes new query text back, leaving every other byte.
///
/// ```
/// use kqlsmith::HostKind;
///
/// let rule = r#"{"queryCondition": {"queryText": "DeviceLogonEvents|where Timestamp>ago(1d)"}}"#;
/// let host = kqlsmith::read_host(HostKind::Json, rule)?;
/// let query = &host.queries()[0];
/// assert_eq!(query.platform, Some("defender"));
///
/// // Lint it on the platform the host names; `query.to_host_diagnostic` puts a finding at
/// // the host's bytes, and `host.position` gives their line and column.
/// let defender = kqlsmith::platform("defender")?;
/// assert!(kqlsmith::lint(&query.text, &defender).is_empty());
/// assert_eq!(host.position(query.to_host(0)), (1, 35));
///
/// // Format it and put it back, escaped as JSON.
/// let formatted = kqlsmith::format(&query.text, &kqlsmith::FormatOptions::default())?;
/// let written = host.rewrite(&[(0, formatted)])?;
/// assert_eq!(
///     written,
///     r#"{"queryCondition": {"queryText": "DeviceLogonEvents\n| where Timestamp > ago(1d)"}}"#
/// );
/// # Ok::<(), kqlsmith::Error>(())
/// ```
pub fn read_host(kind: HostKind, text: &str) -> Result<HostFile> {
    Ok(HostFile::read(
        kind,
        text,
        &kqlsmith_hosts::ReadOptions::default(),
    )?)
}
