// node --import this file: installs the hooks that let the conformance CLI load on Node 20.
import { register } from "node:module";

register("./hooks.mjs", import.meta.url);
