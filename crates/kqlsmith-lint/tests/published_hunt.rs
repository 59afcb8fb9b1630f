//! The published hunt *Internal connections made by a compromised device*
//! (`../shared/seed/internal-connections.{defender,sentinel}.kql`): linted on its own
//! platform it shows its known defects and nothing at error level; linted on the other
//! platform it reports the time column.

use std::path::PathBuf;

use kqlsmith_lint::{Config, Diagnostic, Linter, Platform, Severity};

fn seed(platform: &str) -> Option<String> {
    let dir = std::env::var_os("KQLSMITH_SEED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seed"));
    let path = dir.join(format!("internal-connections.{platform}.kql"));
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            eprintln!(
                "SKIPPED: {} not found; the published hunt was not linted",
                path.display()
            );
            None
        }
    }
}

fn lint(source: &str, platform: &str) -> Vec<Diagnostic> {
    Linter::new(Platform::builtin(platform).unwrap(), Config::new()).lint(source)
}

fn codes(diagnostics: &[Diagnostic]) -> Vec<&'static str> {
    diagnostics.iter().map(|d| d.code).collect()
}

/// The text of the line a diagnostic starts on.
fn line_of<'s>(source: &'s str, d: &Diagnostic) -> &'s str {
    let start = source[..d.range.start].rfind('\n').map_or(0, |i| i + 1);
    source[start..].lines().next().unwrap_or("")
}

#[test]
fn on_its_own_platform_the_published_hunt_shows_its_defects_and_no_error() {
    for platform in ["defender", "sentinel"] {
        let Some(source) = seed(platform) else { return };
        let diagnostics = lint(&source, platform);
        let errors: Vec<_> = diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{platform}: {errors:#?}");

        let found = |code: &str, on_line: &str| {
            diagnostics
                .iter()
                .any(|d| d.code == code && line_of(&source, d).contains(on_line))
        };
        // `extract` over `tostring(IPAddresses)` sees only the first address.
        assert!(
            found("KQL203", "extract(IPRegex, 0, tostring(IPAddresses))"),
            "{platform}: {:?}",
            codes(&diagnostics)
        );
        // `DeviceName == CompromisedDevice` is case-sensitive.
        assert!(
            found("KQL202", "DeviceName == CompromisedDevice"),
            "{platform}"
        );
        assert!(
            found(
                "KQL202",
                "InitiatingProcessAccountName != \"local service\""
            ),
            "{platform}"
        );
        // `project ..., CompromisedDevice = DeviceName` hides `let CompromisedDevice`.
        assert!(
            found("KQL105", "CompromisedDevice = DeviceName"),
            "{platform}"
        );
        assert!(found("KQL402", "<> \"sensendr.exe\""), "{platform}");
        assert!(found("KQL204", "IsPrivateAddress == 1"), "{platform}");
    }
}

#[test]
fn on_the_other_platform_the_time_column_is_reported() {
    if let Some(defender_text) = seed("defender") {
        // Sentinel's copy of DeviceNetworkEvents has `Timestamp` too, but is organised by
        // `TimeGenerated`.
        let diagnostics = lint(&defender_text, "sentinel");
        assert!(
            diagnostics
                .iter()
                .any(|d| d.code == "KQL404" && &defender_text[d.range.clone()] == "Timestamp"),
            "{:?}",
            codes(&diagnostics)
        );
    }
    if let Some(sentinel_text) = seed("sentinel") {
        let diagnostics = lint(&sentinel_text, "defender");
        let time_errors: Vec<_> = diagnostics.iter().filter(|d| d.code == "KQL401").collect();
        // Three uses of `TimeGenerated`: two filters and `arg_max(TimeGenerated, *)`.
        assert_eq!(time_errors.len(), 3, "{:?}", codes(&diagnostics));
        assert!(
            time_errors.iter().all(|d| d.severity == Severity::Error
                && &sentinel_text[d.range.clone()] == "TimeGenerated")
        );
    }
}

#[test]
fn fixing_the_sentinel_text_for_defender_renames_the_time_column() {
    let Some(sentinel_text) = seed("sentinel") else {
        return;
    };
    let linter = Linter::new(Platform::builtin("defender").unwrap(), Config::new());
    let fixed = linter.fix(&sentinel_text, None).unwrap();
    assert!(!fixed.source.contains("TimeGenerated"));
    assert!(fixed.remaining.iter().all(|d| d.code != "KQL401"));
    // The same text as the Defender copy, but for the `<>` and `== 1` fixes.
    let defender_text = seed("defender").unwrap();
    let expected = defender_text
        .replace("<> \"sensendr.exe\"", "!= \"sensendr.exe\"")
        .replace("IsPrivateAddress == 1", "IsPrivateAddress == true");
    assert_eq!(fixed.source, expected);
}
