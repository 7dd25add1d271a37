//! At most N requests in flight to one origin (`scheme://host:port`), for runs over many
//! targets. HTTP/1.1 carries one request per connection at a time, so a stage that fires 25
//! probes at once opens 25 connections, each a TCP and TLS handshake. With one target that is
//! right (at internet latency the fan-out saves round trips); with dozens of targets in
//! flight the cores are the limit, not the round trips, and the other targets fill the wait.
//! Requests past the limit wait for one to finish and then take its pooled connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The limit and one semaphore per origin seen (one target's origins: a handful).
#[derive(Clone, Debug)]
pub struct OriginLimit {
    per_origin: usize,
    origins: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

impl OriginLimit {
    pub fn new(per_origin: usize) -> OriginLimit {
        OriginLimit {
            per_origin: per_origin.max(1),
            origins: Arc::default(),
        }
    }

    /// The same limit with no origins seen (for another target).
    pub fn fresh(&self) -> OriginLimit {
        OriginLimit::new(self.per_origin)
    }

    pub fn per_origin(&self) -> usize {
        self.per_origin
    }

    /// Waits for a slot at `origin`; the slot is free again when the permit drops. `None`
    /// (no wait) if the table is poisoned: the limit is an economy, never a reason to fail.
    pub async fn acquire(&self, origin: &str) -> Option<OwnedSemaphorePermit> {
        let sem = {
            let mut origins = self.origins.lock().ok()?;
            origins
                .entry(origin.to_string())
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_origin)))
                .clone()
        };
        sem.acquire_owned().await.ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_third_request_waits_for_one_of_two_slots() {
        let limit = OriginLimit::new(2);
        let a = limit.acquire("https://a.test:443").await;
        let _b = limit.acquire("https://a.test:443").await;
        assert!(a.is_some());
        // Another origin has its own slots.
        let other = tokio::time::timeout(
            Duration::from_millis(100),
            limit.acquire("https://b.test:443"),
        )
        .await;
        assert!(matches!(other, Ok(Some(_))));
        let blocked = tokio::time::timeout(
            Duration::from_millis(50),
            limit.acquire("https://a.test:443"),
        )
        .await;
        assert!(blocked.is_err(), "a third request to a.test must wait");
        drop(a);
        let freed = tokio::time::timeout(
            Duration::from_millis(100),
            limit.acquire("https://a.test:443"),
        )
        .await;
        assert!(matches!(freed, Ok(Some(_))));
    }
}
