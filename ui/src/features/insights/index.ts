import type { Feature } from "../../lib/feature";
import InsightsPage from "./InsightsPage.svelte";

export const insights: Feature = {
  id: "insights",
  label: "Insights",
  icon: "insights",
  views: [{ id: "insights", component: InsightsPage }],
};
