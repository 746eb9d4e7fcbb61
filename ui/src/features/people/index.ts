import type { Feature } from "../../lib/feature";

export const people: Feature = {
  id: "people",
  label: "People",
  icon: "people",
  views: [
    { id: "people", load: () => import("./PeopleList.svelte") },
    { id: "person", load: () => import("./PersonPage.svelte") },
  ],
};
