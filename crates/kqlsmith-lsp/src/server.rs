//! The message loop: one thread reads requests and notifications in order and answers each
//! before reading the next. Every `didOpen` and `didChange` is answered with the document's
//! diagnostics at once (no debounce: linting a 10 KB query takes milliseconds).

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response, ResponseError};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, CompletionOptions,
    GotoDefinitionResponse, InitializeParams, Location, OneOf, PublishDiagnosticsParams,
    ServerCapabilities, ServerInfo, SignatureHelpOptions, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextEdit, Uri, WorkspaceEdit,
};
use serde_json::Value;

use crate::document::Document;
use crate::features::{
    actions, completion, diagnostics, formatting, hover, navigation, signature, tokens,
};
use crate::position::Encoding;
use crate::settings::{Configs, Settings};

/// How the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `shutdown`, then `exit`: exit with status 0.
    Clean,
    /// `exit` without `shutdown`, or the client went away: exit with status 1, as the
    /// protocol asks.
    Abrupt,
}

/// The server's state: the open documents and the configuration files read.
pub struct Server {
    connection: Connection,
    documents: HashMap<Uri, Document>,
    configs: Configs,
    encoding: Encoding,
    /// Configuration errors already shown, so each is shown once.
    shown_errors: Vec<String>,
    shutting_down: bool,
}

/// The capabilities `initialize` answers with.
pub fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec!["|".into(), "=".into(), "(".into()]),
            ..CompletionOptions::default()
        }),
        signature_help_provider: Some(SignatureHelpOptions {
            trigger_characters: Some(vec!["(".into(), ",".into()]),
            ..SignatureHelpOptions::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_highlight_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::REFACTOR_REWRITE,
            ]),
            ..CodeActionOptions::default()
        })),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_range_formatting_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(
            lsp_types::SemanticTokensOptions {
                legend: tokens::legend(),
                range: Some(true),
                full: Some(lsp_types::SemanticTokensFullOptions::Bool(true)),
                ..lsp_types::SemanticTokensOptions::default()
            }
            .into(),
        ),
        ..ServerCapabilities::default()
    }
}

/// Runs a session on `connection`: the `initialize` handshake, then the loop until `exit` or
/// until the client goes away.
pub fn serve(connection: Connection) -> Result<Ending, String> {
    let (id, params) = connection
        .initialize_start()
        .map_err(|e| format!("no initialize request: {e}"))?;
    let params: InitializeParams = serde_json::from_value(params).unwrap_or_default();
    let encoding = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let result = serde_json::json!({
        "capabilities": capabilities(encoding),
        "serverInfo": ServerInfo {
            name: "kqlsmith".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        },
    });
    connection
        .initialize_finish(id, result)
        .map_err(|e| format!("initialize: {e}"))?;
    let mut server = Server {
        connection,
        documents: HashMap::new(),
        configs: Configs::default(),
        encoding,
        shown_errors: Vec::new(),
        shutting_down: false,
    };
    Ok(server.run())
}

impl Server {
    fn run(&mut self) -> Ending {
        while let Ok(message) = self.connection.receiver.recv() {
            match message {
                Message::Request(request) => {
                    let response = self.request(request);
                    self.send(response.into());
                }
                Message::Notification(n) if n.method == note::Exit::METHOD => {
                    return if self.shutting_down {
                        Ending::Clean
                    } else {
                        Ending::Abrupt
                    };
                }
                Message::Notification(n) => self.notification(n),
                Message::Response(_) => {}
            }
        }
        Ending::Abrupt
    }

    fn send(&self, message: Message) {
        // A send fails only when the client has gone; the loop then ends on the next read.
        let _ = self.connection.sender.send(message);
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        if request.method == req::Shutdown::METHOD {
            self.shutting_down = true;
            return Response::new_ok(id, ());
        }
        if self.shutting_down {
            return error(id, ErrorCode::InvalidRequest, "the server is shutting down");
        }
        // A bug in a feature answers that request with an error; the session goes on.
        let answer = catch_unwind(AssertUnwindSafe(|| self.dispatch(&request)));
        match answer {
            Ok(response_result) => Response {
                id,
                response_result,
            },
            Err(_) => error(
                id,
                ErrorCode::InternalError,
                &format!(
                    "internal error answering {} (a bug in kqlsmith)",
                    request.method
                ),
            ),
        }
    }

