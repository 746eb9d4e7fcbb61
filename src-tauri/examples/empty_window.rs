//! The peer of `scripts/bench app`: an empty Tauri window (a blank page and one command that
//! reports when it has painted, as Rapport's UI does), built with the same Tauri version and
//! features as Rapport, to compare idle memory and start-up.

/// Prints a moment of the start-up for the benchmark, as Rapport's `startup_mark` does.
fn mark(name: &str, ms: u128) {
    if std::env::var_os("RAPPORT_PAINT_MARK").is_some() {
        eprintln!("empty-window: mark {name} unix_ms={ms}");
    }
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default()
}

/// Called by the page two frames after it has shown, with the moment its navigation started;
/// prints both for the benchmark.
#[tauri::command]
fn painted(navigation: f64) {
    mark("navigation", navigation as u128);
    if std::env::var_os("RAPPORT_PAINT_MARK").is_some() {
        eprintln!("empty-window: first paint unix_ms={}", now_ms());
    }
}

fn main() {
    mark("main", now_ms());
    tauri::Builder::default()
        .setup(|_| {
            mark("setup", now_ms());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![painted])
        .run(tauri::generate_context!("bench/empty-window/tauri.conf.json"))
        .expect("error while running the empty window");
}
