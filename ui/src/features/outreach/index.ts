import type { Feature } from "../../lib/feature";

export const outreach: Feature = {
  id: "outreach",
  label: "Outreach",
  icon: "mail",
  views: [{ id: "outreach", load: () => import("./OutreachBoard.svelte") }],
};
