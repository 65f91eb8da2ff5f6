// Vite builds the window's assets into dist/, which src-tauri embeds (tauri.conf.json:
// frontendDist). Vitest runs the *.test.ts files: the services' beside them in src/lib/, and
// the component tests (screens mounted over the fake station of src/test/fakeBackend.ts).
import { svelteTesting } from '@testing-library/svelte/vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // svelteTesting: under Vitest only, Svelte's browser build (mount, not SSR) and a cleanup of
  // the mounted screens after each test.
  plugins: [svelte(), svelteTesting()],
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
    // happy-dom rather than jsdom: jsdom's current major needs Node 22 and this project runs
    // on Node 20.19 (package.json engines); happy-dom has what the screens use (forms, focus,
    // input events, `dir`) and starts faster. The pure services' tests run in it too.
    environment: 'happy-dom',
  },
});
