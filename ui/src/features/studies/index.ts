import type { Feature } from "../../lib/feature";
import StudyList from "./StudyList.svelte";
import StudyOverview from "./StudyOverview.svelte";

export const studies: Feature = {
  id: "studies",
  label: "Studies",
  icon: "studies",
  views: [
    { id: "studies", component: StudyList },
    { id: "study", component: StudyOverview },
  ],
};
