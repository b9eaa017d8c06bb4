//! Where database jobs run: SQLite (WAL, `synchronous=FULL`), chosen by whether a
//! job can wait for the disk.
//!
//! * In memory (the default, and every embedded test run), no job ever waits for
//!   IO, so each runs at once on the caller's thread, one at a time (a mutex). A
//!   hand-over to another thread would cost more than the job: two cross-core
//!   wake-ups per request, measured at about 60 µs on a 2-core machine.
//! * In a file, a commit waits for `fsync`, which must not stall the async
//!   workers: writes (`call`, `transaction`) go to the writer thread, which owns the
//!   write connection and runs them one after the other. Reads (`read`) run at once
//!   on the caller's thread on a second, query-only connection; WAL lets them run
//!   while a commit is under way, and each sees every write committed before it.
//!
//! Every write that a handler acknowledges is committed before its job returns, so
//! a killed sandbox loses nothing it answered for. A job that panics is an
//! internal error; the connection lives on (an open transaction rolls back).
//! Statements are prepared once per connection and cached.

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::sync::{Arc, Mutex, mpsc};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, Transaction};

use crate::error::ApiError;

/// Distinct SQL statements kept prepared per connection (the store has fewer).
const STATEMENT_CACHE: usize = 128;

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

#[derive(Clone)]
enum Mode {
    /// Every job runs on the caller's thread.
    Memory(Arc<Mutex<Connection>>),
    /// Writes go to the writer thread; reads run on the caller's thread.
    File {
        writer: mpsc::Sender<Job>,
        reader: Arc<Mutex<Connection>>,
    },
}

/// The database, shared by the handlers and the dispatcher. A writer thread ends
/// when the last clone is dropped, and closes its connection.
#[derive(Clone)]
pub struct Db {
    mode: Mode,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.mode {
            Mode::Memory(_) => "Db(memory)",
            Mode::File { .. } => "Db(file)",
        })
    }
}

fn configure(conn: &Connection) -> anyhow::Result<()> {
    conn.execute_batch(
        "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;",
    )?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Keep each cached statement's plan: without this, a statement whose plan could
    // depend on a bound value is compiled again on every run (SQLite's STAT4 build).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(())
}

fn open_file(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open(path)?;
    let mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
    anyhow::ensure!(
        mode.eq_ignore_ascii_case("wal"),
        "{} cannot use write-ahead logging (journal mode {mode})",
        path.display()
    );
    configure(&conn)?;
    Ok(conn)
}

/// Runs `f`; a panic becomes an internal error.
fn guarded<R>(f: impl FnOnce() -> Result<R, ApiError>) -> Result<R, ApiError> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|_| {
        tracing::error!("a database job panicked");
        Err(ApiError::Internal("a database job failed".into()))
    })
}

/// Runs `f` with the connection behind `conn`, on this thread.
fn at_once<R>(
    conn: &Mutex<Connection>,
    f: impl FnOnce(&mut Connection) -> Result<R, ApiError>,
) -> Result<R, ApiError> {
    let mut guard = conn.lock().unwrap_or_else(|e| e.into_inner());
    guarded(|| f(&mut guard))
}

fn write_loop(mut conn: Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(job) = jobs.recv() {
        // A job that panics drops its reply unanswered: its caller sees an error.
        if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut conn))).is_err() {
            tracing::error!("a database job panicked");
        }
    }
}

impl Db {
    /// Opens (and creates) the database at `path`, or an in-memory one; for a file,
    /// starts its writer thread.
    pub fn open(path: Option<&Path>) -> anyhow::Result<Db> {
        let Some(path) = path else {
            let conn = Connection::open_in_memory()?;
            configure(&conn)?;
            conn.execute_batch(crate::store::SCHEMA)?;
            return Ok(Db {
                mode: Mode::Memory(Arc::new(Mutex::new(conn))),
            });
        };
        let conn = open_file(path)?;
        conn.execute_batch(crate::store::SCHEMA)?;
        let reader = open_file(path)?;
        reader.execute_batch("PRAGMA query_only=ON;")?;
        let (writer, jobs) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("ssp-db-writer".into())
            .spawn(move || write_loop(conn, jobs))?;
        Ok(Db {
            mode: Mode::File {
                writer,
                reader: Arc::new(Mutex::new(reader)),
            },
        })
    }

