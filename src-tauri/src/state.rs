//! The app's state: the open workspace (behind a mutex) and whether this launch created it.

use std::path::Path;
use std::sync::Mutex;

use rapport::{demo, ApiError, Error, Result, Workspace};

/// What the commands share.
pub struct AppState {
    inner: Mutex<Inner>,
}

struct Inner {
    /// The open workspace, or the error that kept the default one from opening.
    workspace: std::result::Result<Workspace, ApiError>,
    demo_created: bool,
}

impl AppState {
    /// Opens the default workspace; on first run creates it and fills it with the demo study.
    pub fn open_default() -> AppState {
        let dir = Workspace::default_dir();
        let (workspace, demo_created) = open_or_create_with_demo(&dir);
        AppState { inner: Mutex::new(Inner { workspace: workspace.map_err(ApiError::from), demo_created }) }
    }

    /// Runs `f` on the open workspace, turning core errors into IPC errors.
    pub fn with<T>(&self, f: impl FnOnce(&mut Workspace) -> Result<T>) -> std::result::Result<T, ApiError> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        match &mut inner.workspace {
            Ok(ws) => f(ws).map_err(ApiError::from),
            Err(e) => Err(e.clone()),
        }
    }

    /// Whether this launch created the open workspace with the demo data.
    pub fn demo_created(&self) -> bool {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).demo_created
    }

    /// Replaces the open workspace.
    pub fn switch(&self, workspace: Workspace) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.workspace = Ok(workspace);
        inner.demo_created = false;
    }
}

fn open_or_create_with_demo(dir: &Path) -> (Result<Workspace>, bool) {
    if Workspace::exists(dir) {
        return (Workspace::open(dir), false);
    }
    let created = Workspace::create(dir).and_then(|mut ws| {
        demo::load(&mut ws, &demo::Source::Embedded)?;
        Ok(ws)
    });
    match created {
        Ok(ws) => (Ok(ws), true),
        Err(e) => (
            Err(Error::Integrity(format!("could not create the demo workspace in {}: {e}", dir.display()))),
            false,
        ),
    }
}
