//! What a query is checked with, as `kqlsmith lint` decides it: the `kqlsmith.toml` nearest
//! the document's path (rules, severities, custom tables, watchlists, format options), and the
//! platform the host names (Sentinel YAML and ARM, Defender XDR JSON), else the one the
//! configuration names, else the platform inferred from the query.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use kqlsmith_lint::{Config, Linter, Platform, infer_platform};

/// The configuration and platform of one query.
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
    /// The settings for a query with text `text` in a document at `path` (`None`: not a file),
    /// whose host names `host_platform` (or nothing). An invalid configuration file is an
    /// error that names it, its line and the problem.
    pub fn settings(
        &mut self,
        path: Option<&Path>,
        text: &str,
        host_platform: Option<&str>,
    ) -> Result<Settings, String> {
        let config = match path.and_then(Config::find) {
            Some(file) => self.load(&file)?,
            None => Config::new(),
        };
        let (name, platform_reason) = match (host_platform, &config.platform) {
            (Some(name), _) => (name.to_string(), "named by the file it is in".to_string()),
            (None, Some(name)) => {
                let place = config
                    .path
                    .as_ref()
                    .map_or_else(String::new, |p| format!(" in {}", p.display()));
                (name.clone(), format!("set{place}"))
            }
            (None, None) => {
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
