import type { Feature } from "../../lib/feature";
import SessionList from "./SessionList.svelte";
import SessionPage from "./SessionPage.svelte";

export const sessions: Feature = {
  id: "sessions",
  label: "Sessions",
  icon: "sessions",
  views: [
    { id: "sessions", component: SessionList },
    { id: "session", component: SessionPage },
  ],
};
