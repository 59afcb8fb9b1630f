//! The set of columns the rows have at one point of a pipeline.

use std::sync::Arc;

use crate::ir::Span;
use crate::schema::{Column, ColumnType};

/// Columns in order, or "open": after an operator the linter does not understand, the set
/// may hold columns it does not know about, so no name is reported as unknown.
#[derive(Debug, Clone, Default)]
pub struct ColumnSet {
    columns: Vec<Column>,
    open: bool,
    /// Columns that earlier stages had and some stage dropped: name and that stage's keyword.
    removed: Vec<(Arc<str>, Span)>,
}

impl ColumnSet {
    pub fn new(columns: Vec<Column>) -> ColumnSet {
        ColumnSet {
            columns,
            open: false,
            removed: Vec::new(),
        }
    }

    /// A set about which nothing is known.
    pub fn open() -> ColumnSet {
        ColumnSet {
            open: true,
            ..ColumnSet::default()
        }
    }

    pub fn is_open(&self) -> bool {
        self.open
    }

    /// From here on, anything may be a column.
    pub fn set_open(&mut self) {
        self.open = true;
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn get(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| &*c.name == name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Adds a column, or replaces the type of the one of that name (as `extend` does).
    pub fn set(&mut self, name: &str, ty: ColumnType) {
        self.removed.retain(|(n, _)| &**n != name);
        match self.columns.iter_mut().find(|c| &*c.name == name) {
            Some(column) => column.ty = ty,
            None => self.columns.push(Column::new(name, ty)),
        }
    }

    /// The stage that dropped `name`, if one did.
    pub fn removed_by(&self, name: &str) -> Option<&Span> {
        self.removed
            .iter()
            .rev()
            .find(|(n, _)| &**n == name)
            .map(|(_, s)| s)
    }

    /// Replaces the columns with `next` (the result of `project`, `summarize`, ...),
    /// remembering which columns `stage` dropped.
    pub fn replace(&mut self, next: Vec<Column>, stage: &Span) {
        for column in &self.columns {
            if !next.iter().any(|c| c.name == column.name) {
                self.removed.push((column.name.clone(), stage.clone()));
            }
        }
        self.removed
            .retain(|(n, _)| !next.iter().any(|c| c.name == *n));
        self.columns = next;
    }

    /// Removes the columns `drop` says, remembering `stage` as what dropped them.
    pub fn remove_where(&mut self, stage: &Span, mut drop: impl FnMut(&str) -> bool) {
        let next = self
            .columns
            .iter()
            .filter(|c| !drop(&c.name))
            .cloned()
            .collect();
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
        set.replace(vec![Column::new("A", ColumnType::String)], &(10..17));
        assert!(set.contains("A") && !set.contains("B"));
        assert_eq!(set.removed_by("B"), Some(&(10..17)));
        set.set("B", ColumnType::Bool);
        assert_eq!(set.removed_by("B"), None, "B exists again");
        assert_eq!(set.get("B").unwrap().ty, ColumnType::Bool);
    }
}
