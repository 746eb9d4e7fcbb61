//! The peer of `scripts/bench app`: an empty Tauri window (a blank page and one command that
//! reports when it has painted, as Rapport's UI does), built with the same Tauri version and
//! features as Rapport, to compare idle memory and start-up.

/// Called by the page two frames after it has shown; prints the time for the benchmark.
#[tauri::command]
fn painted() {
    if std::env::var_os("RAPPORT_PAINT_MARK").is_some() {
        let ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        eprintln!("empty-window: first paint unix_ms={ms}");
    }
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![painted])
        .run(tauri::generate_context!("bench/empty-window/tauri.conf.json"))
        .expect("error while running the empty window");
}
