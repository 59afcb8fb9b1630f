//! KQL syntax: the pest grammar, a typed AST with byte spans, parse errors and the printer.
