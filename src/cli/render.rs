//! `kqlsmith render`: hunt profiles rendered into the KQL of one platform or of all, and into
//! rule files (`--emit`); one profile, or every profile of a folder (`--all`).
//!
//! Everything is rendered in memory before anything is printed or written, so an error leaves
//! stdout empty and the output folder untouched.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
use clap::builder::PossibleValuesParser;
use kqlsmith_hunt::export::{self, ExportError, RuleFormat};
use kqlsmith_hunt::profile::{self, InvalidProfile, Override, ProfileError};
use kqlsmith_hunt::render::RenderError;
use kqlsmith_hunt::{Hunt, HuntKind};
use kqlsmith_lint::Platform;

use super::{EXIT_INTERNAL, EXIT_USAGE};
use super::{progress, transaction};

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

  Rule files: a Sentinel hunting query (YAML), a Sentinel analytics rule (YAML), an ARM
  template (JSON), a Defender XDR custom detection (Microsoft Graph v1.0 JSON):
    kqlsmith render --profile remote-logons --emit sentinel-yaml
    kqlsmith render --profile internal-connections-detection --emit sentinel-rule
    kqlsmith render --profile internal-connections-detection --emit sentinel-arm
    kqlsmith render --device ws-042 --emit defender-json

  Every profile of a folder, every platform, into one folder (a content pipeline):
    kqlsmith render --all --emit kql,sentinel-yaml,sentinel-rule,sentinel-arm,defender-json --out generated/

  Change any profile value for one run, by its dotted key:
    kqlsmith render --set device.match=case-insensitive --set filters.benign_ports=true
    kqlsmith render --set search.action_types=ConnectionSuccess,ConnectionFailed

The default profile is profiles/hunts/internal-connections.toml (built into kqlsmith); its
comments explain every key. --device and --window are short for --set device.name=NAME and
--set search.window=TIMESPAN, and win over --set. A hunt whose profile lacks the key refuses
the option (the detection internal-connections-detection has no --device: it searches every
device that had an alert); with --all, such a profile is named in a note and left as it is.

Files are named <hunt>.<platform>.kql, <hunt>.sentinel.yaml, <hunt>.sentinel.rule.yaml,
<hunt>.sentinel.arm.json and <hunt>.defender.json, all in the --out folder, so a folder of
generated rules diffs cleanly from run to run.

Scheduled rules (defender-json, sentinel-rule, and the analytics rule of sentinel-arm) are
refused for a hunt of one device that still names the placeholder device (give --device, or
use the detection profile internal-connections-detection), and for a Defender XDR rule whose
query does not return Timestamp and ReportId. With --all such a profile skips that format
with a note; without --all the refusal is an error. Hunting formats (kql, sentinel-yaml, the
saved search of sentinel-arm for a hunt of one device) keep the placeholder for the hunter.

Exit status: 0 rendered; 2 bad profile, value, option or file, or a refused rule (nothing
printed or written);
70 internal error: kqlsmith generated a query that its own parser rejects (a bug; the
message shows the query).";

/// Render hunt profiles into KQL for Defender XDR, Sentinel, or both, and into rule files.
#[derive(clap::Args)]
#[command(after_help = after_help())]
pub struct RenderArgs {
    /// Hunt profile: a TOML file, or the name of a profile shipped with kqlsmith
    /// (internal-connections, internal-connections-classic, remote-logons).
    /// Default: internal-connections.
    #[arg(long, value_name = "FILE", conflicts_with = "all")]
    profile: Option<PathBuf>,

    /// Render every profile: those in --profiles DIR, or the shipped ones. Needs --out.
    #[arg(long, requires = "out")]
    all: bool,

    /// With --all: the folder whose *.toml hunt profiles are rendered.
    #[arg(long, value_name = "DIR", requires = "all")]
    profiles: Option<PathBuf>,

    /// Platform whose dialect to render; `all` renders every platform.
    #[arg(long, value_name = "PLATFORM", default_value = "all", value_parser = platform_names())]
    platform: String,

