import { mount } from "svelte";
import { markStartup } from "./lib/api";
import "./app.css";
import App from "./App.svelte";

markStartup("script");
const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app element");

export default mount(App, { target });
