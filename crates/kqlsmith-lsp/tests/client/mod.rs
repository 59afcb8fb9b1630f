//! An in-process LSP client for the tests: it runs the server on a thread, speaks JSON-RPC to
//! it over channels, and keeps the notifications that arrive between responses.

#![allow(dead_code)] // each test file uses a part

use std::collections::VecDeque;
use std::path::Path;
use std::thread::JoinHandle;
use std::time::Duration;

use kqlsmith_lsp::Ending;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request as req;
use lsp_types::*;

/// How long a test waits for an answer before calling the server hung.
const PATIENCE: Duration = Duration::from_secs(20);

pub struct Client {
    connection: Connection,
    server: Option<JoinHandle<Result<Ending, String>>>,
    next_id: i32,
    /// Notifications received while waiting for a response.
    pending: VecDeque<Notification>,
    pub initialize: Option<InitializeResult>,
}

impl Client {
    /// A server, initialized; `encodings` are the position encodings the client offers.
    pub fn start(encodings: Option<Vec<PositionEncodingKind>>) -> Client {
        let (server_side, client_side) = Connection::memory();
        let server = std::thread::spawn(move || kqlsmith_lsp::serve(server_side));
        let mut client = Client {
            connection: client_side,
            server: Some(server),
            next_id: 0,
            pending: VecDeque::new(),
            initialize: None,
        };
        let params = InitializeParams {
            capabilities: ClientCapabilities {
                general: Some(GeneralClientCapabilities {
                    position_encodings: encodings,
                    ..GeneralClientCapabilities::default()
                }),
                ..ClientCapabilities::default()
            },
            ..InitializeParams::default()
        };
        let result = client.request::<req::Initialize>(params);
        client.initialize = Some(result);
        client.notify::<note::Initialized>(InitializedParams {});
        client
    }

    /// Sends a request and waits for its response, which must be a success.
    pub fn request<R: req::Request>(&mut self, params: R::Params) -> R::Result {
        let response = self.raw_request(R::METHOD, serde_json::to_value(params).unwrap());
        let result = match response.response_result {
            Ok(result) => result,
            Err(error) => panic!("{} failed: {} ({})", R::METHOD, error.message, error.code),
        };
        serde_json::from_value(result)
            .unwrap_or_else(|e| panic!("{}: the result is not well-formed: {e}", R::METHOD))
    }

    /// Sends any request and returns the response as it came.
    pub fn raw_request(&mut self, method: &str, params: serde_json::Value) -> Response {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        let request = Request::new(id.clone(), method.to_string(), params);
        self.connection.sender.send(request.into()).unwrap();
        loop {
            match self.receive() {
                Message::Response(r) if r.id == id => return r,
                Message::Response(r) => panic!("a response to another request: {r:?}"),
                Message::Notification(n) => self.pending.push_back(n),
                Message::Request(r) => panic!("unexpected request from the server: {r:?}"),
            }
        }
    }

    pub fn notify<N: note::Notification>(&self, params: N::Params) {
        let n = Notification::new(N::METHOD.to_string(), params);
        self.connection.sender.send(n.into()).unwrap();
    }

    fn receive(&self) -> Message {
        self.connection
            .receiver
            .recv_timeout(PATIENCE)
            .expect("the server answers in time")
    }

    /// The next `publishDiagnostics` notification (others before it are dropped).
    pub fn diagnostics(&mut self) -> PublishDiagnosticsParams {
        loop {
            let n = match self.pending.pop_front() {
                Some(n) => n,
                None => match self.receive() {
                    Message::Notification(n) => n,
                    other => panic!("expected a notification, got {other:?}"),
                },
            };
            if n.method == note::PublishDiagnostics::METHOD {
                return serde_json::from_value(n.params).expect("well-formed diagnostics");
            }
        }
    }

    pub fn open(&mut self, uri: &Uri, text: &str) -> PublishDiagnosticsParams {
        self.open_as(uri, "kql", text)
    }

    /// Opens a document the client calls `language_id` (`markdown`, `yaml`, `json`...).
    pub fn open_as(
        &mut self,
        uri: &Uri,
        language_id: &str,
        text: &str,
    ) -> PublishDiagnosticsParams {
        self.notify::<note::DidOpenTextDocument>(DidOpenTextDocumentParams {
            text_document: TextDocumentItem::new(uri.clone(), language_id.into(), 1, text.into()),
        });
        self.diagnostics()
    }

    pub fn change(
        &mut self,
        uri: &Uri,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
    ) -> PublishDiagnosticsParams {
        self.notify::<note::DidChangeTextDocument>(DidChangeTextDocumentParams {
            text_document: VersionedTextDocumentIdentifier::new(uri.clone(), version),
            content_changes: changes,
        });
        self.diagnostics()
    }

    /// Replaces the whole text of the document.
    pub fn replace_text(
        &mut self,
        uri: &Uri,
        version: i32,
        text: &str,
    ) -> PublishDiagnosticsParams {
        let whole = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.to_string(),
        };
        self.change(uri, version, vec![whole])
    }

    /// `shutdown`, then `exit`: how the server says it ended.
    pub fn shutdown(mut self) -> Result<Ending, String> {
        self.request::<req::Shutdown>(());
        self.notify::<note::Exit>(());
        self.server.take().unwrap().join().unwrap()
    }
}

