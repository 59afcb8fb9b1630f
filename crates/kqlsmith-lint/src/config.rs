//! Configuration: the `[lint]` table of `kqlsmith.toml`, found in the linted file's folder or
//! the nearest folder above it.
//!
//! ```toml
//! [lint]
//! platform = "sentinel"                   # when not given on the command line
//! select = ["ALL"]                        # codes, prefixes (KQL3) or names; default ALL
//! ignore = ["contains-operator", "KQL4"]
//!
//! [lint.severity]                         # override a rule's default severity
//! KQL303 = "error"
//!
//! [lint.per-file-ignores]                 # globs relative to this file's folder
//! "legacy/**/*.kql" = ["KQL3"]
//!
//! [lint.tables.MyHunt_CL]                 # a custom table, or columns added to a known one
//! TimeGenerated = "datetime"
//! DeviceName = "string"
//!
//! [lint.watchlists.HighValueAssets]       # `_GetWatchlist("HighValueAssets")` columns
//! Hostname = "string"
//!
//! [format]                                # `kqlsmith fmt`
//! line-width = 100                        # lists and `and` chains wider than this break
//! indent = 4                              # spaces a level
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use kqlsmith_syntax::format::{FormatOptions, MAX_INDENT, MAX_LINE_WIDTH};
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::Severity;
use crate::rules::{self, RuleInfo};
use crate::schema::{Column, ColumnType, Schema, Table, is_identifier};

/// The configuration file's name.
pub const FILE_NAME: &str = "kqlsmith.toml";

/// Resolved lint configuration. [`Config::default`] is [`Config::new`]: every rule on.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it was read from (`None`: defaults).
    pub path: Option<PathBuf>,
    /// The platform named in the file.
    pub platform: Option<String>,
    /// Codes of the rules that run (after `select` and `ignore`).
    enabled: Vec<&'static str>,
    /// Severity overrides by code.
    severity: BTreeMap<&'static str, Severity>,
    /// Globs (relative to the file's folder) and the codes they turn off.
    per_file_ignores: Vec<(glob::Pattern, Vec<&'static str>)>,
    /// Custom tables and columns, merged over the platform's schema.
    pub tables: Schema,
    /// Watchlists by name, with their columns.
    pub watchlists: BTreeMap<String, Vec<Column>>,
    /// The `[format]` table: how `kqlsmith fmt` lays queries out.
    pub format: FormatOptions,
}

