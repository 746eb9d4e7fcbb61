//! The app's state: the open workspace, its search index, whether this launch created the
//! workspace, the running jobs, and the paths the user picked or dropped.
//!
//! The workspace and the search index sit behind two locks, and the index has a database
//! connection of its own: a command that reads or writes the store never waits for the
//! index to open, catch up or rebuild, and the first screen paints from the store while the
//! index is opened and synced in the background ([`AppState::warm_index`]).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use rapport::media::http::MediaServer;
use rapport::progress::{CancelToken, NoProgress, Outcome};
use rapport::search::SearchIndex;
use rapport::{demo, ApiError, Error, Result, Workspace};

use crate::jobs::{last_event, ChannelProgress, JobEvent, Jobs};
use crate::paths::{Picked, Use};

/// What the commands share. Cloning shares it (background jobs keep a clone).
#[derive(Clone)]
pub struct AppState {
    shared: Arc<Shared>,
}

struct Shared {
    inner: Mutex<Inner>,
    index: Mutex<IndexSlot>,
    jobs: Jobs,
    picked: Mutex<Picked>,
    app: OnceLock<tauri::AppHandle>,
    media: OnceLock<MediaServer>,
}

struct Inner {
    /// The open workspace, or the error that kept it from opening.
    workspace: std::result::Result<Workspace, ApiError>,
    demo_created: bool,
}

/// The search index of the open workspace with its own connection to the store, opened on
/// first use (or by the background warm-up) and dropped on a workspace switch.
#[derive(Default)]
struct IndexSlot {
    /// The workspace folder the index belongs to.
    root: Option<PathBuf>,
    open: Option<(Workspace, SearchIndex)>,
}

