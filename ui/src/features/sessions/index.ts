import type { Feature } from "../../lib/feature";

export const sessions: Feature = {
  id: "sessions",
  label: "Sessions",
  icon: "sessions",
  views: [
    { id: "sessions", load: () => import("./SessionList.svelte") },
    { id: "session", load: () => import("./SessionPage.svelte") },
  ],
};
