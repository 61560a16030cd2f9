//! `Publisher::fuse`: each synchronous source's fused cursor yields exactly what a subscriber
//! with unbounded demand receives, and the publishers that are not synchronous say `None`.

use std::fmt::Debug;

use reactive_core::source::{Fused, Next, Pull};
use reactive_core::{BoxPublisher, Error, ErrorKind, Publisher};
use reactive_operators::{
    PublisherExt, empty, error, from_iter, just, never, range, repeat, repeat_n,
};
use reactive_tck::TestSubscriber;

/// Pulls a fused source to its end, at most `limit` items: the items, and the end it reported.
fn pull_all<T: 'static>(fused: Fused<T>, limit: usize) -> (Vec<T>, Option<Result<(), Error>>) {
    match fused {
        Fused::Scalar(v) => (vec![v], Some(Ok(()))),
        Fused::Cursor(mut c) => {
            let mut items = Vec::new();
            while items.len() < limit {
                match c.next() {
                    Next::Item(v) => items.push(v),
                    Next::End(end) => return (items, Some(end)),
                    Next::Pending => panic!("a fused cursor returned Pending"),
                }
            }
            (items, c.end())
        }
    }
}

/// The fused items equal the subscribed ones, and the fused end equals the terminal signal.
fn same_as_subscribed<P>(publisher: P)
where
    P: Publisher,
    P::Item: Clone + PartialEq + Debug + Send + 'static,
{
    let ts = TestSubscriber::with_request(u64::MAX);
    publisher.subscribe(ts.clone());
    let (items, end) = pull_all(publisher.fuse().expect("a synchronous source fuses"), 1000);
    assert_eq!(items, ts.values());
    match end {
        Some(Ok(())) => assert!(ts.is_complete(), "{ts:?}"),
        Some(Err(e)) => assert_eq!(ts.error().map(|e| e.kind()), Some(e.kind())),
        None => panic!("the fused source did not end"),
    }
    // A second call is a fresh cursor over the same items.
    let (again, _) = pull_all(publisher.fuse().expect("fuses again"), 1000);
    assert_eq!(again, items);
}

#[test]
fn the_synchronous_sources_fuse_to_what_they_emit() {
    same_as_subscribed(range(0..10u32));
    same_as_subscribed(range(250..=255u8));
    same_as_subscribed(range(3..3i64));
    same_as_subscribed(just("x"));
    same_as_subscribed(from_iter(vec![1, 2, 3]));
    same_as_subscribed(empty::<u8>());
    same_as_subscribed(error::<u8>(Error::msg("down")));
    same_as_subscribed(repeat_n('a', 3));
    same_as_subscribed(repeat_n('a', 0));
}

#[test]
fn an_endless_source_fuses_to_an_endless_cursor() {
    let (items, end) = pull_all(repeat(5u8).fuse().expect("repeat fuses"), 100);
    assert_eq!(items, vec![5u8; 100]);
    assert!(end.is_none());
}

#[test]
fn the_error_cursor_reports_its_end_without_an_item() {
    let Some(Fused::Cursor(mut c)) = error::<u8>(Error::msg("down")).fuse() else {
        panic!("error fuses to a cursor");
    };
    assert_eq!(
        c.end().map(|e| e.map_err(|e| e.kind())),
        Some(Err(ErrorKind::User))
    );
}

#[test]
fn a_boxed_or_shared_publisher_fuses_as_its_inner_one() {
    let boxed = BoxPublisher::new(range(0..4u16));
    assert_eq!(pull_all(boxed.fuse().expect("fuses"), 10).0, [0, 1, 2, 3]);
    let shared = std::sync::Arc::new(just(9u8));
    assert_eq!(pull_all(shared.fuse().expect("fuses"), 10).0, [9]);
}

#[test]
fn operators_and_endless_sources_do_not_fuse() {
    assert!(never::<u8>().fuse().is_none());
    assert!(range(0..4u8).map(|x| x + 1).fuse().is_none());
}
