//! The linter: parse, build the semantic model, run the enabled rules, honour suppressions
//! and configuration, and apply fixes.

use std::path::Path;

use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::fix::apply_fixes;
use crate::platform::Platform;
use crate::rules::{self, Check, Context};
use crate::semantic::{Analyzer, OpenStatement, PartStart};
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
    /// A big text is linted as the parser reads it (`kqlsmith_syntax::parse_streaming`):
    /// each top-level stage is lowered, bound and checked by the rules that read one stage
    /// ([`rules::reads_one_part`]) as soon as it is parsed, then let go, and every rule runs
    /// once at the end over the rest and over what the whole script makes (its tables, table
    /// scans and `let`s). A file of a million `| where` stages never holds more than one.
    ///
    /// The lowering, the binder and the rules take a flat chain (`a or b or ...`) with a
    /// loop, but recurse once a level of real nesting (brackets, signs, `a.b.c` members): a
    /// deeply nested tree, and any big text, is linted on a thread whose stack (address
    /// space, touched only as deep as the query goes) has room for it. Other trees, nearly
    /// all and however long their chains, are linted here: a thread a file would cost more
    /// than the linting.
    pub fn lint_file(&self, source: &str, path: Option<&Path>) -> Vec<Diagnostic> {
        if kqlsmith_syntax::is_read_in_pieces(source) {
            return on_big_stack(|| self.lint_as_read(source, path));
        }
        match kqlsmith_syntax::parse(source) {
            Err(error) => self.syntax_error(source, path, &error),
            Ok(tree) if recursion_depth(|depth| depth.visit_script(&tree)) <= SHALLOW_TREE => {
                self.lint_tree(source, path, tree)
            }
            // Rare: parsed again on the big stack rather than sent there.
            Ok(_) => on_big_stack(|| match kqlsmith_syntax::parse(source) {
                Ok(tree) => self.lint_tree(source, path, tree),
                Err(error) => self.syntax_error(source, path, &error),
            }),
        }
    }

    /// Lints a big text a stage at a time as the parser hands its statements and stages
    /// over; the whole tree when the parser reads it whole after all.
    fn lint_as_read(&self, source: &str, path: Option<&Path>) -> Vec<Diagnostic> {
        let mut reading = Reading::new(self, source, path);
        let parsed = kqlsmith_syntax::parse_streaming(source, |event| reading.take(event));
        reading.check_pending();
        match parsed {
            Err(error) => self.syntax_error(source, path, &error),
            Ok(tree) if reading.is_void() => self.lint_tree(source, path, tree),
            Ok(tree) => {
                // Every statement was handed over: the tree holds nothing more.
                drop(tree);
                let found = reading.finish();
                self.settle(source, found)
            }
        }
    }

    /// Lowers and binds a whole syntax tree, letting it go before binding (nothing after the
    /// lowering reads it), and runs every enabled rule.
    fn lint_tree(
        &self,
        source: &str,
        path: Option<&Path>,
        tree: kqlsmith_syntax::ast::Script,
    ) -> Vec<Diagnostic> {
        let script = crate::lower::script(source, &tree);
        drop(tree);
        let model = self.analyzer().analyze(&script);
        let mut found = Vec::new();
        self.check(
            source,
            &script,
            &model,
            &self.enabled_checks(path),
            &mut found,
        );
        self.settle(source, found)
    }

    fn analyzer(&self) -> Analyzer<'_> {
        Analyzer::new(&self.platform, &self.config.tables, &self.config.watchlists)
    }

    /// The rules enabled for `path`, with their checks.
    fn enabled_checks(&self, path: Option<&Path>) -> Vec<(&'static rules::RuleInfo, Check)> {
        let enabled = |rule: &rules::RuleInfo| self.config.is_enabled(rule.code, path);
        rules::checks()
            .iter()
            .copied()
            .filter(|(rule, _)| enabled(rule))
            .collect()
    }

    /// Runs `checks` over a script (or part of one) and its model.
    fn check(
        &self,
        source: &str,
        script: &crate::ir::Script,
        model: &crate::semantic::Model,
        checks: &[(&'static rules::RuleInfo, Check)],
        found: &mut Vec<Diagnostic>,
    ) {
        let cx = Context {
            source,
            script,
            model,
            platform: &self.platform,
        };
        for (_, check) in checks {
            check(&cx, found);
        }
    }

    /// The finding of a text that does not parse.
    fn syntax_error(
        &self,
        source: &str,
        path: Option<&Path>,
        error: &kqlsmith_syntax::ParseError,
    ) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        if self.config.is_enabled(rules::syntax_error::RULE.code, path) {
            found.push(rules::syntax_error::diagnostic(source, error));
        }
        self.settle(source, found)
    }

    /// Applies suppressions and the configured severities to the findings, in source order.
    fn settle(&self, source: &str, mut diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
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

/// Runs `lint` on a thread whose stack has room for any tree the parser returns, or here
/// when no thread can be made.
fn on_big_stack(lint: impl Fn() -> Vec<Diagnostic> + Sync) -> Vec<Diagnostic> {
    const STACK_BYTES: usize = 1 << 30;
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .stack_size(STACK_BYTES)
            .spawn_scoped(scope, &lint);
        match thread {
            Ok(thread) => thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => lint(),
        }
    })
}

