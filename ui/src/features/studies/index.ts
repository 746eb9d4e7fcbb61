import type { Feature } from "../../lib/feature";
import StudyList from "./StudyList.svelte";

export const studies: Feature = {
  id: "studies",
  label: "Studies",
  icon: "studies",
  views: [
    { id: "studies", component: StudyList },
    { id: "study", load: () => import("./StudyOverview.svelte") },
  ],
};
