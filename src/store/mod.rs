//! The SQLite store: opening `rapport.db` safely, the schema migrations, and small helpers.
//!
//! SQLite is the source of truth of a workspace. A database whose `user_version` is newer
//! than [`SCHEMA_VERSION`] is refused before anything writes to it (it is first opened
//! read-only), so a newer app's data is never damaged. Connections run in WAL mode with
//! foreign keys on (off only while migrating: see [`migrate`]); every import runs in one
//! transaction.

mod migrations;

use std::path::Path;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

pub use migrations::{migrations, SCHEMA_VERSION};

use crate::error::{Error, Result};

/// Reads `user_version` of an existing database without writing to it.
pub fn peek_schema_version(db: &Path) -> Result<i64> {
    let conn =
        Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    let version = conn.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0)).map_err(|e| match e {
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
            Error::NotAWorkspace {
                path: db.to_path_buf(),
                reason: "the file is not an SQLite database".into(),
            }
        }
        other => Error::Database(other),
    })?;
    Ok(version)
}

/// How long a connection waits for another connection (or process) that holds the write
/// lock before giving up with "database is locked".
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// Opens (creating if needed) the database at `db`, refusing a newer schema, and migrates it
/// to [`SCHEMA_VERSION`].
pub fn open(db: &Path) -> Result<Connection> {
    if db.exists() {
        let found = peek_schema_version(db)?;
        if found > SCHEMA_VERSION {
            return Err(Error::WorkspaceNewer { path: db.to_path_buf(), found, supported: SCHEMA_VERSION });
        }
    }
    let mut conn = Connection::open(db)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Deleted text is overwritten, not left in free space (people's words: see `deletion`).
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Another process (the app and the CLI on one workspace) may write at the same time: a
    // transaction that takes the write lock when it begins waits for the other one (up to
    // the busy timeout) instead of failing later with a stale snapshot.
    conn.set_transaction_behavior(TransactionBehavior::Immediate);
    migrate(&mut conn, db)?;
    Ok(conn)
}

/// Migrates to [`SCHEMA_VERSION`] with foreign keys off, then turns them on.
///
/// A migration that rebuilds a table (SQLite's 12-step ALTER procedure) drops the old table;
/// with foreign keys on, that DROP deletes every child row through ON DELETE CASCADE
/// (highlight tags, finding evidence). `rusqlite_migration` runs each migration in a
/// transaction, where `PRAGMA foreign_keys` does nothing, so it is set here, outside them.
/// Before foreign keys go back on, `PRAGMA foreign_key_check` must find nothing: a
/// migration that left a dangling reference is an integrity error, not a silent loss.
pub fn migrate(conn: &mut Connection, db: &Path) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    let migrated = migrations().to_latest(conn).map_err(|e| match e {
        rusqlite_migration::Error::RusqliteError { err, .. } => Error::Database(err),
        other => Error::Integrity(format!("{}: migrating the database failed: {other}", db.display())),
    });
    let dangling = migrated.and_then(|()| {
        let mut stmt = conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(format!("{}.{}", r.get::<_, String>(0)?, r.get::<_, Option<i64>>(1)?.unwrap_or(0)))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    });
    let dangling = match dangling {
        Ok(rows) => rows,
        Err(e) => {
            let _ = conn.pragma_update(None, "foreign_keys", "ON");
            return Err(e);
        }
    };
    conn.pragma_update(None, "foreign_keys", "ON")?;
    if !dangling.is_empty() {
        return Err(Error::Integrity(format!(
            "{}: {} rows refer to rows that do not exist (first: {}, table.rowid); \
             the workspace is not opened until they are repaired",
            db.display(),
            dangling.len(),
            dangling[0]
        )));
    }
    let on: i64 = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    if on != 1 {
        return Err(Error::Integrity(format!("{}: foreign keys could not be turned on", db.display())));
    }
    Ok(())
}

/// The current UTC time as RFC 3339 text, the format every timestamp column uses.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Runs `f` inside a savepoint named `name`: what it wrote is kept when it succeeds and `keep`
/// is true, undone otherwise (a dry run passes `keep = false`). Works inside a caller's
/// transaction (nested) and without one; without one it first begins an IMMEDIATE
/// transaction, so a second process writing at the same time waits instead of failing.
pub fn savepoint<T>(conn: &Connection, name: &str, keep: bool, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let outer = conn.is_autocommit();
    if outer {
        conn.execute_batch("BEGIN IMMEDIATE")?;
    }
    conn.execute_batch(&format!("SAVEPOINT {name}"))?;
    let out = f();
    let finish = match &out {
        Ok(_) if keep => conn.execute_batch(&format!("RELEASE {name}")).and_then(|_| match outer {
            true => conn.execute_batch("COMMIT"),
            false => Ok(()),
        }),
        // The original error matters more than a failed rollback (which SQLite reports only
        // when the connection is already broken).
        _ => {
            let _ = conn.execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"));
            if outer {
                let _ = conn.execute_batch("ROLLBACK");
            }
            Ok(())
        }
    };
    if let Err(e) = finish {
        if outer {
            let _ = conn.execute_batch("ROLLBACK");
        }
        return Err(e.into());
    }
    out
}
