//! The typed KQL syntax tree.
//!
//! Every node carries a [`Span`] (byte offsets in the source); spans are ignored by equality,
//! so a tree compares equal to the tree parsed from its own printed text. `Display` on every
//! node prints valid KQL (see `print.rs`). Comments are not in the tree: [`Script::comments`]
//! lists them with their spans, so tools that rewrite text can put them back.

mod expr;
mod query;

pub use expr::*;
pub use query::*;

use serde::Serialize;

use crate::span::Span;

/// A parsed KQL text: statements separated by `;`, and the comments found in it.
///
/// Equality compares the statements only: comments are trivia, like layout and spans, so a
/// script equals the script parsed from its printed text (which has no comments).
#[derive(Clone, Debug, Serialize)]
pub struct Script {
    pub statements: Vec<Statement>,
    pub comments: Vec<Comment>,
    pub span: Span,
}

impl PartialEq for Script {
    fn eq(&self, other: &Script) -> bool {
        self.statements == other.statements
    }
}

/// A `// ...` comment; `text` includes the leading `//`, not the line break.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Statement {
    Let(LetStatement),
    Set(SetStatement),
    /// `declare query_parameters(name:type = default, ...)`
    Declare(DeclareStatement),
    Query(TabularExpr),
}

impl Statement {
    pub fn span(&self) -> Span {
        match self {
            Statement::Let(s) => s.span,
            Statement::Set(s) => s.span,
            Statement::Declare(s) => s.span,
            Statement::Query(q) => q.span,
        }
    }

    /// The pipeline whose stages are the statement's: a query's, or the one a `let` binds.
    pub fn pipeline(&self) -> Option<&TabularExpr> {
        match self {
            Statement::Query(query)
            | Statement::Let(LetStatement {
                value: LetValue::Tabular(query),
                ..
            }) => Some(query),
            _ => None,
        }
    }

    /// [`Statement::pipeline`], to change.
    pub fn pipeline_mut(&mut self) -> Option<&mut TabularExpr> {
        match self {
            Statement::Query(query)
            | Statement::Let(LetStatement {
                value: LetValue::Tabular(query),
                ..
            }) => Some(query),
            _ => None,
        }
    }
}

/// `let name = value`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LetStatement {
    pub name: Ident,
    pub value: LetValue,
    pub span: Span,
}

/// What a `let` binds.
///
/// A bare name or call (`let T = SigninLogs;`) cannot be told apart from a scalar without a
/// schema, so it is an [`LetValue::Expr`]; anything with pipe stages, or a source that is
/// tabular by its syntax (`union`, `datatable`, `range`, `print`...), is
/// [`LetValue::Tabular`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum LetValue {
    Expr(Expr),
    Tabular(TabularExpr),
    Function(FunctionDef),
}

/// `(x:string, T:(*), n:int = 5) { body }`, optionally introduced by `view`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionDef {
    pub view: bool,
    pub params: Vec<FunctionParam>,
    /// `let` statements, then the expression the function returns.
    pub body: Vec<Statement>,
    pub span: Span,
}

/// `name:type` or `name:type = default` or `T:(col:type, *)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FunctionParam {
    pub name: Ident,
    pub ty: ParamType,
    pub default: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ParamType {
    /// A scalar type name: `string`, `int`, `dynamic`...
    Scalar(Ident),
    /// A table: `(*)`, `(Col:type, ...)`, `(Col:type, *)`.
    Tabular {
        columns: Vec<TypedColumn>,
        open: bool,
    },
}

/// `set name` or `set name = value`
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SetStatement {
    pub name: Ident,
    pub value: Option<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DeclareStatement {
    pub params: Vec<FunctionParam>,
    pub span: Span,
}

/// A name: a column, table, variable or function, `$left`/`$right`, or a bracketed name.
///
/// `name` is the name itself (`a b` for `['a b']`); `quoted` keeps the bracketed spelling of
/// the source (`['a b']`), so printing gives it back unchanged. Equality compares `name`
/// only: `['Name']` and `Name` are the same name.
#[derive(Clone, Debug, Serialize)]
pub struct Ident {
    pub name: String,
    pub quoted: Option<Box<str>>,
    pub span: Span,
}

impl PartialEq for Ident {
    fn eq(&self, other: &Ident) -> bool {
        self.name == other.name
    }
}

impl Eq for Ident {}

impl std::hash::Hash for Ident {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name.hash(state);
    }
}

impl Ident {
    /// A name as it would be written by hand; printed bracketed if it needs to be.
    pub fn new(name: impl Into<String>) -> Self {
        Ident {
            name: name.into(),
            quoted: None,
            span: Span::default(),
        }
    }

    /// `$left` or `$right`, the sides of a join condition.
    pub fn is_join_side(&self) -> bool {
        self.quoted.is_none() && (self.name == "$left" || self.name == "$right")
    }
}

/// `name:type`, in `datatable`, `externaldata`, `parse-kv` and tabular parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypedColumn {
    pub name: Ident,
    pub type_name: Ident,
    pub span: Span,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A big query is mostly names, literals, operators and stages: their sizes are what a
    /// byte of input costs in the tree. Rare or big parts are boxed (`Join`, `MakeSeries`,
    /// `Scan`, a bracketed spelling) and fixed texts are `Box<str>` (a literal's spelling), so
    /// that every `Expr` and `Stage` does not pay for them.
    #[test]
    fn common_nodes_stay_small() {
        assert!(size_of::<Ident>() <= 56, "Ident: {}", size_of::<Ident>());
        assert!(
            size_of::<Literal>() <= 72,
            "Literal: {}",
            size_of::<Literal>()
        );
        assert!(size_of::<Expr>() <= 72, "Expr: {}", size_of::<Expr>());
        assert!(
            size_of::<BinaryExpr>() <= 208,
            "BinaryExpr: {}",
            size_of::<BinaryExpr>()
        );
        assert!(size_of::<Stage>() <= 288, "Stage: {}", size_of::<Stage>());
    }
}