    /// Runs `f`, which may write, with the write connection.
    pub async fn call<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, ApiError> + Send + 'static,
    {
        let writer = match &self.mode {
            Mode::Memory(conn) => return at_once(conn, f),
            Mode::File { writer, .. } => writer,
        };
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            // The caller may have gone (its request was dropped): the job still ran.
            let _ = reply.send(f(conn));
        });
        writer
            .send(job)
            .map_err(|_| ApiError::Internal("the database writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| ApiError::Internal("a database job failed".into()))?
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

    /// Runs `f`, which only reads, at once on this thread. It sees one state of the
    /// database, with every write committed before it started (a file's reader
    /// connection refuses writes).
    pub async fn read<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        F: FnOnce(&Connection) -> Result<R, ApiError>,
    {
        match &self.mode {
            Mode::Memory(conn) => at_once(conn, |conn| f(conn)),
            Mode::File { reader, .. } => at_once(reader, |conn| {
                // One read transaction: every statement of `f` sees the same snapshot.
                let tx = conn.transaction()?;
                let result = f(&tx)?;
                tx.commit()?;
                Ok(result)
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One database of each kind (the file one in a temporary directory).
    fn both() -> Vec<(Db, Option<tempfile::TempDir>)> {
        let dir = tempfile::tempdir().unwrap();
        let file = Db::open(Some(&dir.path().join("t.db"))).unwrap();
        vec![(Db::open(None).unwrap(), None), (file, Some(dir))]
    }

    fn count(conn: &Connection) -> Result<i64, ApiError> {
        Ok(conn.query_row("SELECT count(*) FROM tasks", [], |r| r.get(0))?)
    }

    const INSERT: &str = "INSERT INTO tasks (process_id, municipality, payload, status, created) \
                          VALUES (7310, '1', '{}', 'new', '')";

    #[tokio::test]
    async fn a_panic_is_an_internal_error_and_the_database_lives_on() {
        for (db, _dir) in both() {
            let failed = db
                .call(|_| -> Result<(), ApiError> { panic!("a broken job") })
                .await;
            assert!(matches!(failed, Err(ApiError::Internal(_))), "{db:?}");
            let failed = db
                .read(|_| -> Result<(), ApiError> { panic!("a broken read") })
                .await;
            assert!(matches!(failed, Err(ApiError::Internal(_))), "{db:?}");
            db.call(|conn| Ok(conn.execute(INSERT, [])?)).await.unwrap();
            assert_eq!(db.read(count).await.unwrap(), 1, "{db:?}");
        }
    }

    #[tokio::test]
    async fn a_failed_transaction_leaves_nothing() {
        for (db, _dir) in both() {
            let failed = db
                .transaction(|tx| {
                    tx.execute(INSERT, [])?;
                    Err::<(), _>(ApiError::bad_request("no"))
                })
                .await;
            assert!(failed.is_err());
            assert_eq!(db.read(count).await.unwrap(), 0, "{db:?}");
        }
    }

    #[tokio::test]
    async fn a_read_sees_every_acknowledged_write() {
        for (db, _dir) in both() {
            for n in 1..=20 {
                db.transaction(|tx| Ok(tx.execute(INSERT, [])?))
                    .await
                    .unwrap();
                assert_eq!(db.read(count).await.unwrap(), n, "{db:?}");
            }
        }
    }

    #[tokio::test]
    async fn a_files_reads_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open(Some(&dir.path().join("t.db"))).unwrap();
        let written = db.read(|conn| Ok(conn.execute(INSERT, [])?)).await;
        assert!(matches!(written, Err(ApiError::Internal(_))), "{written:?}");
        assert_eq!(db.read(count).await.unwrap(), 0);
    }
}
