//! The blobs of a history as one stream: `git rev-list --objects` (blobs only, each with the
//! path it was first seen at) relayed line by line into one `git cat-file --batch`, whose
//! output is read as it comes. Nothing here grows with the history: no object → path map, no
//! buffered listing, no list of wanted objects — the path travels with each object through
//! cat-file's `%(rest)`.

use super::git::{self, GitError};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Condvar, Mutex};

fn failed(e: impl std::fmt::Display) -> GitError {
    GitError::Failed(e.to_string())
}

/// One blob of the stream: its id, the path it was first seen at, its size. Its content is
/// the reader handed along with it (exactly `size` bytes; what the callee leaves is skipped).
pub struct Blob<'a> {
    pub sha: &'a str,
    pub path: &'a str,
    pub size: u64,
}

/// Objects the history names that the object database cannot produce.
pub struct Listed {
    pub missing: usize,
}

fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Calls `each` for every blob reachable from every ref, once per blob, in `rev-list` order.
/// `each` returns `Ok(false)` to stop early.
pub fn each_blob(
    top: &Path,
    mut each: impl FnMut(Blob<'_>, &mut dyn Read) -> std::io::Result<bool>,
) -> Result<Listed, GitError> {
    // `--filter=object:type=blob` leaves out trees (git ≥ 2.32); commits still come, without
    // a path, and are not relayed. Missing objects come as `?<sha>`: counted, not a failure.
    let mut list = git::command(top)
        .args([
            "rev-list",
            "--all",
            "--objects",
            "--missing=print",
            "--filter=object:type=blob",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => GitError::Missing,
            _ => failed(e),
        })?;
    let mut batch = match git::command(top)
        .args([
            "cat-file",
            "--buffer",
            "--batch=%(objectname) %(objecttype) %(objectsize) %(rest)",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            kill(&mut list);
            return Err(failed(e));
        }
    };
    let (Some(listing), Some(list_err), Some(wanted), Some(out)) = (
        list.stdout.take(),
        list.stderr.take(),
        batch.stdin.take(),
        batch.stdout.take(),
    ) else {
        kill(&mut list);
        kill(&mut batch);
        return Err(failed("no pipes to git"));
    };
    // The relay: rev-list's lines with a path go to cat-file as they come.
    let relay = std::thread::spawn(move || {
        let mut missing = 0usize;
        let mut reader = BufReader::with_capacity(1 << 16, listing);
        let mut writer = BufWriter::with_capacity(1 << 16, wanted);
        let mut line = Vec::with_capacity(256);
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            if line.first() == Some(&b'?') {
                missing += 1;
                continue;
            }
            // `<sha> <path>`: a blob; a bare `<sha>` is a commit (or an object a ref names
            // directly, which has no path).
            let has_path = line
                .iter()
                .position(|&b| b == b' ')
                .is_some_and(|p| line.len() > p + 2);
            if has_path && writer.write_all(&line).is_err() {
                break;
            }
        }
        let _ = writer.flush();
        missing
    });
    let stderr = std::thread::spawn(move || {
        let mut text = Vec::new();
        let mut e = list_err;
        let _ = e.by_ref().take(64 * 1024).read_to_end(&mut text);
        let _ = std::io::copy(&mut e, &mut std::io::sink());
        text
    });

    let mut missing = 0usize;
    let read = read_batch(out, &mut missing, &mut each);
    if read.is_err() || matches!(read, Ok(false)) {
        let _ = list.kill();
        let _ = batch.kill();
    }
    let list_status = list.wait().map_err(failed)?;
    let _ = batch.wait();
    missing += relay.join().unwrap_or(0);
    let err = stderr.join().unwrap_or_default();
    let finished = read?;
    if finished && !list_status.success() {
        let err = String::from_utf8_lossy(&err);
        return Err(failed(err.lines().next().unwrap_or("rev-list failed")));
    }
    Ok(Listed { missing })
}

