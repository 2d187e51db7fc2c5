// A delegation tree: it follows revocations live, from any server instance.
import { onEvents, refresh } from "./console.js";
import "./revoke.js";

const reload = () => refresh(`${location.pathname}?fragment=tree`, "#tree");
document.addEventListener("writ:revoked", () => void reload());
onEvents({ revocation: () => void reload() });
