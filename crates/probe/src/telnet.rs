//! Telnet IAC handling: strip negotiation from the data stream and refuse every option
//! (DO → WONT, WILL → DONT), so that the server moves on to its login prompt.

pub const IAC: u8 = 255;
pub const DONT: u8 = 254;
pub const DO: u8 = 253;
pub const WONT: u8 = 252;
pub const WILL: u8 = 251;
pub const SB: u8 = 250;
pub const SE: u8 = 240;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum State {
    #[default]
    Data,
    Iac,
    /// After IAC DO/DONT/WILL/WONT, waiting for the option byte.
    Verb(u8),
    /// Inside IAC SB … IAC SE.
    Sub,
    SubIac,
}

/// Incremental decoder; negotiation may be split across reads.
#[derive(Clone, Debug, Default)]
pub struct TelnetDecoder {
    state: State,
    /// Number of negotiation commands seen (DO/DONT/WILL/WONT/SB).
    pub commands: usize,
}

impl TelnetDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feed bytes; appends data bytes to `data` and our replies to `replies`. Each distinct
    /// (verb, option) gets at most one reply per call of this function, and subnegotiation
    /// payloads are skipped without being stored.
    pub fn feed(&mut self, input: &[u8], data: &mut Vec<u8>, replies: &mut Vec<u8>) {
        for &b in input {
            self.state = match (self.state, b) {
                (State::Data, IAC) => State::Iac,
                (State::Data, _) => {
                    data.push(b);
                    State::Data
                }
                (State::Iac, IAC) => {
                    data.push(IAC);
                    State::Data
                }
                (State::Iac, DO | DONT | WILL | WONT) => State::Verb(b),
                (State::Iac, SB) => {
                    self.commands += 1;
                    State::Sub
                }
                (State::Iac, _) => State::Data, // NOP, GA, AYT, …: no data
                (State::Verb(v), opt) => {
                    self.commands += 1;
                    let reply = match v {
                        DO => Some(WONT),
                        WILL => Some(DONT),
                        _ => None, // DONT/WONT need no answer (we already refuse everything)
                    };
                    if let Some(r) = reply {
                        let seq = [IAC, r, opt];
                        if !replies.chunks(3).any(|c| c == seq) && replies.len() < 3 * 256 {
                            replies.extend_from_slice(&seq);
                        }
                    }
                    State::Data
                }
                (State::Sub, IAC) => State::SubIac,
                (State::Sub, _) => State::Sub,
                (State::SubIac, SE) => State::Data,
                (State::SubIac, _) => State::Sub,
            };
        }
    }
}

/// Strip telnet negotiation from a complete buffer: returns (data, replies we would send).
pub fn strip_iac(input: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut d = TelnetDecoder::new();
    let mut data = Vec::with_capacity(input.len());
    let mut replies = Vec::new();
    d.feed(input, &mut data, &mut replies);
    (data, replies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn busybox_style_negotiation() {
        // BusyBox telnetd opens with WILL ECHO, WILL SGA, DO NAWS (then sends the prompt).
        let input = [
            IAC, WILL, 1, IAC, WILL, 3, IAC, DO, 31, b'\r', b'\n', b'l', b'o', b'g', b'i', b'n',
            b':', b' ',
        ];
        let (data, replies) = strip_iac(&input);
        assert_eq!(data, b"\r\nlogin: ");
        assert_eq!(replies, [IAC, DONT, 1, IAC, DONT, 3, IAC, WONT, 31]);
    }

    #[test]
    fn subnegotiation_escaped_iac_and_split_input() {
        let input = [
            IAC, SB, 24, 1, IAC, IAC, 7, IAC, SE, b'a', IAC, IAC, b'b', IAC, 241, b'c',
        ];
        let (data, replies) = strip_iac(&input);
        assert_eq!(data, [b'a', IAC, b'b', b'c']);
        assert!(replies.is_empty());
        // the same stream fed one byte at a time
        let mut d = TelnetDecoder::new();
        let (mut data2, mut r2) = (Vec::new(), Vec::new());
        for b in input {
            d.feed(&[b], &mut data2, &mut r2);
        }
        assert_eq!(data2, data);
    }

    #[test]
    fn duplicate_requests_answered_once() {
        let (_, replies) = strip_iac(&[IAC, DO, 1, IAC, DO, 1, IAC, DONT, 5]);
        assert_eq!(replies, [IAC, WONT, 1]);
    }

    proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let (data, replies) = strip_iac(&bytes);
            prop_assert!(data.len() <= bytes.len());
            prop_assert!(replies.len() <= 3 * 256 + 3);
        }
    }
}
