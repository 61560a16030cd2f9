#!/usr/bin/env python3
"""Show that each loom model can fail: break one primitive on purpose, run its model, expect a
failure; then the next. Works on a throwaway `git worktree` of HEAD, never on your tree.

Run from the repository root:  python3 scripts/loom-breaks.py [name ...]
Exit status 0 means every break was caught. A break whose text no longer matches the source
fails loudly: update the break next to the code change that moved it.
"""
import os, subprocess, sys, tempfile

# name -> (file, original text, broken text, model to run[, cargo target args])
CORE = ["-p", "reactive-core", "--lib"]
OPS = ["-p", "reactive-operators", "--lib"]
BREAKS = {
    "demand-add-not-atomic": (
        "reactive-core/src/support/demand.rs",
        """            match self.state.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return Some(current),
                Err(actual) => current = actual,
            }""",
        """            self.state.store(next, Ordering::Release);
            return Some(current);""",
        "concurrent_requests_add_exactly",
    ),
    "demand-produced-not-atomic": (
        "reactive-core/src/support/demand.rs",
        """            let next = current.saturating_sub(n);
            match self.state.compare_exchange_weak(
                current,
                next,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return next,
                Err(actual) => current = actual,
            }""",
        """            let next = current.saturating_sub(n);
            self.state.store(next, Ordering::Release);
            return next;""",
        "request_races_produced",
    ),
    "wip-leave-resets-to-zero": (
        "reactive-core/src/support/wip.rs",
        "let before = self.wip.fetch_sub(missed, Ordering::AcqRel);",
        "self.wip.store(0, Ordering::Release);\n            let before = missed;",
        "drain_never_loses_a_wake_up",
    ),
    "wip-enter-not-atomic": (
        "reactive-core/src/support/wip.rs",
        "if self.wip.fetch_add(1, Ordering::AcqRel) != 0 {",
        "let w = self.wip.load(Ordering::Acquire);\n        self.wip.store(w + 1, Ordering::Release);\n        if w != 0 {",
        "drain_never_loses_a_wake_up",
    ),
    "spsc-publish-relaxed": (
        "reactive-core/src/queue/spsc.rs",
        "self.ring.tail.store(self.tail, Ordering::Release);",
        "self.ring.tail.store(self.tail, Ordering::Relaxed);",
        "spsc_full_and_empty_edges",
    ),
    "spsc-ignores-full": (
        "reactive-core/src/queue/spsc.rs",
        "        if self.tail.wrapping_sub(self.cached_head) == cap {\n            self.cached_head",
        "        if false && self.tail.wrapping_sub(self.cached_head) == cap {\n            self.cached_head",
        "spsc_full_and_empty_edges",
    ),
    "slot-set-after-cancel-accepted": (
        "reactive-core/src/support/slot.rs",
        "        match &*state {\n            State::Empty {",
        "        match &*state {\n            State::Cancelled => {\n                *state = State::Set(subscription.clone());\n                true\n            }\n            State::Empty {",
        "slot_set_races_cancel",
    ),
    "arbiter-split-critical-section": (
        "reactive-core/src/support/arbiter.rs",
        "        let previous = state.current.replace(subscription.clone());\n        let owed = state.owed;",
        "        let previous = state.current.replace(subscription.clone());\n        drop(state);\n        let mut state = self.state.lock();\n        let owed = state.owed;",
        "arbiter_switch_races_request",
    ),
    "serial-push-always-drains": (
        "reactive-core/src/scheduler/serial.rs",
        """        if st.running {
            Push::Queued
        } else {
            st.running = true;
            Push::Drain
        }""",
        """        st.running = true;
        Push::Drain""",
        "worker_runs_tasks_in_order",
    ),
    "serial-release-outside-pop": (
        "reactive-core/src/scheduler/serial.rs",
        """                let mut st = self.state.lock();
                match st.ready.pop_front() {
                    Some(cell) => cell,
                    None => {
                        st.running = false;
                        return Drained::Idle;
                    }
                }""",
        """                let popped = self.state.lock().ready.pop_front();
                match popped {
                    Some(cell) => cell,
                    None => {
                        self.state.lock().running = false;
                        return Drained::Idle;
                    }
                }""",
        "worker_runs_tasks_in_order",
    ),
    "serial-dispose-drops-without-cancel": (
        "reactive-core/src/scheduler/serial.rs",
        "drop(cell.cancel());",
        "drop(cell);",
        "dispose_races_schedule",
    ),
    "drain-signal-always-schedules": (
        "reactive-core/src/scheduler/drain.rs",
        """        if self.inner.wip.fetch_add(1, Ordering::AcqRel) == 0 {
            self.inner.schedule(1);""",
        """        if self.inner.wip.fetch_add(1, Ordering::AcqRel) < usize::MAX {
            self.inner.schedule(1);""",
        "signal_races_worker_pass",
    ),
    "drain-leave-resets-to-zero": (
        "reactive-core/src/scheduler/drain.rs",
        "let before = inner.wip.fetch_sub(self.missed, Ordering::AcqRel);",
        "inner.wip.store(0, Ordering::Release);\n            let before = self.missed;",
        "signal_races_worker_pass",
    ),
    "drain-dispose-ignores-claim": (
        "reactive-core/src/scheduler/drain.rs",
        """        if self.inner.wip.fetch_add(1, Ordering::AcqRel) == 0 {
            // SAFETY: this call moved""",
        """        if self.inner.wip.fetch_add(1, Ordering::AcqRel) < usize::MAX {
            // SAFETY: this call moved""",
        "dispose_races_signal",
    ),
    "drain-pass-ignores-disposed": (
        "reactive-core/src/scheduler/drain.rs",
        """            if inner.disposed.load(Ordering::Acquire) {
                self.finish(&inner);""",
        """            if false && inner.disposed.load(Ordering::Acquire) {
                self.finish(&inner);""",
        "dispose_races_signal",
    ),
    "demand-add-overwrites-invalid": (
        "reactive-core/src/support/demand.rs",
        "                CANCELLED | INVALID => return None,",
        "                CANCELLED => return None,",
        "demand::loom_models::request_zero_races_request",
    ),
    "demand-claim-not-atomic": (
        "reactive-core/src/support/demand.rs",
        """        self.state
            .compare_exchange(INVALID, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()""",
        """        if self.state.load(Ordering::Acquire) != INVALID {
            return false;
        }
        self.state.store(CANCELLED, Ordering::Release);
        true""",
        "demand::loom_models::request_zero_races_cancel",
    ),
    "demand-add-zero-not-atomic": (
        "reactive-core/src/support/demand.rs",
        "                _ if n == 0 => INVALID,",
        """                _ if n == 0 => {
                    self.state.store(INVALID, Ordering::Release);
                    return Some(current);
                }""",
        "demand::loom_models::request_zero_races_cancel_and_request",
    ),
    "demand-cancel-keeps-invalid": (
        "reactive-core/src/support/demand.rs",
        "        self.state.swap(CANCELLED, Ordering::AcqRel) != CANCELLED",
        """        if self.state.load(Ordering::Acquire) == INVALID {
            return true;
        }
        self.state.swap(CANCELLED, Ordering::AcqRel) != CANCELLED""",
        "source::loom_models::request_zero_races_cancel",
    ),
    "pull-request-zero-without-drain": (
        "reactive-core/src/source.rs",
        "        if self.demand.add(n).is_some() {",
        "        if self.demand.add(n).is_some() && n != 0 {",
        "source::loom_models::request_zero_races_request",
    ),
    "pull-stop-without-report": (
        "reactive-core/src/source.rs",
        """                if self.demand.is_stopping() {
                    return Halt::Stopping;
                }
                match pull.next() {
                    Next::Item(item) => {""",
        """                if self.demand.is_stopping() {
                    // Stop for good, without the report `Demand::check` would make.
                    self.demand.cancel();
                    return Halt::Stopping;
                }
                match pull.next() {
                    Next::Item(item) => {""",
        "source::loom_models::request_zero_races_unbounded_emission",
    ),
    "pull-cancel-without-drain": (
        "reactive-core/src/source.rs",
        """        if self.demand.cancel() {
            self.state.drain(|state| self.emit(state, None));
        }""",
        """        self.demand.cancel();""",
        "source::loom_models::request_races_cancel",
    ),
    "reentrant-any-thread-counts-locally": (
        "reactive-core/src/support/reentrant.rs",
        """        if self.emitter.load(Ordering::Relaxed) != thread::token() {
            return false;
        }""",
        """        if self.emitter.load(Ordering::Relaxed) == 0 {
            return false;
        }""",
        "source::loom_models::reentrant_request_races_foreign_request",
    ),
    "reentrant-local-demand-dropped": (
        "reactive-core/src/source.rs",
        """                if sum != UNBOUNDED {
                    requested = sum;
                    local += more;
                    left = more;
                    continue;
                }""",
        """                if sum != UNBOUNDED {
                    continue;
                }""",
        "source::loom_models::reentrant_request_races_foreign_request",
    ),
    "from-stream-cancel-without-dispose": (
        "reactive-operators/src/bridge/from_stream.rs",
        """        if self.demand.cancel() {
            // Drops the stream and the subscriber now if no pass runs, or right after the
            // running one (which sees the cancel before its next poll).
            self.drain.dispose();
        }""",
        """        self.demand.cancel();""",
        "from_stream::loom_models::cancel_races_poll",
        OPS,
    ),
    "from-stream-polls-on-after-cancel": (
        "reactive-operators/src/bridge/from_stream.rs",
        """            if demand.is_stopping() {
                // Cancelled (the drain drops everything) or `request(0)` (reported here).
                demand.check(subscriber);
                return Pass::Stop;
            }""",
        "",
        "from_stream::loom_models::cancel_races_poll",
        OPS,
    ),
    "from-stream-idle-with-demand-left": (
        "reactive-operators/src/bridge/from_stream.rs",
        """                requested = demand.produced(emitted);
                emitted = 0;
                if requested == 0 {
                    return Pass::Wait;
                }""",
        """                demand.produced(emitted);
                return Pass::Wait;""",
        "from_stream::loom_models::request_races_used_up_demand",
        OPS,
    ),
    "inbox-register-after-unlock": (
        "reactive-operators/src/terminal/inbox.rs",
        """        match &state.waker {
            Some(waker) if waker.will_wake(cx.waker()) => {}
            _ => state.waker = Some(cx.waker().clone()),
        }""",
        """        drop(state);
        self.shared.state.lock().waker = Some(cx.waker().clone());""",
        "inbox::loom_models::on_next_races_poll",
        OPS,
    ),
    "stream-flag-after-recheck": (
        "reactive-operators/src/bridge/into_stream.rs",
        """        self.shared.waiting.swap(true, Ordering::AcqRel);
        let found = match self.queue.poll() {
            Some(item) => {
                self.taken += 1;
                Poll::Ready(Some(Ok(item)))
            }
            None => self.try_end(),
        };""",
        """        let found = match self.queue.poll() {
            Some(item) => {
                self.taken += 1;
                Poll::Ready(Some(Ok(item)))
            }
            None => self.try_end(),
        };
        self.shared.waiting.swap(true, Ordering::AcqRel);""",
        "into_stream::loom_models::wake_races_on_next",
        OPS,
    ),
    "stream-skip-recheck": (
        "reactive-operators/src/bridge/into_stream.rs",
        """        let found = match self.queue.poll() {
            Some(item) => {
                self.taken += 1;
                Poll::Ready(Some(Ok(item)))
            }
            None => self.try_end(),
        };""",
        """        let found: Poll<Option<Result<T, Error>>> = Poll::Pending;""",
        "into_stream::loom_models::wake_races_on_next",
        OPS,
    ),
    "stream-signal-relaxed": (
        "reactive-operators/src/bridge/into_stream.rs",
        "if self.waiting.swap(false, Ordering::AcqRel) {",
        "if self.waiting.swap(false, Ordering::Relaxed) {",
        "into_stream::loom_models::wake_races_on_next",
        OPS,
    ),
    "stream-signal-load-not-swap": (
        "reactive-operators/src/bridge/into_stream.rs",
        "if self.waiting.swap(false, Ordering::AcqRel) {",
        """if self.waiting.load(Ordering::Acquire) {
            self.waiting.store(false, Ordering::Release);""",
        "into_stream::loom_models::wake_races_on_next",
        OPS,
    ),
    "stream-terminal-without-signal": (
        "reactive-operators/src/bridge/into_stream.rs",
        """        self.shared.done.store(true, Ordering::Release);
        self.shared.signal();""",
        """        self.shared.done.store(true, Ordering::Release);""",
        "into_stream::loom_models::terminal_races_wait",
        OPS,
    ),
    "stream-drop-without-cancel": (
        "reactive-operators/src/bridge/into_stream.rs",
        """        if !self.shared.is_done() {
            self.shared.upstream.cancel();
        }""",
        "",
        "into_stream::loom_models::drop_races_on_next",
        OPS,
    ),
    "blocking-wake-without-unpark": (
        "reactive-operators/src/terminal/blocking_iter.rs",
        """    fn wake(self: std::sync::Arc<Self>) {
        self.0.unpark();
    }""",
        """    fn wake(self: std::sync::Arc<Self>) {
        drop(self);
    }""",
        "blocking_iter::loom_models::park_races_on_next",
        OPS,
    ),
    "publish-on-signal-before-offer": (
        "reactive-operators/src/ops/publish_on.rs",
        """        if let Err(item) = self.queue.offer(item) {
            self.overflow(item);
            return;
        }
        // After the offer: a pass that this signal schedules, or that is running and runs
        // again for it, finds the item.
        self.drain.signal();""",
        """        self.drain.signal();
        if let Err(item) = self.queue.offer(item) {
            self.overflow(item);
        }""",
        "publish_on::loom_models::producer_offer_races_drain",
        OPS,
    ),
    "publish-on-pass-ignores-cancel": (
        "reactive-operators/src/ops/publish_on.rs",
        """        let Some(requested) = self.signals.demand.check(downstream) else {
            return self.stop();
        };""",
        """        let requested = self.signals.demand.check(downstream).unwrap_or(0);""",
        "publish_on::loom_models::cancel_races_drain",
        OPS,
    ),
    "publish-on-complete-ignores-queue": (
        "reactive-operators/src/ops/publish_on.rs",
        "                if done && (failed_first || self.queue.is_empty()) {",
        "                if done {",
        "publish_on::loom_models::complete_races_request",
        OPS,
    ),
    "publish-on-done-after-empty": (
        "reactive-operators/src/ops/publish_on.rs",
        """                let done = self.signals.done.load(Ordering::Acquire);
                let failed_first = self.error_first && self.signals.failed.load(Ordering::Acquire);
                if done && (failed_first || self.queue.is_empty()) {""",
        """                let empty = self.queue.is_empty();
                let done = self.signals.done.load(Ordering::Acquire);
                let failed_first = self.error_first && self.signals.failed.load(Ordering::Acquire);
                if done && (failed_first || empty) {""",
        "publish_on::loom_models::complete_races_request",
        OPS,
    ),
    "subscribe-on-arrival-without-signal": (
        "reactive-operators/src/ops/subscribe_on.rs",
        """            self.link.shared.arrived.store(true, Ordering::Release);
            self.link.drain.signal(); // the pass forwards what was requested so far""",
        """            self.link.shared.arrived.store(true, Ordering::Release);""",
        "subscribe_on::loom_models::request_races_upstream_arrival",
        OPS,
    ),
    "tail-handoff-after-drain": (
        "reactive-operators/src/ops/post_complete.rs",
        """        *self.handoff.lock() = Some(Handoff { downstream, items });
        self.drain();""",
        """        self.drain();
        *self.handoff.lock() = Some(Handoff { downstream, items });""",
        "take_last::loom_models::request_races_completion",
        OPS,
    ),
    "tail-request-without-drain": (
        "reactive-operators/src/ops/post_complete.rs",
        """        if n == 0 || up > 0 {
            self.request_upstream(up);
        }
        self.drain();""",
        """        if n == 0 || up > 0 {
            self.request_upstream(up);
        }""",
        "take_last::loom_models::request_races_completion",
        OPS,
    ),
    "buffer-skip-first-not-atomic": (
        "reactive-operators/src/ops/buffer_skip.rs",
        "        let n = if self.first.swap(false, Ordering::AcqRel) {",
        """        let first = self.first.load(Ordering::Acquire);
        self.first.store(false, Ordering::Release);
        let n = if first {""",
        "buffer_skip::loom_models::first_requests_race",
        OPS,
    ),
    "tail-cancel-without-drain": (
        "reactive-operators/src/ops/post_complete.rs",
        """                upstream.cancel();
            }
            self.drain();""",
        """                upstream.cancel();
            }""",
        "take_last::loom_models::cancel_races_completion",
        OPS,
    ),
    "start-with-forgets-the-prefix": (
        "reactive-operators/src/ops/switch_if_empty.rs",
        "        self.arbiter.produced(self.produced);\n",
        "",
        "start_with::loom_models::request_races_switch",
        OPS,
    ),
    "take-cap-not-atomic": (
        "reactive-operators/src/ops/take.rs",
        """            match self.left.compare_exchange_weak(
                left,
                left - grant,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {""",
        """            self.left.store(left - grant, Ordering::Release);
            match Ok::<u64, u64>(left) {
                Ok(_) => {""",
        "take::loom_models::concurrent_requests_share_the_cap",
        OPS,
    ),
    "take-grants-whole-request": (
        "reactive-operators/src/ops/take.rs",
        "            let grant = n.min(left);",
        "            let grant = n;",
        "take::loom_models::request_races_last_item",
        OPS,
    ),
    "element-at-drain-before-hand-off": (
        "reactive-operators/src/ops/element_at.rs",
        """            *shared.outcome.lock() = Some(outcome);
            shared.drain(None);""",
        """            shared.drain(None);
            *shared.outcome.lock() = Some(outcome);""",
        "element_at::loom_models::complete_races_first_request",
        OPS,
    ),
    "deferred-request-without-drive": (
        "reactive-core/src/support/deferred.rs",
        """            self.upstream.cancel();
        }
        self.drive();
    }

    fn cancel(&self) {""",
        """            self.upstream.cancel();
        }
        if n == 0 {
            self.drive();
        }
    }

    fn cancel(&self) {""",
        "deferred::loom_models::request_races_the_value",
    ),
    "deferred-claim-not-atomic": (
        "reactive-core/src/support/deferred.rs",
        """            match self.state.compare_exchange_weak(
                current,
                current | DONE,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => return self.finish(action, current & READY != 0),
                Err(actual) => current = actual,
            }""",
        """            self.state.fetch_or(DONE, Ordering::AcqRel);
            return self.finish(action, current & READY != 0);""",
        "deferred::loom_models::request_races_the_value",
    ),
    "deferred-producer-ignores-done": (
        "reactive-core/src/support/deferred.rs",
        """        let before = self.state.fetch_or(READY | now, Ordering::AcqRel);
        if before & DONE != 0 {""",
        """        let before = self.state.fetch_or(READY | now, Ordering::AcqRel);
        if false && before & DONE != 0 {""",
        "deferred::loom_models::cancel_races_the_value",
    ),
    "deferred-invalid-ignored-when-ready": (
        "reactive-core/src/support/deferred.rs",
        "            } else if current & INVALID != 0 {",
        "            } else if current & INVALID != 0 && current & READY == 0 {",
        "deferred::loom_models::request_zero_races_the_value",
    ),
    "do-finally-fired-not-atomic": (
        "reactive-operators/src/ops/do_finally.rs",
        "        if !self.fired.swap(true, Ordering::AcqRel) {",
        """        if !self.fired.load(Ordering::Acquire) {
            self.fired.store(true, Ordering::Release);""",
        "do_finally::loom_models::cancel_races_completion",
        OPS,
    ),
    # Windows and groups (issue 9).
    "substreams-stranded-pending-child": (
        "reactive-operators/src/ops/substreams.rs",
        """            // it; kept, it would hold the hub and itself alive.
            st.pending.clear();
            return;""",
        """            // it; kept, it would hold the hub and itself alive.
            return;""",
        "group_by::loom_models::new_group_races_outer_cancel",
        OPS,
    ),
    "substreams-done-after-empty": (
        "reactive-operators/src/ops/substreams.rs",
        """            if child.queue.is_empty() {
                if done {""",
        """            if child.queue.is_empty() {
                if child.shared.done.load(Ordering::Acquire) {""",
        "window::loom_models::item_races_window_request",
        OPS,
    ),
    # Merging (issue 9).
    "flat-map-done-without-recheck": (
        "reactive-operators/src/ops/flat_map.rs",
        """                    if ring.is_empty() {
                        return Step::Finished(None);
                    }""",
        """                    return Step::Finished(None);""",
        "flat_map::loom_models::inner_completion_races_main_completion",
        OPS,
    ),
    "flat-map-complete-ignores-inners": (
        "reactive-operators/src/ops/flat_map.rs",
        """        if shared.outer_done.load(Ordering::Acquire)
            && self.inners.is_empty()
            && self.arrivals.is_empty()""",
        """        if shared.outer_done.load(Ordering::Acquire) && self.arrivals.is_empty()""",
        "flat_map::loom_models::inner_completion_races_main_completion",
        OPS,
    ),
    "flat-map-request-without-drain": (
        "reactive-operators/src/ops/flat_map.rs",
        """        self.demand.add(n);
        self.drain();""",
        """        self.demand.add(n);""",
        "flat_map::loom_models::inner_on_next_races_downstream_request",
        OPS,
    ),
    "flat-map-serve-ignores-demand": (
        "reactive-operators/src/ops/flat_map.rs",
        """        } => loop {
            if *emitted == requested {
                return if signals.done""",
        """        } => loop {
            if false && *emitted == requested {
                return if signals.done""",
        "flat_map::loom_models::inner_on_next_races_downstream_request",
        OPS,
    ),
    # Sequential combining (concat, concat_map, switch_map).
    "concat-keeps-finished-source": (
        "reactive-operators/src/ops/concat.rs",
        "        self.produced = 0;\n        self.shared.arbiter.clear();",
        "        self.produced = 0;",
        "concat::loom_models::inner_completion_races_request",
        OPS,
    ),
    "concat-arbiter-split-critical-section": (
        "reactive-core/src/support/arbiter.rs",
        "        let previous = state.current.replace(subscription.clone());\n        let owed = state.owed;",
        "        let previous = state.current.replace(subscription.clone());\n        drop(state);\n        let mut state = self.state.lock();\n        let owed = state.owed;",
        "concat::loom_models::inner_completion_races_request",
        OPS,
    ),
    "concat-map-signal-before-offer": (
        "reactive-operators/src/ops/sequential.rs",
        """        match self.queue.as_mut() {
            Some(queue) => {
                if let Err(item) = queue.offer(item) {
                    drop(item);
                    let capacity = queue.capacity();
                    self.core.shared.outer.cancel();
                    self.end(Some(Error::buffer_overflow("concat_map", capacity)));
                    return;
                }
            }
            None => {
                *self.core.shared.latest.lock() = Some(item);
            }
        }
        // After the record: the pass this signal runs (or makes run again) finds it.
        self.core.signal();""",
        """        self.core.signal();
        match self.queue.as_mut() {
            Some(queue) => {
                if let Err(item) = queue.offer(item) {
                    drop(item);
                    let capacity = queue.capacity();
                    self.core.shared.outer.cancel();
                    self.end(Some(Error::buffer_overflow("concat_map", capacity)));
                    return;
                }
            }
            None => {
                *self.core.shared.latest.lock() = Some(item);
            }
        }""",
        "concat_map::loom_models::outer_item_races_request",
        OPS,
    ),
    "switch-map-flushes-old-inner": (
        "reactive-operators/src/ops/sequential.rs",
        """                if let Some(item) = latest {
                    // The current inner is cancelled before the new one starts; its ring
                    // (and any late item in it) is dropped unread.
                    std::mem::replace(&mut st.active, Active::Idle).cancel();""",
        """                if let Some(item) = latest {
                    if let Active::Inner { link, .. } = &st.active {
                        link.upstream.cancel();
                    }
                    if let (Active::Inner { queue, .. }, Some(d)) =
                        (&mut st.active, st.downstream.as_mut())
                    {
                        while emitted < requested {
                            match queue.poll() {
                                Some(v) => {
                                    d.on_next(v);
                                    emitted += 1;
                                }
                                None => break,
                            }
                        }
                    }
                    std::mem::replace(&mut st.active, Active::Idle).cancel();""",
        "switch_map::loom_models::switch_races_inner_on_next",
        OPS,
    ),
    # Joining (zip, take_until, combine_latest / sample_on).
    "zip-lane-trusts-done-without-repoll": (
        "reactive-operators/src/ops/lane.rs",
        """                        match ring.poll() {
                            Some(item) => item,
                            None => {
                                return match shared.take_error() {""",
        """                        match None::<T> {
                            Some(item) => item,
                            None => {
                                return match shared.take_error() {""",
        "zip::loom_models::zip_completion",
        OPS,
    ),
    "take-until-item-pass-skips-the-end": (
        "reactive-operators/src/ops/companion.rs",
        """            self.deliver_end(out);
        });
        taken""",
        """        });
        taken""",
        "take_until::loom_models::take_until_other_vs_main_on_next",
        OPS,
    ),
    "sample-on-tick-recorded-after-drain": (
        "reactive-operators/src/ops/sample_on.rs",
        """        self.shared.due.swap(true, Ordering::AcqRel);
        self.shared.drain();""",
        """        self.shared.drain();
        self.shared.due.swap(true, Ordering::AcqRel);""",
        "sample_on::loom_models::sample_on_tick_vs_request",
        OPS,
    ),
}


