// Diarization on the session page: the speakers panel and the speaker strip under the player.
export { default as DiarizePanel } from "./DiarizePanel.svelte";
export { default as Timeline } from "./Timeline.svelte";