    fn dispatch(&mut self, request: &Request) -> Result<Value, ResponseError> {
        match request.method.as_str() {
            req::HoverRequest::METHOD => self.answer::<req::HoverRequest>(request, |s, p| {
                let at = &p.text_document_position_params;
                s.with_document(&at.text_document.uri, |doc, settings| {
                    hover::hover(doc, settings, doc.offset(at.position))
                })
                .flatten()
            }),
            req::Completion::METHOD => self.answer::<req::Completion>(request, |s, p| {
                let at = &p.text_document_position;
                s.with_document(&at.text_document.uri, |doc, settings| {
                    let items = completion::complete(doc, settings, doc.offset(at.position));
                    lsp_types::CompletionResponse::Array(items)
                })
            }),
            req::SignatureHelpRequest::METHOD => {
                self.answer::<req::SignatureHelpRequest>(request, |s, p| {
                    let at = &p.text_document_position_params;
                    s.with_document(&at.text_document.uri, |doc, settings| {
                        signature::signature_help(doc, settings, doc.offset(at.position))
                    })
                    .flatten()
                })
            }
            req::GotoDefinition::METHOD => self.answer::<req::GotoDefinition>(request, |s, p| {
                let at = &p.text_document_position_params;
                s.with_document(&at.text_document.uri, |doc, settings| {
                    let b = navigation::binding_at(doc, settings, doc.offset(at.position))?;
                    Some(GotoDefinitionResponse::Scalar(Location::new(
                        doc.uri.clone(),
                        doc.range(b.decl),
                    )))
                })
                .flatten()
            }),
            req::References::METHOD => self.answer::<req::References>(request, |s, p| {
                let at = &p.text_document_position;
                s.with_document(&at.text_document.uri, |doc, settings| {
                    let b = navigation::binding_at(doc, settings, doc.offset(at.position))?;
                    let all = navigation::references(&b, p.context.include_declaration);
                    Some(
                        all.into_iter()
                            .map(|r| Location::new(doc.uri.clone(), doc.range(r)))
                            .collect::<Vec<_>>(),
                    )
                })
                .flatten()
            }),
            req::DocumentHighlightRequest::METHOD => {
                self.answer::<req::DocumentHighlightRequest>(request, |s, p| {
                    let at = &p.text_document_position_params;
                    s.with_document(&at.text_document.uri, |doc, settings| {
                        let b = navigation::binding_at(doc, settings, doc.offset(at.position))?;
                        Some(navigation::highlights(doc, &b))
                    })
                    .flatten()
                })
            }
            req::Rename::METHOD => {
                let params: lsp_types::RenameParams = params(request)?;
                let at = &params.text_document_position;
                let renamed = self.with_document(&at.text_document.uri, |doc, settings| {
                    let Some(b) = navigation::binding_at(doc, settings, doc.offset(at.position))
                    else {
                        return Err("nothing to rename here: put the cursor on a `let` name or a function parameter".to_string());
                    };
                    let edits = navigation::rename(&b, &params.new_name)?;
                    Ok(actions::workspace_edit(doc, &edits))
                });
                match renamed {
                    None => Ok(Value::Null),
                    Some(Ok(edit)) => Ok(to_value::<Option<WorkspaceEdit>>(Some(edit))),
                    Some(Err(message)) => Err(ResponseError {
                        code: ErrorCode::InvalidParams as i32,
                        message,
                        data: None,
                    }),
                }
            }
            req::DocumentSymbolRequest::METHOD => {
                self.answer::<req::DocumentSymbolRequest>(request, |s, p| {
                    s.with_document(&p.text_document.uri, |doc, settings| {
                        lsp_types::DocumentSymbolResponse::Nested(navigation::symbols(
                            doc, settings,
                        ))
                    })
                })
            }
            req::CodeActionRequest::METHOD => {
                self.answer::<req::CodeActionRequest>(request, |s, p| {
                    s.with_document(&p.text_document.uri, |doc, settings| {
                        let wanted = doc.lines.offsets(&doc.text, p.range);
                        actions::actions(doc, settings, wanted)
                    })
                })
            }
            req::Formatting::METHOD => self.answer::<req::Formatting>(request, |s, p| {
                s.with_document(&p.text_document.uri, |doc, settings| {
                    let edits = formatting::format_edits(doc, settings, None)?;
                    Some(actions::text_edits(doc, &edits))
                })
                .flatten()
            }),
            req::RangeFormatting::METHOD => self.answer::<req::RangeFormatting>(request, |s, p| {
                s.with_document(&p.text_document.uri, |doc, settings| {
                    let range = doc.lines.offsets(&doc.text, p.range);
                    let edits = formatting::format_edits(doc, settings, Some(range))?;
                    Some::<Vec<TextEdit>>(actions::text_edits(doc, &edits))
                })
                .flatten()
            }),
            req::SemanticTokensFullRequest::METHOD => self
                .answer::<req::SemanticTokensFullRequest>(request, |s, p| {
                    s.with_document(&p.text_document.uri, |doc, settings| {
                        tokens::semantic_tokens(doc, settings, None).into()
                    })
                }),
            req::SemanticTokensRangeRequest::METHOD => self
                .answer::<req::SemanticTokensRangeRequest>(request, |s, p| {
                    s.with_document(&p.text_document.uri, |doc, settings| {
                        let range = doc.lines.offsets(&doc.text, p.range);
                        tokens::semantic_tokens(doc, settings, Some(range)).into()
                    })
                }),
            method => Err(ResponseError {
                code: ErrorCode::MethodNotFound as i32,
                message: format!("kqlsmith does not answer `{method}`"),
                data: None,
            }),
        }
    }

