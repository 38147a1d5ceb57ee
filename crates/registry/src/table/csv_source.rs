//! The CSV source of the table engine.

use std::io::{self, Cursor, Read};

use super::error::FileError;
use super::limits::MAX_RECORD_BYTES;
use super::row::{RawCell, RowInfo, RowSource, place};

pub(super) struct CsvSource<'a> {
    reader: csv::Reader<RecordGuard<Box<dyn Read + 'a>>>,
    record: csv::ByteRecord,
}

impl<'a> CsvSource<'a> {
    pub(super) fn new(reader: impl Read + 'a) -> Result<Self, FileError> {
        let (text, delimiter) = open_text(Box::new(reader))?;
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(RecordGuard::new(text, delimiter));
        Ok(CsvSource {
            reader,
            record: csv::ByteRecord::new(),
        })
    }
}

impl RowSource for CsvSource<'_> {
    fn next_row(&mut self, cells: &mut Vec<RawCell>) -> Result<Option<RowInfo>, FileError> {
        cells.clear();
        match self.reader.read_byte_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => return Ok(None),
            Err(e) => return Err(csv_error(e)),
        }
        // csv's own line count skips blank lines and counts CRLF oddly; the guard saw where
        // each record starts.
        let line = self.reader.get_mut().record_starts.pop_front().unwrap_or(0);
        let mut info = RowInfo {
            line,
            width: 0,
            columns: self.record.len(),
        };
        for (i, field) in self.record.iter().enumerate() {
            let cell = match std::str::from_utf8(field) {
                Ok(s) => {
                    let s = s.trim();
                    if s.is_empty() {
                        continue;
                    }
                    // The quote a CSV writer put in front of a formula-like value is not
                    // part of the value.
                    RawCell::Text(super::formula::strip_neutralizing_quote(s).to_owned())
                }
                Err(_) => RawCell::Bad("not valid UTF-8 text".to_owned()),
            };
            place(cells, i, cell, &mut info);
        }
        Ok(Some(info))
    }
}

fn csv_error(e: csv::Error) -> FileError {
    let line = e.position().map(csv::Position::line);
    match e.into_kind() {
        csv::ErrorKind::Io(io) => {
            if let Some(t) = io.get_ref().and_then(|r| r.downcast_ref::<TooLong>()) {
                FileError::RecordTooLong {
                    line: t.line,
                    limit: MAX_RECORD_BYTES,
                }
            } else {
                FileError::Csv(format!("read error: {io}"))
            }
        }
        kind => match line {
            Some(line) => FileError::Csv(format!("line {line}: {kind:?}")),
            None => FileError::Csv(format!("{kind:?}")),
        },
    }
}

/// Reads up to `n` bytes (fewer only at the end of input).
fn read_prefix(r: &mut dyn Read, n: usize) -> Result<Vec<u8>, FileError> {
    let mut buf = Vec::with_capacity(n.min(64 * 1024));
    r.take(n as u64)
        .read_to_end(&mut buf)
        .map_err(|e| FileError::Csv(format!("read error: {e}")))?;
    Ok(buf)
}

/// Decodes the start of a text file: UTF-8 (BOM stripped) or UTF-16 with a BOM; refuses
/// binary data; detects the delimiter. Returns UTF-8 text.
fn open_text<'a>(mut r: Box<dyn Read + 'a>) -> Result<(Box<dyn Read + 'a>, u8), FileError> {
    let head = read_prefix(&mut r, 3)?;
    let mut text: Box<dyn Read + 'a> = if let Some(rest) = head.strip_prefix(b"\xFF\xFE") {
        Box::new(Utf16Reader::new(Cursor::new(rest.to_vec()).chain(r), false))
    } else if let Some(rest) = head.strip_prefix(b"\xFE\xFF") {
        Box::new(Utf16Reader::new(Cursor::new(rest.to_vec()).chain(r), true))
    } else if head == b"\xEF\xBB\xBF" {
        r
    } else {
        Box::new(Cursor::new(head).chain(r))
    };
    let prefix = read_prefix(&mut text, 64 * 1024)?;
    if prefix.contains(&0) {
        return Err(FileError::UnsupportedFormat(
            "binary data, not CSV text".to_owned(),
        ));
    }
    let delimiter = detect_delimiter(&prefix);
    Ok((Box::new(Cursor::new(prefix).chain(text)), delimiter))
}

