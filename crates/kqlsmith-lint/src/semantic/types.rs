//! The type of an expression, as far as the rules need it: literals, comparisons, and the
//! result types of common functions. Anything else is `Unknown`.

use crate::ir::{Expr, ExprKind, Literal};
use crate::schema::ColumnType;

/// The type of a call to the built-in function `name`, when kqlsmith knows it.
pub fn function_type(name: &str) -> ColumnType {
    use ColumnType::*;
    match name {
        "tostring"
        | "tolower"
        | "toupper"
        | "strcat"
        | "strcat_delim"
        | "substring"
        | "extract"
        | "replace_string"
        | "replace_regex"
        | "trim"
        | "trim_start"
        | "trim_end"
        | "format_datetime"
        | "format_timespan"
        | "base64_decode_tostring"
        | "base64_encode_tostring"
        | "url_decode"
        | "url_encode"
        | "hash_sha256"
        | "hash_md5"
        | "hash_sha1"
        | "strrep"
        | "reverse"
        | "translate"
        | "parse_path"
        | "typeof"
        | "gettype"
        | "iif_string" => String,
        "toint" => Int,
        "tolong" | "strlen" | "countof" | "indexof" | "array_length" | "dcount" | "count"
        | "countif" | "dcountif" | "hash" | "bitset_count_ones" => Long,
        "todouble" | "toreal" | "round" | "log" | "log10" | "exp" | "sqrt" | "pow" => Real,
        "todecimal" => Decimal,
        "tobool"
        | "toboolean"
        | "isempty"
        | "isnotempty"
        | "isnull"
        | "isnotnull"
        | "isnan"
        | "isinf"
        | "isfinite"
        | "isascii"
        | "isutf8"
        | "not"
        | "has_any_ipv4"
        | "has_any_ipv4_prefix"
        | "has_ipv4"
        | "has_ipv4_prefix"
        | "ipv4_is_in_range"
        | "ipv4_is_in_any_range"
        | "ipv4_is_match"
        | "ipv4_is_private"
        | "ipv6_is_match"
        | "ipv6_is_in_range"
        | "ipv6_is_in_any_range"
        | "set_has_element"
        | "array_iff" => Bool,
        "todatetime"
        | "ago"
        | "now"
        | "datetime_add"
        | "startofday"
        | "startofweek"
        | "startofmonth"
        | "startofyear"
        | "endofday"
        | "endofweek"
        | "endofmonth"
        | "endofyear"
        | "unixtime_seconds_todatetime"
        | "unixtime_milliseconds_todatetime"
        | "make_datetime" => DateTime,
        "totimespan" | "make_timespan" | "datetime_diff_timespan" => Timespan,
        "todynamic" | "parse_json" | "pack" | "pack_array" | "bag_pack" | "split"
        | "extract_all" | "make_set" | "make_list" | "make_bag" | "make_set_if"
        | "make_list_if" | "array_concat" | "array_slice" | "set_union" | "set_intersect"
        | "set_difference" | "parse_url" | "parse_command_line" | "bag_keys" | "zip" => Dynamic,
        "toguid" | "new_guid" => Guid,
        _ => Unknown,
    }
}

/// The type of a literal.
pub fn literal_type(literal: &Literal) -> ColumnType {
    match literal {
        Literal::String(_) => ColumnType::String,
        Literal::Long(_) => ColumnType::Long,
        Literal::Real(_) => ColumnType::Real,
        Literal::Bool(_) => ColumnType::Bool,
        Literal::Timespan => ColumnType::Timespan,
        Literal::DateTime => ColumnType::DateTime,
        Literal::Dynamic { .. } => ColumnType::Dynamic,
        Literal::Guid => ColumnType::Guid,
        Literal::Null => ColumnType::Unknown,
        Literal::Typed(ty) => *ty,
    }
}

/// The type of `expr`, given a way to type plain names.
///
/// An arithmetic chain (`a + b - c`) nests along `lhs` as deep as it is long: it is typed
/// with a loop, left to right.
pub fn expr_type(expr: &Expr, name_type: &dyn Fn(&str) -> ColumnType) -> ColumnType {
    let mut rights = Vec::new();
    let mut first = expr;
    while let ExprKind::Binary { op, lhs, rhs, .. } = &first.kind
        && !op.is_predicate()
    {
        rights.push(rhs);
        first = lhs;
    }
    let first_type = operand_type(first, name_type);
    rights.into_iter().rev().fold(first_type, |l, rhs| {
        arithmetic_type(l, expr_type(rhs, name_type))
    })
}

/// The type of arithmetic on `l` and `r`: datetime - datetime is a timespan; otherwise
/// the wider side.
fn arithmetic_type(l: ColumnType, r: ColumnType) -> ColumnType {
    match (l, r) {
        (ColumnType::DateTime, ColumnType::DateTime) => ColumnType::Timespan,
        (ColumnType::DateTime, _) | (_, ColumnType::DateTime) => ColumnType::DateTime,
        (a, b) if a == b => a,
        (ColumnType::Real, _) | (_, ColumnType::Real) => ColumnType::Real,
        _ => ColumnType::Unknown,
    }
}

/// The type of `expr`, which is not arithmetic.
fn operand_type(expr: &Expr, name_type: &dyn Fn(&str) -> ColumnType) -> ColumnType {
    match &expr.kind {
        ExprKind::Name(ident) => name_type(&ident.name),
        ExprKind::Literal(literal) => literal_type(literal),
        // A predicate: `expr_type` takes arithmetic apart with its loop.
        ExprKind::Binary { .. } => ColumnType::Bool,
        ExprKind::Unary { operand, .. } => expr_type(operand, name_type),
        ExprKind::Call(call) => match call.name.name.as_str() {
            // `iff(c, a, b)` and `coalesce(a, ...)` have their values' type.
            "iff" | "iif" => call
                .args
                .get(1)
                .map_or(ColumnType::Unknown, |a| expr_type(a, name_type)),
            "coalesce" | "min" | "max" | "take_any" | "bin" | "floor" | "arg_max" | "arg_min" => {
                call.args
                    .first()
                    .map_or(ColumnType::Unknown, |a| expr_type(a, name_type))
            }
            name => function_type(name),
        },
        ExprKind::Member { .. } | ExprKind::Index { .. } => ColumnType::Dynamic,
        ExprKind::NamedArg { value, .. } => expr_type(value, name_type),
        _ => ColumnType::Unknown,
    }
}
