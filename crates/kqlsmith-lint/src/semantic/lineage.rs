//! Where a column's values come from: a platform table's column, under its own name or one
//! Kusto derived from it (`max_Timestamp`, `Timestamp1` after a `join`, `set_X`), or a
//! column the query made itself (`extend Timestamp = ...`). The converter renames exactly the
//! first kind.

use std::sync::Arc;

/// Stands for the source column's name in a derived name's template (`max_\0`).
pub(crate) const COLUMN: char = '\0';

/// The origin of one column of a stage's rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Lineage {
    /// Made by the query (`extend X = ...`, `parse`, `datatable`, a computed value).
    #[default]
    Own,
    /// The column `column` of the platform table (or table function) `table`, or of rows
    /// kqlsmith cannot see into whose source is called `table` (an unknown table, a tabular
    /// parameter), named `prefix + column + suffix`.
    Platform {
        table: Arc<str>,
        column: Arc<str>,
        /// The prefix and suffix Kusto added (`max_`, `1`); `None` for the column's own name.
        affixes: Option<Arc<(String, String)>>,
    },
}

impl Lineage {
    /// The column `column` of `table`, under its own name.
    pub fn platform(table: &Arc<str>, column: &Arc<str>) -> Lineage {
        Lineage::Platform {
            table: table.clone(),
            column: column.clone(),
            affixes: None,
        }
    }

    /// The name this column has when its source column is called `column`: `max_` + it.
    pub fn name_for(&self, column: &str) -> Option<String> {
        match self {
            Lineage::Own => None,
            Lineage::Platform { affixes: None, .. } => Some(column.to_string()),
            Lineage::Platform {
                affixes: Some(affixes),
                ..
            } => Some(format!("{}{column}{}", affixes.0, affixes.1)),
        }
    }

    /// Whether the column has its source column's own name (not a derived one).
    pub fn is_underived(&self) -> bool {
        matches!(self, Lineage::Platform { affixes: None, .. })
    }

    /// The template of this column's name, [`COLUMN`] standing for the source column's name.
    pub(crate) fn template(&self) -> Option<String> {
        self.name_for(&COLUMN.to_string())
    }

    /// The same source column under the name `template` makes (`None` when the template no
    /// longer holds the column's name: a computed value is the query's own).
    pub(crate) fn derived(&self, template: &str) -> Lineage {
        let Lineage::Platform { table, column, .. } = self else {
            return Lineage::Own;
        };
        match template.split_once(COLUMN) {
            Some(("", "")) => Lineage::platform(table, column),
            Some((prefix, suffix)) => Lineage::Platform {
                table: table.clone(),
                column: column.clone(),
                affixes: Some(Arc::new((prefix.to_string(), suffix.to_string()))),
            },
            None => Lineage::Own,
        }
    }

    /// The same column under its name with `suffix` added (`Timestamp1` after a join).
    pub(crate) fn suffixed(&self, suffix: &str) -> Lineage {
        if suffix.is_empty() {
            return self.clone();
        }
        match self.template() {
            Some(template) => self.derived(&format!("{template}{suffix}")),
            None => Lineage::Own,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names_keep_their_affixes_around_the_source_column() {
        let table: Arc<str> = "DeviceInfo".into();
        let column: Arc<str> = "Timestamp".into();
        let plain = Lineage::platform(&table, &column);
        assert_eq!(plain.name_for("TimeGenerated").unwrap(), "TimeGenerated");
        let max = plain.derived("max_\u{0}");
        assert_eq!(max.name_for("TimeGenerated").unwrap(), "max_TimeGenerated");
        let joined = max.suffixed("1");
        assert_eq!(joined.name_for("T").unwrap(), "max_T1");
        assert_eq!(plain.derived("Column1"), Lineage::Own);
        assert_eq!(Lineage::Own.suffixed("1"), Lineage::Own);
    }
}
