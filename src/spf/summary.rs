//! The SPF tree as the report's inventory shows it (`inventory.email.spf`): the record, the
//! lookup counts and every include, with each node's status as a sentence. Fields are in
//! alphabetical order, the order the report has always had.

use super::tree::{Node, Status, Tree};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeSummary {
    pub budget_exhausted: bool,
    pub dns_lookups: usize,
    pub queries: usize,
    pub record: Option<String>,
    pub tree: NodeSummary,
    pub unwalked: Vec<Unwalked>,
    pub void_lookups: usize,
}

/// One record of the tree and the includes and redirect under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NodeSummary {
    pub children: Vec<NodeSummary>,
    pub domain: String,
    pub lookup_terms: usize,
    pub record: Option<String>,
    pub status: String,
    pub term: String,
    pub via: &'static str,
}

/// A name the walk did not follow, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unwalked {
    pub name: String,
    pub reason: String,
}

impl From<&Tree> for TreeSummary {
    fn from(t: &Tree) -> TreeSummary {
        TreeSummary {
            budget_exhausted: t.budget_exhausted,
            dns_lookups: t.total_lookups,
            queries: t.queries,
            record: t.root.record.clone(),
            tree: NodeSummary::from(&t.root),
            unwalked: t
                .unwalked
                .iter()
                .map(|(name, reason)| Unwalked {
                    name: name.clone(),
                    reason: reason.clone(),
                })
                .collect(),
            void_lookups: t.voids.len(),
        }
    }
}

impl From<&Node> for NodeSummary {
    fn from(n: &Node) -> NodeSummary {
        NodeSummary {
            children: n.children.iter().map(NodeSummary::from).collect(),
            domain: n.domain.clone(),
            lookup_terms: n.lookup_terms,
            record: n.record.clone(),
            status: status_text(&n.status),
            term: n.term.clone(),
            via: n.via,
        }
    }
}

fn status_text(s: &Status) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offline_tree_keeps_its_json_shape() {
        let t = super::super::tree::offline("(record)", "v=spf1 include:_spf.example.com -all");
        let json = serde_json::to_string(&TreeSummary::from(&t)).expect("json");
        assert_eq!(
            json,
            r#"{"budget_exhausted":false,"dns_lookups":1,"queries":0,"record":"v=spf1 include:_spf.example.com -all","tree":{"children":[],"domain":"(record)","lookup_terms":1,"record":"v=spf1 include:_spf.example.com -all","status":"ok","term":"","via":"root"},"unwalked":[],"void_lookups":0}"#
        );
    }
}
