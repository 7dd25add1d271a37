//! The `secrets` stage: the source repository's working tree, its tracked `.env` files and
//! (with `--history`, and always under `audit --repo`) every blob of its git history, scanned
//! by the secrets engine (`crate::secrets`). Findings show the rule, `PATH:LINE` and a
//! redacted form — never a value.

use super::StageOutput;
use crate::audit::Context;
use crate::check::{evaluate_all, Check, CheckDoc, Observed, Outcomes, Stage};
use crate::config::Date;
use crate::finding::{Impact, Severity};
use crate::secrets::env::{self, Assignment};
use crate::secrets::history::{self, HistoryMatch, Introduced};
use crate::secrets::tree::{self, MAX_FILE_BYTES};
use crate::secrets::{engine, Kind, Match, RULES};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// A secret that is in the history but no longer in the working tree.
#[derive(Debug, Clone)]
pub struct PastSecret {
    pub found: Match,
    pub introduced: Option<Introduced>,
}

/// A `.env` file that git tracks.
#[derive(Debug, Clone)]
pub struct TrackedEnv {
    pub path: String,
    pub assignments: Vec<Assignment>,
}

/// Everything the scans saw.
#[derive(Debug, Default)]
pub struct SecretsObservation {
    /// Secrets in files of the working tree (tracked, or not ignored).
    pub tree: Vec<Match>,
    /// Client-prefixed secrets in git-ignored `.env*` files of a JavaScript project.
    pub ignored_env: Vec<Match>,
    pub history: Vec<PastSecret>,
    pub tracked_env: Vec<TrackedEnv>,
    /// The history was asked for and could not be seen whole: (subject, reason). Not a
    /// repository, a shallow clone, missing objects, git failing or absent.
    pub history_unseen: Option<(String, String)>,
    /// What git tracks is unknown (git absent or failing): (subject, reason).
    pub tracked_unseen: Option<(String, String)>,
    /// Files of the tree that could not be scanned (too large, unreadable): (subject, reason).
    pub tree_unseen: Vec<(String, String)>,
}

/// `RULE (description): REDACTED; fingerprint:RULE:HASH` — the fingerprint is what a
/// `[[suppress]]` subject may name so that the suppression survives the line moving.
fn evidence(m: &Match) -> String {
    let mut e = format!("{} ({}): {}", m.rule.id, m.rule.description, m.redacted);
    if let Some(fp) = m.fingerprint() {
        e.push_str("; ");
        e.push_str(&fp);
    }
    e
}

/// Directories whose keys are, on real histories, mostly test keys: a test suite, its data and
/// fixtures, or a vendored third-party tree.
const TEST_TREES: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "testdata",
    "test-data",
    "test_data",
    "fixtures",
    "third-party",
    "third_party",
    "thirdparty",
    "vendor",
];

/// The test or vendored directory that holds `label` (a path), if any.
fn test_tree(label: &str) -> Option<&'static str> {
    let mut dirs = label.split('/').collect::<Vec<_>>();
    dirs.pop(); // the file name
    dirs.iter().find_map(|d| {
        TEST_TREES
            .iter()
            .find(|t| d.eq_ignore_ascii_case(t))
            .copied()
    })
}

/// One step less severe.
fn lower(s: Severity) -> Severity {
    match s {
        Severity::Blocker => Severity::High,
        Severity::High => Severity::Medium,
        Severity::Medium => Severity::Low,
        Severity::Low | Severity::Info => Severity::Info,
    }
}

/// A key in a test or vendored tree ranks one step below a live one, and the evidence says why.
fn rank_test_tree(f: &mut crate::finding::Finding, label: &str) {
    if let Some(dir) = test_tree(label) {
        f.severity = lower(f.severity);
        f.evidence.push_str(&format!(
            "; ranked one step lower: it is under a {dir}/ directory, where most keys are test \
             or vendored fixtures (rotate it anyway if it is a real key)"
        ));
    }
}

