use reactive_core::{ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, range};
use reactive_tck::TestSubscriber;

#[test]
fn maps_every_item_in_order() {
    let ts = TestSubscriber::<String>::with_request(UNBOUNDED);
    range(1u64..4)
        .map(|v| format!("#{v}"))
        .subscribe(ts.clone());
    assert_eq!(ts.values(), vec!["#1", "#2", "#3"]);
    assert!(ts.is_complete());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn passes_demand_through_unchanged() {
    let ts = TestSubscriber::<u64>::with_request(2);
    range(0u64..10).map(|v| v * 2).subscribe(ts.clone());
    assert_eq!(ts.values(), vec![0, 2]);
    ts.request(3);
    assert_eq!(ts.values(), vec![0, 2, 4, 6, 8]);
    assert!(!ts.is_terminated());
    assert!(ts.violations().is_empty(), "{ts:?}");
}

#[test]
fn state_is_per_subscription() {
    let counted = range(0u64..3).map({
        let mut seen = 0;
        move |v| {
            seen += 1;
            (v, seen)
        }
    });
    for _ in 0..2 {
        let ts = TestSubscriber::<(u64, i32)>::with_request(UNBOUNDED);
        counted.subscribe(ts.clone());
        assert_eq!(ts.values(), vec![(0, 1), (1, 2), (2, 3)]);
    }
}

#[test]
fn passes_errors_and_request_zero_through() {
    let ts = TestSubscriber::<u64>::with_request(UNBOUNDED);
    error::<u64>(reactive_core::Error::msg("bad"))
        .map(|v| v + 1)
        .subscribe(ts.clone());
    assert_eq!(ts.error().map(|e| e.kind()), Some(ErrorKind::User));
    assert!(ts.violations().is_empty(), "{ts:?}");

    let ts = TestSubscriber::<u64>::with_request(0);
    range(0u64..5).map(|v| v + 1).subscribe(ts.clone());
    ts.request(0);
    assert_eq!(
        ts.error().map(|e| e.kind()),
        Some(ErrorKind::InvalidRequest)
    );
}
