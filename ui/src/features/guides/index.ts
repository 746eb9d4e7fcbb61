import type { Feature } from "../../lib/feature";
import GuideList from "./GuideList.svelte";
import GuideEditor from "./GuideEditor.svelte";
import RunMode from "./RunMode.svelte";
import AnswersMatrix from "./AnswersMatrix.svelte";
import StudyNotes from "./StudyNotes.svelte";

export const guides: Feature = {
  id: "guides",
  label: "Guides",
  icon: "studies",
  views: [
    { id: "guides", component: GuideList },
    { id: "guide", component: GuideEditor },
    { id: "run", component: RunMode },
    { id: "answers", component: AnswersMatrix },
    { id: "study-notes", component: StudyNotes },
  ],
};
