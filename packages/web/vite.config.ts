import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The UI is served as static files by the office and axis servers; in development
// `npm run dev -w @truc/web` proxies API calls to a locally running office server.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: { "/api": process.env.TRUC_OFFICE_URL ?? "http://127.0.0.1:8080" },
  },
});
