//! The linter's view of a query and its semantic model, for tools that ask what the names of
//! a query mean (the language server) rather than what is wrong with it.

use crate::config::Config;
use crate::ir::Script;
use crate::platform::Platform;
use crate::semantic::{Analyzer, Model};

/// A parsed query and what its names mean.
#[derive(Debug)]
pub struct Analysis {
    pub script: Script,
    pub model: Model,
}

/// Parses `source` and builds its semantic model, as the linter does.
pub fn analyze(
    source: &str,
    platform: &Platform,
    config: &Config,
) -> Result<Analysis, kqlsmith_syntax::ParseError> {
    let script = crate::lower::parse(source)?;
    let model = analyze_script(&script, platform, config);
    Ok(Analysis { script, model })
}

/// The semantic model of a script built in code (such as a query cut short before a stage,
/// to learn the columns that reach that stage).
pub fn analyze_script(script: &Script, platform: &Platform, config: &Config) -> Model {
    Analyzer::new(platform, &config.tables, &config.watchlists).analyze(script)
}
