//! The linter: parse, build the semantic model, run the enabled rules, honour suppressions
//! and configuration, and apply fixes.

use std::path::Path;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::fix::apply_fixes;
use crate::platform::Platform;
use crate::rules::{self, Context};
use crate::semantic::Analyzer;
use crate::suppression::Suppressions;

/// Lints KQL for one platform with one configuration.
///
/// ```no_run
/// use kqlsmith_lint::{Config, Linter, Platform};
///
/// let linter = Linter::new(Platform::builtin("defender").unwrap(), Config::new());
/// for d in linter.lint("DeviceNetworkEvents | where TimeGenerated > ago(1d)") {
///     println!("{} {}: {}", d.code, d.rule, d.message);
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Linter {
    platform: Platform,
    config: Config,
}

/// The result of applying fixes.
#[derive(Debug, Clone)]
pub struct Fixed {
    /// The fixed text (the input when nothing was applied).
    pub source: String,
    /// How many fixes were applied.
    pub applied: usize,
    /// The diagnostics of the fixed text.
    pub remaining: Vec<Diagnostic>,
}

/// Why fixes were not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FixError {
    /// Applying them gave text that does not parse: kqlsmith never writes that.
    #[error("fixes not applied: the fixed text would not parse ({0})")]
    WouldNotParse(String),
}

/// How many times `fix` re-lints and applies again (fixes that overlapped wait a round).
const FIX_ROUNDS: usize = 5;

impl Linter {
    pub fn new(platform: Platform, config: Config) -> Linter {
        Linter { platform, config }
    }

    pub fn platform(&self) -> &Platform {
        &self.platform
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The findings in `source`, in source order.
    pub fn lint(&self, source: &str) -> Vec<Diagnostic> {
        self.lint_file(source, None)
    }

    /// The findings in `source`, read from `path` (which decides per-file ignores).
    ///
    /// The parser takes flat chains (`a or b or ...`) of any length, but the lowering, the
    /// binder and the rules recurse once a link: any but a small input is linted on a
    /// thread whose stack (address space, touched only as deep as the query goes) has room
    /// for chains of 100,000 terms.
    pub fn lint_file(&self, source: &str, path: Option<&Path>) -> Vec<Diagnostic> {
        const SMALL_INPUT: usize = 1 << 10;
        const STACK_BYTES: usize = 1 << 30;
        if source.len() <= SMALL_INPUT {
            return self.lint_on_this_stack(source, path);
        }
        std::thread::scope(|scope| {
            match std::thread::Builder::new()
                .stack_size(STACK_BYTES)
                .spawn_scoped(scope, || self.lint_on_this_stack(source, path))
            {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => self.lint_on_this_stack(source, path),
            }
        })
    }

    fn lint_on_this_stack(&self, source: &str, path: Option<&Path>) -> Vec<Diagnostic> {
        let enabled = |code: &str| self.config.is_enabled(code, path);
        let mut diagnostics = Vec::new();
        match crate::lower::parse(source) {
            Err(error) => {
                if enabled(rules::syntax_error::RULE.code) {
                    diagnostics.push(rules::syntax_error::diagnostic(source, &error));
                }
            }
            Ok(script) => {
                let model =
                    Analyzer::new(&self.platform, &self.config.tables, &self.config.watchlists)
                        .analyze(&script);
                let cx = Context {
                    source,
                    script: &script,
                    model: &model,
                    platform: &self.platform,
                };
                for (rule, check) in rules::checks() {
                    if enabled(rule.code) {
                        check(&cx, &mut diagnostics);
                    }
                }
            }
        }
        let suppressions = Suppressions::parse(source);
        diagnostics.retain(|d| !suppressions.suppresses(source, d));
        for d in &mut diagnostics {
            if let Some(rule) = rules::find(rules::all(), d.code) {
                d.severity = self.config.severity(rule);
            }
        }
        diagnostics.sort_by(|a, b| {
            (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code))
        });
        diagnostics
            .dedup_by(|a, b| a.code == b.code && a.range == b.range && a.message == b.message);
        diagnostics
    }

    /// Applies the safe fixes, re-linting between rounds. The result always parses: when the
    /// fixed text would not, nothing is applied.
    pub fn fix(&self, source: &str, path: Option<&Path>) -> Result<Fixed, FixError> {
        let mut text = source.to_string();
        let mut applied = 0;
        let mut diagnostics = self.lint_file(&text, path);
        for _ in 0..FIX_ROUNDS {
            let (next, count) = apply_fixes(&text, &diagnostics);
            if count == 0 {
                break;
            }
            if let Err(error) = kqlsmith_syntax::parse(&next) {
                return Err(FixError::WouldNotParse(error.to_string()));
            }
            text = next;
            applied += count;
            diagnostics = self.lint_file(&text, path);
        }
        Ok(Fixed {
            source: text,
            applied,
            remaining: diagnostics,
        })
    }
}
