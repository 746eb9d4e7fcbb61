//! The first screen's data, handed to the page before any of its scripts runs.
//!
//! At start-up the window's first command answers about 0.1 s late (WebKit and the shell are
//! still busy setting up the page), and the study list is the first screen's only data. So the
//! shell reads the workspace's info and its study list once, right after opening the
//! workspace, and puts them on the page as `window.__RAPPORT_BOOT__` through an
//! initialization script. The UI takes each part once (`ui/src/lib/boot.ts`), paints from it,
//! and asks the same two commands again after the first paint, so a page that is loaded again
//! later (a reload after a workspace switch) never keeps what this snapshot said.

use serde::Serialize;

use rapport::study::StudySummary;
use rapport::workspace::WorkspaceInfo;

use crate::AppState;

/// What the first screen shows: the answers of `workspace_info` and `study_list`.
#[derive(Serialize)]
struct Boot {
    info: WorkspaceInfo,
    studies: Vec<StudySummary>,
}

/// The initialization script that puts the first screen's data on the page; an empty script
/// when the workspace could not be read (the page then asks, and shows the error).
pub fn script(state: &AppState) -> String {
    let demo_created = state.demo_created();
    let boot = state.with(|ws| {
        let info = ws.info(demo_created)?;
        let studies = rapport::study::list(ws.conn())?;
        Ok(Boot { info, studies })
    });
    match boot.ok().and_then(|b| serde_json::to_string(&b).ok()) {
        // JSON is JavaScript (ES2019 and later), strings escaped: the data cannot end the literal.
        Some(json) => format!("Object.defineProperty(window, '__RAPPORT_BOOT__', {{ value: {json}, writable: true, configurable: true }});"),
        None => String::new(),
    }
}

/// The plugin that runs [`script`]'s text in the window before the page's own scripts.
pub fn plugin<R: tauri::Runtime>(script: String) -> tauri::plugin::TauriPlugin<R> {
    tauri::plugin::Builder::new("boot").js_init_script(script).build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boot_script_carries_the_study_list_the_command_gives() {
        let dir = tempfile::tempdir().unwrap();
        let ws = rapport::Workspace::create(dir.path()).unwrap();
        rapport::study::create(ws.conn(), "Deploys \"quoted\" </script>", None, None).unwrap();
        drop(ws);
        let state = AppState::open(Some(dir.path().to_path_buf()));
        let text = script(&state);
        let json = text
            .strip_prefix("Object.defineProperty(window, '__RAPPORT_BOOT__', { value: ")
            .and_then(|t| t.strip_suffix(", writable: true, configurable: true });"))
            .expect("one assignment");
        let boot: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(boot["studies"][0]["name"], "Deploys \"quoted\" </script>");
        assert_eq!(
            boot["info"]["path"],
            serde_json::json!(state.with(|ws| Ok(ws.root().display().to_string())).unwrap())
        );
    }
}
