import type { Feature } from "../../lib/feature";

export const models: Feature = {
  id: "models",
  label: "Models",
  icon: "model",
  views: [{ id: "models", load: () => import("./ModelsPage.svelte") }],
};
