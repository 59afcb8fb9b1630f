//! Scalar expressions and literals.

use std::borrow::Cow;

use serde::Serialize;

use super::{Ident, TabularExpr};
use crate::span::Span;

/// A scalar expression, or a tabular one where KQL accepts both (call arguments, `in`
/// lists, parentheses).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Expr {
    /// A column, variable, table or `$left`/`$right`.
    Name(Ident),
    /// A name with `*` in it, as in `union Device*` or `project-away Tmp*`.
    Wildcard(Ident),
    /// `*`, as in `count(*)`, `arg_max(Timestamp, *)`, `distinct *`.
    Star(Span),
    Literal(Literal),
    Binary(Box<BinaryExpr>),
    Unary(Box<UnaryExpr>),
    Call(Box<Call>),
    /// `object.member`
    Member(Box<MemberExpr>),
    /// `object[index]`
    Index(Box<IndexExpr>),
    /// `x in (...)`, `x !in~ (...)`, `x has_any (...)`
    In(Box<InExpr>),
    /// `x between (low .. high)`
    Between(Box<BetweenExpr>),
    /// Parentheses, kept so the printed text is faithful.
    Paren(Box<ParenExpr>),
    /// `[expr]`, an expression in square brackets used as an operand (`[0].id`): valid
    /// syntax for Microsoft's parser, which reads `['name']` alone as a name.
    Bracketed(Box<BracketedExpr>),
    /// `name = value`, an argument passed by name (`columnsConflict='keep'`).
    NamedArg(Box<NamedArg>),
    /// A tabular expression used as a value: `toscalar(T | count)`, `x in (T | project y)`.
    Query(Box<TabularExpr>),
}

impl Expr {
    pub fn span(&self) -> Span {
        match self {
            Expr::Name(i) | Expr::Wildcard(i) => i.span,
            Expr::Star(s) => *s,
            Expr::Literal(l) => l.span,
            Expr::Binary(b) => b.span,
            Expr::Unary(u) => u.span,
            Expr::Call(c) => c.span,
            Expr::Member(m) => m.span,
            Expr::Index(i) => i.span,
            Expr::In(i) => i.span,
            Expr::Between(b) => b.span,
            Expr::Paren(p) => p.span,
            Expr::Bracketed(b) => b.span,
            Expr::NamedArg(n) => n.span,
            Expr::Query(q) => q.span,
        }
    }

    /// The precedence this expression binds with (see [`precedence`]), for deciding where a
    /// printed tree needs parentheses; names, literals, calls and brackets bind tightest.
    pub fn precedence(&self) -> u8 {
        match self {
            Expr::Binary(b) => b.op.kind.precedence(),
            Expr::In(_) | Expr::Between(_) => precedence::COMPARISON,
            Expr::Unary(_) => precedence::UNARY,
            _ => precedence::POSTFIX,
        }
    }

    /// The expression inside any number of parentheses.
    pub fn unparen(&self) -> &Expr {
        match self {
            Expr::Paren(p) => p.inner.unparen(),
            other => other,
        }
    }

    /// The name, if the expression is a plain name.
    pub fn as_name(&self) -> Option<&Ident> {
        match self {
            Expr::Name(i) => Some(i),
            _ => None,
        }
    }
}

/// `left op right`.
///
/// Operators associate to the left, so a flat chain (`a or b or c`, a sum of 5,000 terms)
/// nests along `left` as deep as it is long. Code that walks the tree follows such a chain
/// with a loop ([`BinaryExpr::chain`]), never by recursion: cloning, comparing and dropping
/// here, printing, formatting and visiting elsewhere. Only real nesting (brackets, signs,
/// operators of another precedence) costs stack.
#[derive(Debug, Serialize)]
pub struct BinaryExpr {
    pub left: Expr,
    pub op: BinaryOp,
    pub right: Expr,
    pub span: Span,
}

