//! Platforms as data: what differs between Defender XDR and Sentinel, loaded from
//! `profiles/platforms/*.toml`: the time column, the table schema (a `*.tables` file beside the
//! TOML), names compared ignoring case, and the platform's own functions. The shipped platforms
//! are embedded in the binary; a user may load another one from a file (say, a Sentinel
//! workspace with custom tables).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::Deserialize;

use crate::schema::{Column, Schema, parse_columns};

/// A platform that runs KQL hunting queries.
#[derive(Debug, Clone)]
pub struct Platform {
    /// Short name used on the command line and in file names, e.g. `defender`.
    pub name: String,
    /// Human name, e.g. `Microsoft Defender XDR advanced hunting`.
    pub title: String,
    /// The column every table is timed by: `Timestamp` or `TimeGenerated`.
    pub time_column: String,
    /// Where the table schema comes from, and how old it is.
    pub schema_source: Option<SchemaSource>,
    /// Columns holding names (devices, accounts) that should be compared ignoring case.
    pub case_insensitive_names: Vec<String>,
    /// The platform's own functions (Defender's `FileProfile`, `AssignedIPAddresses`, ...).
    pub functions: Vec<PlatformFunction>,
    /// Names that other platforms spell differently, by the other platform's name (for
    /// `kqlsmith convert`).
    pub renames: BTreeMap<String, Renames>,
    /// Tables Microsoft has replaced, by their old name.
    pub deprecated_tables: BTreeMap<String, DeprecatedTable>,
    schema_text: Option<Arc<str>>,
    schema: Arc<OnceLock<Schema>>,
}

/// The origin of a platform's schema, recorded in its TOML file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaSource {
    /// The `*.tables` file, relative to the platform file.
    pub file: String,
    /// Where the tables and columns were taken from.
    pub source: String,
    /// When (year and month).
    pub date: String,
    /// What corrects the file: `"Table.Column" = "type"` retypes a column; `"Table" =
    /// "Column:type ..."` gives a table exactly these columns (adding it if missing);
    /// `"Table" = ""` says the platform has no such table.
    #[serde(default)]
    pub corrections: std::collections::BTreeMap<String, String>,
}

/// Tables and columns another platform names differently: `[convert.OTHER]` in the platform
/// file. `kqlsmith convert` renames them going to that platform, and back coming from it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Renames {
    /// This platform's table name -> the other platform's.
    #[serde(default)]
    pub tables: BTreeMap<String, String>,
    /// `Table.Column` (this platform's names) -> the column's name on the other platform.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
}

/// A table Microsoft has replaced: `[deprecated_tables.OLD]` in the platform file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeprecatedTable {
    /// The table to read instead.
    pub replacement: String,
    /// Whether every column of the old table is in the replacement with the same type, so
    /// that renaming the table keeps a query's meaning.
    pub columns_carry_over: bool,
}

/// How a platform function is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FunctionUsage {
    /// `| invoke F(...)`: takes the rows piped into it.
    Invoke,
    /// `F(...)` where a table may stand: a table source of its own.
    Table,
}

/// A function the platform provides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformFunction {
    pub name: String,
    pub usage: FunctionUsage,
    pub min_args: usize,
    pub max_args: usize,
    /// Columns an `invoke` adds to its input rows; `None` when not known.
    pub adds_columns: Option<Vec<Column>>,
    /// Columns a table function returns; `None` when not known.
    pub returns_columns: Option<Vec<Column>>,
}

/// The platform file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlatformFile {
    name: String,
    title: String,
    time_column: String,
    schema: Option<SchemaSource>,
    #[serde(default)]
    names: NamesSection,
    #[serde(default)]
    functions: Vec<FunctionEntry>,
    #[serde(default)]
    convert: BTreeMap<String, Renames>,
    #[serde(default)]
    deprecated_tables: BTreeMap<String, DeprecatedTable>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct NamesSection {
    #[serde(default)]
    case_insensitive: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FunctionEntry {
    name: String,
    usage: FunctionUsage,
    min_args: usize,
    max_args: usize,
    adds_columns: Option<String>,
    returns_columns: Option<String>,
}

/// The platforms shipped with kqlsmith, `(file name, TOML text, schema text)`: every
/// `data/platforms/*.toml`, listed by the build script (`build.rs`).
const BUILTIN: &[(&str, &str, Option<&str>)] = include!(concat!(env!("OUT_DIR"), "/platforms.rs"));

/// A platform file that could not be read or is not valid.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("cannot read platform file {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid platform file {path}: {message}")]
    Invalid { path: String, message: String },
    #[error("unknown platform `{name}` (known: {known})")]
    Unknown { name: String, known: String },
}

