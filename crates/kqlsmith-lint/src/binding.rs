//! What the names of a query mean, by byte offset: the binder's answers for editors and
//! embedded-query readers (hover, go to definition, completion, rename).
//!
//! ```
//! use kqlsmith_lint::{Platform, binding::{Bound, Meaning}};
//!
//! let defender = Platform::builtin("defender").unwrap();
//! let query = "let Window = 1d;\n\
//!              DeviceNetworkEvents\n\
//!              | where Timestamp > ago(Window)\n\
//!              | summarize count() by DeviceName\n\
//!              | where count_ > 10";
//! let bound = Bound::new(query, &defender).unwrap();
//!
//! // A column, with its type and the table the rows came from.
//! let at = query.find("Timestamp").unwrap();
//! let name = bound.name_at(at).unwrap();
//! assert_eq!(name.name, "Timestamp");
//! assert!(matches!(&name.meaning, Meaning::Column { table: Some(t), .. } if &**t == "DeviceNetworkEvents"));
//!
//! // A `let`, with its declaration.
//! let name = bound.name_at(query.rfind("Window").unwrap()).unwrap();
//! assert!(matches!(name.meaning, Meaning::Let { ref declaration, .. } if declaration.start == 0));
//!
//! // The columns a stage reads: after `summarize`, Kusto's own names.
//! let columns = bound.columns_at(query.rfind("count_").unwrap()).unwrap();
//! let names: Vec<&str> = columns.columns().iter().map(|c| &*c.name).collect();
//! assert_eq!(names, ["DeviceName", "count_"]);
//!
//! // Each `let` and where it is used.
//! let lets = bound.lets();
//! assert_eq!(lets[0].name, "Window");
//! assert_eq!(lets[0].uses.len(), 1);
//! ```

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use crate::config::Config;
use crate::ir::{Script, Stage, Statement};
use crate::platform::Platform;
use crate::schema::{Column, ColumnType, Schema};
use crate::semantic::{Analyzer, Callee, ColumnSet, LetKind, Model, Resolution};
use crate::visit::{IrVisitor, walk_script};

/// A parsed and bound query.
pub struct Bound {
    script: Script,
    model: Model,
}

/// A name of the query, and what it means.
#[derive(Debug, Clone, PartialEq)]
pub struct NameAt {
    pub name: String,
    pub span: Range<usize>,
    pub meaning: Meaning,
}

/// What a name means.
#[derive(Debug, Clone, PartialEq)]
pub enum Meaning {
    /// A column of the rows at that point: its type, and the schema table the pipeline
    /// started at, when it started at one.
    Column {
        ty: ColumnType,
        table: Option<Arc<str>>,
    },
    /// A column the query makes here (`extend X = ...`, `summarize X = ...`, `parse`, ...).
    ColumnDefinition,
    /// A `let` (or `as`, or a query parameter): where it is declared and what it binds.
    Let {
        declaration: Range<usize>,
        kind: LetKind,
    },
    /// A parameter of the enclosing function.
    Parameter,
    /// A function: built in, the platform's, or a `let` function.
    Function { known: bool },
    /// A table read as a source of rows.
    Table { known: bool },
    /// The rows' columns are not known here (after `evaluate`, an unknown table, ...).
    Open,
    /// A column an earlier stage removed (the span of that stage's keyword).
    Removed { by: Range<usize> },
    /// Nothing of that name.
    Unknown,
}

/// A `let` declaration and its uses.
#[derive(Debug, Clone, PartialEq)]
pub struct LetBinding {
    pub name: String,
    /// The name's span in the declaration.
    pub name_span: Range<usize>,
    /// The whole statement.
    pub declaration: Range<usize>,
    pub kind: LetKind,
    /// Where the name is used.
    pub uses: Vec<Range<usize>>,
    /// The `let` statement of the innermost function whose body declares it: the name is
    /// seen from the end of its own statement up to that statement's end.
    pub within: Option<Range<usize>>,
}

/// A parameter of a `let` function and its uses.
#[derive(Debug, Clone, PartialEq)]
pub struct ParameterBinding {
    pub name: String,
    /// The name's span in the parameter list.
    pub name_span: Range<usize>,
    /// The function's `let` statement: the parameter is seen in its body.
    pub function: Range<usize>,
    /// Where the name is used.
    pub uses: Vec<Range<usize>>,
}

