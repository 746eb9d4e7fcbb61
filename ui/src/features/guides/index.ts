import type { Feature } from "../../lib/feature";

export const guides: Feature = {
  id: "guides",
  label: "Guides",
  icon: "studies",
  views: [
    { id: "guides", load: () => import("./GuideList.svelte") },
    { id: "guide", load: () => import("./GuideEditor.svelte") },
    { id: "run", load: () => import("./RunMode.svelte") },
    { id: "answers", load: () => import("./AnswersMatrix.svelte") },
    { id: "study-notes", load: () => import("./StudyNotes.svelte") },
  ],
};
