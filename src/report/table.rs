//! The terminal report: a verdict banner, the ranked findings and the stage summary.

use super::{sanitize, Report, StageStatus};
use crate::finding::{Severity, Verdict};
use comfy_table::{presets, Cell, Color, ContentArrangement, Table};

fn severity_color(s: Severity) -> Color {
    match s {
        Severity::Blocker => Color::Red,
        Severity::High => Color::Magenta,
        Severity::Medium => Color::Yellow,
        Severity::Low => Color::Cyan,
        Severity::Info => Color::Grey,
    }
}

/// Untrusted text for one cell or line: every control character shown escaped.
fn clean(s: &str) -> String {
    sanitize::terminal_line(s).into_owned()
}

/// The first line of `s`, at most `max` characters, controls escaped.
fn first_line(s: &str, max: usize) -> String {
    let line = clean(s.lines().next().unwrap_or(""));
    if line.chars().count() > max {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        line.to_string()
    }
}

fn new_table(color: bool, width: u16) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(width);
    if color {
        t.enforce_styling();
    } else {
        t.force_no_tty();
    }
    t
}

/// Renders the report with the ranked list (one entry per check); `color` only when writing
/// to a terminal without NO_COLOR.
pub fn render(report: &Report, color: bool, width: u16) -> String {
    render_with(report, color, width, false)
}