impl BinaryExpr {
    /// The chain this operator ends, read left to right: its first operand, and its links
    /// (each with an operator and a right operand), innermost first, `self` last. A link
    /// continues the chain when its left operand is an operator of the same precedence
    /// (`a + b - c`); comparisons do not chain.
    pub fn chain(&self) -> (&Expr, Vec<&BinaryExpr>) {
        let mut links = vec![self];
        let mut first = &self.left;
        while let Some(inner) = continues_chain(first, self.op.kind) {
            links.push(inner);
            first = &inner.left;
        }
        links.reverse();
        (first, links)
    }
}

/// The operator `left` is, when it continues a chain of `kind`'s precedence.
pub(crate) fn continues_chain(left: &Expr, kind: BinaryOpKind) -> Option<&BinaryExpr> {
    match left {
        Expr::Binary(inner)
            if inner.op.kind.precedence() == kind.precedence()
                && kind.precedence() != precedence::COMPARISON =>
        {
            Some(inner)
        }
        _ => None,
    }
}

/// Takes the operator out of `expr` if it is one, leaving a leaf in its place.
fn take_binary(expr: &mut Expr) -> Option<Box<BinaryExpr>> {
    if !matches!(expr, Expr::Binary(_)) {
        return None;
    }
    match std::mem::replace(expr, Expr::Star(Span::default())) {
        Expr::Binary(b) => Some(b),
        _ => None,
    }
}

impl Drop for BinaryExpr {
    /// Unlinks the left spine one operator at a time: the default drop would recurse once a
    /// link.
    fn drop(&mut self) {
        let mut next = take_binary(&mut self.left);
        while let Some(mut link) = next {
            next = take_binary(&mut link.left);
        }
    }
}

impl PartialEq for BinaryExpr {
    /// Compares along the left spine with a loop; spans are ignored, as everywhere.
    fn eq(&self, other: &BinaryExpr) -> bool {
        let (mut a, mut b) = (self, other);
        loop {
            if a.op != b.op || a.right != b.right {
                return false;
            }
            match (&a.left, &b.left) {
                (Expr::Binary(left_a), Expr::Binary(left_b)) => (a, b) = (left_a, left_b),
                (left_a, left_b) => return left_a == left_b,
            }
        }
    }
}

impl Clone for BinaryExpr {
    /// Copies the left spine with a loop, innermost operator first.
    fn clone(&self) -> Self {
        let mut spine = Vec::new();
        let mut first = &self.left;
        while let Expr::Binary(inner) = first {
            spine.push(inner);
            first = &inner.left;
        }
        let mut left = first.clone();
        for link in spine.into_iter().rev() {
            left = Expr::Binary(Box::new(BinaryExpr {
                left,
                op: link.op.clone(),
                right: link.right.clone(),
                span: link.span,
            }));
        }
        BinaryExpr {
            left,
            op: self.op.clone(),
            right: self.right.clone(),
            span: self.span,
        }
    }
}

/// A binary operator: its kind, and its spelling in the source (`<>` for
/// [`BinaryOpKind::NotEq`], a single `=` for [`BinaryOpKind::Eq`], `notcontains`...).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BinaryOp {
    pub kind: BinaryOpKind,
    /// The spelling; a canonical one borrows [`BinaryOpKind::as_str`], so that the operators
    /// of a big file cost no allocation each.
    pub text: Cow<'static, str>,
    pub span: Span,
}

impl BinaryOp {
    /// An operator spelled the canonical way.
    pub fn new(kind: BinaryOpKind) -> Self {
        BinaryOp {
            kind,
            text: Cow::Borrowed(kind.as_str()),
            span: Span::default(),
        }
    }

    /// The spelling `text` of an operator of `kind`, borrowed when it is the canonical one.
    pub fn spelling(kind: BinaryOpKind, text: &str) -> Cow<'static, str> {
        if text == kind.as_str() {
            Cow::Borrowed(kind.as_str())
        } else {
            Cow::Owned(text.to_string())
        }
    }
}

