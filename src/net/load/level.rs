//! One concurrency level: the request budget, the virtual users (closed and open loop), their
//! latencies and errors, and the level's judgement.

use super::*;

/// The run's request budget (`--max-requests`), shared by every load probe.
#[derive(Debug)]
pub struct Budget {
    left: AtomicI64,
    pub cap: u64,
    exhausted: AtomicBool,
}

impl Budget {
    pub fn new(cap: u64) -> Budget {
        Budget {
            left: AtomicI64::new(cap as i64),
            cap,
            exhausted: AtomicBool::new(false),
        }
    }

    /// Takes one request from the budget; false once it is spent.
    pub fn claim(&self) -> bool {
        let took = self
            .left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| {
                (l > 0).then(|| l - 1)
            })
            .is_ok();
        if took {
            true
        } else {
            self.exhausted.store(true, Ordering::Relaxed);
            false
        }
    }

    /// Gives back a claim that sent nothing to the target (the connection could not be opened
    /// for this machine's own reasons).
    pub fn refund(&self) {
        self.left.fetch_add(1, Ordering::Relaxed);
    }

    pub fn exhausted(&self) -> bool {
        self.exhausted.load(Ordering::Relaxed)
    }

    pub fn used(&self) -> u64 {
        let left = self.left.load(Ordering::Relaxed).max(0) as u64;
        self.cap - left.min(self.cap)
    }
}

/// Why a level the run's deadline cut is not a whole measurement.
pub const DEADLINE_REASON: &str = "stopped at the run's deadline";

/// One level's result.
#[derive(Debug, Clone)]
pub struct LevelResult {
    pub endpoint: String,
    pub concurrency: u32,
    /// Open-loop target rate, when `--rate` was used.
    pub rate: Option<f64>,
    pub requests: u64,
    pub errors: u64,
    pub errors_by_kind: BTreeMap<&'static str, u64>,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Why the level stopped before its planned requests.
    pub stopped: Option<String>,
    /// Why the level is not the whole measurement asked for, when it is not: cut by the run's
    /// deadline or the `--max-requests` cap, or run at fewer virtual users than asked because
    /// this machine could not open their connections.
    pub cut: Option<String>,
    /// When this machine could not open `concurrency` connections (EMFILE and the like): the
    /// virtual users that did run, and the local error that stopped the others.
    pub backed_off: Option<(u32, String)>,
}

pub(super) fn new_histogram() -> Histogram<u64> {
    // 1 µs to 10 min at 3 significant digits; the bounds are constants, so this cannot fail.
    Histogram::new_with_bounds(1, 600_000_000, 3).expect("constant histogram bounds are valid")
}

/// Shared state of one level's virtual users.
pub(super) struct Level {
    remaining: AtomicI64,
    completed: AtomicU64,
    failed: AtomicU64,
    stop: AtomicBool,
    stop_reason: std::sync::Mutex<Option<String>>,
    deadline: tokio::time::Instant,
    /// Virtual users that gave up because this machine could not open their connection.
    local_gave_up: AtomicU64,
    local_error: std::sync::Mutex<Option<String>>,
    /// Open loop: requests in flight now, and the most at once (the level's real concurrency).
    busy: AtomicU32,
    peak_busy: AtomicU32,
}

impl Level {
    /// A virtual user could not open its connection for this machine's own reasons: it leaves
    /// the level, which goes on with the users that could connect (the back-off).
    pub(super) fn give_up_locally(&self, why: String) {
        self.local_gave_up.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut e) = self.local_error.lock() {
            e.get_or_insert(why);
        }
    }
}

impl Level {
    pub(super) fn halt(&self, why: String) {
        if !self.stop.swap(true, Ordering::Relaxed) {
            if let Ok(mut r) = self.stop_reason.lock() {
                *r = Some(why);
            }
        }
    }
}

/// Per-VU tallies, merged at the end (no locks on the hot path).
pub(super) struct Tally {
    /// Raw latencies in µs, folded into one histogram when the level ends: a histogram per
    /// virtual user would cost ~300 KB each, a sample 4 bytes.
    micros: Vec<u32>,
    errors: BTreeMap<&'static str, u64>,
}

impl Tally {
    pub(super) fn new() -> Tally {
        Tally {
            micros: Vec::new(),
            errors: BTreeMap::new(),
        }
    }
}

