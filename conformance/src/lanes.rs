//! Where the phases of a run execute: on a few threads ("lanes"), each with its
//! own single-threaded runtime and its own HTTP connections.
//!
//! A request then never leaves the thread that made it: the phase that builds
//! it, the connection task that writes it and the checks that judge the answer
//! all run on one thread, so no request costs a wake-up of another thread. That
//! hand-over between threads, not the checks, used to be the largest part
//! (42 %) of the suite's CPU per request (bench/NOTES.md). Phases run concurrently within a lane (on a `LocalSet`, as
//! proptest's value trees may not move between threads) and lanes run in
//! parallel; the shared limiter still bounds the requests in flight.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use crate::context::Ctx;
use crate::progress::Progress;

/// A phase of the run: given the context of the lane that runs it, the work.
pub type Phase = Box<dyn FnOnce(Arc<Ctx>) -> Pin<Box<dyn Future<Output = ()>>> + Send>;

/// Runs every phase to its end on `lanes` threads (at least one), phases dealt
/// out in turn; returns an error if a lane could not start or stopped early.
pub async fn run(
    ctx: &Arc<Ctx>,
    phases: Vec<(String, Phase)>,
    lanes: usize,
    progress: &Progress,
) -> Result<(), String> {
    let lanes = lanes.clamp(1, phases.len().max(1));
    let mut dealt: Vec<Vec<(String, Phase)>> = (0..lanes).map(|_| Vec::new()).collect();
    for (i, phase) in phases.into_iter().enumerate() {
        dealt[i % lanes].push(phase);
    }
    let mut finished = Vec::new();
    for (i, phases) in dealt.into_iter().enumerate() {
        let http = Arc::new(ctx.http.sibling()?);
        let lane_ctx = Arc::new(ctx.with_http(http));
        let progress = progress.clone();
        let (done, finish) = tokio::sync::oneshot::channel();
        std::thread::Builder::new()
            .name(format!("ssp-lane-{i}"))
            .spawn(move || {
                let _ = done.send(run_lane(lane_ctx, phases, &progress));
            })
            .map_err(|e| format!("cannot start a thread for the run: {e}"))?;
        finished.push(finish);
    }
    for finish in finished {
        finish.await.map_err(|_| {
            "a thread of the run stopped unexpectedly; please report this".to_string()
        })??;
    }
    Ok(())
}

/// One lane: a single-threaded runtime that runs its phases concurrently; an
/// error names a phase that stopped early.
fn run_lane(
    ctx: Arc<Ctx>,
    phases: Vec<(String, Phase)>,
    progress: &Progress,
) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime for the run: {e}"))?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        let handles: Vec<_> = phases
            .into_iter()
            .map(|(name, phase)| {
                let (ctx, progress, label) = (ctx.clone(), progress.clone(), name.clone());
                let task = tokio::task::spawn_local(async move {
                    let started = Instant::now();
                    phase(ctx).await;
                    progress.done(&format!(
                        "{label} ({:.2} s)",
                        started.elapsed().as_secs_f64()
                    ));
                });
                (name, task)
            })
            .collect();
        let mut stopped = Vec::new();
        for (name, task) in handles {
            if let Err(e) = task.await {
                stopped.push(format!("{name} ({e})"));
            }
        }
        if stopped.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "a phase of the run stopped unexpectedly: {}; please report this",
                stopped.join(", ")
            ))
        }
    })
}