    /// What to write: kql (the query), sentinel-yaml (a Sentinel hunting query),
    /// sentinel-rule (a Sentinel scheduled analytics rule), sentinel-arm (an ARM template of
    /// the analytics rule or hunting query), defender-json (a Defender XDR custom detection
    /// rule). Comma-separated or repeated; printing takes one.
    #[arg(long, value_name = "FORMAT", value_delimiter = ',', default_value = "kql",
          value_parser = format_names())]
    emit: Vec<String>,

    /// The device under investigation: a host name (ws-042) or full name (sets device.name).
    /// A hunt without one device, such as the detection over every device, refuses it.
    #[arg(long, value_name = "NAME", allow_hyphen_values = true)]
    device: Option<String>,

    /// How far back to look: a KQL timespan such as 30m, 48h or 7d (sets search.window). It
    /// counts back from now, so it takes no sign: `--window -1d` is refused with that reason.
    #[arg(long, value_name = "TIMESPAN", allow_hyphen_values = true)]
    window: Option<String>,

    /// Change one profile value by its dotted key, e.g. device.match=case-insensitive.
    /// Repeat for several.
    #[arg(long = "set", value_name = "KEY=VALUE", allow_hyphen_values = true)]
    set: Vec<String>,

    /// Write the files into DIR (which must exist) instead of printing. Either every file is
    /// written or none: when one cannot be, every file keeps its previous bytes. New files
    /// follow the umask, replaced files keep their mode, and a file that is a symbolic link
    /// is written through (the link stays).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// The names `--emit` accepts.
