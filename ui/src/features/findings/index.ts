import type { Feature } from "../../lib/feature";
import FindingList from "./FindingList.svelte";

export const findings: Feature = {
  id: "findings",
  label: "Findings",
  icon: "findings",
  views: [{ id: "findings", component: FindingList }],
};
