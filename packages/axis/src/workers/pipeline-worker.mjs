// Bootstrap of a pipeline worker thread: the sources are TypeScript run through tsx (no build
// step), and a worker does not inherit a loader registered with tsx's API in the parent.
import { register } from "tsx/esm/api";

register();
await import("./pipeline-worker.ts");