/// The stage that made a column: the column's name there and the stage's keyword.
#[derive(Debug, Clone, PartialEq)]
pub struct MadeBy {
    pub name: Range<usize>,
    pub keyword: Range<usize>,
}

impl Bound {
    /// Parses and binds `source` against the platform's schema.
    pub fn new(source: &str, platform: &Platform) -> Result<Bound, kqlsmith_syntax::ParseError> {
        Bound::with_schema(source, platform, &Schema::default())
    }

    /// As [`Bound::new`], with the user's own tables and columns over the platform's.
    pub fn with_schema(
        source: &str,
        platform: &Platform,
        extra: &Schema,
    ) -> Result<Bound, kqlsmith_syntax::ParseError> {
        Bound::bind(source, platform, extra, &BTreeMap::new())
    }

    /// As [`Bound::new`], with the tables, columns and watchlists of a `kqlsmith.toml`.
    pub fn with_config(
        source: &str,
        platform: &Platform,
        config: &Config,
    ) -> Result<Bound, kqlsmith_syntax::ParseError> {
        Bound::bind(source, platform, &config.tables, &config.watchlists)
    }

    fn bind(
        source: &str,
        platform: &Platform,
        extra: &Schema,
        watchlists: &BTreeMap<String, Vec<Column>>,
    ) -> Result<Bound, kqlsmith_syntax::ParseError> {
        let script = crate::lower::parse(source)?;
        let model = Analyzer::new(platform, extra, watchlists)
            .keep_stage_inputs()
            .analyze(&script);
        Ok(Bound { script, model })
    }

    /// The binder's side tables, for what this module does not answer.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The query's tree, as the binder read it.
    pub fn script(&self) -> &Script {
        &self.script
    }

    /// The name whose span contains `offset` (or ends at it, as a cursor after a name), and
    /// what it means.
    pub fn name_at(&self, offset: usize) -> Option<NameAt> {
        let m = &self.model;
        let hit = |span: &Range<usize>| span.start <= offset && offset <= span.end;
        let at = |name: &str, span: &Range<usize>, meaning| NameAt {
            name: name.to_string(),
            span: span.clone(),
            meaning,
        };
        if let Some(use_) = m.names.iter().find(|n| hit(&n.ident.span)) {
            let meaning = match &use_.resolution {
                Resolution::Column(ty) => Meaning::Column {
                    ty: *ty,
                    table: use_.table.clone(),
                },
                Resolution::Let(i) => Meaning::Let {
                    declaration: m.lets[*i].span.clone(),
                    kind: m.lets[*i].kind.clone(),
                },
                Resolution::Parameter => Meaning::Parameter,
                Resolution::Open => Meaning::Open,
                Resolution::Removed(by) => Meaning::Removed { by: by.clone() },
                Resolution::Unknown { .. } => Meaning::Unknown,
            };
            return Some(at(&use_.ident.name, &use_.ident.span, meaning));
        }
        if let Some(table) = m.tables.iter().find(|t| hit(&t.ident.span)) {
            let meaning = Meaning::Table { known: table.known };
            return Some(at(&table.ident.name, &table.ident.span, meaning));
        }
        if let Some(call) = m.calls.iter().find(|c| hit(&c.name.span)) {
            let meaning = match &call.callee {
                Callee::Let(i) => Meaning::Let {
                    declaration: m.lets[*i].span.clone(),
                    kind: m.lets[*i].kind.clone(),
                },
                Callee::Unknown { .. } => Meaning::Function { known: false },
                Callee::Builtin(_) | Callee::Platform { .. } | Callee::Unchecked => {
                    Meaning::Function { known: true }
                }
            };
            return Some(at(&call.name.name, &call.name.span, meaning));
        }
        if let Some(def) = m.defs.iter().find(|d| hit(&d.ident.span)) {
            return Some(at(
                &def.ident.name,
                &def.ident.span,
                Meaning::ColumnDefinition,
            ));
        }
        if let Some(l) = m.lets.iter().find(|l| hit(&l.name.span)) {
            let meaning = Meaning::Let {
                declaration: l.span.clone(),
                kind: l.kind.clone(),
            };
            return Some(at(&l.name.name, &l.name.span, meaning));
        }
        None
    }

