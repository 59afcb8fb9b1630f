//! What the names of a query mean, for the editor features: the one place that asks the lint
//! crate's binder ([`kqlsmith_lint::binding`]) about names, columns and scopes. Every feature
//! goes through [`Semantics`], which maps the binder's answers to the editor's terms.
//!
//! Offsets are bytes of the query's text.

use std::ops::Range;

use kqlsmith_lint::binding::{Bound, Meaning};
use kqlsmith_lint::ir::Statement;
use kqlsmith_lint::schema::{Column, ColumnType};
use kqlsmith_lint::semantic::{Callee, LetKind, Resolution};
use kqlsmith_lint::{Linter, Platform};

/// A name the query declares: a `let` or a function parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub name: String,
    /// The declared name.
    pub decl: Range<usize>,
    /// The `let` statement (for a parameter: its function's `let` statement).
    pub statement: Range<usize>,
    pub kind: BindingKind,
    /// Every use, in source order (the declaration not included).
    pub uses: Vec<Range<usize>>,
    /// For a `let` inside a function body: the enclosing function's statement (its scope).
    within: Option<Range<usize>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindingKind {
    /// `let X = scalar;` with the value's type.
    Scalar(ColumnType),
    /// `let X = Table | ...;`
    Tabular,
    /// `let f = (a: string, ...) { ... };` with its parameters as written.
    Function(Vec<String>),
    /// A query parameter, an `as` name, or a value the binder does not look into.
    Other,
    /// A parameter of a function.
    Parameter,
}

/// What the name at an offset is.
#[derive(Debug, Clone, PartialEq)]
pub enum NameAt {
    Column {
        name: String,
        ty: ColumnType,
        origin: ColumnOrigin,
    },
    Table {
        name: String,
        known: bool,
    },
    Binding(Binding),
    Function {
        name: String,
    },
}

/// Where a column comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnOrigin {
    /// A column of this schema table.
    Table(String),
    /// Made by the stage with this keyword, whose name is at this range.
    Stage {
        keyword: String,
        at: Range<usize>,
    },
    Unknown,
}

/// What kind of thing a name of the query is, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Column,
    Table,
    Function,
    /// A `let` name (or `as`, or a query parameter) that is not a function.
    Variable,
    Parameter,
}

/// A name of the query: where it is, what it is, and whether it is declared there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub span: Range<usize>,
    pub kind: NameKind,
    pub declaration: bool,
}

/// A parsed query and what its names mean (nothing, when the text does not parse).
pub struct Semantics<'q> {
    text: &'q str,
    linter: &'q Linter,
    bound: Option<Bound>,
}

