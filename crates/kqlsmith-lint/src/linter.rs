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
use kqlsmith_syntax::Streamed;
use kqlsmith_syntax::ast::Expr;
use kqlsmith_syntax::visit::{Visitor, walk_expr};

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
    /// A big text's top-level stages are lowered one by one as the parser hands them over
    /// (`kqlsmith_syntax::parse_streaming`), so its whole syntax tree is never in memory: a
    /// file of a million `| where` stages costs its lowered form, not both.
    ///
    /// The lowering, the binder and the rules take a flat chain (`a or b or ...`) with a
    /// loop, but recurse once a level of real nesting (brackets, signs, `a.b.c` members): a
    /// deeply nested tree is linted on a thread whose stack (address space, touched only as
    /// deep as the query goes) has room for it. Other trees, nearly all and however long
    /// their chains, are linted here: a thread a file would cost more than the linting.
    pub fn lint_file(&self, source: &str, path: Option<&Path>) -> Vec<Diagnostic> {
        const STACK_BYTES: usize = 1 << 30;
        let mut handed: Vec<Vec<HandedStage>> = Vec::new();
        let mut deepest_handed = 0;
        let parsed = kqlsmith_syntax::parse_streaming(source, |event| match event {
            Streamed::Stage { statement, stage } => {
                if handed.len() <= statement {
                    handed.resize_with(statement + 1, Vec::new);
                }
                let depth = recursion_depth(|depth| depth.visit_operator(&stage.operator));
                deepest_handed = deepest_handed.max(depth);
                handed[statement].push(if depth <= SHALLOW_TREE {
                    HandedStage::Lowered(crate::lower::stage(source, stage))
                } else {
                    HandedStage::Deep(Box::new(stage))
                });
            }
            Streamed::Restart => {
                handed.clear();
                deepest_handed = 0;
            }
        });
        let tree = match parsed {
            Ok(tree) => tree,
            Err(error) => return self.finish(source, path, Err(error)),
        };
        let deepest = deepest_handed.max(recursion_depth(|depth| depth.visit_script(&tree)));
        if deepest <= SHALLOW_TREE {
            return self.lint_tree(source, path, tree, handed);
        }
        std::thread::scope(|scope| {
            let thread = std::thread::Builder::new()
                .stack_size(STACK_BYTES)
                .spawn_scoped(scope, || self.lint_tree(source, path, tree, handed));
            match thread {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                // No thread, and the tree went with its closure: parse again and lint here.
                Err(_) => match kqlsmith_syntax::parse(source) {
                    Ok(tree) => self.lint_tree(source, path, tree, Vec::new()),
                    Err(error) => self.finish(source, path, Err(error)),
                },
            }
        })
    }

    /// Lowers the syntax tree and the stages handed over beside it, then lets the tree go
    /// before binding: nothing after the lowering reads it.
    fn lint_tree(
        &self,
        source: &str,
        path: Option<&Path>,
        tree: kqlsmith_syntax::ast::Script,
        handed: Vec<Vec<HandedStage>>,
    ) -> Vec<Diagnostic> {
        let handed = handed
            .into_iter()
            .map(|stages| {
                let lowered = stages.into_iter().map(|stage| match stage {
                    HandedStage::Lowered(stage) => stage,
                    HandedStage::Deep(stage) => crate::lower::stage(source, *stage),
                });
                let mut lowered: Vec<_> = lowered.collect();
                lowered.shrink_to_fit();
                lowered
            })
            .collect();
        let lowered = crate::lower::script_with_stages(source, &tree, handed);
        drop(tree);
        self.finish(source, path, Ok(lowered))
    }

    /// Runs the enabled rules on the lowered tree (or reports why there is none), then applies
    /// suppressions and the configured severities, in source order.
    fn finish(
        &self,
        source: &str,
        path: Option<&Path>,
        lowered: Result<crate::ir::Script, kqlsmith_syntax::ParseError>,
    ) -> Vec<Diagnostic> {
        let enabled = |code: &str| self.config.is_enabled(code, path);
        let mut diagnostics = Vec::new();
        match lowered {
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
            if let Err(error) = kqlsmith_syntax::check(&next) {
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

/// Trees no deeper than this (nesting plus the links of a chain) are linted on the caller's
/// stack, which is 2 MiB on a test thread in a debug build.
const SHALLOW_TREE: usize = 128;

/// A top-level stage the parser handed over: lowered at once, or kept as parsed when
/// lowering it recurses deeper than the caller's stack may allow.
enum HandedStage {
    Lowered(crate::ir::Stage),
    Deep(Box<kqlsmith_syntax::ast::Stage>),
}

/// How deep linting a tree recurses, at most (`walk` takes the depth visitor through it):
/// the deepest nesting of expressions, where a chain (`a or b or c`) counts one, as the
/// linter walks its links with a loop. The syntax tree's own walk is flat over chains, so
/// this measure is safe on any tree the parser returns.
fn recursion_depth(walk: impl FnOnce(&mut Depth)) -> usize {
    let mut depth = Depth::default();
    walk(&mut depth);
    depth.deepest
}

#[derive(Default)]
struct Depth {
    current: usize,
    deepest: usize,
}

impl Visitor for Depth {
    fn visit_expr(&mut self, expr: &Expr) {
        self.current += 1;
        self.deepest = self.deepest.max(self.current);
        walk_expr(self, expr);
        self.current -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(source: &str) -> usize {
        let tree = kqlsmith_syntax::parse(source).unwrap();
        recursion_depth(|depth| depth.visit_script(&tree))
    }

    #[test]
    fn a_chain_counts_once_and_nesting_adds_up() {
        assert!(depth("T | where A == 1") <= 3);
        let chain = vec!["A == 1"; 500].join(" or ");
        assert_eq!(
            depth(&format!("T | where {chain}")),
            depth("T | where A == 1 or A == 1")
        );
        let members = format!("print x = y{}", ".a".repeat(300));
        assert!(depth(&members) >= 300);
        let nested = format!("print x = {}1{}", "(".repeat(40), ")".repeat(40));
        assert!(depth(&nested) >= 40);
    }

    #[test]
    fn a_long_chain_is_lowered_bound_checked_and_dropped_without_recursion() {
        // Straight to `lint_tree` on a 2 MiB thread, past the gate that picks the big-stack
        // thread: every walk of the linter takes a chain's links with a loop.
        let linter = Linter::new(Platform::builtin("sentinel").unwrap(), Config::new());
        let ors = vec!["Computer == 'a'"; 100_000].join(" or ");
        let sum = vec!["1"; 100_000].join(" + ");
        let query = format!(
            "Heartbeat | where {ors}\n\
             | where TimeGenerated > ago(1d)\n\
             | extend Total = {sum}\n\
             | join kind=inner (Heartbeat) on {}\n\
             | where Missing == 1",
            vec!["Computer"; 10_000].join(" and ")
        );
        let tree = kqlsmith_syntax::parse(&query).unwrap();
        let codes: Vec<&str> = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || {
                let diagnostics = linter.lint_tree(&query, None, tree, Vec::new());
                diagnostics.into_iter().map(|d| d.code).collect()
            })
            .unwrap()
            .join()
            .expect("linted without overflowing the stack");
        assert!(codes.contains(&"KQL102"), "`Missing` is unknown: {codes:?}");
        assert!(!codes.contains(&"KQL001"), "it parses: {codes:?}");
    }

    /// A big text's stages are lowered as the parser hands them over: the findings are
    /// those of linting its whole tree, for a query's stages, a `let`'s, the stages after a
    /// `declare`, and a stage nested too deep to lower on the way (kept for the big stack).
    #[test]
    fn stages_lowered_as_they_are_parsed_give_the_findings_of_the_whole_tree() {
        let linter = Linter::new(Platform::builtin("defender").unwrap(), Config::new());
        let stages = |each: &dyn Fn(usize) -> String| (0..3_000).map(each).collect::<String>();
        let deep = format!("FileName{}", ".a".repeat(300));
        let text = format!(
            "let Recent = DeviceProcessEvents\n{};\n\
             declare query_parameters(Wanted: string = 'x');\n\
             Recent\n{}| where FileName == Wanted\n| extend Deep = {deep}\n\
             | project Missing, FileName\n| where Timestamp > ago(1d);\n\
             DeviceNetworkEvents | where TimeGenerated > ago(1h)",
            stages(&|i| format!("| where FileName != 'tool{i}.exe'\n")),
            stages(&|i| format!("| where ProcessId != {i}\n")),
        );
        assert!(text.len() > 128 << 10, "big enough to be parsed in pieces");
        let mut handed = 0;
        kqlsmith_syntax::parse_streaming(&text, |_| handed += 1).unwrap();
        assert!(handed >= 6_000, "{handed} stages handed over");
        let streamed = linter.lint(&text);
        let whole = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn({
                let (linter, text) = (linter.clone(), text.clone());
                move || {
                    let tree = kqlsmith_syntax::parse(&text).unwrap();
                    linter.lint_tree(&text, None, tree, Vec::new())
                }
            })
            .unwrap()
            .join()
            .unwrap();
        let codes = |d: &[Diagnostic]| {
            d.iter()
                .map(|d| (d.code, d.range.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(codes(&streamed), codes(&whole));
        for code in ["KQL102", "KQL103"] {
            assert!(
                streamed.iter().any(|d| d.code == code),
                "{code}: {:?}",
                codes(&streamed)
            );
        }
    }

    #[test]
    fn a_long_chain_is_linted_on_a_small_stack() {
        // A 2 MiB thread, as a test thread in a debug build: the long chain is linted on it,
        // and must not overflow.
        let chain = vec!["Computer == 'a'"; 20_000].join(" or ");
        lint_on_a_small_stack(format!("Heartbeat | where {chain}"));
    }

    #[test]
    fn a_deeply_nested_query_is_linted_on_the_big_stack() {
        // Members nest as deep as the parser allows: the lowering recurses once a level,
        // more than a 2 MiB debug thread holds, so the gate sends it to the big stack.
        let query = format!("print x = y{}", ".a".repeat(990));
        assert!(depth(&query) > SHALLOW_TREE);
        lint_on_a_small_stack(query);
    }

    /// Lints `query` (which must parse) on a 2 MiB thread, as a test thread in a debug build
    /// has; panics if the stack overflows.
    fn lint_on_a_small_stack(query: String) {
        let linter = Linter::new(Platform::builtin("sentinel").unwrap(), Config::new());
        let codes = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || linter.lint(&query).into_iter().map(|d| d.code))
            .unwrap()
            .join()
            .expect("linted without overflowing the stack");
        assert!(codes.into_iter().all(|code| code != "KQL001"), "it parses");
    }
}