impl PartialEq for Platform {
    /// Platforms are the same when their files say the same; the parsed schema is a cache.
    fn eq(&self, other: &Platform) -> bool {
        self.name == other.name
            && self.title == other.title
            && self.time_column == other.time_column
            && self.schema_source == other.schema_source
            && self.case_insensitive_names == other.case_insensitive_names
            && self.functions == other.functions
            && self.renames == other.renames
            && self.deprecated_tables == other.deprecated_tables
            && self.schema_text == other.schema_text
    }
}

impl Eq for Platform {}

impl Platform {
    /// Parses a platform from TOML text; `origin` names the file in error messages. A schema
    /// file named in `[schema]` is read relative to `origin`'s folder and checked now.
    pub fn from_toml(text: &str, origin: &str) -> Result<Platform, PlatformError> {
        let mut platform = Platform::from_toml_without_schema(text, origin)?;
        if let Some(source) = &platform.schema_source {
            let base = Path::new(origin).parent().unwrap_or(Path::new("."));
            let path: PathBuf = base.join(&source.file);
            let schema_text =
                std::fs::read_to_string(&path).map_err(|source| PlatformError::Io {
                    path: path.display().to_string(),
                    source,
                })?;
            let mut schema = Schema::parse(&schema_text).map_err(|e| PlatformError::Invalid {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            apply_corrections(&mut schema, &source.corrections).map_err(|message| {
                PlatformError::Invalid {
                    path: origin.to_string(),
                    message,
                }
            })?;
            platform.schema = Arc::new(OnceLock::from(schema));
            platform.schema_text = Some(schema_text.into());
        }
        Ok(platform)
    }

    pub(crate) fn from_toml_without_schema(
        text: &str,
        origin: &str,
    ) -> Result<Platform, PlatformError> {
        let invalid = |message: String| PlatformError::Invalid {
            path: origin.to_string(),
            message,
        };
        let file: PlatformFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
        let columns = |function: &str, text: &Option<String>| {
            text.as_deref()
                .map(|text| parse_columns(text.split_ascii_whitespace()))
                .transpose()
                .map_err(|e| invalid(format!("function `{function}`: {e}")))
        };
        let functions = file
            .functions
            .iter()
            .map(|f| {
                if f.min_args > f.max_args {
                    return Err(invalid(format!(
                        "function `{}`: min_args is larger than max_args",
                        f.name
                    )));
                }
                Ok(PlatformFunction {
                    name: f.name.clone(),
                    usage: f.usage,
                    min_args: f.min_args,
                    max_args: f.max_args,
                    adds_columns: columns(&f.name, &f.adds_columns)?,
                    returns_columns: columns(&f.name, &f.returns_columns)?,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        for (other, renames) in &file.convert {
            if let Some(key) = renames.columns.keys().find(|k| k.split_once('.').is_none()) {
                return Err(invalid(format!(
                    "[convert.{other}.columns]: `{key}` is not `Table.Column`"
                )));
            }
        }
        Ok(Platform {
            name: file.name,
            title: file.title,
            time_column: file.time_column,
            schema_source: file.schema,
            case_insensitive_names: file.names.case_insensitive,
            functions,
            renames: file.convert,
            deprecated_tables: file.deprecated_tables,
            schema_text: None,
            schema: Arc::new(OnceLock::new()),
        })
    }

    /// Gives the platform this schema text (the shipped platforms', or a test's).
    pub(crate) fn set_schema_text(&mut self, text: &str) {
        self.schema_text = Some(text.into());
        self.schema = Arc::new(OnceLock::new());
    }

    /// Loads a platform from a TOML file (and the schema file it names).
    pub fn load(path: &Path) -> Result<Platform, PlatformError> {
        let text = std::fs::read_to_string(path).map_err(|source| PlatformError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Platform::from_toml(&text, &path.display().to_string())
    }

    /// Every platform shipped with kqlsmith, in a stable order. They are parsed once a
    /// process and their schemas on first use; clones share both.
    pub fn builtins() -> Vec<Platform> {
        Platform::shipped().to_vec()
    }

    /// The shipped platforms, parsed once a process.
    pub(crate) fn shipped() -> &'static [Platform] {
        static BUILTINS: OnceLock<Vec<Platform>> = OnceLock::new();
        BUILTINS.get_or_init(|| {
            BUILTIN
                .iter()
                .map(|(origin, text, tables)| {
                    let mut platform = Platform::from_toml_without_schema(text, origin)
                        .unwrap_or_else(|e| panic!("shipped platform file is invalid: {e}"));
                    if let Some(tables) = tables {
                        platform.set_schema_text(tables);
                    }
                    platform
                })
                .collect()
        })
    }

    /// The shipped platform with this name (`defender`, `sentinel`).
    pub fn builtin(name: &str) -> Result<Platform, PlatformError> {
        let all = Platform::shipped();
        all.iter()
            .find(|p| p.name == name)
            .cloned()
            .ok_or_else(|| PlatformError::Unknown {
                name: name.to_string(),
                known: all
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }

    /// Whether a platform of this name ships with kqlsmith.
    pub fn is_builtin_name(name: &str) -> bool {
        Platform::shipped().iter().any(|p| p.name == name)
    }

    /// The platform's tables. Parsed on first use and shared by every clone.
    pub fn schema(&self) -> &Schema {
        self.schema.get_or_init(|| match &self.schema_text {
            // Shipped schemas are checked by the tests; a user's file was checked at load.
            Some(text) => {
                let mut schema = Schema::parse(text)
                    .unwrap_or_else(|e| panic!("schema of platform `{}`: {e}", self.name));
                if let Some(source) = &self.schema_source {
                    apply_corrections(&mut schema, &source.corrections)
                        .unwrap_or_else(|e| panic!("platform `{}`: {e}", self.name));
                }
                schema
            }
            None => Schema::default(),
        })
    }

    /// The platform function with this name.
    pub fn function(&self, name: &str) -> Option<&PlatformFunction> {
        self.functions.iter().find(|f| f.name == name)
    }

    /// The replacement of this table, when Microsoft has deprecated it.
    pub fn deprecated_table(&self, name: &str) -> Option<&DeprecatedTable> {
        self.deprecated_tables.get(name)
    }

    /// Whether values of this column are names to compare ignoring case.
    pub fn is_case_insensitive_name(&self, column: &str) -> bool {
        self.case_insensitive_names.iter().any(|c| c == column)
    }
}

/// Applies the platform file's `[schema.corrections]` to the compiled table list.
fn apply_corrections(
    schema: &mut Schema,
    corrections: &std::collections::BTreeMap<String, String>,
) -> Result<(), String> {
    for (place, value) in corrections {
        match place.split_once('.') {
            Some((table, column)) => retype_column(schema, table, column, value)
                .map_err(|e| format!("correction `{place}`: {e}"))?,
            None if value.trim().is_empty() => {
                if !schema.remove_table(place) {
                    return Err(format!("correction `{place}`: no such table to remove"));
                }
            }
            None => {
                let columns = parse_columns(value.split_ascii_whitespace())
                    .map_err(|e| format!("correction `{place}`: {e}"))?;
                schema.replace_table(crate::schema::Table {
                    name: place.as_str().into(),
                    columns,
                });
            }
        }
    }
    Ok(())
}

/// Retypes one column the compiled list types wrongly.
fn retype_column(schema: &mut Schema, table: &str, column: &str, ty: &str) -> Result<(), String> {
    let ty =
        crate::schema::ColumnType::parse(ty).ok_or_else(|| format!("`{ty}` is not a KQL type"))?;
    if schema
        .table(table)
        .is_none_or(|t| t.column(column).is_none())
    {
        return Err("no such table column".into());
    }
    schema.merge_table(crate::schema::Table {
        name: table.into(),
        columns: vec![Column::new(column, ty)],
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::ColumnType;

    #[test]
    fn shipped_platforms_load_with_their_time_columns() {
        assert_eq!(
            Platform::builtin("defender").unwrap().time_column,
            "Timestamp"
        );
        assert_eq!(
            Platform::builtin("sentinel").unwrap().time_column,
            "TimeGenerated"
        );
    }

    #[test]
    fn shipped_schemas_have_every_table_with_types() {
        let defender = Platform::builtin("defender").unwrap();
        let sentinel = Platform::builtin("sentinel").unwrap();
        // The compiled list's 62 and 925, with the Entra ID sign-in beta tables moved from
        // Sentinel to Defender by the corrections.
        assert_eq!(defender.schema().len(), 64);
        assert_eq!(sentinel.schema().len(), 923);
        let events = defender.schema().table("DeviceNetworkEvents").unwrap();
        assert_eq!(events.column("Timestamp").unwrap().ty, ColumnType::DateTime);
        assert!(events.column("TimeGenerated").is_none());
        let signins = sentinel.schema().table("SigninLogs").unwrap();
        assert!(signins.column("TimeGenerated").is_some());
        assert!(signins.column("Timestamp").is_none());
        // Corrected from the compiled list's `string`.
        let info = defender.schema().table("DeviceNetworkInfo").unwrap();
        assert_eq!(info.column("IPAddresses").unwrap().ty, ColumnType::Dynamic);
        let source = defender.schema_source.as_ref().unwrap();
        assert!(source.source.contains("447cd18") && source.date == "2026-07");
    }

    #[test]
    fn corrections_move_the_entra_id_beta_tables_to_defender() {
        let defender = Platform::builtin("defender").unwrap();
        let sentinel = Platform::builtin("sentinel").unwrap();
        for table in ["AADSignInEventsBeta", "AADSpnSignInEventsBeta"] {
            assert!(sentinel.schema().table(table).is_none(), "{table}");
            let columns = &defender.schema().table(table).unwrap().columns;
            assert_eq!(columns[0], Column::new("Timestamp", ColumnType::DateTime));
            assert!(columns.iter().any(|c| &*c.name == "IPAddress"), "{table}");
        }
        let signins = defender.schema().table("AADSignInEventsBeta").unwrap();
        assert_eq!(signins.columns.len(), 45);
        assert_eq!(signins.column("IsGuestUser").unwrap().ty, ColumnType::Bool);
    }

    #[test]
    fn deprecated_tables_name_a_replacement_whose_columns_are_as_stated() {
        let mut seen = 0;
        for platform in Platform::builtins() {
            for (old, deprecated) in &platform.deprecated_tables {
                seen += 1;
                let schema = platform.schema();
                let old_table = schema.table(old).unwrap_or_else(|| panic!("{old}"));
                let new_table = schema
                    .table(&deprecated.replacement)
                    .unwrap_or_else(|| panic!("{}", deprecated.replacement));
                let carried = old_table
                    .columns
                    .iter()
                    .all(|c| new_table.column(&c.name) == Some(c));
                assert_eq!(carried, deprecated.columns_carry_over, "{old}");
            }
        }
        assert_eq!(seen, 2);
        let defender = Platform::builtin("defender").unwrap();
        let spn = defender.deprecated_table("AADSpnSignInEventsBeta").unwrap();
        assert_eq!(spn.replacement, "EntraIdSpnSignInEvents");
        assert!(defender.deprecated_table("EntraIdSignInEvents").is_none());
    }

    #[test]
    fn corrections_add_replace_and_remove_tables() {
        let dir = std::env::temp_dir().join(format!("kqlsmith-corrections-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("w.tables"),
            "A T:datetime\nB T:datetime X:string\n",
        )
        .unwrap();
        let load = |corrections: &str| {
            let toml = format!(
                "name = \"w\"\ntitle = \"W\"\ntime_column = \"T\"\n[schema]\nfile = \"w.tables\"\n\
                 source = \"mine\"\ndate = \"2026-01\"\n[schema.corrections]\n{corrections}"
            );
            std::fs::write(dir.join("w.toml"), toml).unwrap();
            Platform::load(&dir.join("w.toml"))
        };
        let platform = load("A = \"T:datetime Y:long\"\nB = \"\"\nC = \"Z:bool\"\n").unwrap();
        let schema = platform.schema();
        assert_eq!(
            schema.table("A").unwrap().column("Y").unwrap().ty,
            ColumnType::Long
        );
        assert!(schema.table("B").is_none());
        assert_eq!(schema.table("C").unwrap().columns.len(), 1);

        let err = load("Nope = \"\"\n").unwrap_err().to_string();
        assert!(
            err.contains("`Nope`") && err.contains("no such table"),
            "{err}"
        );
        let err = load("A = \"Y:nope\"\n").unwrap_err().to_string();
        assert!(err.contains("`A`") && err.contains("nope"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn defender_knows_its_own_functions() {
        let defender = Platform::builtin("defender").unwrap();
        for name in [
            "FileProfile",
            "DeviceFromIP",
            "AssignedIPAddresses",
            "SeenBy",
        ] {
            assert!(defender.function(name).is_some(), "{name}");
        }
        let profile = defender.function("FileProfile").unwrap();
        assert_eq!(profile.usage, FunctionUsage::Invoke);
        assert!(
            profile
                .adds_columns
                .as_ref()
                .unwrap()
                .iter()
                .any(|c| &*c.name == "GlobalPrevalence")
        );
        assert!(
            Platform::builtin("sentinel")
                .unwrap()
                .function("FileProfile")
                .is_none()
        );
    }

    /// The build script pairs `<name>.toml` with `<name>.tables`: the schema file each
    /// platform file names is that one.
    #[test]
    fn every_platform_file_is_shipped_with_the_schema_it_names() {
        assert!(BUILTIN.len() >= 2);
        for (origin, _, tables) in BUILTIN {
            let platform = Platform::shipped()
                .iter()
                .find(|p| origin.ends_with(&format!("/{}.toml", p.name)))
                .unwrap_or_else(|| panic!("{origin}: its `name` is not its file name"));
            let named = platform.schema_source.as_ref().map(|s| s.file.clone());
            let expected = tables.map(|_| format!("{}.tables", platform.name));
            assert_eq!(named, expected, "{origin}");
        }
    }

    #[test]
    fn unknown_platform_names_the_known_ones() {
        let err = Platform::builtin("splunk").unwrap_err().to_string();
        assert!(
            err.contains("splunk") && err.contains("defender, sentinel"),
            "{err}"
        );
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_line() {
        let err = Platform::from_toml(
            "name = \"x\"\ntitle = \"x\"\ntime_column = \"T\"\ntime_colum = \"T\"\n",
            "x.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("x.toml") && err.contains("line 4") && err.contains("time_colum"),
            "{err}"
        );
    }

    #[test]
    fn a_platform_file_reads_its_schema_beside_it() {
        let dir = std::env::temp_dir().join(format!("kqlsmith-platform-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("w.tables"),
            "MyTable_CL TimeGenerated:datetime Msg:string\n",
        )
        .unwrap();
        let toml = "name = \"w\"\ntitle = \"W\"\ntime_column = \"TimeGenerated\"\n\
                    [schema]\nfile = \"w.tables\"\nsource = \"mine\"\ndate = \"2026-01\"\n";
        std::fs::write(dir.join("w.toml"), toml).unwrap();
        let platform = Platform::load(&dir.join("w.toml")).unwrap();
        assert!(platform.schema().table("MyTable_CL").is_some());

        std::fs::write(dir.join("w.tables"), "MyTable_CL Msg:text\n").unwrap();
        let err = Platform::load(&dir.join("w.toml")).unwrap_err().to_string();
        assert!(err.contains("w.tables") && err.contains("line 1"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_function_columns_are_reported() {
        let toml = "name = \"x\"\ntitle = \"x\"\ntime_column = \"T\"\n[[functions]]\n\
                    name = \"F\"\nusage = \"invoke\"\nmin_args = 0\nmax_args = 1\n\
                    adds_columns = \"A:nope\"\n";
        let err = Platform::from_toml(toml, "x.toml").unwrap_err().to_string();
        assert!(err.contains("`F`") && err.contains("nope"), "{err}");
    }
}
