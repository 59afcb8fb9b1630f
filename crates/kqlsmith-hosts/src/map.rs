//! Where each byte of an embedded query sits in its host file.
//!
//! A query is read out of its host piece by piece: runs copied as they are (a Markdown line, a
//! YAML line without its indentation, JSON text between escapes) and pieces the host spells
//! differently (a JSON escape `\n` for one line break, a YAML line break folded into a space).
//! The map keeps those pieces in order, so an offset converts both ways in a binary search.

use std::ops::Range;

/// One piece of a query and the host bytes it was read from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Piece {
    query: Range<usize>,
    host: Range<usize>,
    /// The host bytes are the query bytes (so an offset inside maps one to one).
    verbatim: bool,
}

/// Query offsets to host offsets and back, for one embedded query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    pieces: Vec<Piece>,
    /// Where the query starts in the host, for an empty query.
    origin: usize,
}

impl OffsetMap {
    /// An empty map for a query that starts at host byte `origin`.
    pub(crate) fn new(origin: usize) -> OffsetMap {
        OffsetMap {
            pieces: Vec::new(),
            origin,
        }
    }

    fn query_len(&self) -> usize {
        self.pieces.last().map_or(0, |p| p.query.end)
    }

    /// Appends host bytes `host` that are copied into the query as they are.
    pub(crate) fn push_verbatim(&mut self, host: Range<usize>) {
        if host.is_empty() {
            return;
        }
        let start = self.query_len();
        // Adjacent verbatim runs merge, which keeps the map short.
        if let Some(last) = self.pieces.last_mut()
            && last.verbatim
            && last.host.end == host.start
        {
            last.host.end = host.end;
            last.query.end += host.len();
            return;
        }
        self.pieces.push(Piece {
            query: start..start + host.len(),
            host,
            verbatim: true,
        });
    }

    /// Appends `query_len` query bytes that the host spells as the bytes `host` (an escape, a
    /// folded line break): every offset inside maps to the start of the host spelling.
    pub(crate) fn push_spelled(&mut self, query_len: usize, host: Range<usize>) {
        if query_len == 0 {
            return;
        }
        let start = self.query_len();
        self.pieces.push(Piece {
            query: start..start + query_len,
            host,
            verbatim: false,
        });
    }

    /// Moves every host offset `by` bytes on (the host parser read the text after a prefix).
    pub(crate) fn shift(&mut self, by: usize) {
        self.origin += by;
        for piece in &mut self.pieces {
            piece.host = piece.host.start + by..piece.host.end + by;
        }
    }

    /// The host byte of query byte `offset` (an offset at or past the end maps to the end of
    /// the query's host text).
    pub fn to_host(&self, offset: usize) -> usize {
        let Some(last) = self.pieces.last() else {
            return self.origin;
        };
        if offset >= last.query.end {
            return last.host.end;
        }
        let index = self.pieces.partition_point(|p| p.query.end <= offset);
        let piece = &self.pieces[index];
        if piece.verbatim {
            piece.host.start + (offset - piece.query.start)
        } else {
            piece.host.start
        }
    }

    /// The query byte read from host byte `offset`, or `None` when the host byte is not part
    /// of the query's host text. Bytes a host adds inside it (the indentation after a YAML line
    /// break, a Markdown container's prefix) belong to the line break before them.
    pub fn to_query(&self, offset: usize) -> Option<usize> {
        let index = self.pieces.partition_point(|p| p.host.end <= offset);
        let piece = self.pieces.get(index)?;
        if offset < piece.host.start {
            return None;
        }
        Some(if piece.verbatim {
            piece.query.start + (offset - piece.host.start)
        } else {
            piece.query.start
        })
    }

    /// Query ranges whose host bytes are the query bytes, for checks and tests.
    #[cfg(test)]
    fn verbatim_ranges(&self) -> Vec<Range<usize>> {
        self.pieces
            .iter()
            .filter(|p| p.verbatim)
            .map(|p| p.query.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `{"q": "T\n| take 1"}`: `T` at 7, the escape `\n` at 8..10, `| take 1` at 10..18.
    fn json_like() -> OffsetMap {
        let mut map = OffsetMap::new(7);
        map.push_verbatim(7..8);
        map.push_spelled(1, 8..10);
        map.push_verbatim(10..18);
        map
    }

    #[test]
    fn offsets_map_through_verbatim_runs_and_escapes() {
        let map = json_like();
        assert_eq!(map.to_host(0), 7);
        // The line break maps to the backslash of its escape.
        assert_eq!(map.to_host(1), 8);
        assert_eq!(map.to_host(2), 10);
        assert_eq!(map.to_host(9), 17);
        // The end of the query is the end of its host text.
        assert_eq!(map.to_host(10), 18);
        assert_eq!(map.to_host(99), 18);
        assert_eq!(map.verbatim_ranges(), [0..1, 2..10]);
    }

    #[test]
    fn host_offsets_map_back_and_outside_bytes_have_no_query_offset() {
        let map = json_like();
        assert_eq!(map.to_query(6), None);
        assert_eq!(map.to_query(7), Some(0));
        assert_eq!(map.to_query(9), Some(1));
        assert_eq!(map.to_query(12), Some(4));
        assert_eq!(map.to_query(18), None);
        for offset in 0..10 {
            assert_eq!(map.to_query(map.to_host(offset)), Some(offset));
        }
    }

    #[test]
    fn adjacent_runs_merge_and_gaps_stay_outside() {
        // Two lines of a YAML block, each without its two spaces of indentation.
        let mut map = OffsetMap::new(10);
        map.push_verbatim(10..12);
        map.push_verbatim(12..14);
        map.push_verbatim(16..20);
        assert_eq!(map.pieces.len(), 2);
        assert_eq!(map.to_host(4), 16);
        assert_eq!(map.to_query(14), None);
        assert_eq!(map.to_query(15), None);
        assert_eq!(map.to_query(16), Some(4));
        assert_eq!(OffsetMap::new(5).to_host(3), 5);
    }
}