/// Whether a request timed out because the level's deadline came, not the server's doing.
pub(super) fn interrupted(
    outcome: &Result<(u16, Duration, bool), (ErrorKind, String)>,
    deadline: tokio::time::Instant,
) -> bool {
    matches!(outcome, Err((ErrorKind::Timeout, _))) && tokio::time::Instant::now() >= deadline
}

/// What a virtual user does after each answer.
pub(super) fn judge(
    level: &Level,
    tally: &mut Tally,
    outcome: &Result<(u16, Duration, bool), (ErrorKind, String)>,
) {
    let failed = match outcome {
        Ok((status, _, retry_after)) => {
            if *status == 429 || *retry_after {
                level.halt(format!(
                    "the server asked to slow down ({}{}); stopped this level",
                    status,
                    if *retry_after { ", Retry-After" } else { "" }
                ));
                // Being told to slow down is the server working, not failing.
                *tally.errors.entry("rate_limited").or_default() += 1;
                level.completed.fetch_add(1, Ordering::Relaxed);
                return;
            }
            *status >= 400
        }
        Err(_) => true,
    };
    let done = level.completed.fetch_add(1, Ordering::Relaxed) + 1;
    if failed {
        let kind = match outcome {
            Ok(_) => ErrorKind::Status,
            Err((k, _)) => *k,
        };
        *tally.errors.entry(kind.as_str()).or_default() += 1;
        let bad = level.failed.fetch_add(1, Ordering::Relaxed) + 1;
        // The answer is plain: at least 20 answers and most of them errors.
        if done >= 20 && bad * 2 > done {
            level.halt(format!("{bad} of {done} requests failed; stopped early"));
        }
    }
}

/// What reopening a virtual user's connection gave.
enum Reopened {
    /// The connection is open (or was already).
    Open,
    /// The attempt reached the target and failed: an answer of the level, to be judged.
    Failed((ErrorKind, String)),
    /// This machine could not open it: the claim is refunded, the level told, and the
    /// virtual user leaves the level.
    Local,
    /// The level's deadline interrupted the attempt: the virtual user stops.
    Late,
}

/// Opens `conn` again when it is closed or gone, within the level's deadline.
async fn reopen(
    dialer: &Dialer,
    ep: &Endpoint,
    level: &Level,
    budget: &Budget,
    conn: &mut Option<Sender>,
) -> Reopened {
    if conn.as_ref().is_some_and(|c| !c.is_closed()) {
        return Reopened::Open;
    }
    // An attempt the deadline interrupts is not an answer: it is dropped, not counted.
    let Ok(connected) = tokio::time::timeout_at(level.deadline, dialer.connect(ep)).await else {
        return Reopened::Late;
    };
    match connected {
        Ok((s, _)) => {
            *conn = Some(s);
            Reopened::Open
        }
        Err((ErrorKind::Local, why)) => {
            budget.refund();
            level.give_up_locally(why);
            Reopened::Local
        }
        Err(e) => Reopened::Failed(e),
    }
}

pub(super) async fn closed_loop_vu(
    dialer: Dialer,
    ep: Arc<Endpoint>,
    level: Arc<Level>,
    budget: Arc<Budget>,
) -> Tally {
    let mut tally = Tally::new();
    let mut conn: Option<Sender> = None;
    let mut warmed = false;
    let req = ep.prepare(&Method::GET, b"");
    loop {
        if level.stop.load(Ordering::Relaxed) || tokio::time::Instant::now() >= level.deadline {
            break;
        }
        // One warm-up request on the first connection, not measured (but within the budget).
        let warm_up = !warmed;
        if !warm_up && level.remaining.fetch_sub(1, Ordering::Relaxed) <= 0 {
            break;
        }
        // The budget is claimed before anything is sent, the connection included: no virtual
        // user opens a connection the cap has not paid for.
        if !budget.claim() {
            break;
        }
        match reopen(&dialer, &ep, &level, &budget, &mut conn).await {
            Reopened::Open => {}
            Reopened::Late => break,
            Reopened::Local => {
                // The request this user counted was never sent: another user may send it.
                if !warm_up {
                    level.remaining.fetch_add(1, Ordering::Relaxed);
                }
                break;
            }
            Reopened::Failed(e) => {
                if warm_up && level.remaining.fetch_sub(1, Ordering::Relaxed) <= 0 {
                    break;
                }
                warmed = true;
                judge(&level, &mut tally, &Err(e));
                continue;
            }
        }
        let Some(sender) = conn.as_mut() else { break };
        let t = Instant::now();
        let outcome = dialer.send_until(sender, &req, Some(level.deadline)).await;
        // An answer the deadline interrupted is not an answer: dropped, not counted.
        if interrupted(&outcome, level.deadline) {
            break;
        }
        if warm_up {
            warmed = true;
            if outcome.is_err() {
                conn = None;
            }
            continue;
        }
        let micros = t.elapsed().as_micros().max(1) as u64;
        tally.micros.push(u32::try_from(micros).unwrap_or(u32::MAX));
        if outcome.is_err() {
            conn = None;
        }
        judge(&level, &mut tally, &outcome);
    }
    tally
}