fn format_names() -> PossibleValuesParser {
    PossibleValuesParser::new(RuleFormat::ALL.map(RuleFormat::as_str))
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

/// One file of the run: what it is for and its text.
struct Rendered {
    hunt: String,
    platform: String,
    file_name: String,
    text: String,
}

fn render_command(args: &RenderArgs) -> Result<(), Failure> {
    let overrides = overrides(args).map_err(profile_failure)?;
    let mut formats: Vec<RuleFormat> = args
        .emit
        .iter()
        .map(|name| {
            name.parse()
                .map_err(|e: String| Failure::Usage(error_line(&e)))
        })
        .collect::<Result<_, _>>()?;
    formats.sort();
    formats.dedup();
    if args.out.is_none() && formats.len() > 1 {
        return Err(Failure::Usage(
            "error: printing takes one --emit format at a time; give --out DIR to write several\n"
                .to_string(),
        ));
    }
    let platforms = if args.platform == "all" {
        Platform::builtins()
    } else {
        vec![Platform::builtin(&args.platform).map_err(|e| Failure::Usage(error_line(&e)))?]
    };
    let hunts = if args.all {
        load_all(args.profiles.as_deref(), &overrides)?
    } else {
        vec![load_one(args.profile.as_deref(), &overrides).map_err(profile_failure)?]
    };
    let unread_notes = check_key_options(args, &hunts)?;

    // Every (hunt, format, platform) to render, in the order of the files' names.
    let mut jobs: Vec<(&Hunt, RuleFormat, &Platform)> = Vec::new();
    for hunt in &hunts {
        for &format in &formats {
            for platform in &platforms {
                if format
                    .platform_name()
                    .is_none_or(|name| name == platform.name)
                {
                    jobs.push((hunt, format, platform));
                }
            }
            if let Some(name) = format.platform_name()
                && !platforms.iter().any(|p| p.name == name)
            {
                return Err(Failure::Usage(format!(
                    "error: --emit {format} writes files for {name}, but --platform is {}\n",
                    args.platform
                )));
            }
        }
    }

    let progress = progress::bar("rendering", jobs.len(), args.all);
    let mut rendered = Vec::with_capacity(jobs.len());
    let mut skipped = Vec::new();
    for (hunt, format, platform) in jobs {
        progress.set_message(format!("{} ({format}, {})", hunt.name(), platform.name));
        let text = match export::emit(hunt, format, platform) {
            Ok(text) => text,
            // A pipeline renders what each profile supports: a hunt that cannot be a
            // scheduled rule skips that format, and says so.
            Err(ExportError::Refused(refusal)) if args.all => {
                skipped.push(refusal);
                progress.inc(1);
                continue;
            }
            Err(error) => return Err(export_failure(error)),
        };
        let file_name = format.file_name(hunt, platform).map_err(render_failure)?;
        rendered.push(Rendered {
            hunt: hunt.name().to_string(),
            platform: platform.name.clone(),

            file_name,
            text,
        });
        progress.inc(1);
    }
    progress.finish_and_clear();
    rendered.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    if let Some(twice) = rendered
        .windows(2)
        .find(|pair| pair[0].file_name == pair[1].file_name)
    {
        return Err(Failure::Usage(format!(
            "error: two profiles are named `{}`: both would write {}\n",
            twice[0].hunt, twice[0].file_name
        )));
    }

    for note in &unread_notes {
        eprintln!("note: {note}");
    }
    for refusal in &skipped {
        eprintln!(
            "note: skipped {}.{}: {refusal}",
            refusal.hunt, refusal.format
        );
    }

    match &args.out {
        Some(dir) => {
            write_all(dir, &rendered)?;
            if args.all {
                let skipped = match skipped.len() {
                    0 => String::new(),
                    count => format!(" ({count} skipped: see the notes above)"),
                };
                eprintln!(
                    "Rendered {} hunt profile{} for {} platform{}: {} file{} in {}{skipped}",
                    hunts.len(),
                    plural(hunts.len()),
                    platforms.len(),
                    plural(platforms.len()),
                    rendered.len(),
                    plural(rendered.len()),
                    dir.display()
                );
            }
            Ok(())
        }
        None => print_all(&rendered),
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// The profile `--profile` names (a file, else a shipped profile), or the default one.
fn load_one(given: Option<&Path>, overrides: &[Override]) -> Result<Hunt, ProfileError> {
    match given {
        None => profile::load_default(overrides),
        // A file when there is one, else the name of a profile shipped with kqlsmith.
        Some(path) if path.exists() => profile::load_file(path, overrides),
        Some(path) => {
            profile::load_shipped(&path.to_string_lossy(), overrides).unwrap_or_else(|| {
                Err(ProfileError::NotFound {
                    given: path.display().to_string(),
                })
            })
        }
    }
}

/// Every `*.toml` profile of `dir`, sorted by file name; the shipped profiles without a folder.
fn load_all(dir: Option<&Path>, overrides: &[Override]) -> Result<Vec<Hunt>, Failure> {
    let Some(dir) = dir else {
        return profile::shipped_names()
            .into_iter()
            .map(|name| {
                profile::load_shipped(name, overrides)
                    .expect("a shipped name loads")
                    .map_err(profile_failure)
            })
            .collect();
    };
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Failure::Usage(format!(
            "error: cannot read profile folder {}: {e}\n",
            dir.display()
        ))
    })?;
    let mut paths = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| {
                Failure::Usage(format!(
                    "error: cannot read profile folder {}: {e}\n",
                    dir.display()
                ))
            })?
            .path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        return Err(Failure::Usage(format!(
            "error: profile folder {} holds no *.toml hunt profile\n",
            dir.display()
        )));
    }
    paths.sort();
    paths
        .iter()
        .map(|path| profile::load_file(path, overrides).map_err(profile_failure))
        .collect()
}

/// An option that is short for one profile key, as given on the command line.
struct KeyOption<'a> {
    /// `--device`.
    flag: &'static str,
    /// The key it sets: `device.name`.
    key: &'static str,
    value: &'a str,
}

impl KeyOption<'_> {
    /// How the user wrote it, for messages: `--device ws-042`.
    fn origin(&self) -> String {
        format!("{} {}", self.flag, shell_word(self.value))
    }

    /// Whether `hunt` reads the option: its kind's profile has the key.
    fn is_read_by(&self, hunt: &Hunt) -> bool {
        profile::keys(hunt.kind()).iter().any(|key| key == self.key)
    }
}

/// `--device` and `--window`, where given.
fn key_options(args: &RenderArgs) -> Vec<KeyOption<'_>> {
    [
        ("--device", "device.name", &args.device),
        ("--window", "search.window", &args.window),
    ]
    .into_iter()
    .filter_map(|(flag, key, value)| value.as_deref().map(|value| KeyOption { flag, key, value }))
    .collect()
}

