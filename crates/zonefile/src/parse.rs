//! The parser: entries to records, and the `$ORIGIN`, `$TTL` and `$INCLUDE` directives.

use super::*;
use hickory_proto::rr::{DNSClass, Name, Record};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub(super) struct Parser {
    pub(super) limits: Limits,
    /// Canonical directory includes must stay under (None: includes are refused).
    pub(super) root: Option<PathBuf>,
    pub(super) total_bytes: u64,
    pub(super) files: usize,
    pub(super) entries: u64,
    pub(super) records: Vec<Record>,
    /// `$TTL` (RFC 2308); persists across `$INCLUDE`, like BIND.
    pub(super) default_ttl: Option<u32>,
    pub(super) last_ttl: Option<u32>,
    pub(super) last_class: DNSClass,
    /// Canonical paths of the files being read, outermost first.
    pub(super) include_stack: Vec<PathBuf>,
}

impl Parser {
    pub(super) fn new(limits: &Limits, root: Option<PathBuf>) -> Parser {
        Parser {
            limits: limits.clone(),
            root,
            total_bytes: 0,
            files: 0,
            entries: 0,
            records: Vec::new(),
            default_ttl: None,
            last_ttl: None,
            last_class: DNSClass::IN,
            include_stack: Vec::new(),
        }
    }

    pub(super) fn run(
        mut self,
        src: &[u8],
        file: &Path,
        origin: Option<&Name>,
    ) -> Result<Vec<Record>, ZoneError> {
        let origin = origin.map(|n| n.iter().map(<[u8]>::to_vec).collect::<Labels>());
        self.parse_text(src, file, origin, None)?;
        Ok(self.records)
    }

    /// Reads one regular file (canonical path) within the byte and file budgets, never blocking
    /// and never reading special files.
    pub(super) fn read_file(
        &mut self,
        canonical: &Path,
        what: &'static str,
        shown: &str,
    ) -> Result<Vec<u8>, ZoneErrorKind> {
        let path = || shown.to_string();
        let unreadable = |e: std::io::Error| ZoneErrorKind::Unreadable {
            what,
            path: path(),
            reason: io_reason(&e),
        };
        use std::io::Read;
        if FORBIDDEN_ROOTS.iter().any(|r| canonical.starts_with(r)) {
            return Err(ZoneErrorKind::SpecialFile { path: path() });
        }
        if self.files >= self.limits.max_files {
            return Err(ZoneErrorKind::TooManyFiles {
                max: self.limits.max_files,
            });
        }
        let meta = std::fs::metadata(canonical).map_err(unreadable)?;
        if !meta.is_file() {
            return Err(ZoneErrorKind::NotRegularFile { path: path() });
        }
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Never block on open, even if the file was swapped for a FIFO since the check.
            options.custom_flags(libc::O_NONBLOCK);
        }
        let file = options.open(canonical).map_err(unreadable)?;
        // The type of what was actually opened.
        if !file.metadata().map_err(unreadable)?.is_file() {
            return Err(ZoneErrorKind::NotRegularFile { path: path() });
        }
        let budget = self.limits.max_total_bytes.saturating_sub(self.total_bytes);
        let mut bytes = Vec::new();
        file.take(budget.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(unreadable)?;
        self.total_bytes += bytes.len() as u64;
        if self.total_bytes > self.limits.max_total_bytes {
            return Err(ZoneErrorKind::TooLarge {
                max: self.limits.max_total_bytes,
            });
        }
        self.files += 1;
        Ok(bytes)
    }

    /// Parses one file's text. `$ORIGIN` and the current owner are local to the file: they are
    /// restored when an `$INCLUDE` returns (RFC 1035 section 5.1).
    pub(super) fn parse_text(
        &mut self,
        src: &[u8],
        file: &Path,
        origin: Option<Labels>,
        owner: Option<Labels>,
    ) -> Result<(), ZoneError> {
        let mut lexer = Lexer::new(src);
        let mut origin = origin;
        let mut owner = owner;
        while let Some(entry) = lexer.next_entry().map_err(|f| f.at(file))? {
            self.entries += 1;
            if self.entries % 256 == 0 {
                if let Some(deadline) = self.limits.deadline {
                    if Instant::now() >= deadline {
                        return Err(Fail::new(entry.line, ZoneErrorKind::Timeout).at(file));
                    }
                }
            }
            let Some(first) = entry.tokens.first() else {
                continue;
            };
            if !first.quoted && first.raw.first() == Some(&b'$') {
                self.directive(&entry, file, &mut origin, &owner)?;
            } else {
                self.record(&entry, &mut owner, origin.as_ref())
                    .map_err(|f| f.at(file))?;
            }
        }
        Ok(())
    }

