//! `kqlsmith render`: a hunt profile rendered into the KQL of one platform or of all.
//!
//! Everything is rendered in memory before anything is printed or written, so an error leaves
//! stdout empty and the output folder untouched.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use clap::builder::PossibleValuesParser;
use kqlsmith_hunt::HuntKind;
use kqlsmith_hunt::profile::{self, InvalidProfile, Override, ProfileError};
use kqlsmith_hunt::render::{self, RenderError};
use kqlsmith_lint::Platform;

use super::{EXIT_INTERNAL, EXIT_USAGE};

/// The examples and notes after the options; the profile keys are listed from the default
/// profile, so the list cannot go stale.
fn after_help() -> String {
    let mut text = AFTER_HELP.to_string();
    for kind in HuntKind::ALL {
        text.push_str(&format!(
            "\n\nProfile keys for --set in {kind} profiles:\n{}",
            textwrap_keys(&profile::keys(kind))
        ));
    }
    text
}

/// The keys, comma-separated, as indented lines of at most 96 columns.
fn textwrap_keys(keys: &[String]) -> String {
    let mut lines = Vec::new();
    let mut line = String::from(" ");
    for (index, key) in keys.iter().enumerate() {
        let comma = if index + 1 < keys.len() { "," } else { "" };
        if line.len() + 1 + key.len() + comma.len() > 96 {
            lines.push(std::mem::replace(&mut line, String::from(" ")));
        }
        line.push_str(&format!(" {key}{comma}"));
    }
    lines.push(line);
    lines.join("\n")
}

const AFTER_HELP: &str = "\
Examples:
  Render the default (hardened) hunt for Sentinel, for one device:
    kqlsmith render --platform sentinel --device ws-042

  Both platforms into files internal-connections.defender.kql and .sentinel.kql:
    kqlsmith render --device ws-042 --window 7d --out hunts/

  The published hunt, unchanged (a shipped profile, by name or file):
    kqlsmith render --profile internal-connections-classic --platform defender
    kqlsmith render --profile profiles/hunts/internal-connections-classic.toml

  Change any profile value for one run, by its dotted key:
    kqlsmith render --set device.match=case-insensitive --set filters.benign_ports=true
    kqlsmith render --set search.action_types=ConnectionSuccess,ConnectionFailed

The default profile is profiles/hunts/internal-connections.toml (built into kqlsmith); its
comments explain every key. --device and --window are short for --set device.name=NAME and
--set search.window=TIMESPAN, and win over --set.

Exit status: 0 rendered; 2 bad profile, value, option or file (nothing printed or written);
70 internal error: kqlsmith generated a query that its own parser rejects (a bug; the
message shows the query).";

/// Render a hunt profile into KQL for Defender XDR, Sentinel, or both.
#[derive(clap::Args)]
#[command(after_help = after_help())]
pub struct RenderArgs {
    /// Hunt profile: a TOML file, or the name of a profile shipped with kqlsmith
    /// (internal-connections, internal-connections-classic). Default: internal-connections.
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,

    /// Platform whose dialect to render; `all` renders every platform.
    #[arg(long, value_name = "PLATFORM", default_value = "all", value_parser = platform_names())]
    platform: String,

    /// The device under investigation: a host name (ws-042) or full name (sets device.name).
    #[arg(long, value_name = "NAME")]
    device: Option<String>,

    /// How far back to look: a KQL timespan such as 30m, 48h or 7d (sets search.window).
    #[arg(long, value_name = "TIMESPAN")]
    window: Option<String>,

    /// Change one profile value by its dotted key, e.g. device.match=case-insensitive.
    /// Repeat for several.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    set: Vec<String>,

