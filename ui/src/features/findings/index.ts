import type { Feature } from "../../lib/feature";
import FindingsBoard from "../synthesis/FindingsBoard.svelte";

export const findings: Feature = {
  id: "findings",
  label: "Findings",
  icon: "findings",
  views: [{ id: "findings", component: FindingsBoard }],
};
