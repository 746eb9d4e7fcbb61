//! A Svelte action for pop-up menus: calls `close` on a click outside the element or on Escape.
import type { Action } from "svelte/action";

export const dismiss: Action<HTMLElement, () => void> = (node, close) => {
  let onClose = close;
  const onClick = (e: MouseEvent) => {
    if (e.target instanceof Node && !node.contains(e.target)) onClose();
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Escape") onClose();
  };
  window.addEventListener("click", onClick);
  window.addEventListener("keydown", onKey);
  return {
    update(next) {
      onClose = next;
    },
    destroy() {
      window.removeEventListener("click", onClick);
      window.removeEventListener("keydown", onKey);
    },
  };
};
