//! Pipelines and tokio, both ways: a pipeline consumed from a tokio task as a `Stream`, and a
//! tokio channel's `Stream` fed into a pipeline.
//!
//! Run: `cargo run --release --example tokio_bridge`

#![forbid(unsafe_code)]

use futures_util::{StreamExt, stream};
use reactive_core::Error;
use reactive_core::scheduler::{PoolScheduler, Scheduler, TokioScheduler};
use reactive_core::sync::Arc;
use reactive_core::sync::atomic::{AtomicU64, Ordering};
use reactive_operators::{PublisherExt, from_stream, range};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Error> {
    // 1. A pipeline consumed from a tokio task. The source runs on a pool thread
    //    (`subscribe_on`); `into_stream(16)` keeps at most 16 items between that thread and
    //    the task, asking for 12 more each time the task has taken 12.
    let pool = PoolScheduler::builder().threads(1).name("source").build();
    let mut squares = range(1u64..1_001)
        .map(|v| v * v)
        .filter(|v| v % 3 == 0)
        .subscribe_on(pool.clone())
        .into_stream(16);
    let consumer = tokio::spawn(async move {
        let (mut count, mut sum) = (0u64, 0u64);
        while let Some(item) = squares.next().await {
            count += 1;
            sum += item?;
        }
        Ok::<_, Error>((count, sum))
    });
    let (count, sum) = consumer.await.expect("the consumer task panicked")?;
    println!("1. a tokio task took {count} squares divisible by 3, summing to {sum}");

    // 2. A Stream fed into a pipeline. A tokio task sends 0..100 into a bounded channel; its
    //    receiver becomes a `Stream` and `from_stream` polls it on tokio (`poll_on`) only while
    //    the pipeline has demand; `for_each_async` runs at most 4 calls at a time and asks for
    //    one more item as each call finishes.
    let (tx, rx) = tokio::sync::mpsc::channel::<u64>(8);
    tokio::spawn(async move {
        for v in 0..100 {
            if tx.send(v).await.is_err() {
                break; // the pipeline cancelled
            }
        }
    });
    let received = stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|v| (v, rx)) });
    let total = Arc::new(AtomicU64::new(0));
    let acc = total.clone();
    from_stream(received)
        .poll_on(TokioScheduler::current())
        .filter(|v| v % 2 == 0)
        .map(|v| v * 10)
        .for_each_async(
            move |v| {
                let acc = acc.clone();
                async move {
                    tokio::task::yield_now().await; // some asynchronous work per item
                    acc.fetch_add(v, Ordering::AcqRel);
                }
            },
            4,
        )
        .await?;
    println!(
        "2. the pipeline took the even numbers of 0..100 from a tokio channel, times 10: {}",
        total.load(Ordering::Acquire)
    );

    pool.shutdown();
    Ok(())
}
