//! The include/redirect tree of a domain's SPF record, walked whole (not lazily like
//! check_host(), which stops at the first match): how many DNS-querying terms an evaluation
//! can reach, which lookups are void, which includes are missing or loop. This is what the
//! email stage reports from, independent of any one connecting IP.

use super::eval::{query_name, txt_records};
use super::record::{self, Mechanism, Qualifier, Record};
use crate::net::dns::{Answer, DnsError, Resolver};
use futures_util::future::join_all;
use hickory_proto::rr::{Name, RecordType};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

/// The most records the walker fetches for one tree (a hostile or looping tree stops here).
pub const MAX_NODES: usize = 40;

/// The most distinct DNS queries one walk may send (records and void checks together).
///
/// RFC 7208 bounds one *evaluation* to 10 DNS-querying terms, 2 void lookups and 10 MX/PTR
/// names each, but the walker explores every branch of the tree, not one path, so it needs
/// more: [`MAX_NODES`] (40) TXT records plus the void checks of their literal `a`/`mx`/`exists`
/// terms (up to two queries each). Real trees (a mail provider or three, some `a:`/`mx:` hosts)
/// stay under 60; 200 leaves room for an honest large tree and stops a hostile one (a tree of
/// records with hundreds of terms each once made one audit send 9,807 queries). The records
/// are fetched first and the void checks after, so a tree within [`MAX_NODES`] is always
/// walked whole and only void checks can be cut; what was cut is listed in
/// [`Tree::unwalked`].
pub const QUERY_BUDGET: usize = 200;

/// The most walker queries in flight at once (each holds a socket).
pub const MAX_IN_FLIGHT: usize = 16;

/// The reason given for what the budget cut.
pub fn budget_reason() -> String {
    format!("query budget exhausted ({QUERY_BUDGET} DNS queries for the SPF tree)")
}

/// What was found at one node of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Ok,
    /// NXDOMAIN or no `v=spf1` record: an include or redirect here is a permerror.
    Missing(String),
    Multiple(usize),
    Syntax(String),
    /// A DNS error or a name outside the zone file: nothing can be said.
    Unknown(String),
    /// The target is already on the path from the root: evaluation would loop.
    Loop,
    /// Not followed (macros in the name, or the tree is too large).
    NotFollowed(String),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub domain: String,
    /// `root`, `include` or `redirect`.
    pub via: &'static str,
    /// The term that led here (`include:_spf.example.com`), empty for the root.
    pub term: String,
    pub record: Option<String>,
    pub status: Status,
    /// DNS-querying terms in this record alone.
    pub lookup_terms: usize,
    pub children: Vec<Node>,
}

/// The walked tree and its totals.
#[derive(Debug, Clone)]
pub struct Tree {
    pub root: Node,
    /// DNS-querying terms over the whole tree (every branch, every repeated include).
    pub total_lookups: usize,
    /// Void lookups over the whole tree, each described.
    pub voids: Vec<String>,
    /// Include/redirect loops, each as the path of domains.
    pub loops: Vec<Vec<String>>,
    /// `(domain, term, via)` for each permissive `all`: `+all` anywhere it takes effect,
    /// `?all` at the top level (the root and its redirects).
    pub permissive: Vec<(String, String)>,
    /// `(from, term, target, why)` for each include/redirect whose target has no record.
    pub missing: Vec<(String, String, String, String)>,
    /// `(domain, error)` for each record with a syntax error.
    pub syntax: Vec<(String, String)>,
    /// `(domain, count)` for each name with several SPF records.
    pub multiple: Vec<(String, usize)>,
    /// What the walker could not look at, as `(name, reason)`: a record or a void check cut by
    /// the query budget or the node cap, a lookup that failed (SERVFAIL, timeout, a name
    /// outside the zone file) or that this machine could not make (out of file descriptors,
    /// buffers or ports). Never counted as void, missing or the target's fault: the totals
    /// above are lower bounds when this is not empty.
    pub unwalked: Vec<(String, String)>,
    /// How many of `unwalked` are void checks only (a record was read, but whether one of its
    /// `a`/`mx`/`exists` targets is void could not be told): they blind the void-lookup count,
    /// not the records themselves.
    pub unwalked_voids: usize,
    /// Whether [`QUERY_BUDGET`] ran out (some of `unwalked` says so).
    pub budget_exhausted: bool,
    /// Distinct DNS queries the walk asked for (≤ [`QUERY_BUDGET`]).
    pub queries: usize,
}