/// `verbose` (`-v`): every finding as its own row, with its evidence, instead of the ranked
/// list.
pub fn render_with(report: &Report, color: bool, width: u16, verbose: bool) -> String {
    let cols = usize::from(width).clamp(40, 200);
    let mut out = wrap(
        &format!(
            "launchready {} — {} ({})",
            report.tool.version, report.target.domain, report.target.url
        ),
        cols,
        "",
        "  ",
    );
    // The banner: wrapped first (its padding included), then coloured line by line.
    let headline = wrap(&report.headline(), cols.saturating_sub(2), "", "  ");
    for line in headline.lines() {
        if color {
            let code = match report.verdict {
                Verdict::NoGo => "1;97;41",
                Verdict::Incomplete => "1;30;43",
                Verdict::Go => "1;97;42",
            };
            out.push_str(&format!("\x1b[{code}m {line} \x1b[0m\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    let s = &report.summary;
    out.push_str(&format!(
        "{} blocker · {} high · {} medium · {} low · {} info   (fail-on: {})\n\n",
        s.blocker, s.high, s.medium, s.low, s.info, report.fail_on
    ));

    if report.findings.is_empty() {
        out.push_str("No findings.\n\n");
    } else if !verbose {
        out.push_str(&ranked(report, color, width));
    } else {
        let mut t = new_table(color, width);
        t.set_header(vec!["Severity", "Check", "Subject", "Evidence", "Fix"]);
        for f in &report.findings {
            let sev = if f.suppressed {
                Cell::new(format!("{} (suppressed)", f.severity))
            } else if color {
                Cell::new(f.severity.as_str()).fg(severity_color(f.severity))
            } else {
                Cell::new(f.severity.as_str())
            };
            t.add_row(vec![
                sev,
                Cell::new(clean(&f.id)),
                Cell::new(clean(&f.subject)),
                Cell::new(first_line(&f.evidence, 160)),
                Cell::new(first_line(&report.fix_for(f), 160)),
            ]);
        }
        out.push_str(&t.to_string());
        out.push_str("\n\n");
    }

    if !report.not_checked.is_empty() {
        out.push_str(&not_checked(report, width));
    }

    if !report.latency.is_empty() {
        out.push_str(&latency_lines(report, width));
    }

    let mut t = new_table(color, width);
    t.set_header(vec!["Stage", "Status", "Time", "Note"]);
    for st in &report.stages {
        let status = match st.status {
            StageStatus::Ran => "ran",
            StageStatus::Partial => "PARTIAL",
            StageStatus::Skipped => "skipped",
            StageStatus::Failed => "FAILED",
        };
        let mut cell = Cell::new(status);
        if color && st.status == StageStatus::Failed {
            cell = cell.fg(Color::Red);
        }
        let time = if st.status == StageStatus::Skipped {
            String::from("—")
        } else {
            format!("{} ms", st.duration_ms)
        };
        t.add_row(vec![
            Cell::new(st.stage.as_str()),
            cell,
            Cell::new(time),
            Cell::new(clean(&st.note)),
        ]);
    }
    out.push_str(&t.to_string());
    out.push('\n');
    for note in &report.notes {
        out.push_str(&wrap(note, cols, "note: ", "      "));
    }
    out.push_str(&wrap(
        &format!(
            "{} ms, {} DNS queries. `launchready explain <CHECK>` tells why a check matters and how to fix it.",
            report.duration_ms, report.dns_queries
        ),
        cols,
        "",
        "",
    ));
    out
}

/// Word-wraps `text` (controls escaped) to `width` columns, every line after the first
/// starting with `indent`; a word longer than a line is cut.
fn wrap(text: &str, width: usize, first: &str, indent: &str) -> String {
    let text = clean(text);
    let mut lines: Vec<String> = Vec::new();
    let mut line = first.to_string();
    let mut len = first.chars().count();
    let mut empty = true;
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        loop {
            let sep = usize::from(!empty);
            if len + sep + word.len() <= width {
                if !empty {
                    line.push(' ');
                }
                line.extend(word.iter());
                len += sep + word.len();
                empty = false;
                break;
            }
            if !empty {
                lines.push(std::mem::replace(&mut line, indent.to_string()));
                len = indent.chars().count();
                empty = true;
                continue;
            }
            // A word longer than a whole line: cut it.
            let room = width.saturating_sub(len).max(1);
            let rest = word.split_off(room.min(word.len()));
            line.extend(word.iter());
            lines.push(std::mem::replace(&mut line, indent.to_string()));
            len = indent.chars().count();
            word = rest;
            if word.is_empty() {
                break;
            }
        }
    }
    if !empty || lines.is_empty() {
        lines.push(line);
    }
    lines.join("\n") + "\n"
}

/// The ranked risk list: one entry per check, in rank order, with how many subjects it hit,
/// the subjects (a few; `-v` shows every row) and the fix once. Plain lines, so it fits any
/// terminal width.
fn ranked(report: &Report, color: bool, width: u16) -> String {
    const SHOWN: usize = 6;
    let width = usize::from(width).clamp(40, 200);
    let mut groups: Vec<Vec<&crate::finding::Finding>> = Vec::new();
    for f in report.findings.iter().filter(|f| !f.suppressed) {
        match groups.iter_mut().find(|g| g[0].id == f.id) {
            Some(g) => g.push(f),
            None => groups.push(vec![f]),
        }
    }
    let open: usize = groups.iter().map(Vec::len).sum();
    let mut out = format!(
        "Ranked risks — {} check{}, {open} finding{} (-v: every finding with its evidence):\n",
        groups.len(),
        if groups.len() == 1 { "" } else { "s" },
        if open == 1 { "" } else { "s" },
    );
    for (i, g) in groups.iter().enumerate() {
        let f = g[0];
        let sev = format!("{:<7}", f.severity.as_str().to_uppercase());
        let sev = if color {
            let code = match f.severity {
                Severity::Blocker => "1;31",
                Severity::High => "1;35",
                Severity::Medium => "33",
                Severity::Low => "36",
                Severity::Info => "2",
            };
            format!("\x1b[{code}m{sev}\x1b[0m")
        } else {
            sev
        };
        out.push_str(&format!(
            "{:>2}. {sev} {}",
            i + 1,
            wrap(
                &format!("{} ({}) — {}", f.id, g.len(), f.title),
                width.saturating_sub(12),
                "",
                "            "
            )
        ));
        let mut subjects: Vec<&str> = g.iter().take(SHOWN).map(|f| f.subject.as_str()).collect();
        let more = g.len().saturating_sub(SHOWN);
        let more_text = format!("… and {more} more");
        if more > 0 {
            subjects.push(&more_text);
        }
        out.push_str(&wrap(&subjects.join(", "), width, "    on: ", "        "));
        out.push_str(&wrap(&report.fix_for(f), width, "    fix: ", "         "));
    }
    let accepted: Vec<_> = report.findings.iter().filter(|f| f.suppressed).collect();
    if !accepted.is_empty() {
        out.push_str("Accepted risks (suppressed):\n");
        for f in accepted {
            out.push_str(&wrap(
                &format!(
                    "{} {} on {}: {}",
                    f.severity,
                    f.id,
                    f.subject,
                    f.suppression.as_deref().unwrap_or("suppressed")
                ),
                width,
                "  - ",
                "    ",
            ));
        }
    }
    out.push('\n');
    out
}

/// What could not be checked: each reason once, then each check id with its subjects on one
/// line cut to the terminal's width.
fn not_checked(report: &Report, width: u16) -> String {
    let width = usize::from(width).max(40);
    let n = report.not_checked.len();
    let mut out = format!(
        "Not checked ({n}) — the verdict cannot vouch for {}:\n",
        if n == 1 { "this check" } else { "these checks" }
    );
    for (reason, checks) in report.not_checked_by_reason() {
        out.push_str(&wrap(reason, width, "  because ", "    "));
        let id_width = checks.iter().map(|(id, _)| id.len()).max().unwrap_or(0);
        for (id, subjects) in checks {
            let line = format!("    {id:<id_width$}  {}", subjects.join(", "));
            out.push_str(&first_line(&line, width));
            out.push('\n');
        }
    }
    out.push('\n');
    out
}

/// One compact line per endpoint and load (the endpoint said once above its loads), then the
/// first request's phases, wrapped: plain lines, so they fit an 80-column terminal.
fn latency_lines(report: &Report, width: u16) -> String {
    let width = usize::from(width).clamp(40, 200);
    let ms = |x: f64| {
        if x < 10.0 {
            format!("{x:.1}")
        } else {
            format!("{x:.0}")
        }
    };
    let mut out = String::from("Latency (ms):\n");
    let mut last: Option<&str> = None;
    for l in &report.latency {
        if last != Some(l.endpoint.as_str()) {
            out.push_str(&wrap(
                &format!("{} (budget {} ms)", l.endpoint, l.budget_ms),
                width,
                "  ",
                "    ",
            ));
            last = Some(&l.endpoint);
        }
        let line = format!(
            "    {:<8} {:>4} req {:>3} err  p50 {:>5}  p95 {:>5}  p99 {:>5}  max {:>5}",
            l.load(),
            l.requests,
            l.errors,
            ms(l.p50_ms),
            ms(l.p95_ms),
            ms(l.p99_ms),
            ms(l.max_ms),
        );
        if line.chars().count() <= width {
            out.push_str(&clean(&line));
            out.push('\n');
        } else {
            out.push_str(&wrap(&line, width, "    ", "      "));
        }
    }
    let first = report.inventory.latency.as_ref();
    if let Some(p) = first.and_then(|l| l.first_request.as_ref()) {
        out.push_str(&wrap(
            &format!(
                "first request {}: dns {} ms · connect {} ms · tls {} ms · ttfb {} ms · total {} ms",
                p.url,
                ms(p.dns_ms),
                ms(p.connect_ms),
                p.tls_ms.map(ms).unwrap_or_else(|| "—".into()),
                ms(p.ttfb_ms),
                ms(p.total_ms),
            ),
            width,
            "",
            "  ",
        ));
    }
    out.push('\n');
    out
}
