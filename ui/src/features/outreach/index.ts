import type { Feature } from "../../lib/feature";
import OutreachBoard from "./OutreachBoard.svelte";

export const outreach: Feature = {
  id: "outreach",
  label: "Outreach",
  icon: "mail",
  views: [{ id: "outreach", component: OutreachBoard }],
};
