import { mount } from "svelte";
import { markStartup } from "./lib/api";
import "./app.css";
import App from "./App.svelte";
import { workspace } from "./features/workspace/workspace.svelte";
import { prefetchStudyList } from "./features/studies/firstLoad";
import { router } from "./lib/router.svelte";

markStartup("script");
if (navigator.userAgent.includes("Linux")) document.documentElement.classList.add("linux");
// The first screen's data: from the launch's snapshot (lib/boot.ts), else both questions go
// out together, before the app mounts.
void workspace.start();
if (router.current.view === "studies") prefetchStudyList();
const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

const app = mount(App, { target });
markStartup("mounted");
export default app;
