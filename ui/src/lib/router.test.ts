import { describe, expect, it } from "vitest";
import { numParam, Router } from "./router.svelte";

describe("Router", () => {
  it("holds a move back while the guard says there is unsaved work, until proceed() or stay()", () => {
    const r = new Router("studies");
    r.navigate("guide", { version: 4 });
    let dirty = true;
    r.setGuard(() => dirty);
    r.navigate("study", { id: 1 });
    expect(r.current).toEqual({ view: "guide", params: { version: 4 } });
    expect(r.pending).not.toBeNull();
    r.stay();
    expect(r.pending).toBeNull();
    expect(r.current.view).toBe("guide");
    r.back();
    expect(r.current.view).toBe("guide");
    r.proceed();
    expect(r.current.view).toBe("studies");
    dirty = false;
    r.navigate("guide", { version: 4 });
    r.navigate("study", { id: 2 });
    expect(r.current).toEqual({ view: "study", params: { id: 2 } });
    expect(r.pending).toBeNull();
    dirty = true;
    r.navigate("search");
    r.setGuard(null);
    expect(r.pending).toBeNull();
    r.navigate("search");
    expect(r.current.view).toBe("search");
  });

  it("leave() drops deleted pages from the history and goes back to the page before them", () => {
    const r = new Router("studies");
    r.navigate("study", { id: 1 });
    r.navigate("session", { id: 7 });
    r.navigate("search");
    r.navigate("session", { id: 7 });
    r.leave("study", { id: 1 }, (route) => route.view === "session" && route.params.id === 7);
    expect(r.current).toEqual({ view: "study", params: { id: 1 } });
    r.back();
    expect(r.current.view).toBe("search");
    r.back();
    expect(r.current).toEqual({ view: "study", params: { id: 1 } });
    r.back();
    expect(r.current.view).toBe("studies");
    expect(r.canGoBack).toBe(false);
  });

  it("leave() goes straight back when the target was the page before", () => {
    const r = new Router("studies");
    r.navigate("study", { id: 3 });
    r.leave("studies", {}, (route) => route.view === "study" && route.params.id === 3);
    expect(r.current.view).toBe("studies");
    expect(r.canGoBack).toBe(false);
  });

  it("starts on the initial view with nothing to go back to", () => {
    const r = new Router("studies");
    expect(r.current).toEqual({ view: "studies", params: {} });
    expect(r.canGoBack).toBe(false);
  });

  it("goes back through the views in the order they were shown", () => {
    const r = new Router("studies");
    r.navigate("study", { id: 1 });
    r.navigate("session", { id: 7 });
    expect(r.current).toEqual({ view: "session", params: { id: 7 } });
    r.back();
    expect(r.current).toEqual({ view: "study", params: { id: 1 } });
    r.back();
    expect(r.current.view).toBe("studies");
    r.back();
    expect(r.current.view).toBe("studies");
  });

  it("does not stack the same route twice, so one Back leaves it", () => {
    const r = new Router("studies");
    r.navigate("study", { id: 1 });
    r.navigate("study", { id: 1 });
    r.back();
    expect(r.current.view).toBe("studies");
    expect(r.canGoBack).toBe(false);
  });

  it("reset forgets the history", () => {
    const r = new Router("studies");
    r.navigate("people");
    r.reset("studies");
    expect(r.canGoBack).toBe(false);
    expect(r.current.view).toBe("studies");
  });

  it("numParam reads ids and says NaN when one is missing", () => {
    expect(numParam({ id: 3 }, "id")).toBe(3);
    expect(numParam({ id: "4" }, "id")).toBe(4);
    expect(Number.isNaN(numParam({}, "id"))).toBe(true);
  });
});
