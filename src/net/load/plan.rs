//! The plan: what the user asked the latency and edge stages' load probes to do.

/// Default budgets (SPEC §3): pages and cached reads, API routes.
pub const PAGE_BUDGET_MS: u64 = 500;
pub const API_BUDGET_MS: u64 = 800;
/// What the user asked the load probe to do.
#[derive(Debug, Clone)]
pub struct LoadPlan {
    /// Paths (or full URLs on the target) to measure; empty = the defaults.
    pub endpoints: Vec<String>,
    pub concurrency: Vec<u32>,
    pub requests: u64,
    pub rate: Option<f64>,
    pub max_requests: u64,
    pub probe_rate_limit: bool,
    /// `--probe-webhooks`: one unsigned POST to each configured webhook (edge stage).
    pub probe_webhooks: bool,
    /// (glob, p95 budget in ms), first match wins.
    pub budgets: Vec<(String, u64)>,
}

impl Default for LoadPlan {
    fn default() -> Self {
        LoadPlan {
            endpoints: Vec::new(),
            concurrency: vec![1, 10, 50],
            requests: 50,
            rate: None,
            max_requests: 1000,
            probe_rate_limit: false,
            probe_webhooks: false,
            budgets: Vec::new(),
        }
    }
}

/// `*` matches any run of characters.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

impl LoadPlan {
    /// The p95 budget of a path: the config's globs, else API routes 800 ms, pages 500 ms.
    pub fn budget_ms(&self, path: &str) -> u64 {
        let path = path.split('?').next().unwrap_or(path);
        self.budgets
            .iter()
            .find(|(g, _)| glob_match(g, path))
            .map(|(_, b)| *b)
            .unwrap_or(if path.starts_with("/api/") || path == "/api" {
                API_BUDGET_MS
            } else {
                PAGE_BUDGET_MS
            })
    }
}

#[cfg(test)]
mod tests;
