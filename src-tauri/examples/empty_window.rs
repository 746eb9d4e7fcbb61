//! The peer of `scripts/bench app`: an empty Tauri window (a blank page, no commands), built
//! with the same Tauri version and features as Rapport, to compare idle memory and start-up.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!("bench/empty-window/tauri.conf.json"))
        .expect("error while running the empty window");
}
