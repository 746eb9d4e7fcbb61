import type { Feature } from "../../lib/feature";
import PeopleList from "./PeopleList.svelte";
import PersonPage from "./PersonPage.svelte";

export const people: Feature = {
  id: "people",
  label: "People",
  icon: "people",
  views: [
    { id: "people", component: PeopleList },
    { id: "person", component: PersonPage },
  ],
};