    /// The columns of the rows that the innermost stage around `offset` reads (its input);
    /// `None` outside every stage.
    pub fn columns_at(&self, offset: usize) -> Option<&ColumnSet> {
        self.model
            .stage_inputs
            .iter()
            .filter(|(span, _)| span.start <= offset && offset <= span.end)
            .min_by_key(|(span, _)| span.end - span.start)
            .map(|(_, columns)| columns)
    }

    /// Every `let` (and `as`, and query parameter), in the order of the text, with its uses.
    pub fn lets(&self) -> Vec<LetBinding> {
        let mut lets: Vec<LetBinding> = self
            .model
            .lets
            .iter()
            .map(|l| LetBinding {
                name: l.name.name.clone(),
                name_span: l.name.span.clone(),
                declaration: l.span.clone(),
                kind: l.kind.clone(),
                uses: l.use_spans.clone(),
                within: l.within.clone(),
            })
            .collect();
        lets.sort_by_key(|l| l.name_span.start);
        lets
    }

    /// Every parameter of the `let` functions, in the order of the text, with its uses.
    pub fn parameters(&self) -> Vec<ParameterBinding> {
        self.model
            .params
            .iter()
            .map(|p| ParameterBinding {
                name: p.name.name.clone(),
                name_span: p.name.span.clone(),
                function: p.function.clone(),
                uses: p.use_spans.clone(),
            })
            .collect()
    }

    /// For a column used at `offset`: the stage of the same statement that last made a
    /// column of that name before it (`None` for a column of the table, or no column there).
    pub fn made_by(&self, offset: usize) -> Option<MadeBy> {
        let name = self.name_at(offset)?;
        if !matches!(name.meaning, Meaning::Column { .. }) {
            return None;
        }
        let statement = |at: usize| {
            self.script
                .statements
                .iter()
                .map(statement_span)
                .position(|s| s.start <= at && at <= s.end)
        };
        let def = self
            .model
            .defs
            .iter()
            .filter(|d| d.ident.name == name.name && d.ident.span.end <= name.span.start)
            .filter(|d| statement(d.ident.span.start) == statement(name.span.start))
            .max_by_key(|d| d.ident.span.start)?;
        let keyword = stage_keywords(&self.script)
            .into_iter()
            .filter(|(span, _)| {
                span.start <= def.ident.span.start && def.ident.span.end <= span.end
            })
            .min_by_key(|(span, _)| span.end - span.start)?
            .1;
        Some(MadeBy {
            name: def.ident.span.clone(),
            keyword,
        })
    }
}

fn statement_span(statement: &Statement) -> Range<usize> {
    match statement {
        Statement::Let(l) => l.span.clone(),
        Statement::Query(p) => p.span.clone(),
        Statement::Other(span) => span.clone(),
    }
}

