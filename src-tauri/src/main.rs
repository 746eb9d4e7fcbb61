// Hides the console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    rapport_desktop::startup_mark("process");
    rapport_desktop::run();
}
