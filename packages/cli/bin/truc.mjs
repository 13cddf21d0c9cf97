#!/usr/bin/env node
// Entry point of the `truc` command. The sources are TypeScript run through tsx, so the
// repository works without a build step.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/main.ts");
process.exitCode = await main(process.argv);
