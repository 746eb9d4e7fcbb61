import type { Feature } from "../../lib/feature";
import RecruitPage from "./RecruitPage.svelte";

export const recruit: Feature = {
  id: "recruit",
  label: "Recruit",
  icon: "target",
  views: [{ id: "recruit", component: RecruitPage }],
};
