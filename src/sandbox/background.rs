//! The sandbox on its own thread and runtime, for tests and callers that are not async.

use super::{Sandbox, SandboxError, SandboxInfo};

/// A sandbox on its own thread and runtime, for tests and callers that are not async.
/// Dropping it stops the sandbox.
pub struct Background {
    pub info: SandboxInfo,
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    pub fn start(name: &str) -> Result<Background, SandboxError> {
        Background::start_with_aliases(name, 0)
    }

    /// [`Sandbox::start_with_aliases`] on its own thread.
    pub fn start_with_aliases(name: &str, aliases: usize) -> Result<Background, SandboxError> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let name = name.to_string();
        let thread = std::thread::spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(SandboxError::Runtime(e)));
                    return;
                }
            };
            rt.block_on(async move {
                match Sandbox::start_with_aliases(&name, aliases).await {
                    Ok(sb) => {
                        let _ = ready_tx.send(Ok(sb.info.clone()));
                        let _ = tokio::task::spawn_blocking(move || stop_rx.recv()).await;
                        drop(sb);
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            });
        });
        let info = ready_rx.recv().map_err(|_| SandboxError::ThreadDied)??;
        Ok(Background {
            info,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
