// Hides the console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    rapport_desktop::startup_mark("process");
    passive_openmp_waits();
    rapport_desktop::run();
}

/// Makes whisper.cpp's OpenMP threads sleep instead of spin while they wait (as the CLI
/// does; see `rapport transcribe`). libgomp reads `OMP_WAIT_POLICY` when it is loaded, before
/// `main`, so when the caller has not chosen a policy the app starts itself again with
/// `OMP_WAIT_POLICY=PASSIVE` (same process id: `exec`), before any window or thread exists.
fn passive_openmp_waits() {
    if std::env::var_os("OMP_WAIT_POLICY").is_some() {
        return;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        if let Ok(exe) = std::env::current_exe() {
            let err = std::process::Command::new(exe)
                .args(std::env::args_os().skip(1))
                .env("OMP_WAIT_POLICY", "PASSIVE")
                .exec();
            eprintln!("rapport-desktop: could not restart with OMP_WAIT_POLICY=PASSIVE: {err}");
        }
    }
}
