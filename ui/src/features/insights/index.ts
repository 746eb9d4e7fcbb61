import type { Feature } from "../../lib/feature";

export const insights: Feature = {
  id: "insights",
  label: "Insights",
  icon: "insights",
  views: [{ id: "insights", load: () => import("./InsightsPage.svelte") }],
};
