//! Tauri's build step, with the app's own commands under the capability system: every command
//! of the `commands!` table in `src/commands/mod.rs` gets an `allow-<command>` permission, and
//! the window may call only those its capability (`capabilities/default.json`) lists. The e2e
//! build adds its dialog seam and the capability that grants it (`capabilities/e2e/`); no
//! other build sees that file.

fn main() {
    println!("cargo:rerun-if-changed=src/commands/mod.rs");
    println!("cargo:rerun-if-changed=capabilities");
    let table = std::fs::read_to_string("src/commands/mod.rs").expect("src/commands/mod.rs");
    let mut commands: Vec<&'static str> = table_commands(&table).into_iter().map(leak).collect();
    let e2e = std::env::var_os("CARGO_FEATURE_E2E").is_some();
    if e2e {
        commands.push("e2e_dialog_answer");
    }
    // The one command of the benchmark's peer (examples/empty_window.rs, whose own config
    // grants it); no capability of the app does.
    commands.push("painted");
    let commands: &'static [&'static str] = Vec::leak(commands);
    let attributes = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(commands))
        .capabilities_path_pattern(if e2e { "./capabilities/**/*.json" } else { "./capabilities/*.json" });
    tauri_build::try_build(attributes).expect("tauri build step");
}

/// The command names of the `commands!` table: its rows are `module::name(args) -> Type;`.
fn table_commands(table: &str) -> Vec<String> {
    let body = table.split_once("\ncommands! {").map(|(_, b)| b).unwrap_or_default();
    body.lines()
        .map(str::trim)
        .take_while(|l| *l != "}")
        .filter(|l| !l.starts_with("///"))
        .filter_map(|l| {
            l.split_once("::").and_then(|(_, rest)| rest.split_once('(')).map(|(n, _)| n.to_string())
        })
        .collect()
}

fn leak(s: String) -> &'static str {
    String::leak(s)
}
