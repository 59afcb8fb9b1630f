//! What a document is checked with, as `kqlsmith lint` decides it: the `kqlsmith.toml` nearest
//! the document's path (rules, severities, custom tables, watchlists, format options), and the
//! platform it names, else the platform inferred from the text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use kqlsmith_lint::{Config, Linter, Platform, infer_platform};

/// The configuration and platform of one document.
#[derive(Debug, Clone)]
pub struct Settings {
    pub linter: Linter,
    /// Why this platform: "set in /repo/kqlsmith.toml" or "inferred: it uses `TimeGenerated`".
    pub platform_reason: String,
}

/// Loaded `kqlsmith.toml` files, reloaded when they change on disk.
#[derive(Debug, Default)]
pub struct Configs {
    loaded: HashMap<PathBuf, (Option<SystemTime>, Config)>,
}

impl Configs {
    /// The settings for a document at `path` (`None`: not a file) with text `text`. An invalid
    /// configuration file is an error that names it, its line and the problem.
    pub fn settings(&mut self, path: Option<&Path>, text: &str) -> Result<Settings, String> {
        let config = match path.and_then(Config::find) {
            Some(file) => self.load(&file)?,
            None => Config::new(),
        };
        let (name, platform_reason) = match &config.platform {
            Some(name) => {
                let place = config
                    .path
                    .as_ref()
                    .map_or_else(String::new, |p| format!(" in {}", p.display()));
                (name.clone(), format!("set{place}"))
            }
            None => {
                let inferred = infer_platform(text);
                (
                    inferred.platform.to_string(),
                    format!("inferred: {}", inferred.reason),
                )
            }
        };
        let platform = Platform::builtin(&name).map_err(|e| e.to_string())?;
        Ok(Settings {
            linter: Linter::new(platform, config),
            platform_reason,
        })
    }

    fn load(&mut self, file: &Path) -> Result<Config, String> {
        let modified = std::fs::metadata(file).and_then(|m| m.modified()).ok();
        if let Some((when, config)) = self.loaded.get(file)
            && *when == modified
        {
            return Ok(config.clone());
        }
        let config = Config::load(file).map_err(|e| e.to_string())?;
        self.loaded
            .insert(file.to_path_buf(), (modified, config.clone()));
        Ok(config)
    }
}