/// The binary operators, by precedence group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum BinaryOpKind {
    Or,
    And,
    // Comparisons and string predicates share one precedence level.
    Eq,
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    EqTilde,
    NotTilde,
    Has,
    NotHas,
    HasCs,
    NotHasCs,
    HasPrefix,
    NotHasPrefix,
    HasPrefixCs,
    NotHasPrefixCs,
    HasSuffix,
    NotHasSuffix,
    HasSuffixCs,
    NotHasSuffixCs,
    Contains,
    NotContains,
    ContainsCs,
    NotContainsCs,
    StartsWith,
    NotStartsWith,
    StartsWithCs,
    NotStartsWithCs,
    EndsWith,
    NotEndsWith,
    EndsWithCs,
    NotEndsWithCs,
    MatchesRegex,
    /// `like`, `notlike`, `likecs`, `notlikecs`: accepted by Microsoft's parser, undocumented.
    Like,
    NotLike,
    LikeCs,
    NotLikeCs,
    /// `Column:"term"`, the search-style `has`.
    Colon,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

impl BinaryOpKind {
    /// The canonical spelling.
    pub fn as_str(self) -> &'static str {
        use BinaryOpKind::*;
        match self {
            Or => "or",
            And => "and",
            Eq => "==",
            NotEq => "!=",
            Lt => "<",
            LtEq => "<=",
            Gt => ">",
            GtEq => ">=",
            EqTilde => "=~",
            NotTilde => "!~",
            Has => "has",
            NotHas => "!has",
            HasCs => "has_cs",
            NotHasCs => "!has_cs",
            HasPrefix => "hasprefix",
            NotHasPrefix => "!hasprefix",
            HasPrefixCs => "hasprefix_cs",
            NotHasPrefixCs => "!hasprefix_cs",
            HasSuffix => "hassuffix",
            NotHasSuffix => "!hassuffix",
            HasSuffixCs => "hassuffix_cs",
            NotHasSuffixCs => "!hassuffix_cs",
            Contains => "contains",
            NotContains => "!contains",
            ContainsCs => "contains_cs",
            NotContainsCs => "!contains_cs",
            StartsWith => "startswith",
            NotStartsWith => "!startswith",
            StartsWithCs => "startswith_cs",
            NotStartsWithCs => "!startswith_cs",
            EndsWith => "endswith",
            NotEndsWith => "!endswith",
            EndsWithCs => "endswith_cs",
            NotEndsWithCs => "!endswith_cs",
            MatchesRegex => "matches regex",
            Like => "like",
            NotLike => "notlike",
            LikeCs => "likecs",
            NotLikeCs => "notlikecs",
            Colon => ":",
            Add => "+",
            Sub => "-",
            Mul => "*",
            Div => "/",
            Mod => "%",
        }
    }

    /// The kind of a spelling; `<>` is [`BinaryOpKind::NotEq`].
    pub fn from_text(text: &str) -> Option<Self> {
        use BinaryOpKind::*;
        match text {
            "<>" => return Some(NotEq),
            "=" => return Some(Eq),
            // Legacy spellings of the `contains` family.
            "notcontains" => return Some(NotContains),
            "containscs" => return Some(ContainsCs),
            "notcontainscs" => return Some(NotContainsCs),
            _ => {}
        }
        if text.starts_with("matches") {
            return Some(MatchesRegex);
        }
        const ALL: [BinaryOpKind; 45] = [
            Or,
            And,
            Eq,
            NotEq,
            Lt,
            LtEq,
            Gt,
            GtEq,
            EqTilde,
            NotTilde,
            Has,
            NotHas,
            HasCs,
            NotHasCs,
            HasPrefix,
            NotHasPrefix,
            HasPrefixCs,
            NotHasPrefixCs,
            HasSuffix,
            NotHasSuffix,
            HasSuffixCs,
            NotHasSuffixCs,
            Contains,
            NotContains,
            ContainsCs,
            NotContainsCs,
            StartsWith,
            NotStartsWith,
            StartsWithCs,
            NotStartsWithCs,
            EndsWith,
            NotEndsWith,
            EndsWithCs,
            NotEndsWithCs,
            MatchesRegex,
            Like,
            NotLike,
            LikeCs,
            NotLikeCs,
            Colon,
            Add,
            Sub,
            Mul,
            Div,
            Mod,
        ];
        ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Binding strength (see [`precedence`]): higher binds tighter.
    pub fn precedence(self) -> u8 {
        use BinaryOpKind::*;
        match self {
            Or => precedence::OR,
            And => precedence::AND,
            Add | Sub => precedence::ADDITIVE,
            Mul | Div | Mod => precedence::MULTIPLICATIVE,
            _ => precedence::COMPARISON,
        }
    }
}