/// The `file:` URI of a path.
pub fn uri(path: &Path) -> Uri {
    format!("file://{}", path.display()).parse().unwrap()
}

/// A folder with a `kqlsmith.toml` choosing `platform`, and the URI of an unsaved query in it.
pub fn project(platform: &str) -> (tempfile::TempDir, Uri) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("kqlsmith.toml"),
        format!("[lint]\nplatform = \"{platform}\"\n"),
    )
    .unwrap();
    let uri = uri(&dir.path().join("hunts").join("unsaved.kql"));
    (dir, uri)
}

/// The lines of `text` as the protocol splits it (at `\n`, `\r\n` and a lone `\r`): each
/// line's byte range, without its break.
pub fn lines(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let next = match c {
            '\n' => i + 1,
            '\r' if chars.peek().map(|&(_, c)| c) == Some('\n') => {
                chars.next();
                i + 2
            }
            '\r' => i + 1,
            _ => continue,
        };
        lines.push(start..i);
        start = next;
    }
    lines.push(start..text.len());
    lines
}

/// The position of byte `offset` of `text`: 0-based line, UTF-16 column (worked out here
/// independently of the server). An offset inside a line break is the end of its line.
pub fn utf16_position(text: &str, offset: usize) -> Position {
    let lines = lines(text);
    let line = lines.iter().rposition(|l| l.start <= offset).unwrap();
    let range = &lines[line];
    Position::new(
        line as u32,
        text[range.start..offset.min(range.end)]
            .encode_utf16()
            .count() as u32,
    )
}

pub fn position_of(text: &str, needle: &str) -> Position {
    utf16_position(
        text,
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle} in text")),
    )
}

/// `text` with LSP text edits applied (ranges in UTF-16 positions of `text`).
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let lines = lines(text);
    let offset = |p: Position| {
        let Some(line) = lines.get(p.line as usize) else {
            return text.len();
        };
        let mut units = 0;
        for (i, c) in text[line.clone()].char_indices() {
            if units >= p.character {
                return line.start + i;
            }
            units += c.len_utf16() as u32;
        }
        line.end
    };
    let mut sorted: Vec<&TextEdit> = edits.iter().collect();
    sorted.sort_by_key(|e| std::cmp::Reverse((e.range.start.line, e.range.start.character)));
    let mut out = text.to_string();
    for e in sorted {
        out.replace_range(offset(e.range.start)..offset(e.range.end), &e.new_text);
    }
    out
}

/// The semantic tokens of a document, decoded from the relative encoding: each token's text
/// (read at its UTF-16 position), its type's name in the legend, and whether it is declared.
pub fn decoded_tokens(
    client: &mut Client,
    uri: &Uri,
    text: &str,
    range: Option<Range>,
) -> Vec<(String, String, bool)> {
    let caps = &client.initialize.as_ref().unwrap().capabilities;
    let Some(SemanticTokensServerCapabilities::SemanticTokensOptions(options)) =
        &caps.semantic_tokens_provider
    else {
        panic!("semantic tokens are advertised with options")
    };
    assert_eq!(options.range, Some(true));
    let legend = options.legend.clone();
    let result = match range {
        None => match client.request::<req::SemanticTokensFullRequest>(SemanticTokensParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        }) {
            Some(SemanticTokensResult::Tokens(t)) => t,
            other => panic!("{other:?}"),
        },
        Some(range) => {
            match client.request::<req::SemanticTokensRangeRequest>(SemanticTokensRangeParams {
                text_document: TextDocumentIdentifier::new(uri.clone()),
                range,
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default(),
            }) {
                Some(SemanticTokensRangeResult::Tokens(t)) => t,
                other => panic!("{other:?}"),
            }
        }
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let (mut line, mut start) = (0u32, 0u32);
    result
        .data
        .iter()
        .map(|t| {
            if t.delta_line > 0 {
                line += t.delta_line;
                start = t.delta_start;
            } else {
                start += t.delta_start;
            }
            let units: Vec<u16> = lines[line as usize].encode_utf16().collect();
            let piece = &units[start as usize..(start + t.length) as usize];
            (
                String::from_utf16(piece).unwrap(),
                legend.token_types[t.token_type as usize]
                    .as_str()
                    .to_string(),
                t.token_modifiers_bitset & 1 == 1,
            )
        })
        .collect()
}

/// The codes and ranges of published diagnostics.
pub fn published(p: &PublishDiagnosticsParams) -> Vec<(String, Range)> {
    p.diagnostics
        .iter()
        .map(|d| match &d.code {
            Some(NumberOrString::String(code)) => (code.clone(), d.range),
            other => panic!("a code that is not a rule code: {other:?}"),
        })
        .collect()
}

/// The Markdown of the hover at `at`, which must be there.
pub fn hover_text(client: &mut Client, uri: &Uri, at: Position) -> String {
    let hover = client.request::<req::HoverRequest>(HoverParams {
        text_document_position_params: TextDocumentPositionParams::new(
            TextDocumentIdentifier::new(uri.clone()),
            at,
        ),
        work_done_progress_params: Default::default(),
    });
    match hover.expect("a hover").contents {
        HoverContents::Markup(m) => m.value,
        other => panic!("{other:?}"),
    }
}
