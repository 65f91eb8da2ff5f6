// Vite builds the window's assets into dist/, which src-tauri embeds (tauri.conf.json:
// frontendDist). Vitest runs the *.test.ts files beside the services in src/lib/.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte()],
  // Tauri serves the files itself; relative paths keep them working from any origin.
  base: './',
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    target: 'es2022',
    // WebKitGTK is the only engine; inline assets would need a looser CSP, so keep them files.
    assetsInlineLimit: 0,
    outDir: 'dist',
    emptyOutDir: true,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
