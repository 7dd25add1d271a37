//! RFC 1035 master-file ("zone file") reader producing hickory-proto `Record`s.
//!
//! Syntax: RFC 1035 section 5 (entries, parentheses, comments, quoting, `\X` and `\DDD`
//! escapes, `@`, blank owners, `$ORIGIN`, `$INCLUDE`), RFC 2308 (`$TTL`), BIND TTL units
//! (`1h30m`), and RFC 3597 (`TYPEnnn`, `CLASSnnn`, `\# len hex`).
//!
//! Every record's RDATA is first built as uncompressed wire bytes and then decoded with
//! hickory's own `RData::read`, so the result is exactly what hickory would have read off the
//! wire. Names are built from raw labels (`Name::from_labels`), because hickory's text parser
//! reads `\DDD` as octal and rejects characters such as space, `:` or `/` inside labels.

use hickory_proto::rr::{Name, Record};
use std::path::Path;
use std::time::Instant;

/// Bounds on what one zone load may read: a zone file may come from anyone, so its `$INCLUDE`s
/// must not read outside its directory, read special files, block, or fan out without end.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Bytes read across the zone file and every included file.
    pub max_total_bytes: u64,
    /// Files read, the zone file included.
    pub max_files: usize,
    /// `$INCLUDE` nesting depth (the zone file itself is depth 0).
    pub max_depth: usize,
    /// Parsing stops with an error past this instant (`--timeout` covers parsing too).
    pub deadline: Option<Instant>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_total_bytes: 64 << 20,
            max_files: 64,
            max_depth: 8,
            deadline: None,
        }
    }
}

/// Reads a zone file from disk; `$INCLUDE` paths are resolved relative to the including file's directory.
/// `origin`: the initial $ORIGIN if the file does not set one (None: relative names before a $ORIGIN are an error).
pub fn parse_zone_file(path: &Path, origin: Option<&Name>) -> Result<Vec<Record>, ZoneError> {
    parse_zone_file_with(path, origin, &Limits::default())
}

/// [`parse_zone_file`] under explicit limits. Includes resolve only to regular files under the
/// zone file's own (canonical) directory.
pub fn parse_zone_file_with(
    path: &Path,
    origin: Option<&Name>,
    limits: &Limits,
) -> Result<Vec<Record>, ZoneError> {
    let shown = show(path.file_name().unwrap_or_default().as_encoded_bytes());
    let top = |kind: ZoneErrorKind| Fail::new(0, kind).at(path);
    let unreadable = |reason: String| {
        top(ZoneErrorKind::Unreadable {
            what: "zone file",
            path: shown.clone(),
            reason,
        })
    };
    let canonical = std::fs::canonicalize(path).map_err(|e| unreadable(io_reason(&e)))?;
    // Includes stay under the directory the zone file was named in (where relative includes
    // are resolved), even when the zone file itself is a symlink.
    let root = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => std::fs::canonicalize(d).ok(),
        _ => std::fs::canonicalize(".").ok(),
    }
    .or_else(|| canonical.parent().map(Path::to_path_buf))
    .ok_or_else(|| unreadable("not a file".to_string()))?;
    let mut parser = Parser::new(limits, Some(root));
    let bytes = parser
        .read_file(&canonical, "zone file", &shown)
        .map_err(top)?;
    parser.include_stack.push(canonical);
    parser.run(&bytes, path, origin)
}

/// Parses zone text. `file` is only used to label errors and to resolve `$INCLUDE` relative paths (its parent dir).
pub fn parse_zone_str(
    text: &str,
    file: &Path,
    origin: Option<&Name>,
) -> Result<Vec<Record>, ZoneError> {
    let root = file.parent().and_then(|d| {
        let d = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        std::fs::canonicalize(d).ok()
    });
    let limits = Limits::default();
    let mut parser = Parser::new(&limits, root);
    parser.total_bytes = text.len() as u64;
    parser.files = 1;
    parser
        .include_stack
        .push(std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf()));
    parser.run(text.as_bytes(), file, origin)
}

/// An I/O error's reason without the OS's path echo.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::WouldBlock => "would block (not a regular file)".to_string(),
        _ => e.to_string(),
    }
}

// ---------------------------------------------------------------------------------------------
// Limits

/// RFC 2181 section 8: TTLs are 31-bit.
const MAX_TTL: u64 = 0x7fff_ffff;
/// Longest token an error message quotes whole...
const MAX_QUOTE: usize = 24;
/// ...and how much of a longer one it shows.
const CUT_QUOTE: usize = 12;
/// Special file systems no zone file or include is ever read from.
const FORBIDDEN_ROOTS: &[&str] = &["/proc", "/sys", "/dev"];

/// An absolute domain name as raw labels (root = no labels).
type Labels = Vec<Vec<u8>>;

mod codec;
mod errors;
mod lex;
mod parse;
mod rdata;
mod svcb;
mod types;
mod values;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_errors;

use codec::*;
use errors::*;
use lex::*;
use parse::*;
use rdata::*;
use svcb::*;
use types::*;
use values::*;

pub use errors::{ZoneError, ZoneErrorKind};
pub use types::type_name;