/// Open loop: request i is due at start + i/rate; its latency counts from then, so a stalled
/// server shows up as the queue it causes.
/// The shared schedule of an open-loop level: request i is due at `start + i × interval`.
pub(super) struct Schedule {
    next: AtomicU64,
    start: tokio::time::Instant,
    interval: Duration,
    total: u64,
}

pub(super) async fn open_loop_vu(
    dialer: Dialer,
    ep: Arc<Endpoint>,
    level: Arc<Level>,
    budget: Arc<Budget>,
    schedule: Arc<Schedule>,
) -> Tally {
    let Schedule {
        ref next,
        start,
        interval,
        total,
    } = *schedule;
    let mut tally = Tally::new();
    // Connect before the schedule starts (a handshake is not part of any request's latency),
    // paid for from the budget first: the claim then covers this connection's first request.
    let mut prepaid = budget.claim();
    let mut conn: Option<Sender> = None;
    let req = ep.prepare(&Method::GET, b"");
    if prepaid {
        match dialer.connect(&ep).await {
            Ok((s, _)) => conn = Some(s),
            Err((ErrorKind::Local, why)) => {
                budget.refund();
                level.give_up_locally(why);
                return tally;
            }
            // The attempt reached the target: it cost its claim.
            Err(_) => prepaid = false,
        }
    }
    loop {
        if level.stop.load(Ordering::Relaxed) {
            break;
        }
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= total || !(std::mem::take(&mut prepaid) || budget.claim()) {
            break;
        }
        let due = start + interval * (i as u32);
        if due >= level.deadline {
            break;
        }
        // A request that waited for a busy worker counts from when it was due (that wait is the
        // server's doing); one picked up by an idle worker counts from when it left, so the
        // timer's own millisecond granularity is not charged to the server.
        let start = if tokio::time::Instant::now() < due {
            tokio::time::sleep_until(due).await;
            tokio::time::Instant::now()
        } else {
            due
        };
        match reopen(&dialer, &ep, &level, &budget, &mut conn).await {
            Reopened::Open => {}
            Reopened::Local | Reopened::Late => break,
            Reopened::Failed(e) => {
                judge(&level, &mut tally, &Err(e));
                continue;
            }
        }
        let Some(sender) = conn.as_mut() else { break };
        // Open loop: the concurrency is what the server's pace made of the rate, not a knob.
        let busy = level.busy.fetch_add(1, Ordering::Relaxed) + 1;
        level.peak_busy.fetch_max(busy, Ordering::Relaxed);
        let outcome = dialer.send_until(sender, &req, Some(level.deadline)).await;
        level.busy.fetch_sub(1, Ordering::Relaxed);
        if interrupted(&outcome, level.deadline) {
            break;
        }
        let micros = (tokio::time::Instant::now() - start).as_micros().max(1) as u64;
        tally.micros.push(u32::try_from(micros).unwrap_or(u32::MAX));
        if outcome.is_err() {
            conn = None;
        }
        judge(&level, &mut tally, &outcome);
    }
    tally
}

/// What one level should do.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    Closed { concurrency: u32 },
    Open { rate: f64, workers: u32 },
}

