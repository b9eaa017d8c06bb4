//! The database thread: one SQLite connection (WAL, `synchronous=FULL`), owned by
//! one thread that runs the jobs handlers send it, one after the other.
//!
//! Every write that a handler acknowledges is committed before its job returns, so
//! a killed sandbox loses nothing it answered for. A job costs one hand-over to the
//! thread and one back; there is no lock to queue on and no thread pool to wake.
//! Statements are prepared once and cached on the connection.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::mpsc;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, Transaction};

use crate::error::ApiError;

/// Distinct SQL statements kept prepared (the store has fewer).
const STATEMENT_CACHE: usize = 128;

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The database, shared by the handlers and the dispatcher. The thread ends when
/// the last clone is dropped, and closes the connection.
#[derive(Clone)]
pub struct Db {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Db")
    }
}

fn connect(path: Option<&Path>) -> anyhow::Result<Connection> {
    let conn = match path {
        Some(path) => {
            let conn = Connection::open(path)?;
            let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
            anyhow::ensure!(
                mode.eq_ignore_ascii_case("wal"),
                "{} cannot use write-ahead logging (journal mode {mode})",
                path.display()
            );
            conn
        }
        None => Connection::open_in_memory()?,
    };
    conn.execute_batch(
        "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
    )?;
    conn.execute_batch(crate::store::SCHEMA)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Keep each cached statement's plan: without this, a statement whose plan could
    // depend on a bound value is compiled again on every run (SQLite's STAT4 build).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(conn)
}

fn serve(mut conn: Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(job) = jobs.recv() {
        // A job that panics answers nothing (its caller sees an internal error);
        // an open transaction is rolled back as it unwinds, and the thread goes on.
        if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut conn))).is_err() {
            tracing::error!("a database job panicked");
        }
    }
}

impl Db {
    /// Opens (and creates) the database at `path`, or an in-memory one, and starts
    /// its thread.
    pub fn open(path: Option<&Path>) -> anyhow::Result<Db> {
        let conn = connect(path)?;
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("ssp-db".into())
            .spawn(move || serve(conn, queue))?;
        Ok(Db { jobs })
    }

    /// Runs `f` with the connection on the database thread.
    pub async fn call<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, ApiError> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            // The caller may have gone (its request was dropped): the job still ran.
            let _ = reply.send(f(conn));
        });
        self.jobs
            .send(job)
            .map_err(|_| ApiError::Internal("the database thread has stopped".into()))?;
        answer
            .await
            .map_err(|_| ApiError::Internal("a database job failed without an answer".into()))?
    }

    /// Runs `f` in a transaction, committed when `f` succeeds.
    pub async fn transaction<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<R, ApiError> + Send + 'static,
    {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let result = f(&tx)?;
            tx.commit()?;
            Ok(result)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jobs_run_in_order_and_a_panic_is_an_internal_error() {
        let db = Db::open(None).unwrap();
        let first = db
            .call(|conn| Ok(conn.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .await
            .unwrap();
        assert_eq!(first, 1);
        let failed = db
            .call(|_| -> Result<(), ApiError> { panic!("a broken job") })
            .await;
        assert!(matches!(failed, Err(ApiError::Internal(_))), "{failed:?}");
        // The thread survived it.
        let after = db
            .call(|conn| Ok(conn.query_row("SELECT 2", [], |r| r.get::<_, i64>(0))?))
            .await
            .unwrap();
        assert_eq!(after, 2);
    }

    #[tokio::test]
    async fn a_failed_transaction_leaves_nothing() {
        let db = Db::open(None).unwrap();
        let failed = db
            .transaction(|tx| {
                tx.execute(
                    "INSERT INTO tasks (process_id, municipality, payload, status, created) \
                     VALUES (7310, '1', '{}', 'new', '')",
                    [],
                )?;
                Err::<(), _>(ApiError::bad_request("no"))
            })
            .await;
        assert!(failed.is_err());
        let count = db
            .call(|conn| {
                Ok(conn.query_row("SELECT count(*) FROM tasks", [], |r| r.get::<_, i64>(0))?)
            })
            .await
            .unwrap();
        assert_eq!(count, 0);
    }
}