/// The less severe of a rule's severity and a check's ceiling.
fn capped(rule: Severity, ceiling: Severity) -> Severity {
    rule.max(ceiling)
}

// ---------------------------------------------------------------------------------------
// The checks: one unit per id.

pub struct TreeSecret;
static TREE: CheckDoc = CheckDoc {
    id: "secrets.tree",
    stage: Stage::Secrets,
    severity: Severity::Blocker,
    impact: Impact::Security,
    title: "A secret is committed in the source tree",
    catches: "A credential (cloud, payment, code-hosting, messaging, AI, database or private key; 50+ kinds) in a file of the working tree that git tracks or would commit. Placeholders, documentation examples and test-mode keys are told apart; test keys are reported at a lower severity.",
    why: "Anyone who can read the repository — every contractor, CI provider and future open-sourcing — can spend your money, read your users' data or push as you. Bots scrape public repositories for keys within minutes of a push.",
    fix: "Rotate the key at its provider now, then move it to the deployment's secret store or an untracked `.env` and read it from the environment. Deleting the line is not enough: the old value stays in git history, so rotate first.",
    refs: &["https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/", "https://docs.github.com/en/code-security/secret-scanning/about-secret-scanning"],
};
impl Check<SecretsObservation> for TreeSecret {
    fn doc(&self) -> &'static CheckDoc {
        &TREE
    }
    fn evaluate(&self, o: &SecretsObservation, out: &mut Outcomes) {
        for (subject, reason) in &o.tree_unseen {
            out.unseen(self.doc(), subject.clone(), reason.clone());
        }
        // One finding per secret and file; repeats in the same file are counted.
        let mut seen: BTreeMap<(&str, &str, [u8; 32]), (usize, &Match)> = BTreeMap::new();
        for m in o.tree.iter().filter(|m| m.rule.kind == Kind::Secret) {
            seen.entry((m.label.as_str(), m.rule.id, m.digest))
                .and_modify(|e| e.0 += 1)
                .or_insert((0, m));
        }
        // Files that hold an AWS secret access key: an access key id without one is half a
        // credential (it identifies an account, it does not authenticate).
        let aws_secrets: HashSet<&str> = o
            .tree
            .iter()
            .filter(|m| m.rule.id == "aws-secret-access-key")
            .map(|m| m.label.as_str())
            .collect();
        for (more, m) in seen.into_values() {
            let mut f = self.doc().finding(m.subject(), evidence(m));
            if more > 0 {
                f.evidence
                    .push_str(&format!("; {more} more time(s) in this file"));
            }
            f.severity = capped(m.rule.severity, TREE.severity);
            if m.rule.id == "aws-access-key-id" && !aws_secrets.contains(m.label.as_str()) {
                f.severity = lower(f.severity);
                f.evidence.push_str(
                    "; ranked one step lower: a key id without its secret access key in this \
                     file (look for the secret elsewhere before dismissing it)",
                );
            }
            rank_test_tree(&mut f, &m.label);
            out.push(f);
        }
    }
}

