//! Untrusted text (DNS records, headers, file names, bodies) on its way out, one function per
//! output format. Every renderer passes what it did not write itself through the function of
//! its format at the point where the text leaves; JSON and SARIF are escaped by serde.
//!
//! Control characters are never emitted raw: they are shown escaped (`\x1b`, `\u{202e}`), so a
//! TXT record cannot clear the screen, move the cursor or reorder a line.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters a terminal or a reader would act on instead of showing: C0 and C1 controls, DEL,
/// the bidirectional overrides and isolates (they reorder what follows), and the non-characters
/// XML rejects. Tab and line feed are left to each caller.
fn hazardous(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
        || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// The visible form of a hazardous character: `\x1b` for ASCII controls, `\u{9b}` otherwise.
fn escaped(c: char, out: &mut String) {
    let n = c as u32;
    if n < 0x80 {
        let _ = write!(out, "\\x{n:02x}");
    } else {
        let _ = write!(out, "\\u{{{n:x}}}");
    }
}

/// Shows hazardous characters escaped; `keep` says which controls pass through as they are.
fn visible(s: &str, keep: fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(|c| hazardous(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if hazardous(c) && !keep(c) {
            escaped(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// For the terminal (the table and stderr): controls escaped, line feeds and tabs kept.
pub fn terminal(s: &str) -> Cow<'_, str> {
    visible(s, |c| c == '\n' || c == '\t')
}

/// For one terminal line (a table cell, a log line): every control escaped, line feed too.
pub fn terminal_line(s: &str) -> Cow<'_, str> {
    visible(s, |c| c == '\t')
}

/// For Markdown prose: controls escaped, a line break becomes a space, HTML-significant
/// characters become entities and Markdown metacharacters are backslash-escaped, so nothing in
/// the text becomes a tag, a link, an image, emphasis, a table cell or a heading.
pub fn markdown(s: &str) -> String {
    let shown = visible(s, |c| c == '\t');
    let mut out = String::with_capacity(shown.len() + 8);
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Untrusted text never starts a line (line breaks become spaces), so the
            // line-start markers (`#`, `-`, `1.`) cannot act; `(` only matters after `]`.
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// For Markdown text we wrote ourselves that may carry untrusted parts (a fix naming a host):
/// its `code spans` stay code spans (where nothing is interpreted), everything else is escaped
/// as [`markdown`]. A stray backtick makes the whole text escaped.
pub fn markdown_with_code(s: &str) -> String {
    with_code_spans(s, markdown, |code| {
        // Inside a code span only a line break (ends the item) and controls matter.
        let code = visible(code, |_| false).replace(['\n', '\r'], " ");
        format!("`{code}`")
    })
}

/// Splits text we wrote at its backticks and renders text parts and `code spans` each their
/// own way; a stray backtick (an odd count) renders the whole text as text.
fn with_code_spans(s: &str, text: fn(&str) -> String, code: fn(&str) -> String) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len() % 2 == 0 {
        return text(s);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| if i % 2 == 0 { text(part) } else { code(part) })
        .collect()
}

/// For HTML text and attribute values: controls escaped, then `& < > " '` as entities.
pub fn html(s: &str) -> String {
    let shown = visible(s, |c| c == '\n' || c == '\t');
    let mut out = String::with_capacity(shown.len() + 8);
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// For HTML from text we wrote that may carry untrusted parts: escaped as [`html`], and its
/// `code spans` shown as `<code>` (a stray backtick leaves everything as text).
pub fn html_with_code(s: &str) -> String {
    with_code_spans(s, html, |code| format!("<code>{}</code>", html(code)))
}

/// For XML 1.0 text and attribute values: only characters XML 1.0 allows (controls other than
/// tab, LF and CR, and U+FFFE/U+FFFF are shown escaped instead), then the five entities. Line
/// breaks and tabs become character references so attribute values keep them.
pub fn xml(s: &str) -> String {
    let shown = visible(s, |c| matches!(c, '\n' | '\t' | '\r'));
    let mut out = String::with_capacity(shown.len() + 8);
    for c in shown.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            _ => out.push(c),
        }
    }
    out
}

/// Whether `c` may appear in an XML 1.0 document (the `Char` production).
pub fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str =
        "v=DMARC1;\x1b[2J\x1b[H GO - all checks passed\r\u{9b}31m <img src=x onerror=alert(1)> \u{ffff}\u{202e}evil";

    #[test]
    fn terminal_shows_controls_escaped() {
        let t = terminal(HOSTILE);
        assert!(!t.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
        assert!(t.contains("\\x1b[2J"), "{t}");
        assert!(t.contains("\\x0d"), "{t}");
        assert!(t.contains("\\u{9b}"), "{t}");
        assert!(t.contains("\\u{202e}"), "{t}");
        assert!(t.contains("\\u{ffff}"), "{t}");
        assert_eq!(terminal("plain text\nline"), "plain text\nline");
        assert!(matches!(terminal("plain"), Cow::Borrowed(_)));
        assert_eq!(terminal_line("a\nb"), "a\\x0ab");
    }

    #[test]
    fn markdown_is_inert() {
        let m = markdown(HOSTILE);
        assert!(!m.contains('<'), "{m}");
        assert!(!m.contains('\x1b'));
        assert!(!m.contains('\n') && !m.contains('\r'));
        assert!(m.contains("&lt;img src=x onerror=alert(1)&gt;"), "{m}");
        assert_eq!(
            markdown("[click](https://evil)"),
            "\\[click\\](https://evil)"
        );
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("![x](y)"), "!\\[x\\](y)");
        assert_eq!(markdown("**bold** `code`"), "\\*\\*bold\\*\\* \\`code\\`");
    }

    #[test]
    fn markdown_keeps_our_code_spans() {
        assert_eq!(
            markdown_with_code("Publish `v=DMARC1; p=none` at <_dmarc>"),
            "Publish `v=DMARC1; p=none` at &lt;\\_dmarc&gt;"
        );
        // Unbalanced: everything escaped.
        assert_eq!(markdown_with_code("a ` <b>"), "a \\` &lt;b&gt;");
        assert_eq!(markdown_with_code("`\x1b[2J`"), "`\\x1b[2J`");
    }

    #[test]
    fn html_escapes_everything_untrusted() {
        let h = html(HOSTILE);
        assert!(!h.contains('<') && !h.contains('\x1b') && !h.contains('\u{ffff}'));
        assert!(h.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert_eq!(html("a\"b'c&"), "a&quot;b&#39;c&amp;");
    }

    #[test]
    fn html_code_spans_are_code_and_escaped() {
        assert_eq!(
            html_with_code("Publish `<domain> TXT` now <b>"),
            "Publish <code>&lt;domain&gt; TXT</code> now &lt;b&gt;"
        );
        assert_eq!(html_with_code("a ` <b>"), "a ` &lt;b&gt;");
    }

    #[test]
    fn xml_has_only_legal_characters() {
        let x = xml(HOSTILE);
        assert!(x.chars().all(xml_char), "{x:?}");
        assert!(!x.contains('<'));
        assert!(x.contains("\\u{ffff}") && x.contains("\\x1b"));
        assert_eq!(xml("a\nb\u{fffe}\u{0}"), "a&#10;b\\u{fffe}\\x00");
        assert!(!xml_char('\u{ffff}') && !xml_char('\u{1}') && xml_char('\u{10ffff}'));
    }
}
