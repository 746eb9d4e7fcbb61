// Reports the first paint the way Rapport's UI does (two frames after the page shows, then one
// command), so `scripts/bench app` can compare Rapport's first paint with WebKit's floor.
requestAnimationFrame(() => requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke("painted")));