/// Reads `cat-file --batch` output (`<sha> <type> <size> <path>\n<content>\n`, or
/// `<name> missing\n`) to its end. `Ok(false)`: `each` stopped it.
fn read_batch(
    out: impl Read,
    missing: &mut usize,
    each: &mut impl FnMut(Blob<'_>, &mut dyn Read) -> std::io::Result<bool>,
) -> Result<bool, GitError> {
    let mut reader = BufReader::with_capacity(1 << 18, out);
    let mut header = Vec::with_capacity(256);
    loop {
        header.clear();
        if reader.read_until(b'\n', &mut header).map_err(failed)? == 0 {
            return Ok(true);
        }
        if header.last() == Some(&b'\n') {
            header.pop();
        }
        let text = String::from_utf8_lossy(&header);
        let mut parts = text.splitn(4, ' ');
        let sha = parts.next().unwrap_or_default();
        let kind = parts.next().unwrap_or_default();
        let Some(size) = parts.next().and_then(|s| s.parse::<u64>().ok()) else {
            // `<name> missing` or `<name> ambiguous`: no content follows.
            *missing += 1;
            continue;
        };
        let path = parts.next().unwrap_or_default();
        let mut body = (&mut reader).take(size);
        let go_on = if kind == "blob" {
            each(Blob { sha, path, size }, &mut body).map_err(failed)?
        } else {
            true
        };
        if !go_on {
            return Ok(false);
        }
        // What the callee did not read (a binary's rest), and the newline after the content.
        std::io::copy(&mut body, &mut std::io::sink()).map_err(failed)?;
        let mut newline = [0u8; 1];
        reader.read_exact(&mut newline).map_err(failed)?;
    }
}

/// Bytes of blob content in flight between the reader and the scanning threads: the reader
/// waits while they hold more than the cap (one blob bigger than the cap goes alone).
pub struct Budget {
    used: Mutex<usize>,
    freed: Condvar,
    cap: usize,
}

impl Budget {
    pub fn new(cap: usize) -> Budget {
        Budget {
            used: Mutex::new(0),
            freed: Condvar::new(),
            cap,
        }
    }

    pub fn take(&self, n: usize) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used > 0 && *used + n > self.cap {
            used = self.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += n;
    }

    pub fn give(&self, n: usize) {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        *used = used.saturating_sub(n);
        self.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batch_reader_hands_blobs_with_paths_and_counts_missing_objects() {
        let out =
            b"aaa blob 5 src/a b.txt\nhello\nbbb missing\nccc commit 3 \nxyz\nddd blob 0 e\n\n";
        let mut missing = 0;
        let mut seen = Vec::new();
        let done = read_batch(
            &out[..],
            &mut missing,
            &mut |b: Blob<'_>, r: &mut dyn Read| {
                let mut s = String::new();
                r.read_to_string(&mut s)?;
                seen.push((b.sha.to_string(), b.path.to_string(), b.size, s));
                Ok(true)
            },
        )
        .expect("parsed");
        assert!(done);
        assert_eq!(missing, 1);
        assert_eq!(
            seen,
            vec![
                ("aaa".into(), "src/a b.txt".into(), 5, "hello".into()),
                ("ddd".into(), "e".into(), 0, String::new()),
            ]
        );
    }

    #[test]
    fn a_blob_left_unread_is_skipped_whole() {
        let out = b"aaa blob 5 a\nhello\nbbb blob 2 b\nhi\n";
        let mut missing = 0;
        let mut paths = Vec::new();
        read_batch(
            &out[..],
            &mut missing,
            &mut |b: Blob<'_>, _r: &mut dyn Read| {
                paths.push(b.path.to_string());
                Ok(true)
            },
        )
        .expect("parsed");
        assert_eq!(paths, vec!["a", "b"]);
    }

    #[test]
    fn the_budget_lets_one_oversized_blob_through() {
        let b = Budget::new(10);
        b.take(25);
        b.give(25);
        b.take(4);
        b.take(6);
        b.give(10);
    }
}