impl<'q> Semantics<'q> {
    pub fn new(text: &'q str, linter: &'q Linter) -> Semantics<'q> {
        let bound = Bound::with_config(text, linter.platform(), linter.config()).ok();
        Semantics {
            text,
            linter,
            bound,
        }
    }

    pub fn parses(&self) -> bool {
        self.bound.is_some()
    }

    pub fn platform(&self) -> &Platform {
        self.linter.platform()
    }

    /// Every `let` and parameter, with its uses, in the order declared.
    pub fn bindings(&self) -> Vec<Binding> {
        let Some(bound) = &self.bound else {
            return Vec::new();
        };
        let parameters = bound.parameters();
        let mut bindings: Vec<Binding> = parameters
            .iter()
            .map(|p| Binding {
                name: p.name.clone(),
                decl: p.name_span.clone(),
                statement: p.function.clone(),
                kind: BindingKind::Parameter,
                uses: p.uses.clone(),
                within: None,
            })
            .collect();
        bindings.extend(bound.lets().into_iter().map(|l| {
            Binding {
                kind: match l.kind {
                    LetKind::Scalar(ty) => BindingKind::Scalar(ty),
                    LetKind::Tabular => BindingKind::Tabular,
                    LetKind::Function { .. } => BindingKind::Function(
                        parameters
                            .iter()
                            .filter(|p| p.function == l.declaration)
                            .map(|p| p.name.clone())
                            .collect(),
                    ),
                    LetKind::Other => BindingKind::Other,
                },
                name: l.name,
                decl: l.name_span,
                statement: l.declaration,
                uses: l.uses,
                within: l.within,
            }
        }));
        bindings.sort_by_key(|b| b.decl.start);
        for binding in &mut bindings {
            binding.uses.sort_by_key(|u| u.start);
        }
        bindings
    }

    /// The binding declared or used at `offset`.
    pub fn binding_at(&self, offset: usize) -> Option<Binding> {
        let touches = |r: &Range<usize>| r.start <= offset && offset <= r.end;
        self.bindings()
            .into_iter()
            .find(|b| touches(&b.decl) || b.uses.iter().any(touches))
    }

    /// What the name at `offset` is.
    pub fn name_at(&self, offset: usize) -> Option<NameAt> {
        let bound = self.bound.as_ref()?;
        if let Some(binding) = self.binding_at(offset) {
            return Some(NameAt::Binding(binding));
        }
        let name = bound.name_at(offset)?;
        match name.meaning {
            Meaning::Column { ty, table } => {
                let origin = match (bound.made_by(offset), table) {
                    (Some(made), _) => ColumnOrigin::Stage {
                        keyword: self.text[made.keyword].to_string(),
                        at: made.name,
                    },
                    (None, Some(table)) => ColumnOrigin::Table(table.to_string()),
                    (None, None) => ColumnOrigin::Unknown,
                };
                Some(NameAt::Column {
                    name: name.name,
                    ty,
                    origin,
                })
            }
            Meaning::Table { known } => Some(NameAt::Table {
                name: name.name,
                known,
            }),
            Meaning::Function { .. } => Some(NameAt::Function { name: name.name }),
            Meaning::ColumnDefinition
            | Meaning::Let { .. }
            | Meaning::Parameter
            | Meaning::Open
            | Meaning::Removed { .. }
            | Meaning::Unknown => None,
        }
    }

    /// The columns of the rows that reach the stage at `offset` (`None`: no rows there, or
    /// nothing known). An open set gives the columns known so far.
    pub fn columns_at(&self, offset: usize) -> Option<Vec<Column>> {
        let columns = self.bound.as_ref()?.columns_at(offset)?;
        Some(columns.columns().to_vec())
    }

    /// The bindings seen at `offset`, one a name (the innermost).
    pub fn bindings_in_scope(&self, offset: usize) -> Vec<Binding> {
        let bindings = self.bindings();
        let mut seen: Vec<Binding> = Vec::new();
        for b in bindings.iter().rev() {
            if b.decl.end <= offset && in_scope(b, offset) && !seen.iter().any(|s| s.name == b.name)
            {
                seen.push(b.clone());
            }
        }
        seen.reverse();
        seen
    }

    /// The spans of the top-level queries (not `let` statements).
    pub fn queries(&self) -> Vec<Range<usize>> {
        let Some(bound) = &self.bound else {
            return Vec::new();
        };
        bound
            .script()
            .statements
            .iter()
            .filter_map(|s| match s {
                Statement::Query(p) => Some(p.span.clone()),
                _ => None,
            })
            .collect()
    }

    /// Every name the binder met (uses and declarations), in source order; empty when the
    /// text does not parse.
    pub fn names(&self) -> Vec<Name> {
        let Some(bound) = &self.bound else {
            return Vec::new();
        };
        let model = bound.model();
        let let_kind = |kind: &LetKind| match kind {
            LetKind::Function { .. } => NameKind::Function,
            LetKind::Scalar(_) | LetKind::Tabular | LetKind::Other => NameKind::Variable,
        };
        let name = |span: &Range<usize>, kind, declaration| Name {
            span: span.clone(),
            kind,
            declaration,
        };
        let mut names = Vec::new();
        for used in &model.names {
            let kind = match &used.resolution {
                Resolution::Let(i) => let_kind(&model.lets[*i].kind),
                Resolution::Parameter => NameKind::Parameter,
                Resolution::Column(_)
                | Resolution::Open
                | Resolution::Removed(_)
                | Resolution::Unknown { .. } => NameKind::Column,
            };
            names.push(name(&used.ident.span, kind, false));
        }
        names.extend(
            model
                .tables
                .iter()
                .map(|t| name(&t.ident.span, NameKind::Table, false)),
        );
        for call in &model.calls {
            let kind = match &call.callee {
                Callee::Let(i) => let_kind(&model.lets[*i].kind),
                Callee::Builtin(_)
                | Callee::Platform { .. }
                | Callee::Unchecked
                | Callee::Unknown { .. } => NameKind::Function,
            };
            names.push(name(&call.name.span, kind, false));
        }
        names.extend(
            model
                .defs
                .iter()
                .map(|d| name(&d.ident.span, NameKind::Column, true)),
        );
        names.extend(
            model
                .lets
                .iter()
                .map(|l| name(&l.name.span, let_kind(&l.kind), true)),
        );
        names.extend(
            model
                .params
                .iter()
                .map(|p| name(&p.name.span, NameKind::Parameter, true)),
        );
        names.sort_by_key(|n| (n.span.start, n.span.end));
        names.dedup_by(|later, first| later.span == first.span);
        names
    }

    /// The query's text.
    pub fn text(&self) -> &'q str {
        self.text
    }
}

/// A text to read the names at `offset` from: `text` itself when it parses; else, as while
/// a query is being typed, `text` with a placeholder name at the cursor, or cut there with
/// the brackets open before the cursor closed. Offsets before `offset` are the same in it.
pub fn readable_at(text: &str, offset: usize) -> String {
    const PLACEHOLDER: &str = "kqlsmith_cursor_";
    let parses = |t: &str| kqlsmith_syntax::check(t).is_ok();
    if parses(text) {
        return text.to_string();
    }
    let mut patched = format!("{}{PLACEHOLDER}{}", &text[..offset], &text[offset..]);
    if parses(&patched) {
        return patched;
    }
    patched.truncate(offset + PLACEHOLDER.len());
    patched.push_str(&closing_brackets(&text[..offset]));
    patched
}

/// The brackets still open at the end of `text`, closed in order (strings and comments
/// skipped).
fn closing_brackets(text: &str) -> String {
    let skipped = kqlsmith_syntax::tokens(text)
        .into_iter()
        .map(|token| token.span)
        .collect::<Vec<_>>();
    let mut open = Vec::new();
    let mut skip = skipped.iter().peekable();
    for (i, b) in text.bytes().enumerate() {
        while skip.next_if(|s| s.end <= i).is_some() {}
        if skip.peek().is_some_and(|s| s.start <= i) {
            continue;
        }
        match b {
            b'(' => open.push(')'),
            b'[' => open.push(']'),
            b'{' => open.push('}'),
            b')' | b']' | b'}' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.iter().rev().collect()
}

fn in_scope(binding: &Binding, at: usize) -> bool {
    match binding.kind {
        // A parameter is seen in its function's body.
        BindingKind::Parameter => at < binding.statement.end,
        // A `let` from the end of its statement (it cannot use itself) to the end of the
        // function it is declared in, if any.
        _ => binding.statement.end <= at && binding.within.as_ref().is_none_or(|w| at < w.end),
    }
}
