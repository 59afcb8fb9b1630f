//! The formatter's own check: the formatted text must parse to the query it was made from
//! (spans aside) and hold the same comments, else no text is returned.
//!
//! The text is parsed with `parse_streaming`: each top-level stage is compared with the
//! original's as soon as it is built and then dropped, so a big text's second tree is never
//! whole in memory beside the first.

use crate::Streamed;
use crate::ast::{Script, Stage, Statement};

/// The stages of the formatted text handed over so far, each compared with the original's
/// once whole (a long chain's operands and a long list's items follow their stage).
struct HandedStages {
    /// How many stages of each statement were handed over.
    handed: Vec<usize>,
    all_match: bool,
    /// The last stage handed over, with its statement, until its items are in.
    pending: Option<(usize, Stage)>,
}

impl Default for HandedStages {
    fn default() -> Self {
        HandedStages {
            handed: Vec::new(),
            all_match: true,
            pending: None,
        }
    }
}

impl HandedStages {
    fn compare_pending(&mut self, script: &Script) {
        let Some((statement, stage)) = self.pending.take() else {
            return;
        };
        if self.handed.len() <= statement {
            self.handed.resize(statement + 1, 0);
        }
        let original = script
            .statements
            .get(statement)
            .and_then(Statement::pipeline)
            .and_then(|p| p.stages.get(self.handed[statement]));
        self.all_match &= original == Some(&stage);
        self.handed[statement] += 1;
    }
}

/// Why the formatted `text` is not the query `script` holds, if it is not.
pub(super) fn differences(script: &Script, text: &str) -> Option<String> {
    let mut stages = HandedStages::default();
    let reparsed = crate::parse_streaming(text, |event| match event {
        Streamed::Stage { statement, stage } => {
            stages.compare_pending(script);
            stages.pending = Some((statement, stage));
        }
        Streamed::Operand { op, operand, .. } => {
            let linked = stages.pending.as_mut();
            if !linked.is_some_and(|(_, stage)| stage.link_operand(op, operand)) {
                stages.all_match = false;
            }
        }
        Streamed::Item {
            list_end,
            item,
            after,
            ..
        } => {
            let list = stages
                .pending
                .as_mut()
                .and_then(|(_, stage)| stage.in_list_ending_at(list_end));
            match list {
                Some(list) => {
                    list.reserve_exact(after + 1);
                    list.push(item);
                }
                None => stages.all_match = false,
            }
        }
        Streamed::Statement { .. } => stages.compare_pending(script),
        Streamed::Restart => stages = HandedStages::default(),
    });
    stages.compare_pending(script);
    let HandedStages {
        handed, all_match, ..
    } = stages;
    let reparsed = match reparsed {
        Ok(reparsed) => reparsed,
        Err(error) => return Some(format!("does not parse ({error})")),
    };
    let same_statements = script.statements.len() == reparsed.statements.len()
        && script
            .statements
            .iter()
            .zip(&reparsed.statements)
            .enumerate()
            .all(|(index, (original, head))| {
                same_head(original, head, handed.get(index).copied().unwrap_or(0))
            });
    if !(all_match && same_statements) {
        return Some("parses to a different query".to_string());
    }
    let texts = |s: &Script| -> Vec<String> {
        s.comments
            .iter()
            .map(|c| c.text.trim_end().to_string())
            .collect()
    };
    (texts(&reparsed) != texts(script)).then(|| "does not hold the same comments".to_string())
}

/// Whether `head`, a statement of the formatted text whose last `handed` stages were handed
/// over (and compared as they came), is `original`.
fn same_head(original: &Statement, head: &Statement, handed: usize) -> bool {
    if handed == 0 {
        return original == head;
    }
    let same_name = match (original, head) {
        (Statement::Query(_), Statement::Query(_)) => true,
        (Statement::Let(a), Statement::Let(b)) => a.name == b.name,
        _ => false,
    };
    let (Some(original), Some(head)) = (original.pipeline(), head.pipeline()) else {
        return false;
    };
    let kept: &[Stage] = &head.stages;
    same_name
        && original.source == head.source
        && original.stages.len() == kept.len() + handed
        && original.stages[..kept.len()] == *kept
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A text big enough to be read piece by piece, its stages handed over.
    fn big(last_stage: &str) -> String {
        format!(
            "let Recent = T\n{}| {last_stage};\nRecent\n{}| take 1\n",
            "| where A != 1\n".repeat(6_000),
            "| where B != 2\n".repeat(6_000),
        )
    }

    #[test]
    fn a_big_text_read_stage_by_stage_is_the_same_query_as_its_tree() {
        let text = big("where C == 3");
        let script = crate::parse(&text).unwrap();
        assert_eq!(differences(&script, &text), None);
    }

    #[test]
    fn a_stage_that_changed_is_found_as_it_comes() {
        let script = crate::parse(&big("where C == 3")).unwrap();
        for changed in [big("where C == 4"), big("where C == 3 | take 2")] {
            assert_eq!(
                differences(&script, &changed).as_deref(),
                Some("parses to a different query"),
            );
        }
        let renamed = big("where C == 3").replace("let Recent = T", "let Recent = U");
        assert!(differences(&script, &renamed).is_some());
        let not_a_query = format!("{}| where", big("where C == 3"));
        assert!(
            differences(&script, &not_a_query)
                .unwrap()
                .starts_with("does not parse")
        );
        let comment = format!("// new\n{}", big("where C == 3"));
        assert_eq!(
            differences(&script, &comment).as_deref(),
            Some("does not hold the same comments"),
        );
    }
}
