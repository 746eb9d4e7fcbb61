//! Imports from other tools: REFI-QDA projects (`.qdpx`) and codebooks (`.qdc`). Owns no
//! table; writes through the coding, people, session and transcript modules, in one
//! savepoint, after the whole file has been read and checked. `safezip` reads archives
//! without trusting their names or sizes; `xml` is the small tree the reader walks; `schema` checks it against the
//! REFI-QDA rules before anything is written; `sources` finds a source's text (in the archive,
//! beside it, under its `basePath`, or at an absolute path).

pub mod refi;
pub mod safezip;
pub mod schema;
pub mod sources;
pub mod xml;

pub use refi::{import_qdc, import_qdpx, RefiImportReport};
