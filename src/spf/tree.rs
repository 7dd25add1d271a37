//! The include/redirect tree of a domain's SPF record, walked whole (not lazily like
//! check_host(), which stops at the first match): how many DNS-querying terms an evaluation
//! can reach, which lookups are void, which includes are missing or loop. This is what the
//! email stage reports from, independent of any one connecting IP.

use super::eval::{query_name, txt_records};
use super::record::{self, Mechanism, Qualifier, Record};
use crate::net::dns::{DnsError, Resolver};
use futures_util::future::join_all;
use hickory_proto::rr::RecordType;
use serde_json::{json, Value};
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

/// The most records the walker fetches for one tree (a hostile or looping tree stops here).
pub const MAX_NODES: usize = 40;

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

enum Fetched {
    Record(Vec<u8>),
    Missing(String),
    Multiple(usize),
    Unknown(String),
}

async fn fetch(resolver: &Resolver, domain: &str) -> Fetched {
    let Some(q) = query_name(domain) else {
        return Fetched::Missing(format!("{domain:?} is not a valid domain name"));
    };
    match resolver.lookup(&q, RecordType::TXT).await {
        Err(e @ DnsError::NotInZone(_)) => Fetched::Unknown(e.to_string()),
        Err(e) => Fetched::Unknown(e.to_string()),
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

/// Whether a lookup is void (NXDOMAIN or no record of the type). `None`: cannot tell.
async fn is_void(resolver: &Resolver, name: &str, types: &[RecordType]) -> Option<bool> {
    let q = query_name(name)?;
    for t in types {
        match resolver.lookup(&q, *t).await {
            Ok(a) if a.is_nxdomain() => return Some(true),
            Ok(a) if a.data_of(*t).next().is_some() => return Some(false),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
    Some(true)
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    match state.lock() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    }
}

/// The void lookups a record's own literal targets make.
async fn record_voids(resolver: &Resolver, domain: &str, rec: &Record) -> Vec<String> {
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
            match is_void(resolver, &target, types).await {
                Some(true) => Some(format!(
                    "`{text}` in {domain}: {target} has no {}",
                    describe(types)
                )),
                _ => None,
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
    resolver: &'a Resolver,
    state: &'a Mutex<State>,
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
            lock(state).loops.push(cycle);
            node.status = Status::Loop;
            return node;
        }
        {
            let mut s = lock(state);
            if s.nodes >= MAX_NODES {
                node.status = Status::NotFollowed(format!("more than {MAX_NODES} records"));
                return node;
            }
            s.nodes += 1;
        }
        let parent = path.last().cloned().unwrap_or_default();
        let text = match fetch(resolver, &domain).await {
            Fetched::Unknown(why) => {
                node.status = Status::Unknown(why);
                return node;
            }
            Fetched::Missing(why) => {
                if via != "root" {
                    lock(state)
                        .missing
                        .push((parent, term, domain.clone(), why.clone()));
                }
                node.status = Status::Missing(why);
                return node;
            }
            Fetched::Multiple(n) => {
                lock(state).multiple.push((domain.clone(), n));
                node.status = Status::Multiple(n);
                return node;
            }
            Fetched::Record(t) => t,
        };
        node.record = Some(String::from_utf8_lossy(&text).into_owned());
        let rec = match record::parse(&text) {
            Ok(r) => r,
            Err(e) => {
                lock(state).syntax.push((domain.clone(), e.to_string()));
                node.status = Status::Syntax(e.to_string());
                return node;
            }
        };
        node.lookup_terms = rec.lookup_terms();
        {
            let mut s = lock(state);
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
        let voids = record_voids(resolver, &domain, &rec).await;
        lock(state).voids.extend(voids);

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
        let children = targets.into_iter().map(|(via, term, literal, top)| {
            let child_path = child_path.clone();
            async move {
                match literal {
                    Some(t) => {
                        let t = t.trim_end_matches('.').to_string();
                        walk(resolver, state, t, via, term, child_path, top).await
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

/// Walks the SPF tree of `domain`.
pub async fn walk_tree(resolver: &Resolver, domain: &str) -> Tree {
    let state = Mutex::new(State::default());
    let root = walk(
        resolver,
        &state,
        domain.to_string(),
        "root",
        String::new(),
        Vec::new(),
        true,
    )
    .await;
    let s = match state.into_inner() {
        Ok(s) => s,
        Err(p) => p.into_inner(),
    };
    Tree {
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

fn status_str(s: &Status) -> String {
    match s {
        Status::Ok => "ok".into(),
        Status::Missing(w) => format!("missing: {w}"),
        Status::Multiple(n) => format!("{n} SPF records"),
        Status::Syntax(e) => format!("syntax error: {e}"),
        Status::Unknown(w) => format!("unknown: {w}"),
        Status::Loop => "loop".into(),
        Status::NotFollowed(w) => format!("not followed: {w}"),
    }
}

impl Node {
    pub fn to_json(&self) -> Value {
        json!({
            "domain": self.domain,
            "via": self.via,
            "term": self.term,
            "record": self.record,
            "status": status_str(&self.status),
            "lookup_terms": self.lookup_terms,
            "children": self.children.iter().map(Node::to_json).collect::<Vec<_>>(),
        })
    }
}

impl Tree {
    pub fn to_json(&self) -> Value {
        json!({
            "record": self.root.record,
            "dns_lookups": self.total_lookups,
            "void_lookups": self.voids.len(),
            "tree": self.root.to_json(),
        })
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
mod tests {
    use super::*;
    use crate::net::dns::Source;
    use crate::net::zone::ZoneData;
    use crate::net::zonefile::parse_zone_str;
    use std::path::Path;
    use std::sync::Arc;
    use std::time::Duration;

    fn resolver(text: &str) -> Resolver {
        let origin = crate::net::dns::name("example.com").expect("origin");
        let records = parse_zone_str(text, Path::new("t.zone"), Some(&origin)).expect("zone");
        Resolver::new(
            Source::Zone(Arc::new(ZoneData::new(records))),
            Duration::from_secs(1),
        )
    }

    const ZONE: &str = r#"
$ORIGIN example.com.
@ 300 IN SOA ns.example.com. h.example.com. 1 3600 600 86400 300
@      TXT "v=spf1 a mx:gone.example.com include:a.example.com include:b.example.com redirect=r.example.com"
a      TXT "v=spf1 include:b.example.com +all"
b      TXT "v=spf1 a:nx1.example.com exists:nx2.example.com include:a.example.com ~all"
loop   TXT "v=spf1 include:loop.example.com"
"#;

    #[test]
    fn rfc7208_4_6_4_counts_every_branch_and_finds_loops_and_voids() {
        let r = resolver(ZONE);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let t = rt.block_on(walk_tree(&r, "example.com"));
        // root: a, mx, include, include, redirect = 5; a: 1; b (under a): 3; b: 3; a (under b): 1.
        assert_eq!(t.total_lookups, 13);
        assert_eq!(t.loops.len(), 2, "{:?}", t.loops);
        // +all inside an include takes effect; ~all in b does not count.
        assert_eq!(t.permissive.len(), 2, "{:?}", t.permissive);
        // The root's a (no A record), mx:gone, and b's a:nx1 and exists:nx2 (twice).
        assert!(t.voids.len() >= 4, "{:?}", t.voids);
        assert_eq!(t.missing.len(), 1, "{:?}", t.missing);
        assert_eq!(t.missing[0].2, "r.example.com");
        let l = rt.block_on(walk_tree(&r, "loop.example.com"));
        assert_eq!(l.loops.len(), 1);
    }
}
