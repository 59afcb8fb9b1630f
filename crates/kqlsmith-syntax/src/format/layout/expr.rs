//! The layout of scalar expressions: operators with single spaces around them, `and`/`or`
//! chains that break before each operator, call arguments and `in` lists that break one item
//! a line.

use super::{Layout, concat, t};
use crate::ast::*;
use crate::format::doc::Doc;

fn is_chain(kind: BinaryOpKind) -> bool {
    matches!(kind, BinaryOpKind::And | BinaryOpKind::Or)
}

impl Layout<'_> {
    pub(super) fn expr(&mut self, expr: &Expr) -> Doc {
        match expr {
            Expr::Name(ident) => t(ident.to_string()),
            Expr::Wildcard(ident) => t(ident.name.clone()),
            Expr::Star(_) => t("*"),
            Expr::Literal(literal) => self.literal(literal),
            Expr::Binary(b) if is_chain(b.op.kind) => self.chain(b),
            Expr::Binary(b) => {
                // One flat list for a chain (`a + b - c ...`), however long.
                let p = b.op.kind.precedence();
                let (first, links) = b.chain();
                let mut parts = vec![self.operand(first, crate::print::left_operand_min(p))];
                for link in links {
                    parts.push(t(format!(" {} ", link.op.text)));
                    parts.push(self.operand(&link.right, p + 1));
                }
                concat(parts)
            }
            Expr::Unary(u) => {
                let sign = match u.op {
                    UnaryOp::Neg => "-",
                    UnaryOp::Plus => "+",
                };
                concat(vec![t(sign), self.operand(&u.operand, precedence::UNARY)])
            }
            Expr::Call(call) => self.call(call),
            Expr::Member(m) => {
                let object = self.operand(&m.object, precedence::POSTFIX);
                concat(vec![
                    object,
                    t(format!(
                        "{}{}",
                        crate::print::member_dot(&m.object),
                        m.member
                    )),
                ])
            }
            Expr::Index(i) => {
                let object = self.operand(&i.object, precedence::POSTFIX);
                concat(vec![object, t("["), self.expr(&i.index), t("]")])
            }
            Expr::In(i) => {
                let subject = self.operand(&i.expr, precedence::COMPARISON + 1);
                let list =
                    self.bracketed("(", &i.list, Expr::span, Self::expr, ")", self.end(i.span));
                concat(vec![subject, t(format!(" {} ", i.op.as_str())), list])
            }
            Expr::Between(b) => {
                let subject = self.operand(&b.expr, precedence::COMPARISON + 1);
                let negated = if b.negated { "!" } else { "" };
                concat(vec![
                    subject,
                    t(format!(" {negated}between (")),
                    self.expr(&b.low),
                    t(" .. "),
                    self.expr(&b.high),
                    t(")"),
                ])
            }
            Expr::Paren(p) => self.paren(p),
            Expr::Bracketed(b) => concat(vec![t("["), self.expr(&b.inner), t("]")]),
            Expr::NamedArg(n) => concat(vec![t(format!("{}=", n.name)), self.expr(&n.value)]),
            Expr::Query(q) => self.pipeline(q, false),
        }
    }

    /// A literal as written (its text may hold comments, in a `dynamic` value: they stay).
    pub(super) fn literal(&mut self, literal: &Literal) -> Doc {
        self.comments.consume_within(literal.span);
        t(literal.raw.clone())
    }

    fn operand(&mut self, expr: &Expr, min: u8) -> Doc {
        if expr.precedence() < min {
            concat(vec![t("("), self.expr(expr), t(")")])
        } else {
            self.expr(expr)
        }
    }

    /// `a and b and c` on one line if it fits, else a line per operand, each after the first
    /// starting with its operator, one level deeper.
    fn chain(&mut self, b: &BinaryExpr) -> Doc {
        // Left-associative: `a and b and c` is `(a and b) and c`.
        let (first, links) = b.chain();
        let p = b.op.kind.precedence();
        let mut rest = Vec::new();
        let head = self.operand(first, p);
        let mut previous_end = first.span().end;
        for (op, operand) in links.into_iter().map(|link| (&link.op, &link.right)) {
            rest.push(self.comments.trailing_past(previous_end, &op.text));
            rest.push(Doc::Line);
            rest.push(
                self.comments
                    .leading(operand.span().start, super::Blank::Drop, false),
            );
            rest.push(t(format!("{} ", op.text)));
            rest.push(self.operand(operand, p + 1));
            previous_end = operand.span().end;
        }
        Doc::group(concat(vec![head, Doc::indent(concat(rest))]))
    }

    /// `name(args)`: on one line if it fits, else one argument a line.
    fn call(&mut self, call: &Call) -> Doc {
        let name = t(crate::print::call_name(&call.name));
        if call.args.is_empty() {
            let rest = self
                .comments
                .dangling(self.end(call.span), super::Blank::Drop);
            if rest.is_empty() {
                return concat(vec![name, t("()")]);
            }
            return Doc::group(concat(vec![
                name,
                t("("),
                Doc::indent(rest),
                Doc::SoftLine,
                t(")"),
            ]));
        }
        let args = self.bracketed(
            "(",
            &call.args,
            Expr::span,
            Self::expr,
            ")",
            self.end(call.span),
        );
        concat(vec![name, args])
    }

    /// `(expr)`, or a parenthesised query with stages as a block.
    fn paren(&mut self, p: &ParenExpr) -> Doc {
        if let Expr::Query(q) = &p.inner
            && !q.stages.is_empty()
        {
            return self.query_block(q, self.end(p.span));
        }
        let comments = self.comments.leading_inline(p.inner.span().start);
        let inner = self.expr(&p.inner);
        let rest = self.comments.dangling(self.end(p.span), super::Blank::Drop);
        if rest.is_empty() {
            return concat(vec![t("("), comments, inner, t(")")]);
        }
        // A comment before `)` needs the line break after it.
        Doc::group(concat(vec![
            t("("),
            comments,
            inner,
            rest,
            Doc::SoftLine,
            t(")"),
        ]))
    }
}
