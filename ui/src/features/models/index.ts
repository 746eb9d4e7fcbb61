import type { Feature } from "../../lib/feature";
import ModelsPage from "./ModelsPage.svelte";

export const models: Feature = {
  id: "models",
  label: "Models",
  icon: "model",
  views: [{ id: "models", component: ModelsPage }],
};
