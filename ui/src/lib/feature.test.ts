import { describe, expect, it } from "vitest";
import type { Component } from "svelte";
import { createRegistry, type Feature, type ViewProps } from "./feature";

const Dummy = (() => ({})) as unknown as Component<ViewProps>;

const studies: Feature = {
  id: "studies",
  label: "Studies",
  icon: "studies",
  views: [
    { id: "studies", component: Dummy },
    { id: "study", component: Dummy },
  ],
};
const people: Feature = { id: "people", label: "People", icon: "people", views: [{ id: "people", component: Dummy }] };

describe("createRegistry", () => {
  it("finds the feature that owns a detail view, so the sidebar can mark it", () => {
    const r = createRegistry([studies, people]);
    expect(r.lookup("study")?.feature.id).toBe("studies");
    expect(r.lookup("people")?.view.id).toBe("people");
    expect(r.lookup("nope")).toBeUndefined();
  });
  it("refuses a view id registered by two features", () => {
    const clash: Feature = { ...people, id: "clash", views: [{ id: "study", component: Dummy }] };
    expect(() => createRegistry([studies, clash])).toThrow(/"study" is registered by both "studies" and "clash"/);
  });
});
