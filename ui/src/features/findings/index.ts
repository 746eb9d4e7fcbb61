import type { Feature } from "../../lib/feature";

export const findings: Feature = {
  id: "findings",
  label: "Findings",
  icon: "findings",
  views: [{ id: "findings", load: () => import("../synthesis/FindingsBoard.svelte") }],
};
