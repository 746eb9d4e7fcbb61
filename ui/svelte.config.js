// Svelte 5 strips TypeScript from <script lang="ts"> natively; no preprocessor needed.
/** @type {import("@sveltejs/vite-plugin-svelte").SvelteConfig} */
export default {
  compilerOptions: {
    runes: true,
  },
};