/// `--set` in order, then `--device` and `--window`, which therefore win. A profile without
/// the key of `--device` or `--window` is left as it is here, and refused (or, with `--all`,
/// noted) by [`check_key_options`].
fn overrides(args: &RenderArgs) -> Result<Vec<Override>, ProfileError> {
    let mut overrides = args
        .set
        .iter()
        .map(|text| Override::from_assignment(text))
        .collect::<Result<Vec<_>, _>>()?;
    for option in key_options(args) {
        overrides.push(Override::where_present(
            option.key,
            option.value,
            option.origin(),
        ));
    }
    Ok(overrides)
}

/// An option the hunt does not read would change nothing: it is refused, so that
/// `--device ws-042` never renders a query that is not about ws-042. With `--all`, the
/// profiles that do not read it are named in notes, and it is refused when none does.
fn check_key_options(args: &RenderArgs, hunts: &[Hunt]) -> Result<Vec<String>, Failure> {
    let mut notes = Vec::new();
    for option in key_options(args) {
        let unread: Vec<&Hunt> = hunts.iter().filter(|h| !option.is_read_by(h)).collect();
        let Some(first) = unread.first() else {
            continue;
        };
        if args.all && unread.len() < hunts.len() {
            for hunt in unread {
                notes.push(format!(
                    "{} not applied to {}: the {} hunt's profile has no key `{}`",
                    option.origin(),
                    hunt.name(),
                    hunt.kind(),
                    option.key
                ));
            }
            continue;
        }
        let readers: Vec<&str> = profile::shipped_names()
            .into_iter()
            .filter(|name| {
                profile::load_shipped(name, &[])
                    .is_some_and(|hunt| hunt.is_ok_and(|hunt| option.is_read_by(&hunt)))
            })
            .collect();
        let why = if args.all {
            format!(
                "no profile of the run reads it: none has the key `{}`",
                option.key
            )
        } else {
            format!(
                "the {} hunt does not read it: its profile has no key `{}`",
                first.kind(),
                option.key
            )
        };
        return Err(Failure::Usage(format!(
            "error: {}: {why}; shipped profiles that read it: {}\n",
            option.origin(),
            readers.join(", ")
        )));
    }
    Ok(notes)
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

fn print_all(rendered: &[Rendered]) -> Result<(), Failure> {
    let mut text = String::new();
    for (index, file) in rendered.iter().enumerate() {
        if rendered.len() > 1 {
            // A comment line, so that each section stays valid KQL on its own (only queries
            // are printed several at a time: one format per run).
            if index > 0 {
                text.push('\n');
            }
            text.push_str(&format!("// platform: {}\n", file.platform));
        }
        text.push_str(&file.text);
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

/// Writes every file into `dir`, or none (see [`transaction`]).
fn write_all(dir: &Path, rendered: &[Rendered]) -> Result<(), Failure> {
    if !dir.is_dir() {
        return Err(Failure::Usage(format!(
            "error: output folder {} does not exist or is not a folder\n",
            dir.display()
        )));
    }
    let files: Vec<(PathBuf, String)> = rendered
        .iter()
        .map(|output| (dir.join(&output.file_name), output.text.clone()))
        .collect();
    transaction::write_all(&files).map_err(|message| Failure::Usage(error_line(&message)))
}

fn profile_failure(error: ProfileError) -> Failure {
    match error {
        ProfileError::Invalid(invalid) => Failure::Usage(snippet(&invalid)),
        other => Failure::Usage(error_line(&other)),
    }
}

fn export_failure(error: ExportError) -> Failure {
    match error {
        ExportError::Render(error) => render_failure(error),
        // The profile's rule metadata does not fit the query or the format.
        ExportError::UnknownColumn { .. }
        | ExportError::Mapping { .. }
        | ExportError::Refused(_) => Failure::Usage(error_line(&error)),
        ExportError::Serialize { .. } => Failure::Internal(error_line(&error)),
    }
}

fn render_failure(error: RenderError) -> Failure {
    match &error {
        RenderError::Platform { .. } => Failure::Usage(error_line(&error)),
        RenderError::Template(_) | RenderError::Unformattable { .. } => {
            Failure::Internal(error_line(&error))
        }
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
