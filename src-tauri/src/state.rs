//! The app's state: the open workspace and its search index (behind one mutex), whether this
//! launch created the workspace, the running jobs, and the window's access to `media/`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use rapport::progress::NoProgress;
use rapport::search::SearchIndex;
use rapport::{demo, ApiError, Error, Result, Workspace};

use crate::jobs::Jobs;

/// What the commands share. Cloning shares it (background jobs keep a clone).
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

struct Shared {
    inner: Mutex<Inner>,
    jobs: Jobs,
    media: Mutex<MediaAccess>,
}

struct Inner {
    /// The open workspace, or the error that kept the default one from opening.
    workspace: std::result::Result<Workspace, ApiError>,
    /// The workspace's search index, opened (and synced) on first use.
    index: Option<SearchIndex>,
    demo_created: bool,
}

/// Which folder the asset protocol may read: only the open workspace's `media/`.
///
/// Tauri's scope can grow and forbid but never forget an allowance, so leaving a workspace
/// forbids its `media/` for the rest of the run; coming back to it then needs a restart to
/// play its recordings (the `recording_source` command says so).
#[derive(Default)]
struct MediaAccess {
    scope: Option<tauri::scope::fs::Scope>,
    allowed: Option<PathBuf>,
}

impl MediaAccess {
    fn point_at(&mut self, media_dir: &Path) {
        let Some(scope) = &self.scope else { return };
        if self.allowed.as_deref() == Some(media_dir) {
            return;
        }
        if let Some(old) = self.allowed.take() {
            if let Err(e) = scope.forbid_directory(&old, true) {
                eprintln!("rapport-desktop: could not withdraw access to {}: {e}", old.display());
            }
        }
        if let Err(e) = scope.allow_directory(media_dir, true) {
            eprintln!("rapport-desktop: could not allow access to {}: {e}", media_dir.display());
        }
        self.allowed = Some(media_dir.to_path_buf());
    }
}

impl AppState {
    /// Opens the default workspace; on first run creates it and fills it with the demo study.
    pub fn open_default() -> AppState {
        let dir = Workspace::default_dir();
        let (workspace, demo_created) = open_or_create_with_demo(&dir);
        AppState {
            shared: Arc::new(Shared {
                inner: Mutex::new(Inner {
                    workspace: workspace.map_err(ApiError::from),
                    index: None,
                    demo_created,
                }),
                jobs: Jobs::default(),
                media: Mutex::new(MediaAccess::default()),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.shared.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the open workspace, turning core errors into IPC errors.
    pub fn with<T>(&self, f: impl FnOnce(&mut Workspace) -> Result<T>) -> std::result::Result<T, ApiError> {
        let mut inner = self.lock();
        match &mut inner.workspace {
            Ok(ws) => f(ws).map_err(ApiError::from),
            Err(e) => Err(e.clone()),
        }
    }

    /// Runs a write on the open workspace, then brings the search index up to date with it.
    pub fn write<T>(&self, f: impl FnOnce(&mut Workspace) -> Result<T>) -> std::result::Result<T, ApiError> {
        let mut inner = self.lock();
        let Inner { workspace, index, .. } = &mut *inner;
        let ws = workspace.as_mut().map_err(|e| e.clone())?;
        let out = f(ws).map_err(ApiError::from)?;
        sync_or_drop(index, ws);
        Ok(out)
    }

    /// Runs `f` with the open workspace and its search index, synced with the store first.
    pub fn with_index<T>(
        &self,
        f: impl FnOnce(&Workspace, &SearchIndex) -> Result<T>,
    ) -> std::result::Result<T, ApiError> {
        let mut inner = self.lock();
        let Inner { workspace, index, .. } = &mut *inner;
        let ws = workspace.as_mut().map_err(|e| e.clone())?;
        let idx = match index.take() {
            Some(idx) => {
                idx.sync(ws.conn(), &NoProgress)?;
                idx
            }
            None => SearchIndex::open(ws)?,
        };
        let out = f(ws, &idx).map_err(ApiError::from);
        *index = Some(idx);
        out
    }

    /// Brings an open search index up to date (after a background job wrote to the store).
    pub fn sync_index(&self) {
        let mut inner = self.lock();
        let Inner { workspace, index, .. } = &mut *inner;
        if let Ok(ws) = workspace {
            sync_or_drop(index, ws);
        }
    }

    /// The open workspace's folder (a background job opens its own connection to it).
    pub fn root(&self) -> std::result::Result<PathBuf, ApiError> {
        self.with(|ws| Ok(ws.root().to_path_buf()))
    }

    /// Whether this launch created the open workspace with the demo data.
    pub fn demo_created(&self) -> bool {
        self.lock().demo_created
    }

    /// Replaces the open workspace (and its index), and moves the window's media access to it.
    pub fn switch(&self, workspace: Workspace) {
        let media_dir = workspace.media_dir();
        {
            let mut inner = self.lock();
            inner.workspace = Ok(workspace);
            inner.index = None;
            inner.demo_created = false;
        }
        self.media().point_at(&media_dir);
    }

    /// The running jobs.
    pub fn jobs(&self) -> &Jobs {
        &self.shared.jobs
    }

    fn media(&self) -> MutexGuard<'_, MediaAccess> {
        self.shared.media.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes the asset protocol's scope (at set-up) and allows the open workspace's `media/`.
    pub fn attach_media_scope(&self, scope: tauri::scope::fs::Scope) {
        let media_dir = self.with(|ws| Ok(ws.media_dir())).ok();
        let mut media = self.media();
        media.scope = Some(scope);
        if let Some(dir) = media_dir {
            media.point_at(&dir);
        }
    }

    /// Whether the window may read this file through the asset protocol.
    pub fn media_readable(&self, path: &Path) -> bool {
        self.media().scope.as_ref().is_some_and(|s| s.is_allowed(path))
    }
}

/// Syncs the index with the store; an index that fails to sync is dropped, so the next search
/// opens it again (and `SearchIndex::open` repairs or rebuilds it).
fn sync_or_drop(index: &mut Option<SearchIndex>, ws: &Workspace) {
    if let Some(idx) = index.as_ref() {
        if let Err(e) = idx.sync(ws.conn(), &NoProgress) {
            eprintln!("rapport-desktop: the search index will be reopened: {e}");
            *index = None;
        }
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
