//! The HTML handover in a real browser: the demo's report is loaded by headless Chromium in a
//! frame 1280 px and 390 px wide, and the page's `scrollWidth` must not exceed the frame's
//! width (no sideways scrolling). Screenshots land in the temp directory
//! (`launchready-handover-1280.png`, `-390.png`).
//!
//! Without a `chromium` binary the browser part is skipped with a message, unless
//! `LAUNCHREADY_REQUIRE_CHROMIUM=1` demands it. The static part (one file, no external
//! assets, no literal Markdown backticks, an inline SVG chart) always runs.

mod common;

use common::launchready;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

/// Runs Chromium with a deadline; returns its stdout.
fn run_chromium(bin: &Path, args: &[String]) -> String {
    let profile = std::env::temp_dir().join(format!("launchready-chromium-{}", std::process::id()));
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--disable-extensions",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut out = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut s);
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = std::fs::remove_dir_all(&profile);
    reader.join().expect("reader")
}

/// A page that shows `report` in a frame `width` px wide and, once loaded, writes the frame
/// document's scrollWidth and clientWidth into its own DOM (read back with --dump-dom).
fn wrapper(report: &str, width: u32) -> String {
    let srcdoc = report.replace('&', "&amp;").replace('"', "&quot;");
    format!(
        "<!doctype html><html><body style=\"margin:0\">\
<iframe id=\"f\" style=\"border:0;width:{width}px;height:2000px\" srcdoc=\"{srcdoc}\"></iframe>\
<script>window.addEventListener('load',function(){{var d=document.getElementById('f').contentDocument.documentElement;\
document.body.setAttribute('data-measure',d.scrollWidth+'x'+d.clientWidth)}})</script></body></html>"
    )
}

fn measure(bin: &Path, dir: &Path, report: &str, width: u32, tag: &str) -> (u32, u32) {
    let page = dir.join(format!("wrapper-{tag}{width}.html"));
    std::fs::write(&page, wrapper(report, width)).expect("write wrapper");
    let dom = run_chromium(
        bin,
        &[
            format!("--window-size={},1000", width.max(500) + 20),
            "--virtual-time-budget=5000".into(),
            "--dump-dom".into(),
            format!("file://{}", page.display()),
        ],
    );
    let m = dom
        .split("data-measure=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_else(|| panic!("no measurement at {width} px in {} bytes of DOM", dom.len()));
    let (scroll, client) = m.split_once('x').expect("WxH");
    let shot = std::env::temp_dir().join(format!("launchready-handover-{tag}{width}.png"));
    run_chromium(
        bin,
        &[
            format!("--window-size={},1600", width.max(500) + 20),
            format!("--screenshot={}", shot.display()),
            format!("file://{}", page.display()),
        ],
    );
    (
        scroll.parse().expect("scrollWidth"),
        client.parse().expect("clientWidth"),
    )
}

fn demo_html() -> String {
    let run = launchready(["demo", "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

#[test]
fn the_html_handover_is_one_file_with_everything_a_client_needs() {
    let html = demo_html();
    // One file: nothing fetched from elsewhere, no script.
    for needle in ["<script", "<link", "src=\"http", "url(", "@import"] {
        assert!(!html.contains(needle), "external asset or script: {needle}");
    }
    // Markdown never shows literally: code spans became <code>.
    assert!(!html.contains('`'), "a literal backtick in the HTML");
    assert!(html.contains("<code>return 301 https://example.test$request_uri;</code>"));
    // Sections of the handover.
    for h in [
        "<h2>Ranked risks</h2>",
        "<h3>DNS map</h3>",
        "<h3>Certificates</h3>",
        "<h3>Email authentication</h3>",
        "<h3>Redirect chains</h3>",
        "<h3>Latency</h3>",
        "<dt>Date</dt>",
    ] {
        assert!(html.contains(h), "missing {h}");
    }
    assert!(html.contains("<svg class=\"chart\""), "no latency chart");
    // One certificate served on four hosts is one row.
    assert_eq!(
        html.matches("<td>CN=launchready sandbox CA</td>").count(),
        1
    );
    // One item per check, with all its subjects.
    assert_eq!(
        html.matches("<code>tls.cert.expiring</code> on 4 subjects")
            .count(),
        1
    );
    assert!(!html.contains("<pre>"));
}

#[test]
fn the_html_handover_does_not_scroll_sideways_in_chromium() {
    let Some(bin) = chromium() else {
        if std::env::var("LAUNCHREADY_REQUIRE_CHROMIUM").as_deref() == Ok("1") {
            panic!("LAUNCHREADY_REQUIRE_CHROMIUM=1 but no chromium on PATH");
        }
        eprintln!("skipped: no chromium on PATH (apt-get install chromium; LAUNCHREADY_REQUIRE_CHROMIUM=1 makes this fail)");
        return;
    };
    let html = demo_html();
    let dir = std::env::temp_dir().join(format!("launchready-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    for width in [1280, 390] {
        let (scroll, client) = measure(&bin, &dir, &html, width, "");
        assert_eq!(client, width, "the frame is {width} px wide");
        assert!(
            scroll <= client,
            "at {width} px the page is {scroll} px wide: it scrolls sideways"
        );
    }
    // The measurement can fail: a page wider than the frame is caught.
    let wide = html.replace("<body>", "<body><div style=\"width:900px\">wide</div>");
    let (scroll, client) = measure(&bin, &dir, &wide, 390, "control-");
    assert!(
        scroll > client,
        "a 900 px block was not measured ({scroll} ≤ {client})"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_markdown_handover_of_the_demo_has_the_inventory() {
    let run = launchready(["demo", "--format", "markdown"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let md = run.stdout;
    for h in [
        "## Ranked risks",
        "### DNS map",
        "### Certificates",
        "### Email authentication",
        "### Redirect chains",
        "### Latency",
    ] {
        assert!(md.contains(h), "missing {h}: {md}");
    }
    assert!(md.contains("| Date | ") && md.contains("| Tool | launchready "));
    // The DNS map: records by name, the apex's A and MX among them.
    assert!(md.contains("| example.test | A | "), "{md}");
    assert!(
        md.contains("| example.test | MX | 86400 | 10 mail.example.test. |"),
        "{md}"
    );
    // Email: SPF with its lookup count, DMARC policy.
    assert!(
        md.contains("| SPF result | ok; 1 of 10 DNS lookups, 0 void |"),
        "{md}"
    );
    assert!(md.contains("| DMARC policy | p=none"), "{md}");
    // One certificate on four hosts: one row; one checklist item.
    assert_eq!(
        md.matches("| CN=launchready sandbox CA |").count(),
        1,
        "{md}"
    );
    assert_eq!(
        md.matches("`tls.cert.expiring` on 4 subjects").count(),
        1,
        "{md}"
    );
    // Fixes name the audited domain, not a placeholder.
    assert!(
        !md.contains("<domain>") && !md.contains("example.com"),
        "{md}"
    );
    assert!(md.contains("`_smtp._tls.example.test TXT"), "{md}");
    // Latency per endpoint and load.
    assert!(md.contains(" | c=50 | 50 | "), "{md}");
}
