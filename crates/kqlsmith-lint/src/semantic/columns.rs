//! The set of columns the rows have at one point of a pipeline.

use std::ops::Range;
use std::sync::Arc;

use super::lineage::Lineage;
use crate::schema::{Column, ColumnType};

/// Columns in order, each with its [`Lineage`], or "open": after an operator the linter does
/// not understand, the set may hold columns it does not know about, so no name is reported as
/// unknown.
#[derive(Debug, Clone, Default)]
pub struct ColumnSet {
    columns: Vec<Column>,
    /// The lineage of each column of `columns`, at the same index; empty when every column
    /// is the query's own (always, unless the binder tracks lineage: the linter pays nothing).
    lineage: Vec<Lineage>,
    open: bool,
    /// For an open set, the source kqlsmith cannot see into (an unknown table, a tabular
    /// parameter, a function), when one is known.
    unseen: Option<Arc<str>>,
    /// Columns that earlier stages had and some stage dropped: name and that stage's keyword.
    removed: Vec<(Arc<str>, Range<usize>)>,
}

/// The lineage of a column nobody recorded one for.
static OWN: Lineage = Lineage::Own;

impl ColumnSet {
    /// Columns the query made.
    pub fn new(columns: Vec<Column>) -> ColumnSet {
        ColumnSet {
            columns,
            ..ColumnSet::default()
        }
    }

    /// The columns of the platform table (or table function) `table`.
    pub fn of_table(table: &Arc<str>, columns: Vec<Column>) -> ColumnSet {
        let lineage = columns
            .iter()
            .map(|c| Lineage::platform(table, &c.name))
            .collect();
        ColumnSet {
            columns,
            lineage,
            ..ColumnSet::default()
        }
    }

    /// A set about which nothing is known.
    pub fn open() -> ColumnSet {
        ColumnSet {
            open: true,
            ..ColumnSet::default()
        }
    }

    /// The rows of `source`, which kqlsmith cannot see into: nothing is known of them.
    pub fn unseen(source: &str) -> ColumnSet {
        ColumnSet {
            open: true,
            unseen: Some(source.into()),
            ..ColumnSet::default()
        }
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// What the rows of an open set come from, when it is a source kqlsmith cannot see into.
    pub fn unseen_source(&self) -> Option<&Arc<str>> {
        self.unseen.as_ref()
    }

    /// From here on, anything may be a column.
    pub fn set_open(&mut self) {
        self.open = true;
    }

    /// Opens this set with what `other` says of its openness (rows that come partly from
    /// `other`).
    pub fn open_like(&mut self, other: &ColumnSet) {
        if other.open {
            self.open = true;
            if self.unseen.is_none() {
                self.unseen = other.unseen.clone();
            }
        }
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| &*c.name == name)
    }

    pub fn get(&self, name: &str) -> Option<&Column> {
        self.position(name).map(|i| &self.columns[i])
    }

    /// The lineage of the column at `i`.
    fn lineage_at(&self, i: usize) -> &Lineage {
        self.lineage.get(i).unwrap_or(&OWN)
    }

    /// The column of that name with its lineage.
    pub fn get_with_lineage(&self, name: &str) -> Option<(&Column, &Lineage)> {
        self.position(name)
            .map(|i| (&self.columns[i], self.lineage_at(i)))
    }

    /// The lineage of the column of that name.
    pub fn lineage(&self, name: &str) -> Option<&Lineage> {
        self.position(name).map(|i| self.lineage_at(i))
    }

    /// The columns with their lineage, in order.
    pub fn with_lineage(&self) -> impl Iterator<Item = (&Column, &Lineage)> {
        self.columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c, self.lineage_at(i)))
    }

    /// Makes room for a lineage other than `Own` (the list is kept empty until one comes).
    fn track(&mut self, lineage: &Lineage) -> bool {
        if self.lineage.is_empty() && *lineage == Lineage::Own {
            return false;
        }
        if self.lineage.len() < self.columns.len() {
            self.lineage.resize(self.columns.len(), Lineage::Own);
        }
        true
    }

    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// Adds a column the query made, or replaces the one of that name (as `extend` does).
    pub fn set(&mut self, name: &str, ty: ColumnType) {
        self.set_with(name, ty, Lineage::Own);
    }

    /// Adds a column with its lineage, or replaces the one of that name.
    pub fn set_with(&mut self, name: &str, ty: ColumnType, lineage: Lineage) {
        self.removed.retain(|(n, _)| &**n != name);
        let tracked = self.track(&lineage);
        match self.position(name) {
            Some(i) => {
                self.columns[i].ty = ty;
                if tracked {
                    self.lineage[i] = lineage;
                }
            }
            None => {
                self.columns.push(Column::new(name, ty));
                if tracked {
                    self.lineage.push(lineage);
                }
            }
        }
    }

    /// Adds a column the caller knows the set does not have (no search: for sets of
    /// thousands of columns, such as `union *`'s).
    pub(crate) fn push_new(&mut self, column: Column, lineage: Lineage) {
        let tracked = self.track(&lineage);
        self.columns.push(column);
        if tracked {
            self.lineage.push(lineage);
        }
    }

    /// The stage that dropped `name`, if one did.
    pub fn removed_by(&self, name: &str) -> Option<&Range<usize>> {
        self.removed
            .iter()
            .rev()
            .find(|(n, _)| &**n == name)
            .map(|(_, s)| s)
    }

    /// Replaces the columns with those of `next` (the result of `project`, `summarize`, ...),
    /// remembering which columns `stage` dropped. The set is open if it was or `next` is.
    pub fn replace(&mut self, next: ColumnSet, stage: &Range<usize>) {
        self.open_like(&next);
        for column in &self.columns {
            if !next.columns.iter().any(|c| c.name == column.name) {
                self.removed.push((column.name.clone(), stage.clone()));
            }
        }
        self.removed
            .retain(|(n, _)| !next.columns.iter().any(|c| c.name == *n));
        self.columns = next.columns;
        self.lineage = next.lineage;
    }

    /// Removes the columns `drop` says, remembering `stage` as what dropped them.
    pub fn remove_where(&mut self, stage: &Range<usize>, mut drop: impl FnMut(&str) -> bool) {
        let mut next = ColumnSet::default();
        for (c, l) in self.with_lineage() {
            if !drop(&c.name) {
                next.push_new(c.clone(), l.clone());
            }
        }
        self.replace(next, stage);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacing_remembers_what_was_dropped_and_by_which_stage() {
        let mut set = ColumnSet::new(vec![
            Column::new("A", ColumnType::String),
            Column::new("B", ColumnType::Long),
        ]);
        set.replace(
            ColumnSet::new(vec![Column::new("A", ColumnType::String)]),
            &(10..17),
        );
        assert!(set.contains("A") && !set.contains("B"));
        assert_eq!(set.removed_by("B"), Some(&(10..17)));
        set.set("B", ColumnType::Bool);
        assert_eq!(set.removed_by("B"), None, "B exists again");
        assert_eq!(set.get("B").unwrap().ty, ColumnType::Bool);
    }
}
