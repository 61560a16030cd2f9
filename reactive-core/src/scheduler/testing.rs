//! Checks and helpers the scheduler tests share.

use std::sync::{Arc, mpsc};
use std::time::Duration;

use super::Worker;
use crate::loom::sync::atomic::{AtomicUsize, Ordering};

/// How long a test waits for something that should happen at once (a failure, not a timing
/// assertion: nothing checks how long it took).
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);

/// Counts how often it is dropped.
pub(crate) struct DropCount(pub(crate) Arc<AtomicUsize>);

impl Drop for DropCount {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Holds `worker`'s thread until the returned sender is used or dropped.
pub(crate) fn block(worker: &Arc<dyn Worker>) -> mpsc::Sender<()> {
    let (release, wait) = mpsc::channel::<()>();
    let (started_tx, started) = mpsc::channel();
    worker.schedule(Box::new(move || {
        started_tx.send(()).unwrap();
        let _ = wait.recv();
    }));
    started.recv_timeout(PATIENCE).unwrap();
    release
}

/// Two threads schedule 2,000 tasks each on `worker`: all 4,000 run, never two at once, and
/// each thread's tasks run in the order it scheduled them. Tasks record rather than assert
/// (the worker would catch an assertion's panic).
pub(crate) fn two_threads_share_a_worker_serially_and_in_order(worker: Arc<dyn Worker>) {
    const PER_THREAD: usize = 2_000;
    let active = Arc::new(AtomicUsize::new(0));
    let overlaps = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::channel();
    let threads: Vec<_> = (0..2)
        .map(|t| {
            let (worker, active, overlaps, tx) =
                (worker.clone(), active.clone(), overlaps.clone(), tx.clone());
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    let (active, overlaps, tx) = (active.clone(), overlaps.clone(), tx.clone());
                    worker.schedule(Box::new(move || {
                        if active.fetch_add(1, Ordering::SeqCst) != 0 {
                            overlaps.fetch_add(1, Ordering::SeqCst);
                        }
                        std::hint::spin_loop();
                        active.fetch_sub(1, Ordering::SeqCst);
                        tx.send((t, i)).unwrap();
                    }));
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    drop(tx);
    let got: Vec<_> = rx.iter().take(2 * PER_THREAD).collect();
    assert_eq!(got.len(), 2 * PER_THREAD, "tasks were lost");
    assert_eq!(overlaps.load(Ordering::SeqCst), 0, "two tasks overlapped");
    for t in 0..2 {
        let mine: Vec<_> = got.iter().filter(|g| g.0 == t).map(|g| g.1).collect();
        assert!(
            mine.into_iter().eq(0..PER_THREAD),
            "thread {t}'s tasks out of order"
        );
    }
}
