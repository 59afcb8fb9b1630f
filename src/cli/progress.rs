//! The progress bar of runs over many files or profiles: on standard error, and only when it
//! is a terminal, so that pipes, CI logs and machine formats never see it.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar counting `length` steps, labelled with what is being done (`linting`, `formatting`).
/// Hidden when `wanted` is false, for a single step, or when standard error is not a terminal
/// (indicatif draws nothing then).
pub fn bar(verb: &str, length: usize, wanted: bool) -> ProgressBar {
    if !wanted || length < 2 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(length as u64), ProgressDrawTarget::stderr());
    let template = format!("{verb} [{{bar:30}}] {{pos}}/{{len}} {{wide_msg}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_steps_and_unwanted_bars_are_hidden() {
        assert!(bar("linting", 1, true).is_hidden());
        assert!(bar("linting", 100, false).is_hidden());
    }
}