pub struct HistorySecret;
static HISTORY: CheckDoc = CheckDoc {
    id: "secrets.history",
    stage: Stage::Secrets,
    severity: Severity::High,
    impact: Impact::Security,
    title: "A secret is in the git history (deleted, but still valid until rotated)",
    catches: "A credential in a blob reachable from any branch or tag that is no longer in the working tree; the finding names the commit that introduced it.",
    why: "Every clone and fork carries the whole history, and a key deleted in a later commit is still one `git log -p` away. Only rotation makes it harmless.",
    fix: "Rotate the key at its provider. Rewriting history (git filter-repo) only helps after rotation, and only for clones made afterwards.",
    refs: &["https://docs.github.com/en/authentication/keeping-your-account-and-data-secure/removing-sensitive-data-from-a-repository", "https://github.com/newren/git-filter-repo"],
};
impl Check<SecretsObservation> for HistorySecret {
    fn doc(&self) -> &'static CheckDoc {
        &HISTORY
    }
    fn evaluate(&self, o: &SecretsObservation, out: &mut Outcomes) {
        if let Some((subject, reason)) = &o.history_unseen {
            out.unseen(self.doc(), subject.clone(), reason.clone());
        }
        for p in o
            .history
            .iter()
            .filter(|p| p.found.rule.kind == Kind::Secret)
        {
            let m = &p.found;
            let when = match &p.introduced {
                Some(i) => format!(
                    "introduced in commit {} ({})",
                    i.commit,
                    Date::from_days(i.time.div_euclid(86_400))
                ),
                None => "introducing commit not found".to_string(),
            };
            let mut f = self.doc().finding(
                m.subject(),
                format!("{}; {when}; not in the working tree any more", evidence(m)),
            );
            f.severity = capped(m.rule.severity, HISTORY.severity);
            rank_test_tree(&mut f, &m.label);
            out.push(f);
        }
    }
}