impl Tree {
    /// Every node of the tree whose record could not be fetched, with why: what the email
    /// stage cannot vouch for.
    pub fn blind_spots(&self) -> Vec<(String, String)> {
        fn walk(n: &Node, out: &mut Vec<(String, String)>) {
            if let Status::Unknown(why) = &n.status {
                out.push((n.domain.clone(), why.clone()));
            }
            for c in &n.children {
                walk(c, out);
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out
    }
}

#[derive(Default)]
struct State {
    unwalked: Vec<(String, String)>,
    unwalked_voids: usize,
    /// Records whose void checks run once the whole tree is fetched.
    pending_voids: Vec<(String, Record)>,
    nodes: usize,
    total_lookups: usize,
    voids: Vec<String>,
    loops: Vec<Vec<String>>,
    permissive: Vec<(String, String)>,
    missing: Vec<(String, String, String, String)>,
    syntax: Vec<(String, String)>,
    multiple: Vec<(String, usize)>,
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// One walk: the resolver, its findings, and the budget and gate on its queries.
struct Walker<'a> {
    resolver: &'a Resolver,
    state: Mutex<State>,
    /// Distinct (name, type) asked so far: a repeat is the resolver's cache, not a query.
    asked: Mutex<HashSet<(Name, RecordType)>>,
    budget: usize,
    exhausted: std::sync::atomic::AtomicBool,
    gate: tokio::sync::Semaphore,
}

/// Why a lookup gave no answer.
enum Skip {
    Budget,
    Dns(DnsError),
}

impl Skip {
    fn reason(&self) -> String {
        match self {
            Skip::Budget => budget_reason(),
            Skip::Dns(e) => e.to_string(),
        }
    }
}

impl<'a> Walker<'a> {
    fn new(resolver: &'a Resolver, budget: usize) -> Walker<'a> {
        Walker {
            resolver,
            state: Mutex::new(State::default()),
            asked: Mutex::new(HashSet::new()),
            budget,
            exhausted: std::sync::atomic::AtomicBool::new(false),
            gate: tokio::sync::Semaphore::new(MAX_IN_FLIGHT),
        }
    }

    /// One lookup within the budget and the in-flight limit.
    async fn lookup(&self, q: &Name, t: RecordType) -> Result<Arc<Answer>, Skip> {
        {
            let mut asked = match self.asked.lock() {
                Ok(a) => a,
                Err(p) => p.into_inner(),
            };
            let key = (q.to_lowercase(), t);
            if !asked.contains(&key) {
                if asked.len() >= self.budget {
                    self.exhausted
                        .store(true, std::sync::atomic::Ordering::Relaxed);
                    return Err(Skip::Budget);
                }
                asked.insert(key);
            }
        }
        // The semaphore is never closed; should it be, the lookup goes ahead unthrottled.
        let _permit = self.gate.acquire().await.ok();
        self.resolver.lookup(q, t).await.map_err(Skip::Dns)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        lock(&self.state)
    }
}

enum Fetched {
    Record(Vec<u8>),
    Missing(String),
    Multiple(usize),
    Unknown(String),
}

async fn fetch(w: &Walker<'_>, domain: &str) -> Fetched {
    let Some(q) = query_name(domain) else {
        return Fetched::Missing(format!("{domain:?} is not a valid domain name"));
    };
    match w.lookup(&q, RecordType::TXT).await {
        Err(skip) => Fetched::Unknown(skip.reason()),
        Ok(a) if a.is_nxdomain() => Fetched::Missing(format!("{domain} does not exist")),
        Ok(a) => {
            let mut spf: Vec<Vec<u8>> = txt_records(&a)
                .into_iter()
                .filter(|t| record::is_spf_record(t))
                .collect();
            match spf.len() {
                0 => Fetched::Missing(format!("{domain} has no v=spf1 record")),
                1 => Fetched::Record(spf.remove(0)),
                n => Fetched::Multiple(n),
            }
        }
    }
}

/// Whether a lookup is void (NXDOMAIN or no record of the type). `Err`: cannot tell, and why
/// (a DNS error, this machine's own trouble, or the budget) — never a void.
async fn is_void(w: &Walker<'_>, name: &str, types: &[RecordType]) -> Result<bool, String> {
    let Some(q) = query_name(name) else {
        return Ok(false);
    };
    for t in types {
        match w.lookup(&q, *t).await {
            Ok(a) if a.is_nxdomain() => return Ok(true),
            Ok(a) if a.data_of(*t).next().is_some() => return Ok(false),
            Ok(_) => {}
            Err(skip) => return Err(skip.reason()),
        }
    }
    Ok(true)
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    match state.lock() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    }
}

/// The void lookups a record's own literal targets make; what could not be told is recorded
/// as unwalked.
async fn record_voids(w: &Walker<'_>, domain: &str, rec: &Record) -> Vec<String> {
    let checks = rec.directives.iter().filter_map(|d| {
        let literal = |spec: &Option<record::MacroString>| match spec {
            None => Some(domain.to_string()),
            Some(ms) => ms.literal().map(|l| l.trim_end_matches('.').to_string()),
        };
        let (target, types): (String, &'static [RecordType]) = match &d.mechanism {
            Mechanism::A { domain: spec, .. } => {
                (literal(spec)?, &[RecordType::A, RecordType::AAAA])
            }
            Mechanism::Mx { domain: spec, .. } => (literal(spec)?, &[RecordType::MX]),
            Mechanism::Exists(ms) => (
                ms.literal()?.trim_end_matches('.').to_string(),
                &[RecordType::A],
            ),
            _ => return None,
        };
        let text = d.text.clone();
        Some(async move {
            match is_void(w, &target, types).await {
                Ok(true) => Some(format!(
                    "`{text}` in {domain}: {target} has no {}",
                    describe(types)
                )),
                Ok(false) => None,
                Err(why) => {
                    let mut s = w.state();
                    s.unwalked.push((
                        target.clone(),
                        format!("`{text}` in {domain}: void lookup not checked: {why}"),
                    ));
                    s.unwalked_voids += 1;
                    None
                }
            }
        })
    });
    join_all(checks).await.into_iter().flatten().collect()
}

fn describe(types: &[RecordType]) -> String {
    types
        .iter()
        .map(|t| t.to_string())
        .collect::<Vec<_>>()
        .join(" or ")
}

fn walk<'a>(
    w: &'a Walker<'a>,
    domain: String,
    via: &'static str,
    term: String,
    path: Vec<String>,
    top_level: bool,
) -> BoxFuture<'a, Node> {
    Box::pin(async move {
        let mut node = Node {
            domain: domain.clone(),
            via,
            term: term.clone(),
            record: None,
            status: Status::Ok,
            lookup_terms: 0,
            children: Vec::new(),
        };
        let key = domain.to_ascii_lowercase();
        if path.contains(&key) {
            let mut cycle = path.clone();
            cycle.push(key);
            w.state().loops.push(cycle);
            node.status = Status::Loop;
            return node;
        }
        {
            let mut s = w.state();
            if s.nodes >= MAX_NODES {
                let why = format!("more than {MAX_NODES} records in the tree");
                s.unwalked
                    .push((domain.clone(), format!("{term}: not followed: {why}")));
                node.status = Status::NotFollowed(why);
                return node;
            }
            s.nodes += 1;
        }
        let parent = path.last().cloned().unwrap_or_default();
        let text = match fetch(w, &domain).await {
            Fetched::Unknown(why) => {
                let what = if term.is_empty() {
                    "the SPF record".to_string()
                } else {
                    format!("`{term}`")
                };
                w.state()
                    .unwalked
                    .push((domain.clone(), format!("{what}: TXT not looked up: {why}")));
                node.status = Status::Unknown(why);
                return node;
            }
            Fetched::Missing(why) => {
                if via != "root" {
                    w.state()
                        .missing
                        .push((parent, term, domain.clone(), why.clone()));
                }
                node.status = Status::Missing(why);
                return node;
            }
            Fetched::Multiple(n) => {
                w.state().multiple.push((domain.clone(), n));
                node.status = Status::Multiple(n);
                return node;
            }
            Fetched::Record(t) => t,
        };
        node.record = Some(String::from_utf8_lossy(&text).into_owned());
        let rec = match record::parse(&text) {
            Ok(r) => r,
            Err(e) => {
                w.state().syntax.push((domain.clone(), e.to_string()));
                node.status = Status::Syntax(e.to_string());
                return node;
            }
        };
        node.lookup_terms = rec.lookup_terms();
        {
            let mut s = w.state();
            s.total_lookups += node.lookup_terms;
            if let Some(all) = rec.all() {
                let permissive = match all.qualifier {
                    Qualifier::Pass => true,
                    Qualifier::Neutral => top_level,
                    _ => false,
                };
                if permissive {
                    s.permissive.push((domain.clone(), all.text.clone()));
                }
            }
        }

        let mut child_path = path.clone();
        child_path.push(key);
        let mut targets: Vec<(&'static str, String, Option<String>, bool)> = Vec::new();
        for d in &rec.directives {
            if let Mechanism::Include(ms) = &d.mechanism {
                targets.push(("include", d.text.clone(), ms.literal(), false));
            }
        }
        // §6.1: redirect is used only when there is no `all`.
        if let (Some((ms, text)), None) = (&rec.redirect, rec.all()) {
            targets.push(("redirect", text.clone(), ms.literal(), top_level));
        }
        // Void checks wait until every record is fetched: the budget goes to the tree first.
        w.state().pending_voids.push((domain.clone(), rec));
        let children = targets.into_iter().map(|(via, term, literal, top)| {
            let child_path = child_path.clone();
            async move {
                match literal {
                    Some(t) => {
                        let t = t.trim_end_matches('.').to_string();
                        walk(w, t, via, term, child_path, top).await
                    }
                    None => Node {
                        domain: term.clone(),
                        via,
                        term,
                        record: None,
                        status: Status::NotFollowed("the name depends on macros".into()),
                        lookup_terms: 0,
                        children: Vec::new(),
                    },
                }
            }
        });
        node.children = join_all(children).await;
        node
    })
}

/// Walks the SPF tree of `domain` within [`QUERY_BUDGET`] queries, [`MAX_IN_FLIGHT`] at once.
pub async fn walk_tree(resolver: &Resolver, domain: &str) -> Tree {
    walk_tree_within(resolver, domain, QUERY_BUDGET).await
}

/// [`walk_tree`] with another query budget.
pub async fn walk_tree_within(resolver: &Resolver, domain: &str, budget: usize) -> Tree {
    let w = Walker::new(resolver, budget);
    let root = walk(
        &w,
        domain.to_string(),
        "root",
        String::new(),
        Vec::new(),
        true,
    )
    .await;
    let pending = std::mem::take(&mut w.state().pending_voids);
    let voids = join_all(
        pending
            .iter()
            .map(|(domain, rec)| record_voids(&w, domain, rec)),
    )
    .await;
    w.state().voids.extend(voids.into_iter().flatten());
    let queries = match w.asked.lock() {
        Ok(a) => a.len(),
        Err(p) => p.into_inner().len(),
    };
    let budget_exhausted = w.exhausted.load(std::sync::atomic::Ordering::Relaxed);
    let s = match w.state.into_inner() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    };
    Tree {
        unwalked: s.unwalked,
        unwalked_voids: s.unwalked_voids,
        budget_exhausted,
        queries,
        root,
        total_lookups: s.total_lookups,
        voids: s.voids,
        loops: s.loops,
        permissive: s.permissive,
        missing: s.missing,
        syntax: s.syntax,
        multiple: s.multiple,
    }
}

