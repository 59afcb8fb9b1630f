//! What the linter reports: a diagnostic with a stable code, a severity, a primary span, a
//! message, and a fix (text edits) where one can be given.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::Serialize;

/// How serious a finding is. Only `Error` makes `kqlsmith lint` exit with 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run.
    Info,
    /// Probably a mistake or a slow query.
    Warning,
    /// The query is wrong: it fails to run or returns wrong results.
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Severity, String> {
        match s {
            "info" => Ok(Severity::Info),
            "warning" => Ok(Severity::Warning),
            "error" => Ok(Severity::Error),
            _ => Err(format!(
                "`{s}` is not a severity (use error, warning or info)"
            )),
        }
    }
}

/// Whether a fix can be applied without a person looking at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the query's meaning (or only makes it do what it evidently meant); `--fix`
    /// applies it.
    Safe,
    /// Changes what the query returns in some cases; shown, never applied automatically.
    Unsafe,
}

/// Replace the bytes `range` of the source with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

impl Edit {
    pub fn replace(range: Range<usize>, replacement: impl Into<String>) -> Edit {
        Edit {
            range,
            replacement: replacement.into(),
        }
    }

    pub fn delete(range: Range<usize>) -> Edit {
        Edit::replace(range, "")
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit::replace(at..at, text)
    }
}

/// A change that resolves a diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the fix does, e.g. "replace `contains` with `has`".
    pub message: String,
    pub applicability: Applicability,
    /// Non-overlapping edits, applied together or not at all.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            message: message.into(),
            applicability: Applicability::Safe,
            edits,
        }
    }

    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix {
            message: message.into(),
            applicability: Applicability::Unsafe,
            edits,
        }
    }
}

/// A secondary location that explains the primary one ("the `let` is here").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub range: Range<usize>,
    pub message: String,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code, e.g. `KQL301`.
    pub code: &'static str,
    /// The rule's name, e.g. `contains-operator`.
    pub rule: &'static str,
    pub severity: Severity,
    /// Byte range in the source of what is wrong.
    pub range: Range<usize>,
    /// What is wrong, and how to put it right.
    pub message: String,
    /// Other places that explain the finding.
    pub labels: Vec<Label>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic of `rule` at `range`; the severity is the rule's default until
    /// configuration overrides it.
    pub fn new(rule: &crate::rules::RuleInfo, range: Range<usize>, message: String) -> Self {
        Diagnostic {
            code: rule.code,
            rule: rule.name,
            severity: rule.severity,
            range,
            message,
            labels: Vec::new(),
            fix: None,
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn with_label(mut self, range: Range<usize>, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            range,
            message: message.into(),
        });
        self
    }
}
