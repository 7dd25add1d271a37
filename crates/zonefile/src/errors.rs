//! Zone-file errors: where (file, line) and what ([`ZoneErrorKind`], with the short, escaped
//! token concerned). Every token an error carries went through [`show`].

use super::*;
use std::path::{Path, PathBuf};

/// A zone-file error, located by file and 1-based line (line 0: the file as a whole).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {kind}", file.display())]
pub struct ZoneError {
    pub file: PathBuf,
    pub line: usize,
    pub kind: ZoneErrorKind,
}

/// What went wrong. `token` and `path` fields hold file content as [`show`] quotes it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneErrorKind {
    // Files and includes.
    #[error("cannot read {what} \"{path}\": {reason}")]
    Unreadable {
        what: &'static str,
        path: String,
        reason: String,
    },
    #[error("cannot read \"{path}\": refusing to read a special file (/proc, /sys, /dev)")]
    SpecialFile { path: String },
    #[error("cannot read \"{path}\": not a regular file")]
    NotRegularFile { path: String },
    #[error("$INCLUDE \"{path}\" is outside the zone file's directory")]
    OutsideDirectory { path: String },
    #[error("$INCLUDE loop: \"{path}\" is already being read")]
    IncludeLoop { path: String },
    #[error("$INCLUDE nested more than {max} levels deep")]
    TooDeep { max: usize },
    #[error("too many files: more than {max} zone and include files")]
    TooManyFiles { max: usize },
    #[error("zone too large: more than {max} bytes across all files")]
    TooLarge { max: u64 },
    #[error("timed out reading the zone (--timeout)")]
    Timeout,

    // Lexing.
    #[error("unbalanced parenthesis: ')' without matching '('")]
    UnmatchedClose,
    #[error("unbalanced parenthesis: '(' is never closed")]
    UnclosedParen,
    #[error("unterminated quoted string")]
    UnterminatedString,
    #[error("backslash at end of line")]
    TrailingBackslash,
    #[error("invalid escape in \"{token}\" (expected \\X or \\DDD with DDD <= 255)")]
    BadEscape { token: String },

    // Values.
    #[error("invalid {what} \"{token}\"")]
    Invalid { what: &'static str, token: String },
    #[error("{what} \"{token}\" out of range (maximum {max})")]
    OutOfRange {
        what: &'static str,
        token: String,
        max: u64,
    },
    #[error("invalid domain name \"{token}\": {reason}")]
    BadName { token: String, reason: &'static str },
    #[error("relative name \"{token}\" but no $ORIGIN is set")]
    NoOrigin { token: String },
    #[error("class {token} is not allowed in a zone file")]
    ClassNotAllowed { token: String },
    #[error("unknown record type \"{token}\"")]
    UnknownType { token: String },
    #[error("record type \"{token}\" cannot appear in a zone file")]
    TypeNotAllowed { token: String },

    // Records.
    #[error("{rtype} record: missing RDATA")]
    MissingRdata { rtype: String },
    #[error("unexpected extra token \"{token}\" after {after}")]
    ExtraToken { token: String, after: String },
    #[error("{rtype} RDATA is {len} bytes, more than 65535")]
    RdataTooLong { rtype: String, len: usize },
    #[error("invalid RDATA for type {rtype} in \\# form: {reason}")]
    BadGenericRdata { rtype: String, reason: String },
    #[error("\\# RDATA length {declared} does not match the {actual} bytes of hex data")]
    GenericLength { declared: usize, actual: usize },
    #[error("SVCB parameter \"{token}\": {reason}")]
    SvcParam { token: String, reason: &'static str },
    #[error("record has a blank owner but there is no previous owner")]
    NoOwner,
    #[error("missing record type")]
    MissingType,
    #[error("no TTL given and no $TTL or previous TTL to default to")]
    NoTtl,
    #[error("duplicate {what} \"{token}\"")]
    Duplicate { what: &'static str, token: String },

    // Directives.
    #[error("{directive} needs an argument")]
    MissingArgument { directive: String },
    #[error("unknown directive \"{token}\"")]
    UnknownDirective { token: String },
    #[error("{0} is not supported")]
    Unsupported(&'static str),
}

impl ZoneErrorKind {
    pub(super) fn invalid(what: &'static str, raw: &[u8]) -> ZoneErrorKind {
        ZoneErrorKind::Invalid {
            what,
            token: show(raw),
        }
    }
}

/// An error located on a line of the current file.
#[derive(Debug)]
pub(super) struct Fail {
    pub(super) line: usize,
    pub(super) kind: ZoneErrorKind,
}

impl Fail {
    pub(super) fn new(line: usize, kind: ZoneErrorKind) -> Fail {
        Fail { line, kind }
    }

    pub(super) fn at(self, file: &Path) -> ZoneError {
        ZoneError {
            file: file.to_path_buf(),
            line: self.line,
            kind: self.kind,
        }
    }
}

/// File content as an error may quote it: a token of at most [`MAX_QUOTE`] bytes whole, a
/// longer one cut to its first [`CUT_QUOTE`] bytes, control bytes and non-ASCII escaped as
/// `\xNN` — so an error never prints a whole secret or a terminal escape.
pub(super) fn show(raw: &[u8]) -> String {
    let (shown, cut) = if raw.len() > MAX_QUOTE {
        (raw.get(..CUT_QUOTE).unwrap_or(raw), true)
    } else {
        (raw, false)
    };
    let mut out = String::new();
    for &b in shown {
        if b.is_ascii_graphic() || b == b' ' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    if cut {
        out.push('…');
    }
    out
}