impl AppState {
    /// Opens the workspace in `dir` (`--workspace DIR`), else the default one; a missing
    /// folder is created and filled with the demo study.
    pub fn open(dir: Option<PathBuf>) -> AppState {
        let dir = dir.unwrap_or_else(Workspace::default_dir);
        let (workspace, demo_created) = open_or_create_with_demo(&dir);
        let root = workspace.as_ref().ok().map(|ws| ws.root().to_path_buf());
        AppState {
            shared: Arc::new(Shared {
                inner: Mutex::new(Inner { workspace: workspace.map_err(ApiError::from), demo_created }),
                index: Mutex::new(IndexSlot { root, open: None }),
                jobs: Jobs::default(),
                picked: Mutex::new(Picked::default()),
                app: OnceLock::new(),
                media: OnceLock::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.shared.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn index_slot(&self) -> MutexGuard<'_, IndexSlot> {
        self.shared.index.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the open workspace, turning core errors into IPC errors.
    pub fn with<T>(&self, f: impl FnOnce(&mut Workspace) -> Result<T>) -> std::result::Result<T, ApiError> {
        let mut inner = self.lock();
        match &mut inner.workspace {
            Ok(ws) => f(ws).map_err(ApiError::from),
            Err(e) => Err(e.clone()),
        }
    }

    /// Runs a write on the open workspace, then brings the search index up to date with it
    /// (one operation for the caller; the store's lock is not held while the index syncs).
    pub fn write<T>(&self, f: impl FnOnce(&mut Workspace) -> Result<T>) -> std::result::Result<T, ApiError> {
        let out = self.with(f)?;
        self.sync_index();
        Ok(out)
    }

    /// Runs `f` with the search index, opened (or repaired, or rebuilt) on first use and
    /// synced with the store first.
    pub fn with_index<T>(
        &self,
        f: impl FnOnce(&Workspace, &SearchIndex) -> Result<T>,
    ) -> std::result::Result<T, ApiError> {
        let mut slot = self.index_slot();
        let Some(root) = slot.root.clone() else {
            // No workspace is open: say why.
            let why = self.with(|_| Ok(())).err();
            return Err(why.unwrap_or_else(|| Error::Integrity("no workspace is open".into()).into()));
        };
        let (ws, idx) = match slot.open.take() {
            Some((ws, idx)) => {
                idx.sync(ws.conn(), &NoProgress)?;
                (ws, idx)
            }
            None => {
                let ws = Workspace::open(&root)?;
                let idx = SearchIndex::open(&ws)?;
                (ws, idx)
            }
        };
        let out = f(&ws, &idx).map_err(ApiError::from);
        slot.open = Some((ws, idx));
        out
    }

    /// Opens and syncs the search index on a thread of its own, so the first search finds it
    /// ready; the window never waits for it.
    pub fn warm_index(&self) {
        let state = self.clone();
        std::thread::spawn(move || {
            if let Err(e) = state.with_index(|_, _| Ok(())) {
                eprintln!("rapport-desktop: the search index could not be opened: {}", e.message);
            }
        });
    }

    /// Brings an open search index up to date (after a write or a background job); an index
    /// that fails to sync is dropped, so the next search opens (and repairs) it again.
    pub fn sync_index(&self) {
        let mut slot = self.index_slot();
        if let Some((ws, idx)) = &slot.open {
            if let Err(e) = idx.sync(ws.conn(), &NoProgress) {
                eprintln!("rapport-desktop: the search index will be reopened: {e}");
                slot.open = None;
            }
        }
    }

    /// The open workspace's folder (a background job opens its own connection to it).
    pub fn root(&self) -> std::result::Result<PathBuf, ApiError> {
        self.with(|ws| Ok(ws.root().to_path_buf()))
    }

    /// The open workspace's folder, or none when it failed to open.
    pub fn root_if_open(&self) -> Option<PathBuf> {
        self.lock().workspace.as_ref().ok().map(|ws| ws.root().to_path_buf())
    }

    /// Whether this launch created the open workspace with the demo data.
    pub fn demo_created(&self) -> bool {
        self.lock().demo_created
    }

    /// Replaces the open workspace (and its index, warmed up again in the background).
    pub fn switch(&self, workspace: Workspace) {
        let root = workspace.root().to_path_buf();
        {
            let mut inner = self.lock();
            inner.workspace = Ok(workspace);
            inner.demo_created = false;
        }
        {
            let mut slot = self.index_slot();
            slot.root = Some(root);
            slot.open = None;
        }
        self.warm_index();
    }

    /// Keeps the app's handle (at set-up), for the dialogs.
    pub fn attach_app(&self, app: tauri::AppHandle) {
        let _ = self.shared.app.set(app);
    }

    /// The app's handle.
    pub fn app(&self) -> std::result::Result<&tauri::AppHandle, ApiError> {
        self.shared.app.get().ok_or_else(|| Error::Integrity("the window is not set up yet".into()).into())
    }

    /// Starts the loopback server the player streams recordings from; it serves the media
    /// folder of whichever workspace is open at each request.
    pub fn start_media_server(&self) -> Result<()> {
        let state = self.clone();
        // The app's own pages (Linux and macOS, Windows and Android) may read what it serves.
        let origins = ["tauri://localhost", "http://tauri.localhost", "https://tauri.localhost"];
        let server = MediaServer::start(
            Arc::new(move || state.root_if_open().map(|r| r.join("media"))),
            origins.map(String::from).to_vec(),
        )?;
        let _ = self.shared.media.set(server);
        Ok(())
    }

    /// The URL the player streams a stored media file from.
    pub fn media_url(&self, file_name: &str) -> std::result::Result<String, ApiError> {
        let server = self
            .shared
            .media
            .get()
            .ok_or_else(|| ApiError::from(Error::Integrity("the media server is not running".into())))?;
        Ok(server.url(file_name))
    }

    /// The running jobs.
    pub fn jobs(&self) -> &Jobs {
        &self.shared.jobs
    }

    /// Starts `work` on the open workspace as a job (see `jobs`) and returns its id: on a
    /// blocking thread with a connection of its own, so the app keeps reading and writing
    /// meanwhile. When it is done the search index catches up; its last event goes to
    /// `on_event`.
    pub fn start_workspace_job<T>(
        &self,
        on_event: tauri::ipc::Channel<JobEvent>,
        work: impl FnOnce(&mut Workspace, &ChannelProgress, &CancelToken) -> Result<Outcome<T>> + Send + 'static,
    ) -> std::result::Result<u64, ApiError> {
        let root = self.root()?;
        let state = self.clone();
        let (job, cancel) = state.jobs().register();
        tauri::async_runtime::spawn_blocking(move || {
            let sink = ChannelProgress::new(on_event);
            let result = Workspace::open(&root).and_then(|mut ws| work(&mut ws, &sink, &cancel));
            state.jobs().finish(job);
            if matches!(result, Ok(Outcome::Done(_))) {
                state.sync_index();
            }
            sink.send(last_event(result));
        });
        Ok(job)
    }

    /// Starts work that needs no open workspace (a model download, a restore into another
    /// folder) as a job: the same events as [`AppState::start_workspace_job`].
    pub fn start_job<T>(
        &self,
        on_event: tauri::ipc::Channel<JobEvent>,
        work: impl FnOnce(&ChannelProgress, &CancelToken) -> Result<Outcome<T>> + Send + 'static,
    ) -> u64 {
        let state = self.clone();
        let (job, cancel) = state.jobs().register();
        tauri::async_runtime::spawn_blocking(move || {
            let sink = ChannelProgress::new(on_event);
            let result = work(&sink, &cancel);
            state.jobs().finish(job);
            sink.send(last_event(result));
        });
        job
    }

    /// The files and folders the user picked in a dialog or dropped on the window.
    pub fn picked(&self) -> MutexGuard<'_, Picked> {
        self.shared.picked.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `path` from the window, if the user picked or dropped it for `what` or it lies in the
    /// open workspace; else `path_not_allowed` (see [`crate::paths`]).
    pub fn checked_path(&self, what: Use, path: &str) -> std::result::Result<PathBuf, ApiError> {
        let root = self.root_if_open();
        self.picked().check(what, path, root.as_deref())
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