    /// Write one file per platform, <hunt>.<platform>.kql, into DIR (which must exist),
    /// instead of printing. Either every file is written or none.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// The names `--platform` accepts: every shipped platform, and `all`.
fn platform_names() -> PossibleValuesParser {
    let mut names: Vec<String> = Platform::builtins().into_iter().map(|p| p.name).collect();
    names.push("all".to_string());
    PossibleValuesParser::new(names)
}

/// A failure of the command, with the exit status it leads to.
enum Failure {
    /// The user's input: profile, option value or output folder.
    Usage(String),
    /// kqlsmith itself: a template or generated query that is wrong.
    Internal(String),
}

pub fn run(args: RenderArgs) -> ExitCode {
    match render_command(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprint!("{message}");
            ExitCode::from(EXIT_USAGE)
        }
        Err(Failure::Internal(message)) => {
            eprint!("{message}");
            ExitCode::from(EXIT_INTERNAL)
        }
    }
}

fn render_command(args: &RenderArgs) -> Result<(), Failure> {
    let overrides = overrides(args).map_err(profile_failure)?;
    let hunt = match &args.profile {
        None => profile::load_default(&overrides),
        // A file when there is one, else the name of a profile shipped with kqlsmith.
        Some(path) if path.exists() => profile::load_file(path, &overrides),
        Some(path) => {
            profile::load_shipped(&path.to_string_lossy(), &overrides).unwrap_or_else(|| {
                Err(ProfileError::NotFound {
                    given: path.display().to_string(),
                })
            })
        }
    }
    .map_err(profile_failure)?;

    let platforms = if args.platform == "all" {
        Platform::builtins()
    } else {
        vec![Platform::builtin(&args.platform).map_err(|e| Failure::Usage(error_line(&e)))?]
    };

    let mut rendered = Vec::with_capacity(platforms.len());
    for platform in &platforms {
        let query = render::render(&hunt, platform).map_err(render_failure)?;
        let file_name = render::file_name(&hunt, platform).map_err(render_failure)?;
        rendered.push((platform, file_name, query));
    }

    match &args.out {
        Some(dir) => write_all(dir, &rendered),
        None => print_all(&rendered),
    }
}

/// `--set` in order, then `--device` and `--window`, which therefore win.
fn overrides(args: &RenderArgs) -> Result<Vec<Override>, ProfileError> {
    let mut overrides = args
        .set
        .iter()
        .map(|text| Override::from_assignment(text))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(device) = &args.device {
        let origin = format!("--device {}", shell_word(device));
        overrides.push(Override::new("device.name", device, origin));
    }
    if let Some(window) = &args.window {
        let origin = format!("--window {}", shell_word(window));
        overrides.push(Override::new("search.window", window, origin));
    }
    Ok(overrides)
}

/// `value` as a user would type it in a shell: quoted when it is empty or holds anything but
/// letters, digits and `-._:/=,`.
fn shell_word(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || "-._:/=,".contains(c));
    if plain {
        value.to_string()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

fn print_all(rendered: &[(&Platform, String, String)]) -> Result<(), Failure> {
    let mut text = String::new();
    for (index, (platform, _, query)) in rendered.iter().enumerate() {
        if rendered.len() > 1 {
            // A comment line, so that each section stays valid KQL on its own.
            if index > 0 {
                text.push('\n');
            }
            text.push_str(&format!("// platform: {}\n", platform.name));
        }
        text.push_str(query);
    }
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Ok(()),
        // A closed pipe (`kqlsmith render | head`) is the reader's choice, not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Usage(format!(
            "error: cannot write to stdout: {e}\n"
        ))),
    }
}

