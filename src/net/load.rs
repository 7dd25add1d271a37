//! The load probe: virtual users, each on its own keep-alive HTTP/1.1 connection (our own
//! minimal exchange in [`super::h1`], driven from the user's task; no pool in the way), every latency in an HdrHistogram at microsecond
//! precision. A closed-loop ladder of concurrency levels, or an open-loop `--rate` mode that
//! measures each latency from the moment the request was due (no coordinated omission, as wrk2).
//!
//! Safety: one request budget for the whole run (`--max-requests`), only the target's own URLs,
//! a `429` or `Retry-After` stops the level, and a level stops early once its error rate makes
//! the answer plain.

use super::dns::Resolver;
use super::h1;
use super::http::{destinations, ConnectTo};
use hdrhistogram::Histogram;
use hyper::{Method, Uri};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

/// Load traffic says what it is, so that site owners can tell it apart in their logs.
pub const LOAD_USER_AGENT: &str = concat!("launchready-load/", env!("CARGO_PKG_VERSION"));

/// The most of one answer a load request reads.
pub const BODY_CAP: usize = 2 * 1024 * 1024;

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

mod dial;
mod level;
mod plan;

pub use dial::*;
pub use level::*;
pub use plan::*;
