//! What a table or column is called on the target platform: the time column maps to the time
//! column, and the `[convert.OTHER]` tables of the platform files rename the rest (read in
//! both directions).

use std::collections::HashMap;

use crate::platform::Platform;
use crate::schema::Table;

/// The target platform's names for the source platform's tables and columns.
pub(super) struct NameMap<'p> {
    pub from: &'p Platform,
    pub to: &'p Platform,
    /// Source table -> target table, where they differ.
    tables: HashMap<String, String>,
    /// (source table, source column) -> target column, where they differ.
    columns: HashMap<(String, String), String>,
}

/// Where a source column goes on the target platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Target {
    /// This name (which may be the same).
    Column(String),
    /// The target's table has no such column, under either name.
    Missing,
}

impl<'p> NameMap<'p> {
    pub fn new(from: &'p Platform, to: &'p Platform) -> NameMap<'p> {
        let mut map = NameMap {
            from,
            to,
            tables: HashMap::new(),
            columns: HashMap::new(),
        };
        // Written by the target's file, from its point of view: reversed.
        if let Some(back) = to.renames.get(&from.name) {
            for (target, source) in &back.tables {
                map.tables.insert(source.clone(), target.clone());
            }
            for (place, source_column) in &back.columns {
                if let Some((target_table, target_column)) = place.split_once('.') {
                    let source_table = back
                        .tables
                        .get(target_table)
                        .map_or(target_table, String::as_str);
                    map.columns.insert(
                        (source_table.to_string(), source_column.clone()),
                        target_column.to_string(),
                    );
                }
            }
        }
        // Written by the source's file: taken as is (and wins).
        if let Some(forward) = from.renames.get(&to.name) {
            for (source, target) in &forward.tables {
                map.tables.insert(source.clone(), target.clone());
            }
            for (place, target_column) in &forward.columns {
                if let Some((table, column)) = place.split_once('.') {
                    map.columns.insert(
                        (table.to_string(), column.to_string()),
                        target_column.clone(),
                    );
                }
            }
        }
        map
    }

    /// The source platform's table of this name.
    pub fn source_table(&self, name: &str) -> Option<&'p Table> {
        self.from.schema().table(name)
    }

    /// The target's name for a source table.
    pub fn table<'n>(&'n self, name: &'n str) -> &'n str {
        self.tables.get(name).map_or(name, String::as_str)
    }

    /// The target's table for a source table, if it has one.
    pub fn target_table(&self, name: &str) -> Option<&'p Table> {
        self.to.schema().table(self.table(name))
    }

    /// The target's name for the column `column` of the source table `table`: the time column
    /// becomes the target's time column, a renamed column its new name. Where the target's table
    /// lacks that name but has the column under its old one (a table the target times by
    /// another column), the old name stays. Without a target table, the mapped name is given.
    pub fn column(&self, table: &str, column: &str) -> Target {
        let mapped = if column == self.from.time_column {
            self.to.time_column.as_str()
        } else {
            self.columns
                .get(&(table.to_string(), column.to_string()))
                .map_or(column, String::as_str)
        };
        let Some(target) = self.target_table(table) else {
            return Target::Column(mapped.to_string());
        };
        if target.column(mapped).is_some() {
            Target::Column(mapped.to_string())
        } else if target.column(column).is_some() {
            Target::Column(column.to_string())
        } else {
            Target::Missing
        }
    }

    /// Whether a column of this name may have to change: the source's time column, or a
    /// column the platform files rename.
    pub fn may_change(&self, name: &str) -> bool {
        name == self.from.time_column || self.columns.keys().any(|(_, column)| column == name)
    }
}
