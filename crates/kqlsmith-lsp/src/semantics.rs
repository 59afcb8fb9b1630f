//! What the names of a query mean, for the editor features: the one place that asks the lint
//! crate's semantic model about names, columns and scopes. Every feature goes through
//! [`Semantics`]; re-pointing the server at another binder means changing this file only.
//!
//! Offsets are bytes of the query's text.

use std::ops::Range;

use kqlsmith_lint::analysis::{self, Analysis};
use kqlsmith_lint::ir::{
    Call, Expr, ExprKind, Ident, LetValue, Pipeline, Script, Source, Stage, StageKind, Statement,
};
use kqlsmith_lint::schema::{Column, ColumnType};
use kqlsmith_lint::semantic::{LetKind, Resolution};
use kqlsmith_lint::visit::{Visitor, walk_script};
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
    /// A query parameter, or a value the model does not look into.
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

/// A parsed query and what its names mean (nothing, when the text does not parse).
pub struct Semantics<'q> {
    text: &'q str,
    linter: &'q Linter,
    analysis: Option<Analysis>,
    occurrences: Occurrences,
}

impl<'q> Semantics<'q> {
    pub fn new(text: &'q str, linter: &'q Linter) -> Semantics<'q> {
        let analysis = analysis::analyze(text, linter.platform(), linter.config()).ok();
        let occurrences = analysis
            .as_ref()
            .map(|a| Occurrences::of(&a.script, text))
            .unwrap_or_default();
        Semantics {
            text,
            linter,
            analysis,
            occurrences,
        }
    }

    pub fn parses(&self) -> bool {
        self.analysis.is_some()
    }

    pub fn platform(&self) -> &Platform {
        self.linter.platform()
    }

    /// Every `let` and parameter, with its uses, in the order declared.
    pub fn bindings(&self) -> Vec<Binding> {
        let Some(analysis) = &self.analysis else {
            return Vec::new();
        };
        let mut bindings = Vec::new();
        declarations(&analysis.script.statements, None, &mut bindings);
        bindings.sort_by_key(|b| b.decl.start);
        for binding in &mut bindings {
            let info = analysis
                .model
                .lets
                .iter()
                .find(|l| l.name.span == binding.decl);
            match (&binding.kind, info.map(|l| &l.kind)) {
                (BindingKind::Other, Some(LetKind::Scalar(ty))) => {
                    binding.kind = BindingKind::Scalar(*ty)
                }
                (BindingKind::Other, Some(LetKind::Tabular)) => binding.kind = BindingKind::Tabular,
                _ => {}
            }
        }
        for name in &self.occurrences.names {
            if !self.may_be_binding(name) {
                continue;
            }
            if let Some(i) = innermost(&bindings, &name.name, name.span.start) {
                bindings[i].uses.push(name.span.clone());
            }
        }
        bindings
    }

    /// Whether the semantic model says the name used at `ident` is a `let` or a parameter
    /// (rather than a column), or knows nothing against it.
    fn may_be_binding(&self, ident: &Ident) -> bool {
        let Some(analysis) = &self.analysis else {
            return false;
        };
        match analysis.model.resolution_at(ident.span.start) {
            Some(Resolution::Let(_) | Resolution::Parameter) => true,
            Some(_) => false,
            // Tables, calls and `invoke`d functions are not in the name list.
            None => true,
        }
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
        let analysis = self.analysis.as_ref()?;
        if let Some(binding) = self.binding_at(offset) {
            return Some(NameAt::Binding(binding));
        }
        let touches = |r: &Range<usize>| r.start <= offset && offset < r.end.max(r.start + 1);
        let model = &analysis.model;
        if let Some(used) = model.names.iter().find(|n| touches(&n.ident.span)) {
            let name = used.ident.name.clone();
            return match &used.resolution {
                Resolution::Column(ty) => Some(NameAt::Column {
                    origin: self.origin(&name, used.ident.span.start, used.table.as_deref()),
                    name,
                    ty: *ty,
                }),
                _ => None,
            };
        }
        if let Some(table) = model.tables.iter().find(|t| touches(&t.ident.span)) {
            return Some(NameAt::Table {
                name: table.ident.name.clone(),
                known: table.known,
            });
        }
        if let Some(call) = model.calls.iter().find(|c| touches(&c.name.span)) {
            return Some(NameAt::Function {
                name: call.name.name.clone(),
            });
        }
        None
    }

    /// Where the column `name` used at `at` comes from: the last stage before `at` that made
    /// a column of that name, else the pipeline's table.
    fn origin(&self, name: &str, at: usize, table: Option<&str>) -> ColumnOrigin {
        let made = self.analysis.as_ref().and_then(|a| {
            a.model
                .defs
                .iter()
                .filter(|d| d.ident.name == name && d.ident.span.end <= at)
                .filter(|d| self.statement_of(d.ident.span.start) == self.statement_of(at))
                .max_by_key(|d| d.ident.span.start)
        });
        if let Some(def) = made
            && let Some(stage) = self.occurrences.stages.iter().find(|(span, _)| {
                span.start <= def.ident.span.start && def.ident.span.end <= span.end
            })
        {
            return ColumnOrigin::Stage {
                keyword: stage.1.clone(),
                at: def.ident.span.clone(),
            };
        }
        match table {
            Some(table) => ColumnOrigin::Table(table.to_string()),
            None => ColumnOrigin::Unknown,
        }
    }

    /// The index of the top-level statement holding `offset`.
    fn statement_of(&self, offset: usize) -> Option<usize> {
        let analysis = self.analysis.as_ref()?;
        analysis
            .script
            .statements
            .iter()
            .position(|s| statement_span(s).is_some_and(|r| r.start <= offset && offset <= r.end))
    }

    /// The columns of the rows that reach the stage at `offset` (`None`: no rows there, or
    /// nothing known). An open set gives the columns known so far.
    pub fn columns_at(&self, offset: usize) -> Option<Vec<Column>> {
        let analysis = self.analysis.as_ref()?;
        let pipeline = self
            .occurrences
            .pipelines(&analysis.script)
            .into_iter()
            .filter(|p| p.span.start <= offset && offset <= p.span.end)
            .min_by_key(|p| p.span.end - p.span.start)?;
        // The source itself, or the `|` before the first stage: no rows yet.
        if pipeline
            .stages
            .first()
            .is_none_or(|s| offset < s.span.start)
        {
            return None;
        }
        let stages = pipeline
            .stages
            .iter()
            .take_while(|s| s.span.end < offset)
            .count();
        let before: Vec<Statement> = analysis
            .script
            .statements
            .iter()
            .filter(|s| statement_span(s).is_some_and(|r| r.end <= pipeline.span.start))
            .cloned()
            .collect();
        let mut script = Script { statements: before };
        script.statements.push(Statement::Query(Pipeline {
            source: pipeline.source.clone(),
            stages: pipeline.stages[..stages].to_vec(),
            span: pipeline.span.clone(),
        }));
        let model = analysis::analyze_script(&script, self.platform(), self.linter.config());
        model.outputs.last().map(|set| set.columns().to_vec())
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
        let Some(analysis) = &self.analysis else {
            return Vec::new();
        };
        analysis
            .script
            .statements
            .iter()
            .filter_map(|s| match s {
                Statement::Query(p) => Some(p.span.clone()),
                _ => None,
            })
            .collect()
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
    let parses = |t: &str| kqlsmith_syntax::parse(t).is_ok();
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

/// The binding of `name` in scope at `at`: the one declared last among those whose scope
/// holds `at`.
fn innermost(bindings: &[Binding], name: &str, at: usize) -> Option<usize> {
    bindings
        .iter()
        .enumerate()
        .filter(|(_, b)| b.name == name && b.decl.end <= at && in_scope(b, at))
        .max_by_key(|(_, b)| b.decl.start)
        .map(|(i, _)| i)
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

/// The `let`s and parameters of `statements`; `within` is the enclosing function's `let`.
fn declarations(statements: &[Statement], within: Option<&Range<usize>>, out: &mut Vec<Binding>) {
    for statement in statements {
        let Statement::Let(l) = statement else {
            continue;
        };
        let binding = |name: &Ident, kind| Binding {
            name: name.name.clone(),
            decl: name.span.clone(),
            statement: l.span.clone(),
            kind,
            uses: Vec::new(),
            within: within.cloned(),
        };
        let kind = match &l.value {
            LetValue::Function(f) => {
                for p in &f.params {
                    out.push(binding(&p.name, BindingKind::Parameter));
                }
                declarations(&f.body, Some(&l.span), out);
                BindingKind::Function(f.params.iter().map(|p| p.name.name.clone()).collect())
            }
            LetValue::Tabular(_) => BindingKind::Tabular,
            LetValue::Scalar(_) | LetValue::Other(_) => BindingKind::Other,
        };
        out.push(binding(&l.name, kind));
    }
}

fn statement_span(statement: &Statement) -> Option<Range<usize>> {
    match statement {
        Statement::Let(l) => Some(l.span.clone()),
        Statement::Query(p) => Some(p.span.clone()),
        Statement::Other(span) => Some(span.clone()),
    }
}

/// The names, calls and stages of a script, found by walking it once.
#[derive(Debug, Default)]
struct Occurrences {
    /// Names that may refer to a `let` or parameter: names in expressions, sources, calls.
    names: Vec<Ident>,
    /// Each stage's span and keyword.
    stages: Vec<(Range<usize>, String)>,
}

impl Occurrences {
    fn of(script: &Script, text: &str) -> Occurrences {
        struct Collect<'t> {
            text: &'t str,
            found: Occurrences,
        }
        impl Visitor for Collect<'_> {
            fn expr(&mut self, expr: &Expr) {
                match &expr.kind {
                    ExprKind::Name(ident) => self.found.names.push(ident.clone()),
                    ExprKind::Call(call) => self.call(call),
                    _ => {}
                }
            }
            fn source(&mut self, source: &Source) {
                match source {
                    Source::Name(ident) => self.found.names.push(ident.clone()),
                    Source::Call(call) => self.call(call),
                    _ => {}
                }
            }
            fn stage(&mut self, stage: &Stage) {
                let keyword = self.text.get(stage.keyword.clone()).unwrap_or_default();
                self.found
                    .stages
                    .push((stage.span.clone(), keyword.to_string()));
                if let StageKind::Invoke(call) = &stage.kind {
                    self.call(call);
                }
            }
        }
        impl Collect<'_> {
            fn call(&mut self, call: &Call) {
                self.found.names.push(call.name.clone());
            }
        }
        let mut collect = Collect {
            text,
            found: Occurrences::default(),
        };
        walk_script(script, &mut collect);
        collect.found
    }

    /// Every pipeline of the script, nested ones included.
    fn pipelines<'s>(&self, script: &'s Script) -> Vec<&'s Pipeline> {
        let mut out = Vec::new();
        for statement in &script.statements {
            statement_pipelines(statement, &mut out);
        }
        out
    }
}

