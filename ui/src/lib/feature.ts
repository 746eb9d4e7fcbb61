//! What a feature folder registers: a sidebar entry and the views it owns. The list of
//! features lives in src/views.ts; adding a feature is a folder plus one line there.
import type { Component } from "svelte";
import type { Params } from "./router.svelte";
import type { IconName } from "./components/icons";

/** Every view gets the params it was navigated to with. */
export type ViewProps = { params: Params };

/** A view's component: given (it is in the first script) or loaded when first shown. */
export type ViewComponent = Component<ViewProps>;

export type View = {
  /** The name used with router.navigate(id, params); unique across features. */
  id: string;
} & (
  | { component: ViewComponent }
  /** Loaded on first use (`() => import("./X.svelte")`), so the first script holds only the first screen. */
  | { load: () => Promise<{ default: ViewComponent }> }
);

export type Feature = {
  /** Also the sidebar test id: `nav-${id}`. */
  id: string;
  label: string;
  icon: IconName;
  /** The first view is the one the sidebar entry opens; the others are pages inside the feature. */
  views: [View, ...View[]];
};

export type Registry = {
  features: readonly Feature[];
  /** The feature and view registered under a view id. */
  lookup(viewId: string): { feature: Feature; view: View } | undefined;
};

/** Indexes the features' views by id; a view id registered twice is a programming error. */
export function createRegistry(features: readonly Feature[]): Registry {
  const byId = new Map<string, { feature: Feature; view: View }>();
  for (const feature of features) {
    for (const view of feature.views) {
      const taken = byId.get(view.id);
      if (taken) {
        throw new Error(`view "${view.id}" is registered by both "${taken.feature.id}" and "${feature.id}"`);
      }
      byId.set(view.id, { feature, view });
    }
  }
  return { features, lookup: (id) => byId.get(id) };
}

const loaded = new Map<string, ViewComponent>();

/**
 * The view's component: at once when it is in the first script or was loaded before, else
 * a promise of it (the script of a screen is fetched the first time it is shown).
 */
export function viewComponent(view: View): ViewComponent | Promise<ViewComponent> {
  if ("component" in view) return view.component;
  const known = loaded.get(view.id);
  if (known) return known;
  return view.load().then((m) => {
    loaded.set(view.id, m.default);
    return m.default;
  });
}
