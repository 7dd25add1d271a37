//! Lexer: splits the source into entries (one logical line each, parentheses joining lines),
//! and the `\X` / `\DDD` escapes.

use super::*;

#[derive(Debug, Clone)]
pub(super) struct Token {
    /// Token text with quotes removed but backslash escapes kept verbatim.
    pub(super) raw: Vec<u8>,
    pub(super) quoted: bool,
    pub(super) line: usize,
    /// No whitespace between this token and the previous one (e.g. `alpn="h2"`).
    pub(super) adjacent: bool,
}

impl Token {
    pub(super) fn is(&self, word: &str) -> bool {
        !self.quoted && self.raw.eq_ignore_ascii_case(word.as_bytes())
    }

    pub(super) fn text(&self) -> String {
        show(&self.raw)
    }
}

#[derive(Debug)]
pub(super) struct Entry {
    pub(super) line: usize,
    pub(super) blank_owner: bool,
    pub(super) tokens: Vec<Token>,
}

pub(super) struct Lexer<'a> {
    pub(super) src: &'a [u8],
    pub(super) pos: usize,
    pub(super) line: usize,
    pub(super) at_line_start: bool,
    pub(super) line_starts_blank: bool,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(src: &'a [u8]) -> Lexer<'a> {
        let pos = if src.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        Lexer {
            src,
            pos,
            line: 1,
            at_line_start: true,
            line_starts_blank: false,
        }
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.src.get(self.pos).copied()
    }

    pub(super) fn next_entry(&mut self) -> Result<Option<Entry>, Fail> {
        let mut entry: Option<Entry> = None;
        let mut depth = 0usize;
        let mut paren_line = 0usize;
        let mut adjacent = false;
        while let Some(c) = self.peek() {
            if self.at_line_start {
                self.at_line_start = false;
                self.line_starts_blank = c == b' ' || c == b'\t';
            }
            match c {
                b'\n' => {
                    self.pos += 1;
                    self.line += 1;
                    self.at_line_start = true;
                    adjacent = false;
                    if depth == 0 {
                        if let Some(e) = entry.take() {
                            return Ok(Some(e));
                        }
                    }
                }
                b' ' | b'\t' | b'\r' => {
                    self.pos += 1;
                    adjacent = false;
                }
                b';' => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                    adjacent = false;
                }
                b'(' => {
                    self.start(&mut entry);
                    if depth == 0 {
                        paren_line = self.line;
                    }
                    depth += 1;
                    self.pos += 1;
                    adjacent = false;
                }
                b')' => {
                    if depth == 0 {
                        return Err(Fail::new(self.line, ZoneErrorKind::UnmatchedClose));
                    }
                    depth -= 1;
                    self.pos += 1;
                    adjacent = false;
                }
                _ => {
                    self.start(&mut entry);
                    let line = self.line;
                    let (raw, quoted) = if c == b'"' {
                        (self.quoted()?, true)
                    } else {
                        (self.unquoted()?, false)
                    };
                    if let Some(e) = entry.as_mut() {
                        let adjacent = adjacent && !e.tokens.is_empty();
                        e.tokens.push(Token {
                            raw,
                            quoted,
                            line,
                            adjacent,
                        });
                    }
                    adjacent = true;
                }
            }
        }
        if depth > 0 {
            return Err(Fail::new(paren_line, ZoneErrorKind::UnclosedParen));
        }
        Ok(entry)
    }

    pub(super) fn start(&self, entry: &mut Option<Entry>) {
        if entry.is_none() {
            *entry = Some(Entry {
                line: self.line,
                blank_owner: self.line_starts_blank,
                tokens: Vec::new(),
            });
        }
    }

    /// Reads a quoted string (cursor on the opening quote); escapes are kept verbatim.
    pub(super) fn quoted(&mut self) -> Result<Vec<u8>, Fail> {
        let start_line = self.line;
        self.pos += 1;
        let mut raw = Vec::new();
        loop {
            match self.peek() {
                None | Some(b'\n') => {
                    return Err(Fail::new(start_line, ZoneErrorKind::UnterminatedString));
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(raw);
                }
                Some(b'\\') => {
                    raw.push(b'\\');
                    self.pos += 1;
                    match self.peek() {
                        None => {
                            return Err(Fail::new(start_line, ZoneErrorKind::UnterminatedString))
                        }
                        Some(c) => {
                            if c == b'\n' {
                                self.line += 1;
                            }
                            raw.push(c);
                            self.pos += 1;
                        }
                    }
                }
                Some(c) => {
                    raw.push(c);
                    self.pos += 1;
                }
            }
        }
    }

    pub(super) fn unquoted(&mut self) -> Result<Vec<u8>, Fail> {
        let mut raw = Vec::new();
        loop {
            match self.peek() {
                None | Some(b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"') => {
                    return Ok(raw)
                }
                Some(b'\\') => {
                    raw.push(b'\\');
                    self.pos += 1;
                    match self.peek() {
                        None | Some(b'\n') => {
                            return Err(Fail::new(self.line, ZoneErrorKind::TrailingBackslash));
                        }
                        Some(c) => {
                            raw.push(c);
                            self.pos += 1;
                        }
                    }
                }
                Some(c) => {
                    raw.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Escapes, names, numbers

/// Decodes one escape starting at `raw[i] == b'\\'`; returns the byte and the escape's length.
pub(super) fn escape_at(raw: &[u8], i: usize) -> Result<(u8, usize), ZoneErrorKind> {
    match raw.get(i + 1) {
        None => Err(bad_escape(raw)),
        Some(d) if d.is_ascii_digit() => {
            let value = raw
                .get(i + 1..i + 4)
                .filter(|ds| ds.iter().all(u8::is_ascii_digit))
                .map(|ds| {
                    ds.iter()
                        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
                })
                .and_then(|v| u8::try_from(v).ok())
                .ok_or_else(|| bad_escape(raw))?;
            Ok((value, 4))
        }
        Some(&x) => Ok((x, 2)),
    }
}

pub(super) fn unescape(raw: &[u8]) -> Result<Vec<u8>, ZoneErrorKind> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&c) = raw.get(i) {
        if c == b'\\' {
            let (b, n) = escape_at(raw, i)?;
            out.push(b);
            i += n;
        } else {
            out.push(c);
            i += 1;
        }
    }
    Ok(out)
}

fn bad_escape(raw: &[u8]) -> ZoneErrorKind {
    ZoneErrorKind::BadEscape { token: show(raw) }
}
