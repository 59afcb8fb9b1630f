//! Scalar expressions: the Pratt parser for precedence, primaries and literals.

use std::sync::LazyLock;

use pest::pratt_parser::{Assoc, Op, PrattParser};

use super::{Converter, MAX_EXPR_DEPTH, P, Rule};
use crate::ast::continues_chain;
use crate::ast::*;
use crate::error::ParseError;
use crate::literal::{decode_string_literal, timespan_unit_ticks};
use crate::span::Span;

/// KQL's precedence, loosest first: `or`, `and`, comparisons and string predicates (with
/// `in` and `between`), `+ -`, `* / %`, unary signs, then `.member` and `[index]`.
static PRATT: LazyLock<PrattParser<Rule>> = LazyLock::new(|| {
    PrattParser::new()
        .op(Op::infix(Rule::or_op, Assoc::Left))
        .op(Op::infix(Rule::and_op, Assoc::Left))
        .op(Op::infix(Rule::cmp_op, Assoc::Left)
            | Op::postfix(Rule::in_op)
            | Op::postfix(Rule::between_op))
        .op(Op::infix(Rule::add_op, Assoc::Left))
        .op(Op::infix(Rule::mul_op, Assoc::Left))
        .op(Op::prefix(Rule::neg_op) | Op::prefix(Rule::pos_op))
        .op(Op::postfix(Rule::member) | Op::postfix(Rule::index))
});

type Depth = (Expr, u32);