/// A configuration file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line of the bad value, when known.
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    lint: Option<Spanned<LintSection>>,
    #[serde(default)]
    format: Option<FormatSection>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FormatSection {
    line_width: Option<Spanned<i64>>,
    indent: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct LintSection {
    platform: Option<Spanned<String>>,
    #[serde(default)]
    select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    per_file_ignores: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    #[serde(default)]
    tables: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<String>>>,
    #[serde(default)]
    watchlists: BTreeMap<Spanned<String>, BTreeMap<Spanned<String>, Spanned<String>>>,
}

// A derived default would run no rule at all: the default configuration is the one a
// linter without a kqlsmith.toml uses.
impl Default for Config {
    fn default() -> Config {
        Config::new()
    }
}

impl Config {
    /// The defaults: every rule, at its own severity.
    pub fn new() -> Config {
        Config {
            path: None,
            platform: None,
            enabled: rules::all().iter().map(|r| r.code).collect(),
            severity: BTreeMap::new(),
            per_file_ignores: Vec::new(),
            tables: Schema::default(),
            watchlists: BTreeMap::new(),
            format: FormatOptions::default(),
        }
    }

    /// The nearest `kqlsmith.toml` in `start` (a file's folder, or a folder) or above it.
    pub fn find(start: &Path) -> Option<PathBuf> {
        let start = if start.is_dir() {
            start
        } else {
            start.parent()?
        };
        // The folder of a bare file name (`q.kql`) is the current one.
        let start = if start.as_os_str().is_empty() {
            Path::new(".")
        } else {
            start
        };
        let start = std::path::absolute(start).ok()?;
        start
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// Reads a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: None,
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(&text, path)
    }

    /// Parses configuration text; `path` locates it (globs are relative to its folder) and
    /// names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let error = |span: Option<std::ops::Range<usize>>, message: String| ConfigError {
            path: path.to_path_buf(),
            line: span.map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1),
            message,
        };
        let file: File = toml::from_str(text).map_err(|e| error(e.span(), e.message().into()))?;
        let format = format_options(file.format.unwrap_or_default(), &error)?;
        let Some(section) = file.lint else {
            return Ok(Config {
                path: Some(path.to_path_buf()),
                format,
                ..Config::new()
            });
        };
        let section = section.into_inner();
        let all = rules::all();
        let resolve = |selector: &Spanned<String>| {
            rules::select(all, selector.get_ref()).ok_or_else(|| {
                error(
                    Some(selector.span()),
                    format!(
                        "`{}` names no rule (use a code such as KQL301, a prefix such as KQL3, \
                         a rule name, or ALL; `kqlsmith rules` lists them)",
                        selector.get_ref()
                    ),
                )
            })
        };
        let codes = |rules: Vec<&'static RuleInfo>| rules.into_iter().map(|r| r.code);

        let mut enabled: Vec<&'static str> = if section.select.is_empty() {
            all.iter().map(|r| r.code).collect()
        } else {
            let mut enabled = Vec::new();
            for selector in &section.select {
                enabled.extend(codes(resolve(selector)?));
            }
            enabled
        };
        for selector in &section.ignore {
            let ignored: Vec<_> = codes(resolve(selector)?).collect();
            enabled.retain(|code| !ignored.contains(code));
        }
        enabled.sort_unstable();
        enabled.dedup();

        let mut severity = BTreeMap::new();
        for (selector, level) in &section.severity {
            let level: Severity = level
                .get_ref()
                .parse()
                .map_err(|message| error(Some(level.span()), message))?;
            for code in codes(resolve(selector)?) {
                severity.insert(code, level);
            }
        }

        let folder = path.parent().unwrap_or(Path::new("."));
        let folder = std::path::absolute(folder).unwrap_or_else(|_| folder.to_path_buf());
        let base = glob::Pattern::escape(&folder.display().to_string());
        let mut per_file_ignores = Vec::new();
        for (pattern, selectors) in &section.per_file_ignores {
            let glob_text = format!("{base}/{}", pattern.get_ref());
            let glob = glob::Pattern::new(&glob_text).map_err(|e| {
                error(
                    Some(pattern.span()),
                    format!("`{}` is not a glob: {e}", pattern.get_ref()),
                )
            })?;
            let mut ignored = Vec::new();
            for selector in selectors {
                ignored.extend(codes(resolve(selector)?));
            }
            per_file_ignores.push((glob, ignored));
        }

        let columns = |table: &Spanned<String>,
                       entries: &BTreeMap<Spanned<String>, Spanned<String>>|
         -> Result<Vec<Column>, ConfigError> {
            if !is_identifier(table.get_ref()) {
                return Err(error(
                    Some(table.span()),
                    format!("`{}` is not a table name", table.get_ref()),
                ));
            }
            entries
                .iter()
                .map(|(name, ty)| {
                    if !is_identifier(name.get_ref()) {
                        return Err(error(
                            Some(name.span()),
                            format!("`{}` is not a column name", name.get_ref()),
                        ));
                    }
                    let ty = ColumnType::parse(ty.get_ref()).ok_or_else(|| {
                        error(
                            Some(ty.span()),
                            format!(
                                "`{}` is not a KQL type (bool, datetime, decimal, dynamic, \
                                 guid, int, long, real, string, timespan)",
                                ty.get_ref()
                            ),
                        )
                    })?;
                    Ok(Column::new(name.get_ref().as_str(), ty))
                })
                .collect()
        };
        let mut tables = Schema::default();
        for (name, entries) in &section.tables {
            tables.merge_table(Table {
                name: name.get_ref().as_str().into(),
                columns: columns(name, entries)?,
            });
        }
        let mut watchlists = BTreeMap::new();
        for (name, entries) in &section.watchlists {
            watchlists.insert(name.get_ref().clone(), columns(name, entries)?);
        }

        let platform = match section.platform {
            Some(p) if !crate::Platform::is_builtin_name(p.get_ref()) => {
                return Err(error(
                    Some(p.span()),
                    format!(
                        "unknown platform `{}` (known: {})",
                        p.get_ref(),
                        crate::Platform::builtins()
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
            other => other.map(Spanned::into_inner),
        };

        Ok(Config {
            path: Some(path.to_path_buf()),
            platform,
            enabled,
            severity,
            per_file_ignores,
            tables,
            watchlists,
            format,
        })
    }

    /// Whether the rule with this code runs on the file at `path` (`None`: not a file).
    pub fn is_enabled(&self, code: &str, path: Option<&Path>) -> bool {
        if !self.enabled.contains(&code) {
            return false;
        }
        let Some(path) = path else { return true };
        let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        !self
            .per_file_ignores
            .iter()
            .any(|(glob, codes)| codes.contains(&code) && glob.matches_path(&path))
    }

    /// The severity the rule reports at.
    pub fn severity(&self, rule: &RuleInfo) -> Severity {
        self.severity
            .get(rule.code)
            .copied()
            .unwrap_or(rule.severity)
    }

    /// Turns rules on or off after loading (the command line's `--select` and `--ignore`).
    pub fn set_enabled(&mut self, code: &'static str, on: bool) {
        self.enabled.retain(|c| *c != code);
        if on {
            self.enabled.push(code);
        }
    }
}

/// The formatter's options from the `[format]` table, checked: a value out of range is an
/// error at its line.
fn format_options(
    section: FormatSection,
    error: &impl Fn(Option<std::ops::Range<usize>>, String) -> ConfigError,
) -> Result<FormatOptions, ConfigError> {
    let mut options = FormatOptions::default();
    let within = |value: &Spanned<i64>, key: &str, low: usize, high: usize| {
        usize::try_from(*value.get_ref())
            .ok()
            .filter(|v| (low..=high).contains(v))
            .ok_or_else(|| {
                error(
                    Some(value.span()),
                    format!(
                        "`{key} = {}` is out of range: use {low} to {high}",
                        value.get_ref()
                    ),
                )
            })
    };
    if let Some(width) = &section.line_width {
        options.line_width = within(width, "line-width", 20, MAX_LINE_WIDTH)?;
    }
    if let Some(indent) = &section.indent {
        options.indent = within(indent, "indent", 1, MAX_INDENT)?;
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_runs_every_rule() {
        let config = Config::default();
        for rule in rules::all() {
            assert!(config.is_enabled(rule.code, None), "{}", rule.code);
        }
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/project/kqlsmith.toml"))
    }

    #[test]
    fn defaults_enable_every_rule_at_its_own_severity() {
        let config = parse("").unwrap();
        for rule in rules::all() {
            assert!(config.is_enabled(rule.code, None));
            assert_eq!(config.severity(rule), rule.severity);
        }
    }

    #[test]
    fn select_ignore_and_severity_take_codes_prefixes_and_names() {
        let config = parse(
            "[lint]\nplatform = \"sentinel\"\nselect = [\"KQL1\", \"contains-operator\"]\n\
             ignore = [\"KQL106\"]\n[lint.severity]\nKQL301 = \"error\"\n",
        )
        .unwrap();
        assert_eq!(config.platform.as_deref(), Some("sentinel"));
        assert!(config.is_enabled("KQL101", None));
        assert!(config.is_enabled("KQL301", None));
        assert!(!config.is_enabled("KQL106", None), "ignored");
        assert!(!config.is_enabled("KQL201", None), "not selected");
        let contains = rules::find(rules::all(), "KQL301").unwrap();
        assert_eq!(config.severity(contains), Severity::Error);
    }

    #[test]
    fn per_file_ignores_match_globs_relative_to_the_file() {
        let config = parse("[lint.per-file-ignores]\n\"legacy/**/*.kql\" = [\"KQL3\"]\n").unwrap();
        let old = Path::new("/project/legacy/a/b.kql");
        assert!(!config.is_enabled("KQL301", Some(old)));
        assert!(config.is_enabled("KQL101", Some(old)));
        assert!(config.is_enabled("KQL301", Some(Path::new("/project/new/b.kql"))));
    }

    #[test]
    fn custom_tables_and_watchlists_have_typed_columns() {
        let config = parse(
            "[lint.tables.MyHunt_CL]\nTimeGenerated = \"datetime\"\nHost = \"string\"\n\
             [lint.watchlists.Assets]\nHostname = \"string\"\n",
        )
        .unwrap();
        let table = config.tables.table("MyHunt_CL").unwrap();
        assert_eq!(table.column("Host").unwrap().ty, ColumnType::String);
        assert_eq!(config.watchlists["Assets"][0].name.as_ref(), "Hostname");
    }

    #[test]
    fn errors_name_the_file_the_line_and_the_problem() {
        let cases = [
            ("[lint]\nselect = [\"KQL999\"]\n", 2, "KQL999"),
            ("[lint]\n\nignore = [\"no-such-rule\"]\n", 3, "no-such-rule"),
            ("[lint.severity]\nKQL301 = \"fatal\"\n", 2, "fatal"),
            ("[lint]\nplatform = \"splunk\"\n", 2, "splunk"),
            ("[lint]\nselct = []\n", 2, "selct"),
            ("[lint.tables.T]\nA = \"text\"\n", 2, "text"),
            ("[lint\n", 1, ""),
        ];
        for (text, line, needle) in cases {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, Some(line), "{text}: {err}");
            let shown = err.to_string();
            assert!(
                shown.starts_with("/project/kqlsmith.toml:") && shown.contains(needle),
                "{shown}"
            );
        }
    }

    #[test]
    fn the_format_table_sets_the_formatter_options() {
        assert_eq!(parse("").unwrap().format, FormatOptions::default());
        let config = parse("[format]\nline-width = 80\nindent = 2\n").unwrap();
        assert_eq!(
            config.format,
            FormatOptions {
                line_width: 80,
                indent: 2
            }
        );
        let config = parse("[lint]\nplatform = \"sentinel\"\n[format]\nindent = 8\n").unwrap();
        assert_eq!((config.format.indent, config.format.line_width), (8, 100));
        for (text, line, needle) in [
            ("[format]\nline-width = 5\n", 2, "20 to 1000"),
            ("[format]\n\nindent = -1\n", 3, "1 to 16"),
            ("[format]\nindent = \"four\"\n", 2, "expected i64"),
            ("[format]\nwidth = 80\n", 2, "width"),
        ] {
            let err = parse(text).unwrap_err();
            assert_eq!(err.line, Some(line), "{text}: {err}");
            assert!(err.to_string().contains(needle), "{err}");
        }
    }

    #[test]
    fn other_sections_of_the_file_are_left_to_other_commands() {
        let config = parse("[hunt]\nwhatever = 1\n").unwrap();
        assert!(config.is_enabled("KQL101", None));
    }

    #[test]
    fn the_nearest_file_above_is_found() {
        let root = std::env::temp_dir().join(format!("kqlsmith-config-{}", std::process::id()));
        let deep = root.join("a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(root.join(FILE_NAME), "").unwrap();
        std::fs::write(deep.join("q.kql"), "").unwrap();
        assert_eq!(
            Config::find(&deep.join("q.kql")),
            Some(root.join(FILE_NAME))
        );
        std::fs::write(root.join("a").join(FILE_NAME), "").unwrap();
        assert_eq!(Config::find(&deep), Some(root.join("a").join(FILE_NAME)));
        // A bare file name is looked up from the current folder.
        assert_eq!(
            Config::find(Path::new("q.kql")),
            Config::find(&std::env::current_dir().unwrap())
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}
