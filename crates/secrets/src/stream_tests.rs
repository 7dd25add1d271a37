//! Big files: a secret at any offset of a streamed file is found once, whole, on its line —
//! across a window's edge, where a value starts in one window and ends in the next, with the
//! reader handing out short reads, and through the tree walk's own window size.

use super::samples::{sample, Gen, ALNUM};
use super::scan::{engine, OVERLAP};
use super::tree;

/// Reads at most `n` bytes at a time (a pipe, a slow disk): the window must still fill.
struct Trickle<'a>(&'a [u8], usize);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.len().min(buf.len()).min(self.1);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

/// `len` bytes of filler lines with `secret` on its own line starting at byte `at` (rounded
/// to the line start before it); returns the text and the secret's first line.
fn plant(g: &mut Gen, len: usize, at: usize, secret: &str) -> (String, usize) {
    let filler = format!("{};\n", g.s(ALNUM, 99));
    let mut text = filler.repeat(at / filler.len());
    text.push_str(&"x".repeat(at - text.len()));
    text.push('\n');
    let line = text.matches('\n').count() + 1;
    text.push_str(secret.trim_end_matches('\n'));
    text.push('\n');
    while text.len() < len {
        text.push_str(&filler);
    }
    (text, line)
}

fn found(text: &str, window: usize, read: usize) -> Vec<(&'static str, usize)> {
    let (m, n) = engine()
        .expect("engine")
        .scan_reader("big.js", Trickle(text.as_bytes(), read), window)
        .expect("read");
    assert_eq!(n, text.len() as u64);
    m.expect("text")
        .into_iter()
        .map(|m| (m.rule.id, m.line))
        .collect()
}

/// The places where a streamed window hands over to the next (see `Engine::scan_reader`): a
/// value that starts before `keep` belongs to this window, the next one starts at `cut`, and
/// the raw window ends at `end`.
fn edges(window: usize) -> Vec<usize> {
    let keep = window - OVERLAP;
    let cut = keep - OVERLAP;
    let second_keep = cut + keep;
    vec![keep, cut, window, second_keep, cut + window]
}

#[test]
fn a_secret_at_any_offset_around_the_window_edges_is_found_once_on_its_line() {
    let window = 4 * OVERLAP;
    let mut g = Gen::new(21);
    for id in [
        "github-pat",
        "generic-secret",
        "private-key",
        "aws-secret-access-key",
    ] {
        let (secret, _) = sample(id, 5).expect("sample");
        for edge in edges(window) {
            for delta in [-300i64, -64, -17, -3, -1, 0, 1, 2, 5, 40, 257] {
                let at = (edge as i64 + delta) as usize;
                let (text, line) = plant(&mut g, 3 * window, at, &secret);
                let got = found(&text, window, 7_919);
                let whole: Vec<_> = engine()
                    .expect("engine")
                    .scan_bytes("big.js", text.as_bytes())
                    .into_iter()
                    .map(|m| (m.rule.id, m.line))
                    .collect();
                assert_eq!(got, whole, "{id} at {at} (edge {edge}{delta:+})");
                let ours: Vec<_> = got.iter().filter(|(r, _)| *r == id).collect();
                assert_eq!(ours.len(), 1, "{id} at {at}: {got:?}");
                assert_eq!(ours[0].1, line, "{id} at {at}");
            }
        }
    }
}

#[test]
fn a_file_bigger_than_the_window_is_streamed_by_the_tree_walk() {
    let dir = std::env::temp_dir().join(format!("lr-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut g = Gen::new(22);
    let (secret, _) = sample("stripe-secret-key", 6).expect("sample");
    // Just before the first window's kept part ends, and near the end of a file of two
    // windows and more.
    let at = tree::WINDOW - OVERLAP - 10;
    let (mut text, _) = plant(&mut g, 2 * tree::WINDOW + 5000, at, &secret);
    text.push_str(&secret);
    text.push_str("\nconsole.log(1);\n");
    let path = dir.join("huge.bundle.js");
    std::fs::write(&path, &text).expect("write");
    let scan = tree::scan_tree(engine().expect("engine"), &dir);
    let _ = std::fs::remove_dir_all(&dir);
    let want: Vec<usize> = text
        .match_indices(secret.as_str())
        .map(|(i, _)| text[..i].matches('\n').count() + 1)
        .collect();
    let got: Vec<usize> = scan
        .matches
        .iter()
        .filter(|m| m.rule.id == "stripe-secret-key")
        .map(|m| m.line)
        .collect();
    assert_eq!(scan.bytes, text.len() as u64);
    assert_eq!(want.len(), 2);
    assert_eq!(got, want);
}

/// A random key can hold two counting runs (`…06780…789…`): only three mark an example.
#[test]
fn a_random_key_with_two_counting_runs_is_a_key() {
    let hex = [
        "9dec", "c857", "894e", "268c", "fa4c", "b067", "80b5", "f3f9",
    ]
    .concat();
    let text = format!("SHOPIFY_SECRET={}_{hex}\n", ["shp", "ss"].concat());
    let found = engine()
        .expect("engine")
        .scan_bytes("src/shop.ts", text.as_bytes());
    assert!(
        found.iter().any(|m| m.rule.id == "shopify-shared-secret"),
        "{found:?}"
    );
    let example = format!(
        "SHOPIFY_SECRET={}_a123b456c789d0e1f2a3b4c5d6e7f8a9\n",
        "shpss"
    );
    let found = engine()
        .expect("engine")
        .scan_bytes("src/shop.ts", example.as_bytes());
    assert!(found.is_empty(), "{found:?}");
}
