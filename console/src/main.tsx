import { render } from "preact";
import { App } from "./app.tsx";
import "./base.css";
import "./projects.css";

render(<App />, document.getElementById("app") as HTMLElement);
