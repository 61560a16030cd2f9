//! What the operators that watch a second publisher while they relay the first
//! (`take_until`, `skip_until`, `with_latest_from`) share: each side's subscription and end
//! flag ([`Side`]), and the serializer that lets the main side's items and the other side's
//! terminal signal reach the downstream one at a time ([`Serial`]).
//!
//! Who touches what:
//!
//! | state | written by | read by |
//! |---|---|---|
//! | each side's subscription ([`SubscriptionSlot`]) | that side's `on_subscribe` | `request` (main), `cancel`, the other side's end |
//! | each side's `done` | that side's terminal signal | a cancel (no cancel after a terminal, rule 2.4) |
//! | `ended`, `end` | the first terminal signal or cancel, once | the drainer |
//! | the downstream (in the `WipCell`) | only the drainer | |

use std::marker::PhantomData;

use reactive_core::support::{SubscriptionSlot, WipCell};
use reactive_core::sync::Mutex;
use reactive_core::sync::atomic::{AtomicBool, Ordering};
use reactive_core::{Error, Subscriber, SubscriptionRef};

/// One of the two upstreams: its subscription, and whether it has ended.
#[derive(Debug)]
pub(crate) struct Side {
    pub(crate) slot: SubscriptionSlot,
    done: AtomicBool,
}

impl Side {
    pub(crate) fn new() -> Self {
        Side {
            slot: SubscriptionSlot::new(),
            done: AtomicBool::new(false),
        }
    }

    /// This side sent its terminal signal: it is never cancelled afterwards.
    pub(crate) fn finished(&self) {
        self.done.store(true, Ordering::Release);
    }

    /// Cancels this side unless it has ended (a cancel after its terminal signal would break
    /// rule 2.4 on the subscriber side).
    pub(crate) fn cancel(&self) {
        if !self.done.load(Ordering::Acquire) {
            self.slot.cancel();
        }
    }
}

/// What only the drainer touches.
struct Out<D> {
    /// `None` once the stream has ended or was cancelled: dropping it is rule 3.13.
    downstream: Option<D>,
    /// The subscription for the downstream's `on_subscribe`, until the first pass.
    handle: Option<SubscriptionRef>,
}

/// The downstream behind a drain loop: the main side hands it items, any side (or a cancel)
/// hands it the end, from any thread, one at a time.
///
/// The main side's items arrive serially (rule 1.3), and only a terminal signal or a cancel
/// runs a pass from elsewhere; so an item whose caller finds the drain busy is dropped: the
/// stream is ending (the pass that holds the drain delivers the end).
pub(crate) struct Serial<T, D> {
    cell: WipCell<Out<D>>,
    /// The downstream's item type (a `fn` type: it is `Send` and `Sync` whatever `T` is).
    items: PhantomData<fn(T)>,
    /// An end was recorded (set once, before `end` is read by a pass).
    ended: AtomicBool,
    /// The end to deliver: `Some(result)`, or `None` for a cancel (no signal).
    end: Mutex<Option<Option<Result<(), Error>>>>,
}

impl<T, D> std::fmt::Debug for Serial<T, D> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Serial")
            .field("ended", &self.ended.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<T, D: Subscriber<T>> Serial<T, D> {
    pub(crate) fn new(downstream: D) -> Self {
        Serial {
            items: PhantomData,
            cell: WipCell::new(Out {
                downstream: Some(downstream),
                handle: None,
            }),
            ended: AtomicBool::new(false),
            end: Mutex::new(None),
        }
    }

    /// Whether an end (or a cancel) was recorded.
    pub(crate) fn is_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// Records the end, once (the first one wins): `Some(result)` is delivered, `None` (a
    /// cancel) only drops the downstream. Returns whether this call was the first.
    pub(crate) fn end(&self, end: Option<Result<(), Error>>) -> bool {
        if self.ended.swap(true, Ordering::AcqRel) {
            return false;
        }
        // Record first, then drain: whoever holds the drain finds it.
        *self.end.lock() = Some(end);
        self.cell.drain(|out| self.deliver_end(out));
        true
    }

    /// Delivers the recorded end, if any.
    fn deliver_end(&self, out: &mut Out<D>) {
        if out.downstream.is_none() || !self.ended.load(Ordering::Acquire) {
            return;
        }
        let end = self.end.lock().take();
        let Some(end) = end else { return };
        out.handle = None;
        if let Some(mut downstream) = out.downstream.take() {
            match end {
                Some(Ok(())) => downstream.on_complete(),
                Some(Err(error)) => downstream.on_error(error),
                None => {}
            }
        }
    }

    /// Gives the downstream its subscription (before any other signal: nobody else can drain
    /// yet), then delivers an end recorded meanwhile.
    pub(crate) fn subscribe(&self, handle: SubscriptionRef) {
        self.cell.drain(|out| {
            if let Some(downstream) = out.downstream.as_mut() {
                downstream.on_subscribe(handle.clone());
            }
            self.deliver_end(out);
        });
    }

    /// Hands the downstream an item from the main side, on the plain path
    /// (`conditional == false`) or the conditional one; returns whether it was taken (always
    /// `true` on the plain path, unless the stream is ending).
    #[inline]
    pub(crate) fn next(&self, item: T, conditional: bool) -> bool {
        if self.is_ended() {
            return false;
        }
        let mut item = Some(item);
        let mut taken = false;
        self.cell.drain(|out| {
            if let Some(item) = item.take() {
                // An end recorded before this pass wins over the item.
                if !self.is_ended() {
                    if let Some(downstream) = out.downstream.as_mut() {
                        taken = if conditional {
                            downstream.try_on_next(item)
                        } else {
                            downstream.on_next(item);
                            true
                        };
                    }
                }
            }
            self.deliver_end(out);
        });
        taken
    }
}