/// The tree of a record that is not published yet (`launchready lint spf`): its own terms
/// only, with no lookups; `name` labels it in findings.
pub fn offline(name: &str, text: &str) -> Tree {
    let mut tree = Tree {
        root: Node {
            domain: name.to_string(),
            via: "root",
            term: String::new(),
            record: Some(text.to_string()),
            status: Status::Ok,
            lookup_terms: 0,
            children: Vec::new(),
        },
        total_lookups: 0,
        voids: Vec::new(),
        loops: Vec::new(),
        permissive: Vec::new(),
        missing: Vec::new(),
        syntax: Vec::new(),
        multiple: Vec::new(),
        unwalked: Vec::new(),
        unwalked_voids: 0,
        budget_exhausted: false,
        queries: 0,
    };
    match record::parse(text.as_bytes()) {
        Err(e) => {
            tree.syntax.push((name.to_string(), e.to_string()));
            tree.root.status = Status::Syntax(e.to_string());
        }
        Ok(rec) => {
            tree.root.lookup_terms = rec.lookup_terms();
            tree.total_lookups = rec.lookup_terms();
            if let Some(all) = rec.all() {
                if matches!(all.qualifier, Qualifier::Pass | Qualifier::Neutral) {
                    tree.permissive.push((name.to_string(), all.text.clone()));
                }
            }
        }
    }
    tree
}

#[cfg(test)]
mod tests;