    /// Decodes the request's parameters, runs `handle` and encodes its result.
    fn answer<R: req::Request>(
        &mut self,
        request: &Request,
        handle: impl FnOnce(&mut Server, R::Params) -> R::Result,
    ) -> Result<Value, ResponseError> {
        let params: R::Params = params(request)?;
        Ok(to_value(handle(self, params)))
    }

    /// Runs `f` on the document with the settings of each of its queries; `None` when the
    /// document is not open.
    fn with_document<T>(
        &mut self,
        uri: &Uri,
        f: impl FnOnce(&Document, &[Settings]) -> T,
    ) -> Option<T> {
        let document = self.documents.get(uri)?.clone();
        let settings = self.settings(&document);
        Some(f(&document, &settings))
    }

    /// The settings of each query of the document, in region order; a broken `kqlsmith.toml`
    /// is shown to the user (once) and the defaults are used meanwhile.
    fn settings(&mut self, document: &Document) -> Vec<Settings> {
        document
            .regions()
            .iter()
            .map(|region| {
                let (text, platform) = (region.text(), region.platform());
                match self
                    .configs
                    .settings(document.path.as_deref(), text, platform)
                {
                    Ok(settings) => settings,
                    Err(message) => {
                        if !self.shown_errors.contains(&message) {
                            self.shown_errors.push(message.clone());
                            self.notify::<note::ShowMessage>(lsp_types::ShowMessageParams {
                                typ: lsp_types::MessageType::ERROR,
                                message: format!("kqlsmith: {message}; using the default settings"),
                            });
                        }
                        self.configs
                            .settings(None, text, platform)
                            .expect("the default settings load")
                    }
                }
            })
            .collect()
    }

    fn notify<N: note::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params).into());
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            note::DidOpenTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidOpenTextDocumentParams>(
                    note::DidOpenTextDocument::METHOD,
                ) else {
                    return;
                };
                let doc = p.text_document;
                let document = Document::new(
                    doc.uri.clone(),
                    &doc.language_id,
                    doc.version,
                    doc.text,
                    self.encoding,
                );
                self.documents.insert(doc.uri.clone(), document);
                self.publish(&doc.uri);
            }
            note::DidChangeTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidChangeTextDocumentParams>(
                    note::DidChangeTextDocument::METHOD,
                ) else {
                    return;
                };
                let uri = p.text_document.uri;
                if let Some(document) = self.documents.get_mut(&uri) {
                    document.apply(p.text_document.version, p.content_changes);
                    self.publish(&uri);
                }
            }
            note::DidCloseTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidCloseTextDocumentParams>(
                    note::DidCloseTextDocument::METHOD,
                ) else {
                    return;
                };
                if self.documents.remove(&p.text_document.uri).is_some() {
                    self.notify::<note::PublishDiagnostics>(PublishDiagnosticsParams::new(
                        p.text_document.uri,
                        Vec::new(),
                        None,
                    ));
                }
            }
            // A saved `kqlsmith.toml` or changed settings may change every document's findings.
            note::DidSaveTextDocument::METHOD
            | note::DidChangeWatchedFiles::METHOD
            | note::DidChangeConfiguration::METHOD => {
                let uris: Vec<Uri> = self.documents.keys().cloned().collect();
                for uri in uris {
                    self.publish(&uri);
                }
            }
            _ => {}
        }
    }

    /// Lints the document and sends its diagnostics (an empty list when it is clean).
    fn publish(&mut self, uri: &Uri) {
        let Some(document) = self.documents.get(uri).cloned() else {
            return;
        };
        let settings = self.settings(&document);
        let linted = catch_unwind(AssertUnwindSafe(|| diagnostics::lint(&document, &settings)));
        let found = linted.unwrap_or_default();
        let mut diagnostics: Vec<_> = found
            .iter()
            .map(|d| diagnostics::to_lsp(&document, d))
            .collect();
        diagnostics.extend(diagnostics::host_error(&document));
        self.notify::<note::PublishDiagnostics>(PublishDiagnosticsParams::new(
            uri.clone(),
            diagnostics,
            Some(document.version),
        ));
    }
}

fn params<P: serde::de::DeserializeOwned>(request: &Request) -> Result<P, ResponseError> {
    serde_json::from_value(request.params.clone()).map_err(|e| ResponseError {
        code: ErrorCode::InvalidParams as i32,
        message: format!("invalid parameters for {}: {e}", request.method),
        data: None,
    })
}

fn to_value<T: serde::Serialize>(value: T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn error(id: lsp_server::RequestId, code: ErrorCode, message: &str) -> Response {
    Response::new_err(id, code as i32, message.to_string())
}
