use reactive_core::{ErrorKind, Publisher, UNBOUNDED};
use reactive_operators::{PublisherExt, error, range};

use crate::probe::probe;

#[test]
fn maps_every_item_in_order() {
    let (p, h) = probe::<String>(UNBOUNDED);
    range(1, 3).map(|v| format!("#{v}")).subscribe(p);
    assert_eq!(h.items(), vec!["#1", "#2", "#3"]);
    assert!(h.with(|r| r.completed == 1));
}

#[test]
fn passes_demand_through_unchanged() {
    let (p, h) = probe::<u64>(2);
    range(0, 10).map(|v| v * 2).subscribe(p);
    assert_eq!(h.items(), vec![0, 2]);
    h.request(3);
    assert_eq!(h.items(), vec![0, 2, 4, 6, 8]);
    assert!(h.with(|r| !r.overflow && r.completed == 0));
}

#[test]
fn state_is_per_subscription() {
    let counted = range(0, 3).map({
        let mut seen = 0;
        move |v| {
            seen += 1;
            (v, seen)
        }
    });
    for _ in 0..2 {
        let (p, h) = probe::<(u64, i32)>(UNBOUNDED);
        counted.subscribe(p);
        assert_eq!(h.items(), vec![(0, 1), (1, 2), (2, 3)]);
    }
}

#[test]
fn passes_errors_and_request_zero_through() {
    let (p, h) = probe::<u64>(UNBOUNDED);
    error::<u64>(reactive_core::Error::msg("bad"))
        .map(|v| v + 1)
        .subscribe(p);
    assert!(h.with(|r| r.errors.len() == 1 && r.errors[0].kind() == ErrorKind::User));

    let (p, h) = probe::<u64>(0);
    range(0, 5).map(|v| v + 1).subscribe(p);
    h.request(0);
    assert!(h.with(|r| r.errors[0].kind() == ErrorKind::InvalidRequest));
}