/// Runs one level against one endpoint.
pub async fn run_level(
    dialer: &Dialer,
    ep: &Endpoint,
    mode: Mode,
    requests: u64,
    budget: &Arc<Budget>,
    deadline: tokio::time::Instant,
    progress: Option<&indicatif::ProgressBar>,
) -> LevelResult {
    let level = Arc::new(Level {
        remaining: AtomicI64::new(requests as i64),
        completed: AtomicU64::new(0),
        failed: AtomicU64::new(0),
        stop: AtomicBool::new(false),
        stop_reason: std::sync::Mutex::new(None),
        deadline,
        local_gave_up: AtomicU64::new(0),
        local_error: std::sync::Mutex::new(None),
        busy: AtomicU32::new(0),
        peak_busy: AtomicU32::new(0),
    });
    let ep_arc = Arc::new(ep.clone());
    let mut tasks = Vec::new();
    let (concurrency, rate) = match mode {
        Mode::Closed { concurrency } => {
            for _ in 0..concurrency.max(1) {
                tasks.push(tokio::spawn(closed_loop_vu(
                    dialer.clone(),
                    ep_arc.clone(),
                    level.clone(),
                    budget.clone(),
                )));
            }
            (concurrency, None)
        }
        Mode::Open { rate, workers } => {
            // Leave the workers time to connect before the first request is due.
            let schedule = Arc::new(Schedule {
                next: AtomicU64::new(0),
                start: tokio::time::Instant::now() + Duration::from_millis(200),
                interval: Duration::from_secs_f64(1.0 / rate.max(0.001)),
                total: requests,
            });
            for _ in 0..workers.max(1) {
                tasks.push(tokio::spawn(open_loop_vu(
                    dialer.clone(),
                    ep_arc.clone(),
                    level.clone(),
                    budget.clone(),
                    schedule.clone(),
                )));
            }
            (workers, Some(rate))
        }
    };
    let mut hist = new_histogram();
    let mut errors_by_kind: BTreeMap<&'static str, u64> = BTreeMap::new();
    let ticker = progress.map(|p| {
        let p = p.clone();
        let level = level.clone();
        tokio::spawn(async move {
            let mut shown = 0;
            loop {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let done = level.completed.load(Ordering::Relaxed);
                p.inc(done.saturating_sub(shown));
                shown = done;
            }
        })
    });
    for t in tasks {
        if let Ok(tally) = t.await {
            for m in &tally.micros {
                let _ = hist.record(u64::from(*m));
            }
            for (k, v) in tally.errors {
                *errors_by_kind.entry(k).or_default() += v;
            }
        }
    }
    if let Some(t) = ticker {
        t.abort();
    }
    let completed = level.completed.load(Ordering::Relaxed);
    let gave_up = level.local_gave_up.load(Ordering::Relaxed);
    let backed_off = (gave_up > 0).then(|| {
        let ran = u64::from(concurrency.max(1)).saturating_sub(gave_up);
        let why = level
            .local_error
            .lock()
            .ok()
            .and_then(|e| e.clone())
            .unwrap_or_default();
        (u32::try_from(ran).unwrap_or(u32::MAX), why)
    });
    let mut stopped = level.stop_reason.lock().ok().and_then(|r| r.clone());
    let mut cut = None;
    if stopped.is_none() && completed < requests {
        let why = if budget.exhausted() {
            format!("stopped at the --max-requests cap ({})", budget.cap)
        } else if tokio::time::Instant::now() >= deadline {
            DEADLINE_REASON.to_string()
        } else if let Some((0, why)) = &backed_off {
            format!("this machine could not open a single connection ({why})")
        } else {
            format!("{completed} of {requests} requests completed")
        };
        cut = Some(why.clone());
        stopped = Some(why);
    }
    if let (None, Some((ran, why))) = (&cut, &backed_off) {
        cut = Some(format!(
            "this machine could open only {ran} of {concurrency} connections ({why}); measured at c={ran}"
        ));
    }
    let ms = |q: f64| hist.value_at_quantile(q) as f64 / 1000.0;
    let empty = hist.is_empty();
    LevelResult {
        endpoint: ep.url.clone(),
        // Open loop: the most requests that were in flight at once (the workers are only the
        // ceiling); closed loop: the virtual users.
        concurrency: if rate.is_some() {
            level.peak_busy.load(Ordering::Relaxed)
        } else {
            concurrency
        },
        rate,
        requests: completed,
        errors: level.failed.load(Ordering::Relaxed),
        errors_by_kind,
        p50_ms: if empty { 0.0 } else { ms(0.50) },
        p95_ms: if empty { 0.0 } else { ms(0.95) },
        p99_ms: if empty { 0.0 } else { ms(0.99) },
        max_ms: if empty {
            0.0
        } else {
            hist.max() as f64 / 1000.0
        },
        stopped,
        cut,
        backed_off,
    }
}

// ---------------------------------------------------------------------------------------
