//! `buffer(size)` and `buffer_skip(size, skip)`: `Vec`s of items, with exact upstream demand.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::buffering_support::{a_second_subscription_is_cancelled_by, over_manual};
use crate::support::{
    assert_clean, request_zero_ends_with_rule_3_9, requests_from_on_next_do_not_recurse,
};

/// The buffers of `buffer_skip(size, skip)` over `0..len`: buffer `i` is
/// `i * skip .. i * skip + size`, cut at `len`, for every `i * skip < len`.
fn reference(len: u64, size: u64, skip: u64) -> Vec<Vec<u64>> {
    (0..)
        .map(|i| i * skip)
        .take_while(|start| *start < len)
        .map(|start| (start..(start + size).min(len)).collect())
        .collect()
}

fn all_of<P: Publisher<Item = Vec<u64>>>(publisher: &P) -> Vec<Vec<u64>> {
    let ts = TestSubscriber::new();
    publisher.subscribe(ts.clone());
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
    ts.values()
}

#[test]
fn buffer_is_chunks() {
    for (len, size) in [(10u64, 3usize), (9, 3), (0, 2), (1, 5), (5, 1)] {
        let items: Vec<u64> = (0..len).collect();
        let expected: Vec<Vec<u64>> = items.chunks(size).map(<[u64]>::to_vec).collect();
        assert_eq!(
            all_of(&range(0..len).buffer(size)),
            expected,
            "{len} {size}"
        );
    }
}

#[test]
fn buffer_requests_k_times_size_upstream() {
    let (upstream, env, ts) = over_manual(0, |up| up.buffer(3));
    assert_eq!(upstream.take_requests(), 0);
    ts.request(2);
    assert_eq!(upstream.take_requests(), 6);
    ts.request(1);
    assert_eq!(upstream.take_requests(), 3);
    for i in 0..7 {
        upstream.send_next(i);
    }
    assert_eq!(ts.values(), [vec![0, 1, 2], vec![3, 4, 5]]);
    upstream.send_completion();
    assert_eq!(ts.values().len(), 3, "the partial buffer at completion");
    assert_eq!(ts.values()[2], [6]);
    assert!(ts.is_complete());
    // Saturating: k * size past u64::MAX is unbounded.
    let (upstream, env2, _ts) = over_manual(u64::MAX / 2, |up| up.buffer(3));
    assert_eq!(upstream.take_requests(), UNBOUNDED);
    assert_clean(&env);
    assert_clean(&env2);
}

#[test]
fn buffer_never_emits_an_empty_buffer() {
    let (upstream, env, ts) = over_manual(5, |up| up.buffer(2));
    upstream.send_next(1);
    upstream.send_next(2);
    upstream.send_completion();
    assert_eq!(ts.values(), [vec![1, 2]]);
    assert!(ts.is_complete());
    assert_clean(&env);
}

#[test]
fn a_rejected_buffer_is_replaced_by_size_items() {
    // The buffer reaches `filter` through plain on_next; a rejected one is replaced by a
    // request(1) to this stage, which becomes `size` items upstream.
    let (upstream, env, ts) = over_manual(2, |up| up.buffer(2).filter(|b| b[0] % 4 == 0));
    assert_eq!(upstream.take_requests(), 4);
    for i in 0..6 {
        upstream.send_next(i);
    }
    assert_eq!(
        upstream.take_requests(),
        2,
        "one buffer rejected, 2 items more"
    );
    assert_eq!(ts.values(), [vec![0, 1], vec![4, 5]]);
    assert_clean(&env);
}

#[test]
fn buffer_errors_and_cancel() {
    let (upstream, env, ts) = over_manual(UNBOUNDED, |up| up.buffer(3));
    upstream.send_next(1);
    upstream.send_error(Error::msg("boom"));
    assert_eq!(ts.value_count(), 0, "the partial buffer is dropped");
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert_clean(&env);

    StepVerifier::create(&range(0u64..1_000_000).buffer(2))
        .initial_request(2)
        .expect_next_values([vec![0, 1], vec![2, 3]])
        .then_cancel()
        .verify()
        .unwrap();
    request_zero_ends_with_rule_3_9(&range(0u64..5).buffer(2).map(|b| b[0]));
    requests_from_on_next_do_not_recurse(&range(0u64..30_000).buffer(3).map(|b| b[0]));
    a_second_subscription_is_cancelled_by(|up| up.buffer(2));
}

#[test]
#[should_panic(expected = "buffer: the size must be at least 1")]
fn buffer_zero_panics() {
    let _ = range(0u64..3).buffer(0);
}

#[test]
fn buffer_skip_matches_the_reference() {
    for (len, size, skip) in [
        (10u64, 3u64, 1u64),
        (10, 3, 2),
        (10, 3, 3),
        (10, 2, 3),
        (11, 2, 5),
        (9, 4, 4),
        (0, 2, 1),
        (1, 3, 2),
        (7, 1, 2),
    ] {
        assert_eq!(
            all_of(&range(0..len).buffer_skip(size as usize, skip as usize)),
            reference(len, size, skip),
            "len {len}, size {size}, skip {skip}"
        );
    }
}

