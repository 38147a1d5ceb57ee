//! Error types.

use std::time::Duration;

/// Why a parser refused its input. Parsers never panic; they return one of these.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The input ends before the structure does (more bytes may complete it).
    #[error("incomplete input")]
    Incomplete,
    /// The structure is larger than the parser's bound.
    #[error("larger than the {limit}-byte bound")]
    TooLarge { limit: usize },
    /// The input is not the expected structure.
    #[error("malformed {what}")]
    Malformed { what: String },
}

impl ParseError {
    pub(crate) fn malformed(what: impl Into<String>) -> Self {
        ParseError::Malformed { what: what.into() }
    }
}

/// Why a network probe step failed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The TCP connect failed (refused, unreachable, reset).
    #[error("connect failed: {0}")]
    Connect(#[source] std::io::Error),
    /// Connect, handshake or reply did not complete in time. `received` is how many bytes had
    /// arrived (0: the peer said nothing at all, a tarpit or a silent port).
    #[error("{stage}: nothing usable within {after:?} ({received} bytes received)")]
    Timeout {
        stage: &'static str,
        after: Duration,
        received: usize,
    },
    /// The peer closed the connection before a complete reply.
    #[error("connection closed by peer before a complete reply ({received} bytes received)")]
    Closed { received: usize },
    /// The reply exceeded a bound (head size, header count, body cap).
    #[error("reply larger than the {limit}-byte bound")]
    TooLarge { limit: usize },
    /// The reply is not what the protocol says (garbage, another protocol).
    #[error("malformed reply: {what}")]
    Malformed { what: String },
    /// TLS handshake failure.
    #[error("TLS: {0}")]
    Tls(String),
    /// Other I/O error after connecting.
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
}

impl ProbeError {
    /// Whether the peer sent nothing at all (tarpit or silent service).
    pub fn is_silent(&self) -> bool {
        matches!(self, ProbeError::Timeout { received: 0, .. })
    }
}