impl Converter<'_> {
    /// An `expr` pair. Tracks the depth of the tree it builds: `self.nested` holds, on
    /// return, the deepest expression converted so far at this level.
    pub(super) fn expr(&self, pair: P<'_>) -> Result<Expr, ParseError> {
        let outer = self.nested.get();
        let mut pairs = pair.into_inner();
        if pairs.len() == 1 {
            // A lone operand, the most common expression: no operator to order.
            let operand = pairs.next().expect("an expression has an operand");
            self.nested.set(0);
            let e = self.primary(operand)?;
            let (e, depth) = self.check_depth(e, self.nested.get() + 1)?;
            self.nested.set(outer.max(depth));
            return Ok(e);
        }
        let (expr, depth) = PRATT
            .map_primary(|p| {
                self.nested.set(0);
                let e = self.primary(p)?;
                self.check_depth(e, self.nested.get() + 1)
            })
            .map_prefix(|op, rhs| {
                let (operand, d) = rhs?;
                let kind = if op.as_rule() == Rule::neg_op {
                    UnaryOp::Neg
                } else {
                    UnaryOp::Plus
                };
                let span = Span::new(self.span(&op).start, operand.span().end);
                self.check_depth(
                    Expr::Unary(Box::new(UnaryExpr {
                        op: kind,
                        operand,
                        span,
                    })),
                    d + 1,
                )
            })
            .map_postfix(|lhs, op| {
                let (lhs, d) = lhs?;
                self.comparisons_do_not_chain(&lhs, &op)?;
                self.nested.set(0);
                let e = self.postfix(lhs, op)?;
                self.check_depth(e, d.max(self.nested.get()) + 1)
            })
            .map_infix(|lhs, op, rhs| {
                let (left, dl) = lhs?;
                let (right, dr) = rhs?;
                let text = op.as_str();
                let kind = BinaryOpKind::from_text(text).ok_or_else(|| {
                    self.error(
                        self.span(&op),
                        format!("found `{text}`, expected an operator"),
                    )
                })?;
                if kind.precedence() >= precedence::COMPARISON {
                    self.comparisons_do_not_chain(&left, &op)?;
                }
                let op = BinaryOp {
                    kind,
                    text: BinaryOp::spelling(kind, text),
                    span: self.span(&op),
                };
                let span = left.span().cover(right.span());
                // A link of a flat chain (`a or b or c`) adds no depth: walkers follow
                // chains with a loop. Its right operand is one level down.
                let depth = if continues_chain(&left, op.kind).is_some() {
                    dl.max(dr + 1)
                } else {
                    dl.max(dr) + 1
                };
                self.check_depth(
                    Expr::Binary(Box::new(BinaryExpr {
                        left,
                        op,
                        right,
                        span,
                    })),
                    depth,
                )
            })
            .parse(pairs)?;
        self.nested.set(outer.max(depth));
        Ok(expr)
    }

    /// Comparisons do not chain in KQL: after `a == b`, `x in (...)` or `x between (...)`,
    /// only `and`, `or` or the end of the expression may follow (`a == b == c`,
    /// `x in (1) + 2` and `a == b in (c)` are errors, as they are for Microsoft's parser).
    /// The Pratt parser would read them as an operand of the next operator, a tree that
    /// prints back differently.
    fn comparisons_do_not_chain(&self, lhs: &Expr, op: &P<'_>) -> Result<(), ParseError> {
        let test = match lhs {
            Expr::Binary(b) if b.op.kind.precedence() == precedence::COMPARISON => {
                b.op.text.to_string()
            }
            Expr::In(i) => format!("{} (...)", i.op.as_str()),
            Expr::Between(b) if b.negated => "!between (...)".to_string(),
            Expr::Between(_) => "between (...)".to_string(),
            _ => return Ok(()),
        };
        let found = op.as_str().split_whitespace().next().unwrap_or_default();
        Err(self.error(
            self.span(op),
            format!(
                "found `{found}` after the comparison `{test}`, expected `and`, `or` or the end of the expression: comparisons do not chain, put one in parentheses"
            ),
        ))
    }

    fn check_depth(&self, expr: Expr, depth: u32) -> Result<Depth, ParseError> {
        if depth > MAX_EXPR_DEPTH {
            return Err(self.error(
                expr.span(),
                format!("found an expression nested deeper than {MAX_EXPR_DEPTH} levels, expected a shallower one: split it with `let` statements"),
            ));
        }
        Ok((expr, depth))
    }

    /// A `pipe_expr` where a value is expected: a plain expression stays one, a query with
    /// stages (or a tabular source) becomes [`Expr::Query`].
    pub(super) fn pipe_value(&self, pair: P<'_>) -> Result<Expr, ParseError> {
        let mut children = pair.clone().into_inner();
        if children.len() == 1
            && let Some(only) = children.next()
            && only.as_rule() == Rule::expr
        {
            // A plain value, the common case: no query to build and take apart.
            return self.expr(only);
        }
        Ok(match self.tabular(pair)? {
            TabularExpr {
                source: Source::Expr(e),
                stages,
                ..
            } if stages.is_empty() => e,
            t => Expr::Query(Box::new(t)),
        })
    }

    fn primary(&self, pair: P<'_>) -> Result<Expr, ParseError> {
        let sp = self.span(&pair);
        Ok(match pair.as_rule() {
            Rule::paren => {
                let inner =
                    self.pipe_value(pair.into_inner().next().expect("paren has a query"))?;
                Expr::Paren(Box::new(ParenExpr { inner, span: sp }))
            }
            Rule::star => Expr::Star(sp),
            Rule::bracketed => {
                let inner = self.expr(
                    pair.into_inner()
                        .next()
                        .expect("brackets hold an expression"),
                )?;
                Expr::Bracketed(Box::new(BracketedExpr { inner, span: sp }))
            }
            Rule::bracket_ident => Expr::Name(self.name(pair)?),
            Rule::call_or_name | Rule::bare_name => {
                let mut c = self.children(pair);
                let name_pair = c.next();
                let is_plain = name_pair.as_rule() == Rule::ident;
                let name = self.name(name_pair)?;
                if is_plain && RESERVED.contains(&name.name.as_str()) {
                    return Err(self.error(
                        name.span,
                        format!(
                            "found the keyword `{0}`, expected an expression: write ['{0}'] to use it as a name",
                            name.name
                        ),
                    ));
                }
                match c.pairs.next() {
                    // `materialize` is a keyword that must be called.
                    None if is_plain && name.name == "materialize" => {
                        return Err(self.error(
                            name.span,
                            "found the keyword `materialize` without `(`, expected `materialize(query)`: write ['materialize'] to use it as a name",
                        ));
                    }
                    None if is_plain && super::TYPE_KEYWORDS.contains(&name.name.as_str()) => {
                        return Err(self.error(
                            name.span,
                            format!(
                                "found the type keyword `{0}`, expected an expression: write ['{0}'] to use it as a name",
                                name.name
                            ),
                        ));
                    }
                    None if is_plain => word_literal(name),
                    None => Expr::Name(name),
                    // A type keyword is never a function: `int (1)`, `datetime(1\n)` and
                    // `string(1)` are errors, as for Microsoft's parser (a typed literal is
                    // one token, `int(1)`, and the grammar took it before this).
                    Some(_) if is_plain && is_type_keyword(&name.name) => {
                        return Err(self.error(name.span, type_keyword_call(&name.name)));
                    }
                    Some(args) => {
                        let typeof_call = is_plain && name.name == "typeof";
                        let args: Vec<Expr> = args
                            .into_inner()
                            .map(|a| match type_name_arg(a.as_str()) {
                                // `typeof(string)` names a type.
                                ty if typeof_call && super::TYPE_KEYWORDS.contains(&ty) => {
                                    let start = self.span(&a).start;
                                    Ok(Expr::Name(Ident {
                                        name: ty.to_string(),
                                        quoted: None,
                                        span: Span::new(start, start + ty.len()),
                                    }))
                                }
                                _ => self.arg(a),
                            })
                            .collect::<Result<_, _>>()?;
                        self.query_args_only_for_tabular_functions(&name, is_plain, &args)?;
                        Expr::Call(Box::new(Call {
                            name,
                            args,
                            span: sp,
                        }))
                    }
                }
            }
            _ => self.literal(pair)?,
        })
    }

    /// A query is an argument only of `toscalar`, `totable` and `materialize`, and there the
    /// only one, as for Microsoft's parser: `ago(T | take 1)` and `f(where x)` are errors,
    /// `f((T | take 1))` and `f(datatable(a: int) [1])` are not.
    fn query_args_only_for_tabular_functions(
        &self,
        name: &Ident,
        is_plain: bool,
        args: &[Expr],
    ) -> Result<(), ParseError> {
        let takes_query =
            is_plain && matches!(name.name.as_str(), "toscalar" | "totable" | "materialize");
        for arg in args {
            let value = match arg {
                Expr::NamedArg(n) => &n.value,
                other => other,
            };
            let Expr::Query(q) = value else { continue };
            let table_value = q.stages.is_empty()
                && matches!(
                    &q.source,
                    Source::Operator(op)
                        if matches!(**op, Operator::Datatable { .. } | Operator::Externaldata { .. })
                );
            if table_value || (takes_query && args.len() == 1) {
                continue;
            }
            let at = q.stages.first().map_or(q.span, |s| s.span);
            return Err(self.error(
                at,
                format!(
                    "found a query as an argument of `{}`, expected a scalar: only toscalar(), totable() and materialize() take a query, alone; put it in parentheses to pass a table",
                    name.name
                ),
            ));
        }
        Ok(())
    }

    fn arg(&self, pair: P<'_>) -> Result<Expr, ParseError> {
        let sp = self.span(&pair);
        let mut c = self.children(pair);
        let first = c.next();
        if first.as_rule() == Rule::star {
            return Ok(Expr::Star(sp));
        }
        match c.pairs.next() {
            None => self.pipe_value(first),
            Some(value) => {
                let name = self.name(first)?;
                let value = self.pipe_value(value)?;
                Ok(Expr::NamedArg(Box::new(NamedArg {
                    name,
                    value,
                    span: sp,
                })))
            }
        }
    }

    fn postfix(&self, lhs: Expr, op: P<'_>) -> Result<Expr, ParseError> {
        let span = lhs.span().cover(self.span(&op));
        let rule = op.as_rule();
        let mut c = self.children(op);
        Ok(match rule {
            Rule::member => {
                let m = c.next();
                if m.as_rule() == Rule::index {
                    // `x.[0]` is `x[0]`.
                    let index =
                        self.expr(m.into_inner().next().expect("index has an expression"))?;
                    return Ok(Expr::Index(Box::new(IndexExpr {
                        object: lhs,
                        index,
                        span,
                    })));
                }
                let member = if m.as_rule() == Rule::string_lit {
                    let name = decode_string_literal(m.as_str()).unwrap_or_default();
                    Ident {
                        name,
                        quoted: Some(m.as_str().into()),
                        span: self.span(&m),
                    }
                } else {
                    self.name(m)?
                };
                Expr::Member(Box::new(MemberExpr {
                    object: lhs,
                    member,
                    span,
                }))
            }
            Rule::index => {
                let index = self.expr(c.next())?;
                Expr::Index(Box::new(IndexExpr {
                    object: lhs,
                    index,
                    span,
                }))
            }
            Rule::in_op => {
                let kind = c.next();
                let op_span = self.span(&kind);
                let op = match kind.as_str() {
                    "in" => InOp::In,
                    "!in" => InOp::NotIn,
                    "in~" => InOp::InCi,
                    "!in~" => InOp::NotInCi,
                    "has_any" => InOp::HasAny,
                    _ => InOp::HasAll,
                };
                let list = c
                    .rest()
                    .map(|p| self.pipe_value(p))
                    .collect::<Result<_, _>>()?;
                Expr::In(Box::new(InExpr {
                    expr: lhs,
                    op,
                    op_span,
                    list,
                    span,
                }))
            }
            _ => {
                let negated = c.next().as_str().starts_with('!');
                let low = self.expr(c.next())?;
                let high = self.expr(c.next())?;
                Expr::Between(Box::new(BetweenExpr {
                    expr: lhs,
                    negated,
                    low,
                    high,
                    span,
                }))
            }
        })
    }

    /// A literal pair: `string_lit`, `number`, `dyn_number`, `typed_literal`, `dynamic_lit`,
    /// `bool_lit`, `null_lit`.
    pub(super) fn literal(&self, pair: P<'_>) -> Result<Expr, ParseError> {
        let sp = self.span(&pair);
        let raw = self.text(&pair).to_string();
        let value = match pair.as_rule() {
            Rule::string_lit => {
                LiteralValue::String(decode_string_literal(&raw).ok_or_else(|| {
                    self.error(
                        sp,
                        "found a malformed string literal, expected a closing quote",
                    )
                })?)
            }
            Rule::number | Rule::dyn_number => match self.number(&raw, sp)? {
                Some(value) => value,
                // A digit-led name such as `2022Cves`.
                None => {
                    return Ok(Expr::Name(Ident {
                        name: raw,
                        quoted: None,
                        span: sp,
                    }));
                }
            },
            Rule::bool_lit => LiteralValue::Bool(raw.eq_ignore_ascii_case("true")),
            Rule::null_lit => LiteralValue::Null,
            Rule::dynamic_lit => {
                self.dynamic_numbers_have_units(&pair)?;
                let open = raw.find('(').map_or(0, |i| i + 1);
                let close = raw.rfind(')').unwrap_or(raw.len()).max(open);
                LiteralValue::Dynamic(raw[open..close].trim().to_string())
            }
            Rule::typed_literal => {
                let mut c = self.children(pair);
                let kind = c.next().as_str().to_string();
                let body = self.text(&c.next()).trim().to_string();
                match kind.as_str() {
                    "datetime" | "date" => LiteralValue::Datetime(body),
                    "guid" => LiteralValue::Guid(body),
                    "timespan" | "time" => {
                        let ticks = match self.number(&body, sp) {
                            Ok(Some(LiteralValue::Timespan(t))) => t,
                            _ => None,
                        };
                        LiteralValue::Timespan(ticks)
                    }
                    _ => LiteralValue::Typed {
                        type_name: kind.into(),
                        body: body.into(),
                    },
                }
            }
            other => return Err(self.error(sp, format!("found {other:?}, expected an expression"))),
        };
        Ok(Expr::Literal(Literal {
            value,
            raw: raw.into(),
            span: sp,
        }))
    }

    /// A number in a `dynamic` value is a number or a timespan, never a name: Microsoft's
    /// parser rejects `dynamic([80not])`.
    fn dynamic_numbers_have_units(&self, pair: &P<'_>) -> Result<(), ParseError> {
        // Most dynamic values have no digit before a letter: no need to walk their pairs.
        let text = pair.as_str().as_bytes();
        if !text
            .windows(2)
            .any(|w| w[0].is_ascii_digit() && w[1].is_ascii_alphabetic())
        {
            return Ok(());
        }
        for number in pair
            .clone()
            .into_inner()
            .flatten()
            .filter(|p| p.as_rule() == Rule::dyn_number)
        {
            if self.number(number.as_str(), self.span(&number))?.is_none() {
                return Err(self.error(
                    self.span(&number),
                    format!(
                        "found `{}`, expected a number or a timespan with a unit of d, h, m, s, ms, microsecond or tick",
                        number.as_str()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `42`, `0x2A`, `1.5`, `1e3`, `-7`, or a timespan such as `30m` or `1.5h`; `None` for
    /// digits followed by letters that are no unit, which KQL reads as a name.
    fn number(&self, text: &str, sp: Span) -> Result<Option<LiteralValue>, ParseError> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let sign = if negative { -1.0 } else { 1.0 };
        if digits == "inf" || digits == "nan" {
            return Ok(Some(LiteralValue::Real(if digits == "inf" {
                sign * f64::INFINITY
            } else {
                f64::NAN
            })));
        }
        if let Some(hex) = digits
            .strip_prefix("0x")
            .or_else(|| digits.strip_prefix("0X"))
        {
            // `0x` or `0xg` is a name, as for Microsoft's parser (`let 0x = 5;`).
            if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Ok(None);
            }
            let Ok(value) = u64::from_str_radix(hex, 16) else {
                // More than 64 bits: Microsoft's parser and analyzer take it; its value
                // is kept as a real.
                let value = hex.bytes().fold(0.0, |v, b| {
                    v * 16.0 + f64::from(char::from(b).to_digit(16).unwrap_or(0))
                });
                return Ok(Some(LiteralValue::Real(sign * value)));
            };
            let value = value as i64;
            return Ok(Some(LiteralValue::Long(if negative {
                value.wrapping_neg()
            } else {
                value
            })));
        }
        let bytes = digits.as_bytes();
        let mut end = bytes
            .iter()
            .position(|b| !b.is_ascii_digit() && *b != b'.')
            .unwrap_or(bytes.len());
        if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
            let mut j = end + 1;
            if j < bytes.len() && (bytes[j] == b'+' || bytes[j] == b'-') {
                j += 1;
            }
            if j < bytes.len() && bytes[j].is_ascii_digit() {
                end = j + bytes[j..].iter().take_while(|b| b.is_ascii_digit()).count();
            }
        }
        let (number, unit) = digits.split_at(end);
        if unit.is_empty() {
            if !number.contains(['.', 'e', 'E'])
                && let Ok(v) = number.parse::<i64>()
            {
                return Ok(Some(LiteralValue::Long(if negative { -v } else { v })));
            }
            let v: f64 = number
                .parse()
                .map_err(|_| self.error(sp, format!("found `{text}`, expected a number")))?;
            return Ok(Some(LiteralValue::Real(sign * v)));
        }
        let Some(ticks) = timespan_unit_ticks(unit) else {
            if negative || text.starts_with('+') || number.contains(['.', 'e', 'E']) {
                return Err(self.error(
                    sp,
                    format!("found `{text}`, expected a number or a timespan with a unit of d, h, m, s, ms, microsecond or tick"),
                ));
            }
            return Ok(None);
        };
        let v: f64 = number
            .parse()
            .map_err(|_| self.error(sp, format!("found `{text}`, expected a number")))?;
        Ok(Some(LiteralValue::Timespan(Some(
            (sign * v * ticks).round() as i64,
        ))))
    }
}

/// Keywords that are no name where an expression is expected (`where in == 1`), as for
/// Microsoft's parser; they may still name a column being declared (`extend by = 1`).
const RESERVED: [&str; 31] = [
    "and",
    "or",
    "in",
    "between",
    "has",
    "has_any",
    "has_all",
    "hasprefix",
    "hassuffix",
    "contains",
    "containscs",
    "notcontains",
    "startswith",
    "endswith",
    "like",
    "asc",
    "desc",
    "first",
    "last",
    "by",
    "of",
    "to",
    "as",
    "set",
    "where",
    "project",
    "print",
    "search",
    "union",
    "find",
    "invoke",
];

/// `true`, `false` (in three spellings each) and `null` are literals; other words are names.
fn word_literal(name: Ident) -> Expr {
    let value = match name.name.as_str() {
        "true" | "True" | "TRUE" => LiteralValue::Bool(true),
        "false" | "False" | "FALSE" => LiteralValue::Bool(false),
        "null" => LiteralValue::Null,
        _ => return Expr::Name(name),
    };
    Expr::Literal(Literal {
        value,
        raw: name.name.into(),
        span: name.span,
    })
}

/// An argument's text without the spaces and comments its pair may run on over (a comment
/// reaches the parser as `COMMENT_FILL` bytes): `typeof(string // c\n)` names `string`.
fn type_name_arg(text: &str) -> &str {
    let fill = char::from(crate::scan::COMMENT_FILL);
    text.trim_end_matches(|c: char| c.is_whitespace() || c == fill)
}

/// Whether `name` is a type keyword a literal may start with (or `string`, which none does).
fn is_type_keyword(name: &str) -> bool {
    super::TYPE_KEYWORDS.contains(&name) || name == "guid"
}

/// Why `name(` is not a call: where a typed literal of that type was meant, how to write it.
fn type_keyword_call(name: &str) -> String {
    match name {
        "string" => "found the type keyword `string`, expected an expression: `string` is no \
                     function (`tostring(x)` is); write ['string'] to use it as a name"
            .to_string(),
        "dynamic" => "found `dynamic(` with a value that is not a dynamic literal, expected \
                      a number, string, `[...]` array or `{...}` object: `todynamic(x)` reads \
                      a value"
            .to_string(),
        _ => format!(
            "found the type keyword `{name}` before a `(` that opens no literal, expected a \
             typed literal `{name}(...)`: the `(` right after the type, the `)` on the same \
             line; write ['{name}'] to call a function of that name"
        ),
    }
}