def main():
    root = subprocess.check_output(["git", "rev-parse", "--show-toplevel"], text=True).strip()
    names = sys.argv[1:] or list(BREAKS)
    env = dict(os.environ, RUSTFLAGS="--cfg reactive_loom", LOOM_MAX_PREEMPTIONS="2",
               # Not target/loom: the broken builds would overwrite the artifacts of the real
               # models there (cargo does not tell the throwaway worktree's crates from the
               # tree's), and the next `cargo test` under the cfg would run a broken model.
               CARGO_TARGET_DIR=os.path.join(root, "target", "loom-breaks"))
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        wt = os.path.join(tmp, "wt")
        subprocess.check_call(["git", "worktree", "add", "-q", "--detach", wt, "HEAD"], cwd=root)
        try:
            for name in names:
                path, before, after, model, *target = BREAKS[name]
                target = target[0] if target else CORE
                full = os.path.join(wt, path)
                text = open(full).read()
                if text.count(before) != 1:
                    failures.append(f"{name}: the text to break is not (exactly once) in {path}")
                    continue
                open(full, "w").write(text.replace(before, after))
                run = subprocess.run(
                    ["cargo", "test", "-q", "--release", *target, model],
                    cwd=wt, env=env, capture_output=True, text=True)
                open(full, "w").write(text)
                out = run.stdout + run.stderr
                caught = run.returncode != 0 and "panicked" in out
                lines = out.splitlines()
                why = next((l.strip() for l in lines
                            if "assertion" in l or "Causality" in l or "deadlock" in l.lower()), "")
                if not why:  # a plain `assert!`/`panic!`: its message is the line after "panicked at"
                    why = next((lines[i + 1].strip() for i, l in enumerate(lines[:-1])
                                if "panicked at" in l), "")
                print(f"{'caught' if caught else 'MISSED'}  {name:34} {model:36} {why[:90]}")
                if not caught:
                    failures.append(f"{name}: model {model} still passes")
        finally:
            subprocess.call(["git", "worktree", "remove", "--force", wt], cwd=root)
    for f in failures:
        print("FAIL", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