/// `,`, `;` or tab: the most frequent (outside quotes) in the first line that has any; `,`
/// when none does.
fn detect_delimiter(text: &[u8]) -> u8 {
    const CANDIDATES: [u8; 3] = [b',', b';', b'\t'];
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in text {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted && counts.iter().any(|&c| c > 0) => break,
            _ if !quoted => {
                if let Some(i) = CANDIDATES.iter().position(|&c| c == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for i in 1..3 {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    CANDIDATES[best]
}

/// The error a [`RecordGuard`] raises.
#[derive(Debug)]
struct TooLong {
    line: usize,
}

impl std::fmt::Display for TooLong {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "record starting at line {} is too long", self.line)
    }
}

impl std::error::Error for TooLong {}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Passes bytes through while following CSV quoting, and fails once a record grows beyond
/// [`MAX_RECORD_BYTES`], before the CSV reader buffers it.
///
/// It also notes the physical line on which each record starts (the first byte of a record
/// that is not a line break: the CSV reader skips blank lines), for the CSV source to take in
/// order.
struct RecordGuard<R> {
    inner: R,
    delimiter: u8,
    state: QuoteState,
    record_bytes: usize,
    line: usize,
    record_line: usize,
    at_record_start: bool,
    record_starts: std::collections::VecDeque<usize>,
}

impl<R> RecordGuard<R> {
    fn new(inner: R, delimiter: u8) -> Self {
        RecordGuard {
            inner,
            delimiter,
            state: QuoteState::FieldStart,
            record_bytes: 0,
            line: 1,
            record_line: 1,
            at_record_start: true,
            record_starts: std::collections::VecDeque::new(),
        }
    }
}

impl<R: Read> Read for RecordGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        for &b in &buf[..n] {
            use QuoteState::{FieldStart, QuoteInQuoted, Quoted, Unquoted};
            if self.at_record_start && b != b'\n' && b != b'\r' {
                self.at_record_start = false;
                self.record_line = self.line;
                self.record_starts.push_back(self.line);
            }
            let end_of_record = match (self.state, b) {
                (Quoted, b'"') => {
                    self.state = QuoteInQuoted;
                    false
                }
                (Quoted, _) => false,
                (QuoteInQuoted, b'"') => {
                    self.state = Quoted;
                    false
                }
                (FieldStart, b'"') => {
                    self.state = Quoted;
                    false
                }
                (_, b'\n' | b'\r') => true,
                (_, d) if d == self.delimiter => {
                    self.state = FieldStart;
                    false
                }
                _ => {
                    self.state = Unquoted;
                    false
                }
            };
            if b == b'\n' {
                self.line += 1;
            }
            if end_of_record {
                self.state = FieldStart;
                self.record_bytes = 0;
                self.at_record_start = true;
            } else {
                self.record_bytes += 1;
                if self.record_bytes > MAX_RECORD_BYTES {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        TooLong {
                            line: self.record_line,
                        },
                    ));
                }
            }
        }
        Ok(n)
    }
}

/// UTF-16 (after its BOM) → UTF-8; unpaired surrogates become U+FFFD.
struct Utf16Reader<R> {
    inner: R,
    big_endian: bool,
    out: Vec<u8>,
    pos: usize,
    odd: Option<u8>,
    high: Option<u16>,
    eof: bool,
}

impl<R> Utf16Reader<R> {
    fn new(inner: R, big_endian: bool) -> Self {
        Utf16Reader {
            inner,
            big_endian,
            out: Vec::new(),
            pos: 0,
            odd: None,
            high: None,
            eof: false,
        }
    }

    fn push(&mut self, c: char) {
        let mut b = [0u8; 4];
        self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    }

    fn unit(&mut self, u: u16) {
        if let Some(h) = self.high.take() {
            if (0xDC00..0xE000).contains(&u) {
                let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                self.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                return;
            }
            self.push('\u{FFFD}');
        }
        if (0xD800..0xDC00).contains(&u) {
            self.high = Some(u);
        } else {
            self.push(char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}'));
        }
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if self.pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.pos);
                buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if self.eof {
                return Ok(0);
            }
            self.out.clear();
            self.pos = 0;
            let mut raw = [0u8; 8192];
            let n = self.inner.read(&mut raw)?;
            if n == 0 {
                self.eof = true;
                if self.odd.take().is_some() || self.high.take().is_some() {
                    self.push('\u{FFFD}');
                }
                continue;
            }
            for &b in &raw[..n] {
                match self.odd.take() {
                    None => self.odd = Some(b),
                    Some(a) => {
                        let u = if self.big_endian {
                            u16::from_be_bytes([a, b])
                        } else {
                            u16::from_le_bytes([a, b])
                        };
                        self.unit(u);
                    }
                }
            }
        }
    }
}
