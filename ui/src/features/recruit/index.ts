import type { Feature } from "../../lib/feature";

export const recruit: Feature = {
  id: "recruit",
  label: "Recruit",
  icon: "target",
  views: [{ id: "recruit", load: () => import("./RecruitPage.svelte") }],
};
