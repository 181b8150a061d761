import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The Tauri shell loads ui/dist as static files, so every asset path is
// relative and nothing is fetched from the network (the CSP forbids it).
export default defineConfig(({ mode }) => ({
  base: './',
  plugins: [svelte()],
  // Component tests mount Svelte's client runtime, not its server one.
  resolve: mode === 'test' ? { conditions: ['browser'] } : undefined,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2021',
    assetsInlineLimit: 0,
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
    // The screens are tested as on a phone (the app's own 420 px window):
    // from 900 px the lists turn into desk tables (lib/wide.svelte.ts).
    environmentOptions: { happyDOM: { width: 420, height: 860 } },
  },
}));
