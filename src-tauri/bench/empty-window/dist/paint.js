// Reports the first paint the way Rapport's UI does (two frames after the page shows, then one
// command, which also carries the moment the navigation started), so `scripts/bench app` can
// compare Rapport's first paint and start-up marks with WebKit's floor.
requestAnimationFrame(() =>
  requestAnimationFrame(() => window.__TAURI_INTERNALS__.invoke("painted", { navigation: performance.timeOrigin })),
);
