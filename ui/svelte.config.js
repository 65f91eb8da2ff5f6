// Svelte 5 with runes everywhere; TypeScript in components is handled by the plugin.
export default {
  compilerOptions: {
    runes: true,
  },
};
