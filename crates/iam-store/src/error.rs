//! `StoreError`: the only error that leaves this crate. `sqlx::Error` stops here.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// The row the caller named does not exist (in that account).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule or a state rule refused the change (duplicate name, group still in use…).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The database cannot be reached or answered with an error we do not expect.
    /// The text is for logs only: it never reaches a client.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// The URL or a stored value is not what the store can work with.
    #[error("invalid: {0}")]
    Invalid(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What `db` says of SQLite's SQLITE_BUSY (another connection holds the file's lock longer
/// than the busy timeout): worth a retry where retrying is safe, such as opening.
pub(crate) const SQLITE_BUSY: &str =
    "the database file is locked by another connection (SQLITE_BUSY)";

/// Whether `e` is SQLite's SQLITE_BUSY (primary code 5, whatever its extended code).
fn is_sqlite_busy(d: &dyn sqlx::error::DatabaseError) -> bool {
    d.code()
        .and_then(|c| c.parse::<i32>().ok())
        .is_some_and(|c| c & 0xff == 5)
        && d.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
}

/// Maps an sqlx error that has no better meaning where it happened. The database's own text
/// (which may quote values) goes to the log only; `Conflict` and `Invalid` carry fixed words.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    use sqlx::error::ErrorKind;
    match &e {
        sqlx::Error::RowNotFound => StoreError::NotFound("row"),
        sqlx::Error::Database(d) => match d.kind() {
            ErrorKind::UniqueViolation => {
                tracing::debug!(error = %e, "unique violation");
                StoreError::Conflict("a row with the same key already exists".into())
            }
            ErrorKind::ForeignKeyViolation => {
                tracing::debug!(error = %e, "foreign key violation");
                StoreError::Conflict(
                    "the change refers to a missing row, or removes one still in use".into(),
                )
            }
            ErrorKind::NotNullViolation | ErrorKind::CheckViolation => {
                tracing::warn!(error = %e, "schema rule violated");
                StoreError::Invalid("a value breaks a rule of the schema".into())
            }
            _ if is_sqlite_busy(d.as_ref()) => {
                tracing::warn!(error = %e, "database busy");
                StoreError::Unavailable(SQLITE_BUSY.into())
            }
            _ => {
                tracing::warn!(error = %e, "database error");
                StoreError::Unavailable(format!("database error {}", d.code().unwrap_or_default()))
            }
        },
        sqlx::Error::Configuration(_) => StoreError::Invalid(e.to_string()),
        sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Decode(_)
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::TypeNotFound { .. } => {
            tracing::warn!(error = %e, "stored value cannot be decoded");
            StoreError::Invalid("a stored value cannot be read".into())
        }
        _ => {
            tracing::warn!(error = %e, "database unavailable");
            StoreError::Unavailable(e.to_string())
        }
    }
}

/// `Conflict(message())` on a unique violation, otherwise as [`db`].
pub(crate) fn unique_or(e: sqlx::Error, message: impl FnOnce() -> String) -> StoreError {
    match e.as_database_error() {
        Some(d) if d.is_unique_violation() => StoreError::Conflict(message()),
        _ => db(e),
    }
}

/// `NotFound(what)` on a foreign-key violation (the row the change refers to is missing),
/// otherwise as [`db`].
pub(crate) fn foreign_or(e: sqlx::Error, what: &'static str) -> StoreError {
    match e.as_database_error() {
        Some(d) if d.is_foreign_key_violation() => StoreError::NotFound(what),
        _ => db(e),
    }
}

/// Whether a unique violation concerns `column`: PostgreSQL names the constraint
/// (`access_tokens_token_hash_key`), SQLite names the columns in its message
/// (`UNIQUE constraint failed: access_tokens.token_hash`).
pub(crate) fn violates(e: &sqlx::Error, column: &str) -> bool {
    e.as_database_error().is_some_and(|d| {
        d.is_unique_violation()
            && (d.constraint().is_some_and(|c| c.contains(column)) || d.message().contains(column))
    })
}