/// Writes every query into `dir`, or none: each goes to a temporary file in `dir` first, and
/// the files are renamed into place only once all of them are written.
fn write_all(dir: &Path, rendered: &[(&Platform, String, String)]) -> Result<(), Failure> {
    let io_failure = |what: &str, path: &Path, e: std::io::Error| {
        Failure::Usage(format!("error: cannot {what} {}: {e}\n", path.display()))
    };
    if !dir.is_dir() {
        return Err(Failure::Usage(format!(
            "error: output folder {} does not exist or is not a folder\n",
            dir.display()
        )));
    }
    let mut staged = Vec::with_capacity(rendered.len());
    for (_, file_name, query) in rendered {
        let target = dir.join(file_name);
        if target.is_dir() {
            return Err(Failure::Usage(format!(
                "error: cannot write {}: it is a folder\n",
                target.display()
            )));
        }
        // Removed on drop: an error below leaves no temporary file behind.
        let mut file = tempfile::Builder::new()
            .prefix(".kqlsmith-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| io_failure("create a file in", dir, e))?;
        file.write_all(query.as_bytes())
            .and_then(|()| file.as_file().sync_all())
            .map_err(|e| io_failure("write", file.path(), e))?;
        staged.push((file, target));
    }
    let mut written: Vec<PathBuf> = Vec::with_capacity(staged.len());
    for (file, target) in staged {
        if let Err(e) = file.persist(&target) {
            // Take back what this run already put in place, so that the folder does not
            // hold half a set.
            for path in &written {
                let _ = std::fs::remove_file(path);
            }
            return Err(io_failure("write", &target, e.error));
        }
        written.push(target);
    }
    Ok(())
}

fn profile_failure(error: ProfileError) -> Failure {
    match error {
        ProfileError::Invalid(invalid) => Failure::Usage(snippet(&invalid)),
        other => Failure::Usage(error_line(&other)),
    }
}

fn render_failure(error: RenderError) -> Failure {
    match &error {
        RenderError::Platform { .. } => Failure::Usage(error_line(&error)),
        RenderError::Template(_) => Failure::Internal(error_line(&error)),
        RenderError::Unparsable {
            platform,
            query,
            error: parse_error,
        } => {
            let origin = format!("<query generated for {platform}>");
            let span =
                parse_error.span.start.min(query.len())..parse_error.span.end.min(query.len());
            let report = [Level::ERROR.primary_title(error.to_string()).element(
                Snippet::source(query.as_str())
                    .path(origin.as_str())
                    .annotation(
                        AnnotationKind::Primary
                            .span(span)
                            .label(&parse_error.message),
                    ),
            )];
            Failure::Internal(format!(
                "{}\nThis is a bug in kqlsmith. The generated query was:\n{query}",
                renderer().render(&report)
            ))
        }
    }
}

fn error_line(error: &dyn std::fmt::Display) -> String {
    format!("error: {error}\n")
}

/// A rustc-style message: the file, line and column, the source line and a caret under the
/// offending text.
fn snippet(invalid: &InvalidProfile) -> String {
    let title = match &invalid.field {
        Some(field) => format!("invalid profile field `{field}`"),
        None => "invalid profile".to_string(),
    };
    let Some(span) = invalid.span.clone() else {
        return format!(
            "error: {title}: {}\n  --> {}\n",
            invalid.message, invalid.origin
        );
    };
    let span = span.start.min(invalid.source.len())..span.end.min(invalid.source.len());
    let report = [Level::ERROR.primary_title(&title).element(
        Snippet::source(invalid.source.as_str())
            .path(invalid.origin.as_str())
            .annotation(AnnotationKind::Primary.span(span).label(&invalid.message)),
    )];
    format!("{}\n", renderer().render(&report))
}

/// Colour only when stderr is a terminal.
fn renderer() -> Renderer {
    if std::io::stderr().is_terminal() {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_query_that_does_not_parse_is_an_internal_error_showing_the_text() {
        let query = "let CompromisedDevice = \"x\";\nDeviceNetworkEvents\n| where\n".to_string();
        let error = kqlsmith_syntax::parse(&query).unwrap_err();
        let failure = render_failure(RenderError::Unparsable {
            platform: "defender".into(),
            query: query.clone(),
            error,
        });
        let Failure::Internal(message) = failure else {
            panic!("not an internal error")
        };
        assert!(message.contains("its own parser rejects"), "{message}");
        assert!(message.contains("at line 4, column 1"), "{message}");
        assert!(
            message.contains("--> <query generated for defender>:"),
            "{message}"
        );
        assert!(message.ends_with(&query), "{message}");
    }

    #[test]
    fn shell_words_are_quoted_when_needed() {
        assert_eq!(shell_word("ws-042"), "ws-042");
        assert_eq!(shell_word(""), "''");
        assert_eq!(shell_word("48 hours"), "'48 hours'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }
}
