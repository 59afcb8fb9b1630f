//! `kqlsmith lsp` as an editor runs it: a spawned process speaking JSON-RPC on standard input
//! and output.

#[path = "support/cli.rs"]
mod cli;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long the server may take to exit after `exit` or end of input: generous, since the
/// CI machine runs the test binaries side by side on two cores; a server that does not exit
/// at all still fails.
const EXIT_LIMIT: Duration = Duration::from_secs(20);

struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Session {
    fn start() -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kqlsmith"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut session = Session {
            child,
            stdin,
            stdout,
        };
        let init = session.request(1, "initialize", json!({"capabilities": {}}));
        assert!(init["result"]["capabilities"]["documentFormattingProvider"] == json!(true));
        session.send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
        session
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    /// The next message from the server.
    fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            self.stdout.read_line(&mut line).unwrap();
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn request(&mut self, id: i64, method: &str, params: Value) -> Value {
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.receive();
            if message["id"] == json!(id) {
                return message;
            }
        }
    }

    /// Waits for the process to end, at most `limit`.
    fn wait(mut self, limit: Duration) -> ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            if started.elapsed() > limit {
                let _ = self.child.kill();
                panic!("the server did not exit within {limit:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// `text` with LSP edits applied (ASCII text: columns are bytes).
fn apply(text: &str, edits: &[Value]) -> String {
    // LSP positions: a line, and UTF-16 code units within it.
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = p["character"].as_u64().unwrap() as usize;
        let mut bytes = 0;
        for c in text[start..].chars() {
            if units == 0 {
                break;
            }
            units -= c.len_utf16();
            bytes += c.len_utf8();
        }
        start + bytes
    };
    let mut edits: Vec<&Value> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(offset(&e["range"]["start"])));
    let mut out = text.to_string();
    for e in edits {
        let range = offset(&e["range"]["start"])..offset(&e["range"]["end"]);
        out.replace_range(range, e["newText"].as_str().unwrap());
    }
    out
}

#[test]
fn formatting_equals_fmt_stdout_and_shutdown_then_exit_ends_with_status_0() {
    let dir = tempfile::tempdir().unwrap();
    cli::write(
        dir.path(),
        "kqlsmith.toml",
        "[format]\nindent = 2\nline-width = 30\n",
    );
    let text = "DeviceNetworkEvents|where Timestamp>ago(1d)// day\n|summarize count() by RemoteIP,DeviceName,RemotePort";
    let file = cli::write(dir.path(), "hunts/q.kql", text);
    let uri = format!("file://{}", file.display());

    let mut session = Session::start();
    session.send(json!({
        "jsonrpc": "2.0",
        "method": "textDocument/didOpen",
        "params": {"textDocument": {"uri": uri, "languageId": "kql", "version": 1, "text": text}},
    }));
    let formatted = session.request(
        2,
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    let edits = formatted["result"].as_array().unwrap();
    let fmt = cli::kqlsmith(dir.path(), &["fmt", "--stdout", "hunts/q.kql"]);
    assert!(fmt.status.success());
    assert_eq!(apply(text, edits), cli::text(&fmt.stdout));

    let shutdown = session.request(3, "shutdown", Value::Null);
    assert_eq!(shutdown["result"], Value::Null);
    assert!(shutdown.get("error").is_none());
    session.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(session.wait(EXIT_LIMIT).code(), Some(0));
}

#[test]
fn formatting_a_file_equals_fmt_stdout_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let hosts = [
        (
            "hunts/windows.kql",
            "kql",
            "\u{feff}DeviceInfo|where Timestamp>ago(1d)\r\n|project DeviceName\r\n",
        ),
        (
            "rules/spray.yaml",
            "yaml",
            "id: 1\nquery: |\n  SigninLogs|where TimeGenerated>ago(1d)\n  |summarize count() by UserPrincipalName\nseverity: Low\n",
        ),
        (
            "rules/detection.json",
            "json",
            "{\"queryCondition\": {\"queryText\": \"DeviceProcessEvents|where FileName==\\\"cmd.exe\\\"\\n|project DeviceName\"}}\n",
        ),
    ];
    let mut session = Session::start();
    for (id, (path, language, text)) in hosts.into_iter().enumerate() {
        let file = cli::write(dir.path(), path, text);
        let uri = format!("file://{}", file.display());
        session.send(json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}},
        }));
        let formatted = session.request(
            id as i64 + 2,
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
        );
        let edits = formatted["result"].as_array().unwrap();
        assert!(!edits.is_empty(), "{path} is formatted");
        let fmt = cli::kqlsmith(dir.path(), &["fmt", "--stdout", path]);
        assert!(fmt.status.success(), "{path}");
        assert_eq!(apply(text, edits), cli::text(&fmt.stdout), "{path}");
    }
    session.request(9, "shutdown", Value::Null);
    session.send(json!({"jsonrpc": "2.0", "method": "exit"}));
    assert_eq!(session.wait(EXIT_LIMIT).code(), Some(0));
}

#[test]
fn the_server_ends_when_the_client_goes_away() {
    let mut session = Session::start();
    drop(session.stdin.take());
    // Without `shutdown`, the protocol asks for status 1.
    assert_eq!(session.wait(EXIT_LIMIT).code(), Some(1));
}
