//! Table schemas: which tables a platform has, and each table's columns with their types.
//!
//! Schemas ship as text, one table a line (`Table Column:type Column:type ...`, lines starting
//! with `#` are comments), because that form is small and parses in about a millisecond for
//! Sentinel's 925 tables; it is parsed once, on first use.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

/// The type of a column, as far as kqlsmith needs to know it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    Bool,
    DateTime,
    Decimal,
    Dynamic,
    Guid,
    Int,
    Long,
    Real,
    String,
    Timespan,
    /// Not known (a computed column whose type kqlsmith does not infer).
    Unknown,
}

impl ColumnType {
    /// Parses a KQL type name, accepting the usual aliases (`boolean`, `double`, `date`, ...).
    pub fn parse(name: &str) -> Option<ColumnType> {
        Some(match name.to_ascii_lowercase().as_str() {
            "bool" | "boolean" => ColumnType::Bool,
            "datetime" | "date" => ColumnType::DateTime,
            "decimal" => ColumnType::Decimal,
            "dynamic" => ColumnType::Dynamic,
            "guid" | "uuid" | "uniqueid" => ColumnType::Guid,
            "int" | "int32" => ColumnType::Int,
            "long" | "int64" => ColumnType::Long,
            "real" | "double" => ColumnType::Real,
            "string" => ColumnType::String,
            "timespan" | "time" => ColumnType::Timespan,
            _ => return None,
        })
    }

    /// The canonical KQL name of the type.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Bool => "bool",
            ColumnType::DateTime => "datetime",
            ColumnType::Decimal => "decimal",
            ColumnType::Dynamic => "dynamic",
            ColumnType::Guid => "guid",
            ColumnType::Int => "int",
            ColumnType::Long => "long",
            ColumnType::Real => "real",
            ColumnType::String => "string",
            ColumnType::Timespan => "timespan",
            ColumnType::Unknown => "unknown",
        }
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A column: its name and type. Names are shared, so column sets clone cheaply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: Arc<str>,
    pub ty: ColumnType,
}

impl Column {
    pub fn new(name: impl Into<Arc<str>>, ty: ColumnType) -> Column {
        Column {
            name: name.into(),
            ty,
        }
    }
}

/// A table and its columns, in the order the platform lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: Arc<str>,
    pub columns: Vec<Column>,
}

impl Table {
    /// The column with this name (names are case-sensitive in KQL).
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| &*c.name == name)
    }
}

/// A schema line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct SchemaError {
    pub line: usize,
    pub message: String,
}

/// The tables of a platform (or of a user's additions), by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    tables: HashMap<Arc<str>, Table>,
}

impl Schema {
    /// Parses the line format (`Table Column:type ...`).
    pub fn parse(text: &str) -> Result<Schema, SchemaError> {
        let mut tables = HashMap::new();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let error = |message: String| SchemaError {
                line: index + 1,
                message,
            };
            let mut words = line.split_ascii_whitespace();
            let name: Arc<str> = words.next().unwrap_or_default().into();
            let columns = parse_columns(words).map_err(error)?;
            if tables.contains_key(&name) {
                return Err(error(format!("table `{name}` is listed twice")));
            }
            tables.insert(name.clone(), Table { name, columns });
        }
        Ok(Schema { tables })
    }

    /// The table with this name (names are case-sensitive in KQL).
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }

    /// Every table, in no particular order.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.tables.values()
    }

    /// How many tables the schema has.
    pub fn len(&self) -> usize {
        self.tables.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Puts a table in with exactly these columns, replacing any table of the same name.
    pub fn replace_table(&mut self, table: Table) {
        self.tables.insert(table.name.clone(), table);
    }

    /// Takes a table out; returns whether it was there.
    pub fn remove_table(&mut self, name: &str) -> bool {
        self.tables.remove(name).is_some()
    }

    /// Adds a table, or adds columns to (and retypes columns of) the table already there.
    pub fn merge_table(&mut self, table: Table) {
        match self.tables.get_mut(&table.name) {
            None => {
                self.tables.insert(table.name.clone(), table);
            }
            Some(existing) => {
                for column in table.columns {
                    match existing.columns.iter_mut().find(|c| c.name == column.name) {
                        Some(slot) => slot.ty = column.ty,
                        None => existing.columns.push(column),
                    }
                }
            }
        }
    }
}

/// Parses `Column:type` words.
pub fn parse_columns<'a>(words: impl Iterator<Item = &'a str>) -> Result<Vec<Column>, String> {
    words
        .map(|word| {
            let (name, ty) = word
                .split_once(':')
                .ok_or_else(|| format!("`{word}` is not `Column:type`"))?;
            let ty = ColumnType::parse(ty)
                .ok_or_else(|| format!("`{ty}` (column `{name}`) is not a KQL type"))?;
            if !is_identifier(name) {
                return Err(format!("`{name}` is not a column name"));
            }
            Ok(Column::new(name, ty))
        })
        .collect()
}

/// Whether `name` is a plain KQL identifier (needs no `['...']` quoting).
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tables_with_typed_columns_and_skips_comments() {
        let schema = Schema::parse("# a comment\nT A:string B:boolean\n\nU C:double\n").unwrap();
        assert_eq!(schema.len(), 2);
        let t = schema.table("T").unwrap();
        assert_eq!(t.column("B").unwrap().ty, ColumnType::Bool);
        assert_eq!(schema.table("U").unwrap().columns[0].ty, ColumnType::Real);
        assert!(
            schema.table("t").is_none(),
            "table names are case-sensitive"
        );
    }

    #[test]
    fn bad_lines_name_their_line_and_word() {
        let err = Schema::parse("T A:string\nU B:strng\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("strng"), "{err}");
        let err = Schema::parse("T A\n").unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
        let err = Schema::parse("T A:int\nT B:int\n").unwrap_err();
        assert!(err.message.contains("twice"), "{err}");
    }

    #[test]
    fn merging_adds_tables_and_columns_and_retypes() {
        let mut schema = Schema::parse("T A:string B:string\n").unwrap();
        schema.merge_table(Table {
            name: "T".into(),
            columns: vec![
                Column::new("B", ColumnType::Long),
                Column::new("C", ColumnType::Dynamic),
            ],
        });
        schema.merge_table(Table {
            name: "W".into(),
            columns: vec![],
        });
        let t = schema.table("T").unwrap();
        let cols: Vec<_> = t.columns.iter().map(|c| (&*c.name, c.ty)).collect();
        assert_eq!(
            cols,
            [
                ("A", ColumnType::String),
                ("B", ColumnType::Long),
                ("C", ColumnType::Dynamic)
            ]
        );
        assert!(schema.table("W").is_some());
    }
}
