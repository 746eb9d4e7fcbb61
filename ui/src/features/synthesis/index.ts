import type { Feature } from "../../lib/feature";

/** The codebook: tags with counts, add, edit, rename, move, merge, delete; REFI-QDA import. */
export const codebook: Feature = {
  id: "codebook",
  label: "Codebook",
  icon: "tag",
  views: [{ id: "codebook", load: () => import("./CodebookPage.svelte") }],
};
