//! The peers that more than one bench measures against, each moving `0..n` from a producer to
//! a consumer that sums, through `capacity` slots.

use std::thread;

/// `crossbeam_channel::bounded(capacity)` between a sending and a receiving thread.
pub(crate) fn crossbeam_bounded(n: u64, capacity: usize) -> u64 {
    let (tx, rx) = crossbeam_channel::bounded::<u64>(capacity);
    let producer = thread::spawn(move || {
        for i in 0..n {
            tx.send(i).unwrap();
        }
    });
    let sum = rx.iter().fold(0u64, u64::wrapping_add);
    producer.join().unwrap();
    sum
}

/// `tokio::sync::mpsc::channel(capacity)` between a sending and a receiving task on `rt`.
pub(crate) fn tokio_mpsc(rt: &tokio::runtime::Runtime, n: u64, capacity: usize) -> u64 {
    rt.block_on(async move {
        let (tx, mut rx) = tokio::sync::mpsc::channel::<u64>(capacity);
        let producer = tokio::spawn(async move {
            for i in 0..n {
                tx.send(i).await.unwrap();
            }
        });
        let consumer = tokio::spawn(async move {
            let mut sum = 0u64;
            while let Some(v) = rx.recv().await {
                sum = sum.wrapping_add(v);
            }
            sum
        });
        producer.await.unwrap();
        consumer.await.unwrap()
    })
}