#[test]
fn buffer_skip_with_gaps_requests_buffers_and_the_gaps_between_them() {
    // size 2, skip 3: the first request(k) is k * 2 + (k - 1), the next ones k * 3.
    let (upstream, env, ts) = over_manual(0, |up| up.buffer_skip(2, 3));
    ts.request(1);
    assert_eq!(upstream.take_requests(), 2);
    ts.request(1);
    assert_eq!(upstream.take_requests(), 3);
    ts.request(2);
    assert_eq!(upstream.take_requests(), 6);
    for i in 0..11 {
        upstream.send_next(i);
    }
    // 11 items = 4 buffers and the 3 gaps between them: the exact demand.
    assert_eq!(
        ts.values(),
        [vec![0, 1], vec![3, 4], vec![6, 7], vec![9, 10]]
    );
    upstream.send_completion();
    assert!(ts.is_complete());
    assert_clean(&env);

    let (upstream, env, _ts) = over_manual(3, |up| up.buffer_skip(2, 5));
    assert_eq!(upstream.take_requests(), 3 * 2 + 2 * 3);
    assert_clean(&env);
}

#[test]
fn buffer_skip_overlapping_requests_the_first_buffer_then_skip_per_buffer() {
    // size 3, skip 1: the first request(k) is 3 + (k - 1), the next ones k.
    let (upstream, env, ts) = over_manual(0, |up| up.buffer_skip(3, 1));
    ts.request(1);
    assert_eq!(upstream.take_requests(), 3);
    ts.request(2);
    assert_eq!(upstream.take_requests(), 2);
    for i in 1..=5 {
        upstream.send_next(i);
    }
    assert_eq!(ts.values(), [vec![1, 2, 3], vec![2, 3, 4], vec![3, 4, 5]]);
    upstream.send_completion();
    assert!(!ts.is_terminated(), "two partial buffers wait for demand");
    ts.request(1);
    assert_eq!(ts.values().len(), 4);
    assert_eq!(ts.values()[3], [4, 5]);
    assert!(!ts.is_terminated());
    ts.request(1);
    assert_eq!(ts.values()[4], [5]);
    assert!(ts.is_complete(), "completes right after the last one");
    assert_eq!(
        upstream.take_requests(),
        0,
        "nothing to a finished upstream"
    );
    ts.cancel();
    assert!(!upstream.is_cancelled());
    assert!(ts.violations().is_empty(), "{ts:?}");
    assert_clean(&env);

    let (upstream, env, ts) = over_manual(4, |up| up.buffer_skip(5, 2));
    assert_eq!(upstream.take_requests(), 5 + 3 * 2);
    ts.request(UNBOUNDED);
    assert_eq!(upstream.take_requests(), UNBOUNDED);
    assert_clean(&env);
}

#[test]
fn buffer_skip_overlapping_after_completion_rule_3_9_and_cancel() {
    let (upstream, env, ts) = over_manual(0, |up| up.buffer_skip(3, 1));
    upstream.send_next(1);
    upstream.send_completion();
    ts.request(0);
    let e = ts.error().expect("rule 3.9");
    assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    assert!(ts.is_dropped(), "rule 3.13");
    assert_clean(&env);

    let (upstream, env, ts) = over_manual(1, |up| up.buffer_skip(3, 1));
    upstream.send_next(1);
    ts.cancel();
    assert!(upstream.is_cancelled());
    upstream.send_completion(); // raced the cancel: nothing more downstream
    assert!(!ts.is_terminated());
    assert_clean(&env);

    request_zero_ends_with_rule_3_9(&range(0u64..5).buffer_skip(3, 1).map(|b| b[0]));
    request_zero_ends_with_rule_3_9(&range(0u64..5).buffer_skip(1, 3).map(|b| b[0]));
    // 10,000 overlapping buffers of 2 over 10,000 items (the last one partial).
    requests_from_on_next_do_not_recurse(&range(0u64..10_000).buffer_skip(2, 1).map(|b| b[0]));
    requests_from_on_next_do_not_recurse(&range(0u64..30_000).buffer_skip(1, 3).map(|b| b[0]));
    a_second_subscription_is_cancelled_by(|up| up.buffer_skip(3, 1));
    a_second_subscription_is_cancelled_by(|up| up.buffer_skip(1, 3));
}

#[test]
fn buffer_skip_errors_pass_through() {
    for (size, skip) in [(3, 1), (1, 3)] {
        let (upstream, env, ts) = over_manual(UNBOUNDED, |up| up.buffer_skip(size, skip));
        upstream.send_next(1);
        upstream.send_error(Error::msg("boom"));
        assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
        assert!(ts.violations().is_empty(), "{ts:?}");
        assert_clean(&env);
    }
}

#[test]
#[should_panic(expected = "buffer_skip: the skip must be at least 1")]
fn buffer_skip_zero_panics() {
    let _ = range(0u64..3).buffer_skip(2, 0);
}
