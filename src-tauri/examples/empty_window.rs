//! The peer of `scripts/bench app`: an empty Tauri window (a blank page and one command that
//! reports when it has painted, as Rapport's UI does), built with the same Tauri version and
//! features as Rapport, to compare idle memory and start-up.

/// Prints a moment of the start-up for the benchmark (with `RAPPORT_PAINT_MARK` set), as
/// Rapport's `startup_mark` does: `what` is `mark NAME` or `first paint`.
fn report(what: &str, ms: u128) {
    if std::env::var_os("RAPPORT_PAINT_MARK").is_some() {
        eprintln!("empty-window: {what} unix_ms={ms}");
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
    report("mark navigation", navigation as u128);
    report("first paint", now_ms());
}

fn main() {
    report("mark main", now_ms());
    tauri::Builder::default()
        .setup(|_| {
            report("mark setup", now_ms());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![painted])
        .run(tauri::generate_context!("bench/empty-window/tauri.conf.json"))
        .expect("error while running the empty window");
}
