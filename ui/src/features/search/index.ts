import type { Feature } from "../../lib/feature";
import SearchPage from "./SearchPage.svelte";

export const search: Feature = {
  id: "search",
  label: "Search",
  icon: "search",
  views: [{ id: "search", component: SearchPage }],
};
