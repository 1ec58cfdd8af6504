// The web app (src/web) is built into dist/web, which the server serves at `/`
// (src/server/platform/http/web-app.ts). `npm run dev` runs this dev server with hot reload
// and proxies the API and the server-rendered pages to the server on port 3000.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const API_SERVER = process.env.LEADKEEPER_API_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root: 'src/web',
  plugins: [react()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    // The server serves /assets/ only; nothing is copied from a public/ folder.
    copyPublicDir: false,
    // React, Mantine, zod and the router make one ~830 kB (≈250 kB gzip) entry chunk; the
    // board and the lead page load separately.
    chunkSizeWarningLimit: 900,
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': API_SERVER,
      '/setup': API_SERVER,
      '/invite': API_SERVER,
    },
  },
});
