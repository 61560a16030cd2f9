//! `cast::<U>()`: `Into` conversions, pass-through.

use reactive_core::{Error, ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::{StepVerifier, TestSubscriber};

use crate::support::{assert_clean, manual, request_zero_ends_with_rule_3_9};
use crate::transforms_support::logged;

#[test]
fn converts_every_item_with_into() {
    let ts = TestSubscriber::<i64>::with_request(UNBOUNDED);
    range(250u8..=255).cast::<i64>().subscribe(ts.clone());
    assert_eq!(ts.values(), vec![250, 251, 252, 253, 254, 255]);
    assert!(ts.is_complete());

    StepVerifier::create(&range(0u8..2).map(|v| (b'a' + v) as char).cast::<String>())
        .expect_next_values(["a".to_owned(), "b".to_owned()])
        .expect_complete()
        .verify()
        .unwrap();
}

#[test]
fn demand_passes_through_and_keeps_the_conditional_path() {
    let (source, log) = logged(range(0u32..100));
    let ts = TestSubscriber::<u64>::with_request(2);
    source
        .cast::<u64>()
        .filter(|v| v % 10 == 0)
        .subscribe(ts.clone());
    assert_eq!(ts.values(), vec![0, 10]);
    assert_eq!(*log.lock(), vec![2]);
}

#[test]
fn errors_and_cancel_pass_through() {
    StepVerifier::create(&error::<u32>(Error::msg("boom")).cast::<u64>())
        .expect_error_kind(ErrorKind::User)
        .verify()
        .unwrap();
    let (upstream, env) = manual::<u32>();
    let ts = TestSubscriber::<u64>::with_request(4);
    upstream.clone().cast::<u64>().subscribe(ts.clone());
    assert_eq!(upstream.take_requests(), 4);
    upstream.send_next(9);
    ts.cancel();
    assert!(upstream.is_cancelled());
    assert_eq!(ts.values(), vec![9]);
    assert_clean(&env);
}

#[test]
fn request_zero_is_rule_3_9() {
    request_zero_ends_with_rule_3_9(&range(0u32..10).cast::<u64>());
}