/// A big text's linting as the parser reads it: the statements so far lowered without their
/// stages, the binder's state, the statement whose stages are coming, and the findings.
struct Reading<'a> {
    linter: &'a Linter,
    source: &'a str,
    path: Option<&'a Path>,
    /// The enabled rules, and those of them that read one stage.
    checks: Vec<(&'static rules::RuleInfo, Check)>,
    stage_checks: Vec<(&'static rules::RuleInfo, Check)>,
    analyzer: Analyzer<'a>,
    heads: Vec<crate::ir::Statement>,
    /// The statement whose stages are being handed over, and its span so far.
    open: Option<(OpenStatement, std::ops::Range<usize>)>,
    /// The stage handed over last, lowered, until the items of its long list are in.
    pending: Option<crate::ir::Stage>,
    /// The keyword of the `where` stage checked last, when the operands of its long chain
    /// are coming.
    chain_keyword: Option<std::ops::Range<usize>>,
    found: Vec<Diagnostic>,
    /// Whether the parser handed the text over (else it read it whole).
    handed: bool,
    /// Whether something came out of its order (a stage before its statement...).
    out_of_order: bool,
}

impl<'a> Reading<'a> {
    fn new(linter: &'a Linter, source: &'a str, path: Option<&'a Path>) -> Self {
        let checks = linter.enabled_checks(path);
        let stage_checks = checks
            .iter()
            .copied()
            .filter(|(rule, _)| rules::reads_one_part(rule))
            .collect();
        Reading {
            linter,
            source,
            path,
            checks,
            stage_checks,
            analyzer: linter.analyzer(),
            heads: Vec::new(),
            open: None,
            pending: None,
            chain_keyword: None,
            found: Vec::new(),
            handed: false,
            out_of_order: false,
        }
    }

    /// Whether what was read here is void, and the tree the parser returns is to be linted
    /// instead: it read the text whole after all, or handed it over out of order.
    fn is_void(&self) -> bool {
        !self.handed || self.out_of_order
    }

    fn take(&mut self, event: Streamed<'_>) {
        match event {
            Streamed::Statement { head, .. } => {
                self.handed = true;
                self.check_pending();
                self.chain_keyword = None;
                self.close();
                for statement in crate::lower::statement(self.source, head) {
                    match self.analyzer.open_statement(&statement) {
                        Some(open) => {
                            let span = match &statement {
                                crate::ir::Statement::Let(l) => l.span.clone(),
                                crate::ir::Statement::Query(p) => p.span.clone(),
                                crate::ir::Statement::Other(span) => span.clone(),
                            };
                            self.open = Some((open, span));
                        }
                        None => self.analyzer.statement(&statement),
                    }
                    self.heads.push(statement);
                }
            }
            Streamed::Stage { stage, .. } => {
                self.check_pending();
                self.chain_keyword = None;
                self.pending = Some(crate::lower::stage(self.source, stage));
            }
            Streamed::Operand { operand, .. } => {
                // The stage holds the chain's first operand: bound and checked first.
                if let Some(stage) = &self.pending {
                    self.chain_keyword = Some(stage.keyword.clone());
                }
                self.check_pending();
                let operand = crate::lower::handed_expr(self.source, operand);
                self.check_operand(operand);
            }
            Streamed::Item {
                list_end,
                item,
                after,
                ..
            } => {
                let item = crate::lower::handed_expr(self.source, item);
                let list = self
                    .pending
                    .as_mut()
                    .and_then(|stage| crate::lower::in_list_ending_at(stage, list_end));
                match list {
                    Some(list) => {
                        // Sized once: the list may be most of the file.
                        list.reserve_exact(after + 1);
                        list.push(item);
                    }
                    // Items follow their stage: read the tree instead if they do not.
                    None => self.out_of_order = true,
                }
            }
            Streamed::Restart => {
                *self = Reading::new(self.linter, self.source, self.path);
            }
        }
    }

    /// Binds the stage handed over last, now whole, checks it with the rules that read one
    /// stage, and lets it go.
    fn check_pending(&mut self) {
        let Some(stage) = self.pending.take() else {
            return;
        };
        let Some((open, span)) = &mut self.open else {
            // Stages follow their statement: read the tree instead if they do not.
            self.out_of_order = true;
            return;
        };
        span.end = span.end.max(stage.span.end);
        let start = self.analyzer.part_start();
        self.analyzer.statement_stage(open, &stage);
        self.check_part(start, stage);
    }

    /// Binds the next operand of the long chain of the `where` stage checked last, checks
    /// it as that stage's predicate with the rules that read one stage, and lets it go.
    fn check_operand(&mut self, operand: crate::ir::Expr) {
        let (Some(keyword), Some((open, span))) = (&self.chain_keyword, &mut self.open) else {
            // Operands follow their stage: read the tree instead if they do not.
            self.out_of_order = true;
            return;
        };
        span.end = span.end.max(operand.span.end);
        let start = self.analyzer.part_start();
        self.analyzer.where_operand(open, &operand);
        let stage = crate::ir::Stage {
            span: operand.span.clone(),
            keyword: keyword.clone(),
            kind: crate::ir::StageKind::Where(operand),
        };
        self.check_part(start, stage);
    }

    /// Checks what was bound since `start`, `stage`'s names, with the rules that read one
    /// stage, then lets it go.
    fn check_part(&mut self, start: PartStart, stage: crate::ir::Stage) {
        let part = self.analyzer.take_part(&start);
        let span = stage.span.clone();
        let script = crate::ir::Script {
            statements: vec![crate::ir::Statement::Query(crate::ir::Pipeline {
                source: crate::ir::Source::Datatable(Vec::new()),
                stages: vec![stage],
                span,
            })],
        };
        self.linter.check(
            self.source,
            &script,
            &part,
            &self.stage_checks,
            &mut self.found,
        );
        self.analyzer.end_part(part);
    }

    /// Ends the statement whose stages were coming, if any.
    fn close(&mut self) {
        if let Some((open, span)) = self.open.take() {
            let span = crate::lower::statement_span(self.source, span);
            self.analyzer.close_statement(open, span);
        }
    }

    /// The findings of the whole text: those of each stage, then every rule's over the
    /// statements without their stages and over what the whole script made.
    fn finish(mut self) -> Vec<Diagnostic> {
        self.close();
        let model = self.analyzer.into_model();
        let script = crate::ir::Script {
            statements: self.heads,
        };
        let mut found = self.found;
        self.linter
            .check(self.source, &script, &model, &self.checks, &mut found);
        found
    }
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
                let diagnostics = linter.lint_tree(&query, None, tree);
                diagnostics.into_iter().map(|d| d.code).collect()
            })
            .unwrap()
            .join()
            .expect("linted without overflowing the stack");
        assert!(codes.contains(&"KQL102"), "`Missing` is unknown: {codes:?}");
        assert!(!codes.contains(&"KQL001"), "it parses: {codes:?}");
    }

    /// A big text is linted stage by stage as the parser hands the stages over: the findings
    /// are those of linting its whole tree, for a query's stages, a `let`'s, the stages after
    /// a `declare`, a stage nested deep, the items of a long list handed after their stage
    /// (an unknown column and a concatenation among them), and the operands of a long chain
    /// (a time filter, an unknown column and a `contains` among them).
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
             DeviceNetworkEvents | where TimeGenerated > ago(1h);\n\
             DeviceNetworkEvents\n| where RemoteIP in ({}, 'x' 'y', strcat(RemoteUrl, Nowhere))\n\
             | where Timestamp > ago(1d);\n\
             DeviceNetworkEvents\n| where RemotePort != 1\n| where {} or RemoteUrl contains 'evilthing'\n\
             or Nowhere2 == 1 or Timestamp > ago(1d)\n| where TimeGenerated > ago(1d)",
            stages(&|i| format!("| where FileName != 'tool{i}.exe'\n")),
            stages(&|i| format!("| where ProcessId != {i}\n")),
            (0..6_000)
                .map(|i| format!("'10.0.{}.{}'", i / 256, i % 256))
                .collect::<Vec<_>>()
                .join(", "),
            (0..4_000)
                .map(|i| format!("RemotePort == {i}"))
                .collect::<Vec<_>>()
                .join(" or "),
        );
        assert!(text.len() > 128 << 10, "big enough to be parsed in pieces");
        let (mut stages_handed, mut items_handed, mut operands_handed) = (0, 0, 0);
        kqlsmith_syntax::parse_streaming(&text, |event| match event {
            Streamed::Stage { .. } => stages_handed += 1,
            Streamed::Item { .. } => items_handed += 1,
            Streamed::Operand { .. } => operands_handed += 1,
            Streamed::Statement { .. } | Streamed::Restart => {}
        })
        .unwrap();
        assert!(stages_handed >= 6_000, "{stages_handed} stages handed over");
        assert!(items_handed >= 6_000, "{items_handed} items handed over");
        assert!(
            operands_handed >= 4_000,
            "{operands_handed} operands handed over"
        );
        let streamed = linter.lint(&text);
        let whole = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn({
                let (linter, text) = (linter.clone(), text.clone());
                move || {
                    let tree = kqlsmith_syntax::parse(&text).unwrap();
                    linter.lint_tree(&text, None, tree)
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
        let nowhere = text.find("Nowhere").unwrap();
        assert!(
            streamed
                .iter()
                .any(|d| d.code == "KQL102" && d.range.start == nowhere),
            "the unknown column among the list's items: {:?}",
            codes(&streamed)
        );
        // The time filter late in the chain is found, and reported over the whole stage.
        let chain = text.find("| where RemotePort == 0").unwrap() + 2;
        let chain_end = text.find("> ago(1d)\n| where TimeGenerated").unwrap() + 9;
        assert!(
            streamed
                .iter()
                .any(|d| d.code == "KQL304" && d.range == (chain..chain_end)),
            "{:?}",
            codes(&streamed)
        );
        for code in ["KQL102", "KQL103", "KQL205", "KQL301", "KQL401"] {
            assert!(
                streamed.iter().any(|d| d.code == code),
                "{code}: {:?}",
                codes(&streamed)
            );
        }
    }

    /// Over the corpus, a text linted stage by stage as the parser reads it has the findings
    /// of its whole tree: each query, made big enough to be read in pieces by a comment
    /// after it.
    #[test]
    fn the_corpus_linted_as_read_has_the_findings_of_the_whole_tree() {
        let Some(entries) = crate::corpus::entries() else {
            return;
        };
        std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(move || {
                let padding = format!("\n// {}\n", "x".repeat(64 << 10));
                let mut read_in_stages = 0;
                for entry in &entries {
                    let platform = Platform::builtin(entry.platform().unwrap_or("defender"));
                    let linter = Linter::new(platform.unwrap(), Config::new());
                    let text = format!("{}{padding}", entry.text);
                    let mut stages = 0;
                    let _ = kqlsmith_syntax::parse_streaming(&text, |event| {
                        stages += usize::from(matches!(event, Streamed::Stage { .. }));
                    });
                    read_in_stages += usize::from(stages > 0);
                    let as_read = linter.lint_as_read(&text, None);
                    let whole = match kqlsmith_syntax::parse(&text) {
                        Ok(tree) => linter.lint_tree(&text, None, tree),
                        Err(error) => linter.syntax_error(&text, None, &error),
                    };
                    assert_eq!(
                        format!("{as_read:#?}"),
                        format!("{whole:#?}"),
                        "{}",
                        entry.file
                    );
                }
                assert!(
                    read_in_stages > entries.len() / 2,
                    "only {read_in_stages} queries were read in stages"
                );
            })
            .unwrap()
            .join()
            .unwrap();
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