    pub(super) fn directive(
        &mut self,
        entry: &Entry,
        file: &Path,
        origin: &mut Option<Labels>,
        owner: &Option<Labels>,
    ) -> Result<(), ZoneError> {
        let tokens = &entry.tokens;
        let Some(dir) = tokens.first() else {
            return Ok(());
        };
        let args = tokens.get(1..).unwrap_or_default();
        let fail = |line: usize, kind: ZoneErrorKind| Fail::new(line, kind).at(file);
        let arg_count = |min: usize, max: usize| {
            if args.len() < min {
                Err(fail(
                    entry.line,
                    ZoneErrorKind::MissingArgument {
                        directive: dir.text(),
                    },
                ))
            } else if let Some(extra) = args.get(max) {
                Err(fail(
                    extra.line,
                    ZoneErrorKind::ExtraToken {
                        token: extra.text(),
                        after: dir.text(),
                    },
                ))
            } else {
                Ok(())
            }
        };
        let name = dir.raw.to_ascii_uppercase();
        match name.as_slice() {
            b"$ORIGIN" => {
                arg_count(1, 1)?;
                if let Some(arg) = args.first() {
                    *origin = Some(parse_labels(arg, origin.as_ref()).map_err(|f| f.at(file))?);
                }
            }
            b"$TTL" => {
                arg_count(1, 1)?;
                if let Some(arg) = args.first() {
                    self.default_ttl = Some(parse_ttl(arg, MAX_TTL).map_err(|f| f.at(file))?);
                }
            }
            b"$INCLUDE" => {
                arg_count(1, 2)?;
                let Some(path_tok) = args.first() else {
                    return Ok(());
                };
                let inc_origin = match args.get(1) {
                    Some(t) => Some(parse_labels(t, origin.as_ref()).map_err(|f| f.at(file))?),
                    None => origin.clone(),
                };
                let raw = unescape(&path_tok.raw).map_err(|k| fail(path_tok.line, k))?;
                let shown = show(&raw);
                let rel = PathBuf::from(std::ffi::OsStr::from_bytes(&raw));
                let path = match file.parent() {
                    Some(dir) if rel.is_relative() => dir.join(&rel),
                    _ => rel,
                };
                let depth = self.include_stack.len();
                if depth > self.limits.max_depth {
                    return Err(fail(
                        path_tok.line,
                        ZoneErrorKind::TooDeep {
                            max: self.limits.max_depth,
                        },
                    ));
                }
                let canonical = std::fs::canonicalize(&path).map_err(|e| {
                    fail(
                        path_tok.line,
                        ZoneErrorKind::Unreadable {
                            what: "include file",
                            path: shown.clone(),
                            reason: io_reason(&e),
                        },
                    )
                })?;
                let inside = self.root.as_ref().is_some_and(|r| canonical.starts_with(r));
                if !inside {
                    return Err(fail(
                        path_tok.line,
                        ZoneErrorKind::OutsideDirectory {
                            path: shown.clone(),
                        },
                    ));
                }
                if self.include_stack.contains(&canonical) {
                    return Err(fail(
                        path_tok.line,
                        ZoneErrorKind::IncludeLoop {
                            path: shown.clone(),
                        },
                    ));
                }
                let bytes = self
                    .read_file(&canonical, "include file", &shown)
                    .map_err(|k| fail(path_tok.line, k))?;
                self.include_stack.push(canonical);
                let result = self.parse_text(&bytes, &path, inc_origin, owner.clone());
                self.include_stack.pop();
                result?;
            }
            b"$GENERATE" => {
                return Err(fail(
                    entry.line,
                    ZoneErrorKind::Unsupported("$GENERATE (a BIND extension)"),
                ));
            }
            _ => {
                return Err(fail(
                    entry.line,
                    ZoneErrorKind::UnknownDirective { token: dir.text() },
                ));
            }
        }
        Ok(())
    }

    pub(super) fn record(
        &mut self,
        entry: &Entry,
        owner: &mut Option<Labels>,
        origin: Option<&Labels>,
    ) -> Result<(), Fail> {
        let mut tokens = entry.tokens.as_slice();
        let owner_labels = if entry.blank_owner {
            owner
                .clone()
                .ok_or_else(|| Fail::new(entry.line, ZoneErrorKind::NoOwner))?
        } else {
            let (first, rest) = tokens
                .split_first()
                .ok_or_else(|| Fail::new(entry.line, ZoneErrorKind::MissingType))?;
            tokens = rest;
            parse_labels(first, origin)?
        };
        *owner = Some(owner_labels.clone());

        let mut ttl: Option<u32> = None;
        let mut class: Option<DNSClass> = None;
        while let Some((tok, rest)) = tokens.split_first() {
            if !tok.quoted && tok.raw.first().is_some_and(u8::is_ascii_digit) {
                if ttl.is_some() {
                    return Err(Fail::new(
                        tok.line,
                        ZoneErrorKind::Duplicate {
                            what: "TTL",
                            token: tok.text(),
                        },
                    ));
                }
                ttl = Some(parse_ttl(tok, MAX_TTL)?);
            } else if let Some(c) = parse_class(tok) {
                if class.is_some() {
                    return Err(Fail::new(
                        tok.line,
                        ZoneErrorKind::Duplicate {
                            what: "class",
                            token: tok.text(),
                        },
                    ));
                }
                class = Some(c?);
            } else {
                break;
            }
            tokens = rest;
        }
        let (type_tok, rdata_toks) = tokens
            .split_first()
            .ok_or_else(|| Fail::new(entry.line, ZoneErrorKind::MissingType))?;
        let code = parse_type(type_tok)?;

        let generic = rdata_toks.first().is_some_and(|t| t.is("\\#"));
        let rdata = if generic {
            let bytes = generic_rdata(type_tok.line, rdata_toks.get(1..).unwrap_or_default())?;
            make_rdata(code, bytes, true, entry.line)?
        } else {
            match encode_rdata(code, entry.line, rdata_toks, origin) {
                Ok(bytes) => make_rdata(code, bytes, false, entry.line)?,
                Err(_) if !strict(code) => opaque(code, rdata_toks),
                Err(f) => return Err(f),
            }
        };

        let ttl = match ttl.or(self.default_ttl).or(self.last_ttl) {
            Some(t) => t,
            None => return Err(Fail::new(entry.line, ZoneErrorKind::NoTtl)),
        };
        self.last_ttl = Some(ttl);
        let class = class.unwrap_or(self.last_class);
        self.last_class = class;

        let name = to_name(&owner_labels, entry.line)?;
        let mut record = Record::from_rdata(name, ttl, rdata);
        record.set_dns_class(class);
        self.records.push(record);
        Ok(())
    }
}
