//! What a conversion changes, read from the binder's model: every name use with its
//! [`Lineage`], every table read, every call. A name is renamed where its lineage says it is
//! a platform table's column (or a name Kusto derived from one); a column the query made
//! keeps its name.

use std::collections::{HashMap, HashSet};

use kqlsmith_syntax::ast;
use kqlsmith_syntax::visit::{Visitor, walk_expr};

use super::names::{NameMap, Target};
use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::ir::{self, Assignment, ExprKind, Ident, Stage, StageKind};
use crate::rules::{self, RuleInfo};
use crate::semantic::{Callee, Lineage, Model, NameUse, Resolution};
use crate::visit::{IrVisitor, walk_script};

/// What to do with one name.
enum Decision {
    Keep,
    Rename(String),
    /// A table column the target's table does not have.
    Missing {
        table: String,
        column: String,
    },
    /// It would be renamed to a name the query gave a column of its own.
    Clash {
        new: String,
    },
    /// Rows from an unknown source: maybe a platform column, maybe not.
    Unsure {
        source: String,
    },
}

/// The edits that convert a script and the diagnostics of what cannot be converted (byte
/// ranges in the source).
pub(super) struct Renamer<'m, 'p> {
    names: &'m NameMap<'p>,
    pub edits: Vec<Edit>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<'m, 'p> Renamer<'m, 'p> {
    pub fn new(names: &'m NameMap<'p>) -> Self {
        Renamer {
            names,
            edits: Vec::new(),
            diagnostics: Vec::new(),
        }
    }

    /// Reads the model of `script` (bound on the source platform, with lineage) and the
    /// syntax tree it came from.
    pub fn run(&mut self, model: &Model, script: &ir::Script, tree: &ast::Script) {
        self.tables(model);
        self.calls(model);
        let decided = self.name_uses(model);
        let mut lists = Lists {
            renamer: self,
            decided: &decided,
        };
        walk_script(script, &mut lists);
        self.sweep(model, tree);
    }

    /// Source platform tables read by name: renamed if the target calls them differently,
    /// reported if the target has no such table.
    fn tables(&mut self, model: &Model) {
        for table in model.tables.iter().filter(|t| t.known) {
            let name = table.ident.name.as_str();
            if self.names.source_table(name).is_none() {
                continue;
            }
            if self.names.target_table(name).is_some() {
                let target = self.names.table(name).to_string();
                if target != name {
                    self.rename(&table.ident, &target);
                }
            } else {
                let message = format!(
                    "`{name}` is a table of {} that {} does not have, and no equivalent is \
                     known: the query cannot run there as it is",
                    self.names.from.title, self.names.to.title
                );
                self.report(
                    &rules::unknown_table::RULE,
                    &table.ident,
                    message,
                    Severity::Error,
                );
            }
        }
    }

    /// Functions of the source platform the target does not have.
    fn calls(&mut self, model: &Model) {
        for call in &model.calls {
            if !matches!(call.callee, Callee::Platform { .. })
                || self.names.to.function(&call.name.name).is_some()
            {
                continue;
            }
            let message = format!(
                "`{}` is a function of {} that {} does not have: there is no equivalent to \
                 convert it to",
                call.name.name, self.names.from.title, self.names.to.title
            );
            self.report(
                &rules::undefined_name::RULE,
                &call.name,
                message,
                Severity::Error,
            );
        }
    }

    /// Decides every name use (a `join` key read on both sides decides once, for both) and
    /// applies the decisions; returns the new names, by where each name starts.
    fn name_uses(&mut self, model: &Model) -> HashMap<usize, String> {
        let mut by_start: HashMap<usize, Vec<&NameUse>> = HashMap::new();
        let mut order = Vec::new();
        for name in &model.names {
            let uses = by_start.entry(name.ident.span.start).or_default();
            if uses.is_empty() {
                order.push(name.ident.span.start);
            }
            uses.push(name);
        }
        let mut renamed = HashMap::new();
        for start in order {
            let uses = &by_start[&start];
            let decision = match uses.as_slice() {
                [left, right] if right.right_key() => match (self.decide(left), self.decide(right))
                {
                    (Decision::Rename(a), Decision::Rename(b)) if a != b => {
                        Decision::Clash { new: a }
                    }
                    (Decision::Rename(new), Decision::Keep)
                    | (Decision::Keep, Decision::Rename(new)) => Decision::Clash { new },
                    (Decision::Keep, other) => other,
                    (first, _) => first,
                },
                // A name read twice (a `join` key the right side lacks): the first reading.
                [first, ..] => self.decide(first),
                [] => continue,
            };
            if let Decision::Rename(new) = &decision {
                renamed.insert(start, new.clone());
            }
            self.apply(&uses[0].ident, decision);
        }
        renamed
    }

    fn decide(&self, name: &NameUse) -> Decision {
        match (&name.resolution, name.lineage()) {
            (Resolution::Column(_), lineage @ Lineage::Platform { table, column, .. })
                if self.is_source(table) =>
            {
                match self.names.column(table, column) {
                    Target::Missing if lineage.is_underived() => Decision::Missing {
                        table: table.to_string(),
                        column: column.to_string(),
                    },
                    Target::Missing => Decision::Keep,
                    Target::Column(target) => {
                        let new = lineage.name_for(&target).unwrap_or(target);
                        self.rename_unless_taken(name, new)
                    }
                }
            }
            // A column (or a name derived from one) of rows kqlsmith cannot see into.
            (Resolution::Column(_), lineage @ Lineage::Platform { table, column, .. }) => {
                self.unseen(name, table, column, lineage)
            }
            (Resolution::Open, _) => match name.unseen() {
                Some(source) => {
                    let column: std::sync::Arc<str> = name.ident.name.as_str().into();
                    self.unseen(name, source, &column, &Lineage::platform(source, &column))
                }
                None => Decision::Keep,
            },
            _ => Decision::Keep,
        }
    }

    /// Whether rows of `table` are the source platform's (a table or a table function).
    fn is_source(&self, table: &str) -> bool {
        self.names.source_table(table).is_some() || self.names.from.function(table).is_some()
    }

    /// A name of rows from `source`, which the source platform does not know: a table the
    /// target has gives the target's names (but the source's time column there is the
    /// target's); anything else leaves the name, with a warning when it may have to change.
    fn unseen(&self, name: &NameUse, source: &str, column: &str, lineage: &Lineage) -> Decision {
        if self.names.to.schema().table(source).is_some() {
            return match self.names.column(source, column) {
                Target::Column(target) => {
                    let new = lineage.name_for(&target).unwrap_or(target);
                    self.rename_unless_taken(name, new)
                }
                Target::Missing => Decision::Keep,
            };
        }
        if self.names.may_change(column) {
            Decision::Unsure {
                source: source.to_string(),
            }
        } else {
            Decision::Keep
        }
    }

    /// `new` for the name, unless it is the name already or the query made a column of that
    /// name beside it.
    fn rename_unless_taken(&self, name: &NameUse, new: String) -> Decision {
        if new == name.ident.name {
            Decision::Keep
        } else if name.own_columns().iter().any(|c| **c == *new) {
            Decision::Clash { new }
        } else {
            Decision::Rename(new)
        }
    }

    fn apply(&mut self, ident: &Ident, decision: Decision) {
        let (from, to) = (self.names.from, self.names.to);
        let name = ident.name.as_str();
        let is_time = name == from.time_column;
        let rule = if is_time {
            &rules::foreign_time_column::RULE
        } else {
            &rules::unknown_column::RULE
        };
        match decision {
            Decision::Keep => {}
            Decision::Rename(new) => self.rename(ident, &new),
            Decision::Missing { table, column } => {
                let message = format!(
                    "`{table}` has no column `{column}` on {} (under this name or another), \
                     although it has on {}: the query cannot run there as it is",
                    to.title, from.title
                );
                self.report(
                    &rules::unknown_column::RULE,
                    ident,
                    message,
                    Severity::Error,
                );
            }
            Decision::Clash { new } => {
                let message = format!(
                    "`{name}` was left unchanged: it is {}'s column, called `{new}` on {}, but \
                     the query has a column of its own named `{new}` here; rename that one first",
                    from.title, to.title
                );
                self.report(rule, ident, message, Severity::Error);
            }
            Decision::Unsure { source } => {
                let hint = if is_time {
                    format!(
                        "if it is the time column, {} calls it `{}`",
                        to.title, to.time_column
                    )
                } else {
                    format!("{} may call it differently", to.title)
                };
                let message = format!(
                    "`{name}` was left unchanged: its rows come from `{source}`, which kqlsmith \
                     cannot see into, so it cannot tell whether `{name}` is {}'s column; {hint}",
                    from.title
                );
                self.report(rule, ident, message, Severity::Warning);
            }
        }
    }

    fn rename(&mut self, ident: &Ident, new: &str) {
        let range = ident.span.clone();
        if self.edits.iter().any(|e| e.range == range) {
            return;
        }
        self.edits
            .push(Edit::replace(range, ast::Ident::new(new).to_string()));
    }

    fn report(&mut self, rule: &RuleInfo, ident: &Ident, message: String, severity: Severity) {
        let mut diagnostic = Diagnostic::new(rule, ident.span.clone(), message);
        diagnostic.severity = severity;
        if !self.diagnostics.contains(&diagnostic) {
            self.diagnostics.push(diagnostic);
        }
    }

    /// Two columns of a `project` (or `distinct`, or `summarize ... by`) list that become
    /// one name on the target (Sentinel's `TimeGenerated` and `Timestamp` are both Defender's
    /// `Timestamp`) would clash there: reported on the second.
    fn no_merged_columns(&mut self, list: &[Assignment], renamed: &HashMap<usize, String>) {
        // Each output name, and whether a rename made it.
        let mut names: Vec<(String, bool)> = Vec::new();
        for a in list {
            let (name, by_rename, ident) = match (a.names.as_slice(), &a.expr.kind) {
                ([target], _) => (target.name.clone(), false, None),
                ([], ExprKind::Name(ident)) => match renamed.get(&ident.span.start) {
                    Some(new) => (new.clone(), true, Some(ident)),
                    None => (ident.name.clone(), false, Some(ident)),
                },
                _ => continue,
            };
            let clash = names.iter().any(|(earlier, earlier_renamed)| {
                *earlier == name && (by_rename || *earlier_renamed)
            });
            if clash && let Some(ident) = ident {
                let message = format!(
                    "`{}` and an earlier column of this list are both `{name}` on {}: one \
                     column there; keep one",
                    ident.name, self.names.to.title
                );
                let time = [&self.names.from.time_column, &self.names.to.time_column];
                let rule = if time.contains(&&ident.name) {
                    &rules::foreign_time_column::RULE
                } else {
                    &rules::unknown_column::RULE
                };
                self.report(rule, ident, message, Severity::Error);
            }
            names.push((name, by_rename));
        }
    }

    /// Names that may have to change but that the binder never read (a part of the query it
    /// does not follow, or nesting too deep): reported, so that nothing is left unconverted
    /// silently.
    fn sweep(&mut self, model: &Model, tree: &ast::Script) {
        let mut read: HashSet<usize> = model.names.iter().map(|n| n.ident.span.start).collect();
        read.extend(model.tables.iter().map(|t| t.ident.span.start));
        for l in &model.lets {
            read.extend(l.use_spans.iter().map(|s| s.start));
        }
        for p in &model.params {
            read.extend(p.use_spans.iter().map(|s| s.start));
        }
        let mut finder = Unread {
            names: self.names,
            read: &read,
            found: Vec::new(),
        };
        finder.visit_script(tree);
        for found in finder.found {
            let ident = Ident {
                name: found.name.clone(),
                span: found.span.start..found.span.end,
            };
            let message = format!(
                "`{}` was left unchanged: kqlsmith does not follow the columns into this part \
                 of the query; check by hand whether it is {}'s column",
                ident.name, self.names.from.title
            );
            let rule = if ident.name == self.names.from.time_column {
                &rules::foreign_time_column::RULE
            } else {
                &rules::unknown_column::RULE
            };
            self.report(rule, &ident, message, Severity::Warning);
        }
    }
}

/// Visits the column lists whose names may merge on the target.
struct Lists<'r, 'm, 'p, 'd> {
    renamer: &'r mut Renamer<'m, 'p>,
    decided: &'d HashMap<usize, String>,
}

impl IrVisitor for Lists<'_, '_, '_, '_> {
    fn stage(&mut self, stage: &Stage) {
        match &stage.kind {
            StageKind::Project(list)
            | StageKind::Distinct(Some(list))
            | StageKind::Summarize { by: list, .. } => {
                self.renamer.no_merged_columns(list, self.decided);
            }
            _ => {}
        }
    }
}

/// The names that may have to change and that the binder did not read.
struct Unread<'v, 'm, 'p> {
    names: &'m NameMap<'p>,
    read: &'v HashSet<usize>,
    found: Vec<ast::Ident>,
}

impl Unread<'_, '_, '_> {
    fn check(&mut self, ident: &ast::Ident) {
        if self.names.may_change(&ident.name) && !self.read.contains(&ident.span.start) {
            self.found.push(ident.clone());
        }
    }
}

impl Visitor for Unread<'_, '_, '_> {
    fn visit_expr(&mut self, expr: &ast::Expr) {
        match expr {
            ast::Expr::Name(ident) => self.check(ident),
            ast::Expr::Member(m) if m.object.as_name().is_some_and(ast::Ident::is_join_side) => {
                self.check(&m.member);
            }
            _ => {}
        }
        walk_expr(self, expr);
    }
}