fn statement_pipelines<'s>(statement: &'s Statement, out: &mut Vec<&'s Pipeline>) {
    match statement {
        Statement::Let(l) => match &l.value {
            LetValue::Tabular(p) => pipeline_and_nested(p, out),
            LetValue::Scalar(e) => expr_pipelines(e, out),
            LetValue::Function(f) => f.body.iter().for_each(|s| statement_pipelines(s, out)),
            LetValue::Other(_) => {}
        },
        Statement::Query(p) => pipeline_and_nested(p, out),
        Statement::Other(_) => {}
    }
}

fn pipeline_and_nested<'s>(p: &'s Pipeline, out: &mut Vec<&'s Pipeline>) {
    out.push(p);
    match &p.source {
        Source::Nested(inner) => pipeline_and_nested(inner, out),
        Source::Union(u) => u.tables.iter().for_each(|t| pipeline_and_nested(t, out)),
        Source::Call(call) => call.args.iter().for_each(|a| expr_pipelines(a, out)),
        _ => {}
    }
    for stage in &p.stages {
        match &stage.kind {
            StageKind::Join(j) | StageKind::Lookup(j) => pipeline_and_nested(&j.right, out),
            StageKind::Union(u) => u.tables.iter().for_each(|t| pipeline_and_nested(t, out)),
            StageKind::Where(e) => expr_pipelines(e, out),
            StageKind::Extend(a) | StageKind::Project(a) => {
                a.iter().for_each(|a| expr_pipelines(&a.expr, out))
            }
            _ => {}
        }
    }
}

/// Pipelines inside an expression (`toscalar(T | ...)`, `x in (T | ...)`), bounded in depth.
fn expr_pipelines<'s>(e: &'s Expr, out: &mut Vec<&'s Pipeline>) {
    fn walk<'s>(e: &'s Expr, out: &mut Vec<&'s Pipeline>, depth: usize) {
        if depth > 100 {
            return;
        }
        match &e.kind {
            ExprKind::Tabular(p) => pipeline_and_nested(p, out),
            ExprKind::Binary { lhs, rhs, .. } => {
                walk(lhs, out, depth + 1);
                walk(rhs, out, depth + 1);
            }
            ExprKind::Call(call) => call.args.iter().for_each(|a| walk(a, out, depth + 1)),
            ExprKind::List(items) => items.iter().for_each(|i| walk(i, out, depth + 1)),
            _ => {}
        }
    }
    walk(e, out, 0);
}
