//! Rapport's desktop shell: set-up, plugins and one handler list. Every command is a few
//! lines in `commands/` that call one core function in the `rapport` crate; no logic
//! lives here. See ARCHITECTURE.md.

pub mod bindings;
pub mod commands;
mod jobs;
mod state;

pub use state::AppState;
use tauri::Manager;

/// Starts the app on the default workspace (created with the demo data on first run).
pub fn run() {
    let state = AppState::open_default();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .setup(|app| {
            // The asset protocol's scope starts empty; only the open workspace's media/ is added.
            app.state::<AppState>().attach_media_scope(app.asset_protocol_scope());
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!())
        .expect("error while running the Rapport window");
}