/// Each stage's span and keyword span, nested stages included.
fn stage_keywords(script: &Script) -> Vec<(Range<usize>, Range<usize>)> {
    struct Stages(Vec<(Range<usize>, Range<usize>)>);
    impl IrVisitor for Stages {
        fn stage(&mut self, stage: &Stage) {
            self.0.push((stage.span.clone(), stage.keyword.clone()));
        }
    }
    let mut stages = Stages(Vec::new());
    walk_script(script, &mut stages);
    stages.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(platform: &str, query: &str) -> Bound {
        Bound::new(query, &Platform::builtin(platform).unwrap()).unwrap()
    }

    #[test]
    fn names_resolve_to_columns_lets_parameters_functions_and_tables() {
        let q = "let f = (n: long) { range x from 1 to n step 1 };\n\
                 f(3) | count;\n\
                 DeviceInfo | extend Size = strlen(DeviceName)";
        let b = bound("defender", q);
        let meaning = |needle: &str, nth: usize| {
            let at = q.match_indices(needle).nth(nth).unwrap().0;
            // A needle of several words names its last word.
            let at = at + needle.rfind(' ').map_or(0, |i| i + 1);
            b.name_at(at).unwrap().meaning
        };
        assert_eq!(meaning("to n", 0), Meaning::Parameter, "`n` in `to n`");
        assert_eq!(meaning("DeviceInfo", 0), Meaning::Table { known: true });
        assert_eq!(meaning("Size", 0), Meaning::ColumnDefinition);
        assert_eq!(meaning("strlen", 0), Meaning::Function { known: true });
        assert_eq!(
            meaning("DeviceName", 0),
            Meaning::Column {
                ty: ColumnType::String,
                table: Some("DeviceInfo".into())
            }
        );
        assert!(matches!(meaning("f(3)", 0), Meaning::Let { .. }));
        assert!(b.name_at(q.find("1 to").unwrap()).is_none(), "a literal");
    }

    #[test]
    fn columns_at_an_offset_are_the_stage_input() {
        let q = "DeviceInfo | project DeviceId, DeviceName | where DeviceName != \"\"";
        let b = bound("defender", q);
        let names = |offset| {
            b.columns_at(offset)
                .unwrap()
                .columns()
                .iter()
                .map(|c| c.name.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(q.find("where").unwrap()), ["DeviceId", "DeviceName"]);
        assert!(names(q.find("project").unwrap()).len() > 2);
        assert!(
            b.columns_at(2).is_none(),
            "the table name is not in a stage"
        );
    }

    #[test]
    fn lets_list_their_uses() {
        let q = "let A = 1; let B = A + 1; print A, B, A";
        let lets = bound("sentinel", q).lets();
        assert_eq!(lets.len(), 2);
        assert_eq!(lets[0].name, "A");
        let uses: Vec<&str> = lets[0].uses.iter().map(|s| &q[s.clone()]).collect();
        assert_eq!(uses, ["A", "A", "A"]);
        assert_eq!(lets[1].uses.len(), 1);
        assert_eq!(&q[lets[0].declaration.clone()], "let A = 1;");
    }

    #[test]
    fn parameters_and_function_body_lets_have_their_own_uses_and_scope() {
        let q = "let y = 1; let f = (x: long) { let inner = x + 1; print inner }; f(y)";
        let b = bound("sentinel", q);
        let params = b.parameters();
        assert_eq!(params.len(), 1);
        assert_eq!(
            params[0].name_span,
            q.find("x: long").unwrap()..q.find(": long").unwrap()
        );
        let uses: Vec<usize> = params[0].uses.iter().map(|s| s.start).collect();
        assert_eq!(uses, [q.find("x + 1").unwrap()]);
        let function = &q[params[0].function.clone()];
        assert!(function.starts_with("let f = ") && function.contains("print inner }"));

        let lets = b.lets();
        let names: Vec<&str> = lets.iter().map(|l| &*l.name).collect();
        assert_eq!(names, ["y", "f", "inner"]);
        // The function is used by the last statement, the inner `let` by its body.
        assert_eq!(
            lets[1].uses,
            vec![q.find("f(y)").unwrap()..q.find("f(y)").unwrap() + 1]
        );
        assert_eq!(lets[2].uses.len(), 1);
        assert_eq!(lets[2].within.as_ref(), Some(&lets[1].declaration));
        assert_eq!(lets[1].within, None);
        assert_eq!(
            lets[0].uses,
            vec![q.rfind('y').unwrap()..q.rfind('y').unwrap() + 1]
        );
    }

    #[test]
    fn a_parameter_shadows_an_outer_let_of_its_name_in_the_body() {
        let q = "let x = 1; let f = (x: long) { print x + 1 }; print f(2), x";
        let b = bound("sentinel", q);
        assert_eq!(
            b.name_at(q.find("x + 1").unwrap()).unwrap().meaning,
            Meaning::Parameter
        );
        // Outside the body the `let` is seen again.
        assert!(matches!(
            b.name_at(q.rfind('x').unwrap()).unwrap().meaning,
            Meaning::Let { .. }
        ));
        assert_eq!(
            b.lets()[0].uses.len(),
            1,
            "the body's `x` is no use of the let"
        );
        assert_eq!(b.parameters()[0].uses.len(), 1);
        // A `let` inside the body, after the parameter, shadows it in turn.
        let q = "let f = (x: long) { let x = 'a'; print x }; print f(2)";
        let b = bound("sentinel", q);
        assert!(matches!(
            b.name_at(q.rfind('x').unwrap()).unwrap().meaning,
            Meaning::Let { .. }
        ));
    }

    #[test]
    fn a_column_made_by_a_stage_names_that_stage() {
        let q =
            "DeviceInfo | extend Size = strlen(DeviceName) | where Size > 1 and DeviceId != \"\"";
        let b = bound("defender", q);
        let made = b.made_by(q.rfind("Size").unwrap()).unwrap();
        assert_eq!(&q[made.keyword], "extend");
        assert_eq!(made.name.start, q.find("Size").unwrap());
        assert_eq!(
            b.made_by(q.find("DeviceId").unwrap()),
            None,
            "a column of the table"
        );
    }
}