/// KQL's expression levels, loosest first: a higher number binds tighter.
pub mod precedence {
    /// `or`
    pub const OR: u8 = 1;
    /// `and`
    pub const AND: u8 = 2;
    /// Comparisons, string predicates, `in (...)` and `between (...)`. They do not chain:
    /// only `and` or `or` may follow one.
    pub const COMPARISON: u8 = 3;
    /// `+ -`
    pub const ADDITIVE: u8 = 4;
    /// `* / %`
    pub const MULTIPLICATIVE: u8 = 5;
    /// Signs: `-x`, `+x`.
    pub const UNARY: u8 = 6;
    /// `.member`, `[index]`, and the primaries they apply to.
    pub const POSTFIX: u8 = 7;
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnaryExpr {
    pub op: UnaryOp,
    pub operand: Expr,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum UnaryOp {
    Neg,
    Plus,
}

/// `name(args)`; aggregates such as `count()` and `not(x)` are calls too.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Call {
    pub name: Ident,
    pub args: Vec<Expr>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MemberExpr {
    pub object: Expr,
    pub member: Ident,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IndexExpr {
    pub object: Expr,
    pub index: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct InExpr {
    pub expr: Expr,
    pub op: InOp,
    pub op_span: Span,
    /// The parenthesised items; a subquery or a dynamic array is one item.
    pub list: Vec<Expr>,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum InOp {
    In,
    NotIn,
    InCi,
    NotInCi,
    HasAny,
    HasAll,
}

impl InOp {
    pub fn as_str(self) -> &'static str {
        match self {
            InOp::In => "in",
            InOp::NotIn => "!in",
            InOp::InCi => "in~",
            InOp::NotInCi => "!in~",
            InOp::HasAny => "has_any",
            InOp::HasAll => "has_all",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BetweenExpr {
    pub expr: Expr,
    pub negated: bool,
    pub low: Expr,
    pub high: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ParenExpr {
    pub inner: Expr,
    pub span: Span,
}

/// `[inner]` as an operand.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BracketedExpr {
    pub inner: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NamedArg {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

/// A literal: its value, and its spelling in the source (`raw`), which is what is printed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Literal {
    pub value: LiteralValue,
    pub raw: Box<str>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum LiteralValue {
    /// The decoded value: escapes resolved, adjacent literals joined.
    String(String),
    Bool(bool),
    /// An integer: `42`, `0x2A`.
    Long(i64),
    Real(f64),
    /// `30m`, `1.5h`, `timespan(1d)`: the length in ticks (100 ns) when it is written with a
    /// unit, `None` for the `timespan(d.hh:mm:ss)` forms.
    Timespan(Option<i64>),
    /// `datetime(...)`: the text between the parentheses, trimmed.
    Datetime(String),
    /// `guid(...)`: the text between the parentheses, trimmed.
    Guid(String),
    /// `dynamic(...)`: the source text of the value.
    Dynamic(String),
    /// A constant of a named type: `int(null)`, `real(nan)`, `long(-1)`, `bool(true)`.
    Typed {
        type_name: Box<str>,
        body: Box<str>,
    },
    /// Bare `null`.
    Null,
}

impl Literal {
    /// A string literal whose printed form decodes to exactly `value`.
    pub fn string(value: &str) -> Self {
        Literal {
            raw: crate::literal::quote_string(value).into(),
            value: LiteralValue::String(value.into()),
            span: Span::default(),
        }
    }

    pub fn long(value: i64) -> Self {
        Literal {
            raw: value.to_string().into(),
            value: LiteralValue::Long(value),
            span: Span::default(),
        }
    }

    pub fn bool(value: bool) -> Self {
        Literal {
            raw: value.to_string().into(),
            value: LiteralValue::Bool(value),
            span: Span::default(),
        }
    }

    /// The decoded text of a string literal.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            LiteralValue::String(s) => Some(s),
            _ => None,
        }
    }
}