pub struct EnvCommitted;
static ENV_COMMITTED: CheckDoc = CheckDoc {
    id: "secrets.env-committed",
    stage: Stage::Secrets,
    severity: Severity::Blocker,
    impact: Impact::Security,
    title: "A .env file with values is tracked by git",
    catches: "A `.env`, `.env.local`, `.env.production`… that git tracks and that assigns at least one non-empty server-side value (templates such as `.env.example` and files holding only browser-public variables are fine).",
    why: ".env files exist to keep configuration out of the repository; a tracked one puts every database password and API key in it into every clone, and usually more keys get added to it later.",
    fix: "Rotate the values, then `git rm --cached` the file, add `.env*` (with `!.env.example`) to .gitignore, and commit an `.env.example` with empty values instead.",
    refs: &["https://12factor.net/config", "https://github.com/motdotla/dotenv#should-i-commit-my-env-file"],
};
impl Check<SecretsObservation> for EnvCommitted {
    fn doc(&self) -> &'static CheckDoc {
        &ENV_COMMITTED
    }
    fn evaluate(&self, o: &SecretsObservation, out: &mut Outcomes) {
        if let Some((subject, reason)) = &o.tracked_unseen {
            out.unseen(self.doc(), subject.clone(), reason.clone());
        }
        for e in &o.tracked_env {
            let server: Vec<&Assignment> = e
                .assignments
                .iter()
                .filter(|a| a.has_value && !a.client)
                .collect();
            let Some(first) = server.first() else {
                continue;
            };
            let names: Vec<&str> = server.iter().take(6).map(|a| a.name.as_str()).collect();
            out.push(self.doc().finding(
                format!("{}:{}", e.path, first.line),
                format!(
                    "git tracks {} with {} value(s): {}{}",
                    e.path,
                    server.len(),
                    names.join(", "),
                    if server.len() > names.len() {
                        ", …"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
}

pub struct ClientPrefix;
static CLIENT_PREFIX: CheckDoc = CheckDoc {
    id: "secrets.client-prefix",
    stage: Stage::Secrets,
    severity: Severity::High,
    impact: Impact::Security,
    title: "A server secret is in a browser-exposed variable (NEXT_PUBLIC_, VITE_, REACT_APP_, EXPO_PUBLIC_)",
    catches: "A secret assigned to a variable whose prefix makes Next.js, Vite, Create React App, Expo, Nuxt or Gatsby inline it into the JavaScript shipped to every visitor — including in git-ignored `.env` files next to a package.json.",
    why: "The build copies the value into the public bundle: anyone who opens the site can read the key from the browser's developer tools, no repository access needed.",
    fix: "Rotate the key, rename the variable without the public prefix and use it only in server code (API routes, server actions, a backend proxy). Only publishable keys belong in public variables.",
    refs: &["https://nextjs.org/docs/app/building-your-application/configuring/environment-variables#bundling-environment-variables-for-the-browser", "https://vite.dev/guide/env-and-mode", "https://docs.expo.dev/guides/environment-variables/"],
};
impl Check<SecretsObservation> for ClientPrefix {
    fn doc(&self) -> &'static CheckDoc {
        &CLIENT_PREFIX
    }
    fn evaluate(&self, o: &SecretsObservation, out: &mut Outcomes) {
        for m in o.tree.iter().chain(&o.ignored_env) {
            let (Some(var), Kind::Secret) = (&m.client_var, m.rule.kind) else {
                continue;
            };
            let mut f = self.doc().finding(
                m.subject(),
                format!(
                    "{var} holds a {} ({}): the build ships it to every browser{}",
                    m.rule.description,
                    m.redacted,
                    m.fingerprint()
                        .map(|fp| format!("; {fp}"))
                        .unwrap_or_default()
                ),
            );
            f.severity = capped(m.rule.severity, CLIENT_PREFIX.severity);
            out.push(f);
        }
    }
}

pub struct PublishableKey;
static PUBLISHABLE: CheckDoc = CheckDoc {
    id: "secrets.publishable-key",
    stage: Stage::Secrets,
    severity: Severity::Info,
    impact: Impact::Security,
    title: "A publishable key is in the source (public by design)",
    catches: "Keys meant to be public: Stripe `pk_live_` keys and Firebase web API keys. Listed for the handover, not a problem by themselves.",
    why: "They identify your account to browsers and are safe to ship, but only if their restrictions are set: allowed domains for Firebase/Google keys, and never a secret key in their place.",
    fix: "Nothing to rotate. Check the key's restrictions (HTTP referrers, APIs) in the provider's console.",
    refs: &["https://firebase.google.com/docs/projects/api-keys", "https://docs.stripe.com/keys"],
};
impl Check<SecretsObservation> for PublishableKey {
    fn doc(&self) -> &'static CheckDoc {
        &PUBLISHABLE
    }
    fn evaluate(&self, o: &SecretsObservation, out: &mut Outcomes) {
        // Once per key and file, like secrets.tree.
        let mut seen = HashSet::new();
        for m in o.tree.iter().filter(|m| m.rule.kind == Kind::Publishable) {
            if seen.insert((m.label.as_str(), m.digest)) {
                out.push(self.doc().finding(m.subject(), evidence(m)));
            }
        }
    }
}

impl Observed for SecretsObservation {}

pub static CHECKS: &[&dyn Check<SecretsObservation>] = &[
    &TreeSecret,
    &HistorySecret,
    &EnvCommitted,
    &ClientPrefix,
    &PublishableKey,
];

// ---------------------------------------------------------------------------------------
// Observing.

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// Scans `root` — a directory, or one file — (and its history when asked) and judges what
/// was found.
pub fn scan(root: &Path, with_history: bool) -> Result<StageOutput, String> {
    let single = root.is_file();
    if !single && !root.is_dir() {
        return Err(format!("{} is not a file or a directory", root.display()));
    }
    let engine = engine()?;
    let t = if single {
        tree::scan_single(engine, root)
    } else {
        tree::scan_tree(engine, root)
    };
    let subject = root.display().to_string();
    let mut notes = vec![format!(
        "scanned {} files ({}) with {} rules",
        t.files,
        megabytes(t.bytes),
        RULES.len()
    )];
    if t.skipped_binary > 0 || !t.skipped_large.is_empty() {
        notes.push(format!(
            "skipped {} binary file(s) and {} text file(s) over {} MiB (not checked){}",
            t.skipped_binary,
            t.skipped_large.len(),
            MAX_FILE_BYTES >> 20,
            if t.skipped_large.is_empty() {
                String::new()
            } else {
                format!(" ({})", first_few(&t.skipped_large))
            }
        ));
    }
    if !t.skipped_links.is_empty() {
        notes.push(format!(
            "skipped {} symbolic link(s) that point out of the tree, not followed ({})",
            t.skipped_links.len(),
            first_few(&t.skipped_links)
        ));
    }
    let (allowed_tree, tree_matches): (Vec<Match>, Vec<Match>) =
        t.matches.into_iter().partition(|m| m.allowed);
    let mut allowed = allowed_tree.len();
    let mut tree_unseen: Vec<(String, String)> = t
        .skipped_large
        .iter()
        .map(|label| {
            (
                label.clone(),
                format!(
                    "a text file over the {} MiB scan cap: not scanned",
                    MAX_FILE_BYTES >> 20
                ),
            )
        })
        .collect();
    if t.unreadable > 0 {
        notes.push(format!("{} file(s) could not be read", t.unreadable));
        tree_unseen.push((
            subject.clone(),
            format!(
                "{} file(s) or directories could not be read (permissions?): not scanned",
                t.unreadable
            ),
        ));
    }
    let mut obs = SecretsObservation {
        tree: tree_matches,
        ignored_env: t.ignored_env.into_iter().filter(|m| !m.allowed).collect(),
        tree_unseen,
        ..SecretsObservation::default()
    };
    let mut history_inventory = serde_json::Value::Null;
    match &t.tracked {
        Ok(files) => {
            for path in files.iter().filter(|p| env::is_env_file(p)) {
                let file = if single {
                    Some(root.to_path_buf())
                } else {
                    match tree::inside(root, path) {
                        tree::Inside::File(file) => Some(file),
                        _ => None,
                    }
                };
                if let Some(bytes) = file.and_then(|f| std::fs::read(f).ok()) {
                    obs.tracked_env.push(TrackedEnv {
                        path: path.clone(),
                        assignments: env::assignments(&String::from_utf8_lossy(&bytes)),
                    });
                }
            }
            if !with_history {
                notes.push("history not scanned (use --history)".into());
            } else if single {
                let why = "a single file has no history of its own: scan the repository's \
                           directory with --history to scan its history";
                notes.push(format!("history not scanned: {why}"));
                obs.history_unseen = Some((subject.clone(), why.to_string()));
            } else {
                match history::scan_history(engine, root) {
                    Ok(h) => {
                        notes.push(format!(
                            "history: {} blobs ({}) from every ref",
                            h.blobs,
                            megabytes(h.bytes)
                        ));
                        history_inventory = json!({
                            "blobs": h.blobs, "bytes": h.bytes,
                            "skipped_binary": h.skipped_binary, "skipped_large": h.skipped_large,
                            "missing_objects": h.missing, "shallow_commits": h.shallow,
                        });
                        let mut blind = Vec::new();
                        if let Some(n) = h.shallow {
                            blind.push(format!(
                                "history is shallow: {n} commits; fetch the full history with \
                                 `git fetch --unshallow` to scan it"
                            ));
                        }
                        if h.skipped_large > 0 {
                            blind.push(format!(
                                "{} text blob(s) over the {} MiB scan cap were not scanned",
                                h.skipped_large,
                                MAX_FILE_BYTES >> 20
                            ));
                        }
                        if h.missing > 0 {
                            blind.push(format!(
                                "{} object(s) of the history are missing (git cat-file cannot \
                                 read them: a damaged or partial clone); what they hold was not \
                                 scanned",
                                h.missing
                            ));
                        }
                        if !blind.is_empty() {
                            notes.push(blind.join("; "));
                            obs.history_unseen = Some((subject.clone(), blind.join("; ")));
                        }
                        let before = h.matches.len();
                        let kept: Vec<HistoryMatch> =
                            h.matches.into_iter().filter(|m| !m.found.allowed).collect();
                        allowed += before - kept.len();
                        obs.history = past_secrets(&obs.tree, kept, &h.toplevel);
                    }
                    Err(e) => {
                        notes.push(format!("history not scanned: {e}"));
                        obs.history_unseen =
                            Some((subject.clone(), format!("history not scanned: {e}")));
                    }
                }
            }
        }
        Err(why) if t.not_a_repo => {
            // Nothing is tracked outside a work tree: no .env file can be committed there.
            if with_history {
                let reason = format!("{why}: there is no git history to scan");
                notes.push(reason.clone());
                obs.history_unseen = Some((subject.clone(), reason));
            } else {
                notes.push(format!("{why}: no tracked files or history"));
            }
        }
        Err(why) => {
            notes.push(format!(
                "{why}: tracked .env files{} not checked",
                if with_history { " and history" } else { "" }
            ));
            obs.tracked_unseen = Some((
                subject.clone(),
                format!("{why}: which files git tracks is unknown"),
            ));
            if with_history {
                obs.history_unseen = Some((subject.clone(), format!("{why}: history not scanned")));
            }
        }
    }
    if allowed > 0 {
        notes.push(format!(
            "{allowed} secret(s) allowed by an inline launchready:allow comment, not reported"
        ));
    }
    let inventory = json!({
        "rules": RULES.len(),
        "allowed_inline": allowed,
        "files_scanned": t.files,
        "bytes_scanned": t.bytes,
        "skipped_binary": t.skipped_binary,
        "skipped_large": t.skipped_large,
        "skipped_links": t.skipped_links,
        "unreadable": t.unreadable,
        "tracked_env_files": obs.tracked_env.iter().map(|e| e.path.clone()).collect::<Vec<_>>(),
        "history": history_inventory,
    });
    Ok(StageOutput::new(
        evaluate_all(CHECKS, &obs),
        inventory,
        notes,
    ))
}

fn first_few(list: &[String]) -> String {
    let mut shown: Vec<String> = list.iter().take(5).cloned().collect();
    if list.len() > shown.len() {
        shown.push("…".into());
    }
    shown.join(", ")
}

/// The history's secrets that the working tree no longer holds, one per secret, at the
/// commit that introduced it first.
fn past_secrets(tree: &[Match], found: Vec<HistoryMatch>, toplevel: &str) -> Vec<PastSecret> {
    let in_tree: HashSet<(&str, [u8; 32])> = tree.iter().map(|m| (m.rule.id, m.digest)).collect();
    let past: Vec<HistoryMatch> = found
        .into_iter()
        .filter(|h| !in_tree.contains(&(h.found.rule.id, h.found.digest)))
        .collect();
    let blobs: HashSet<String> = past.iter().map(|h| h.blob.clone()).collect();
    let intro = match history::introductions(toplevel, &blobs) {
        Ok(i) => i,
        Err(e) => {
            crate::warn!("cannot find the commits that introduced secrets: {e}");
            HashMap::new()
        }
    };
    let mut best: BTreeMap<(&'static str, [u8; 32]), PastSecret> = BTreeMap::new();
    for h in past {
        let introduced = intro.get(&h.blob).cloned();
        let mut found = h.found;
        if let Some(i) = &introduced {
            found.label = i.path.clone();
        }
        let candidate = PastSecret { found, introduced };
        let key = (candidate.found.rule.id, candidate.found.digest);
        let older = |p: &PastSecret| p.introduced.as_ref().map_or(i64::MAX, |i| i.time);
        match best.get(&key) {
            Some(current) if older(current) <= older(&candidate) => {}
            _ => {
                best.insert(key, candidate);
            }
        }
    }
    best.into_values().collect()
}

/// The stage under `audit --repo PATH`: the tree and its whole history.
pub async fn run(ctx: &Context) -> Result<StageOutput, String> {
    let Some(repo) = ctx.repo.clone() else {
        return Err("no --repo given".into());
    };
    tokio::task::spawn_blocking(move || scan(&repo, true))
        .await
        .map_err(|e| format!("internal error in the secrets scan ({e})"))?
}
