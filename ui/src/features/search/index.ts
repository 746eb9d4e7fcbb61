import type { Feature } from "../../lib/feature";

export const search: Feature = {
  id: "search",
  label: "Search",
  icon: "search",
  views: [{ id: "search", load: () => import("./SearchPage.svelte") }],
};
