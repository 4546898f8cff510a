import { beforeAll, describe, expect, it } from "vitest";
import { consolePage, textOf, useConsole } from "./support/console-page.ts";

/**
 * The web console's shell and a project's hand work, in a real Chromium against the local stack:
 * the API key field, shots edited, moved, inserted and deleted, a phone-sized screen, a name on
 * every control, and a project deleted after the confirm. The project and its shots are made
 * through the API first; the whole flow from an idea is test/console.test.ts.
 */
const session = useConsole("console-edit");
const ui = consolePage(session);
let projectId: number;

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${session.url}/api/v1${path}`, {
    method,
    headers: body ? { "content-type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  // biome-ignore lint/suspicious/noExplicitAny: test reads the API's JSON loosely
  return (await res.json()) as any;
}
const project = () => api("GET", `/projects/${projectId}`);
const shotIds = async () => (await project()).storyboards.map((s: { id: number }) => s.id);

beforeAll(async () => {
  projectId = (await api("POST", "/projects", { name: "Paper boat" })).id;
  await api("POST", `/projects/${projectId}/generate-script`, {
    script_or_idea: "A lighthouse keeper follows a paper boat upriver to a child.",
  });
  for (const n of [1, 2, 3]) {
    await api("POST", `/projects/${projectId}/storyboards`, {
      frame_prompt: `Frame ${n}: the river at dusk`,
      shot_prompt: `Motion ${n}: slow pan`,
    });
  }
});

describe("web console: the shell and a project's hand work", () => {
  it("shows the shell, and a bad API key as words in an alert", async () => {
    await session.page.goto(session.url);
    await ui.find("heading", "Projects");
    await ui.waitForText("API ready");
    await ui.type("API key", "sk-not-a-real-key");
    await ui.click("button", "Use key");
    expect(await ui.alertText()).toMatch(/API key/i);
    await session.shoot("01-bad-key");
    await ui.type("API key", "");
    await ui.click("button", "Use key");
    await ui.find("link", "Paper boat");
    expect(await session.page.evaluate(() => localStorage.length)).toBe(0);
  });

  it("edits, reorders, inserts and deletes shots", async () => {
    await ui.click("link", "Paper boat");
    const before = await shotIds();
    // Edit: a new frame prompt and a duration for shot 1, saved with one PATCH.
    const card1 = await ui.find("listitem", "Shot 1");
    await ui.type("Frame prompt", "The keeper on the shore at dusk, paper boat at his feet", card1);
    await ui.type("Duration (seconds)", "5", card1, "spinbutton");
    await ui.type("Narration", "The keeper saw the boat at dusk.", card1);
    expect(await textOf(card1)).toContain("Unsaved changes");
    await ui.click("button", "Save shot 1", card1);
    await session.page.waitForFunction(
      (card) => !card.textContent?.includes("Unsaved changes"),
      {},
      card1,
    );
    const edited = (await project()).storyboards[0];
    expect(edited.frame_prompt).toBe("The keeper on the shore at dusk, paper boat at his feet");
    expect(edited.duration_seconds).toBe(5);
    expect(edited.narration).toBe("The keeper saw the boat at dusk.");
    await session.shoot("02-shot-edited");

    // Reorder: shot 1 moves down, so the old second shot leads.
    await ui.click("button", "Move shot 1 down");
    await session.page.waitForFunction(
      (id) => document.querySelector(".shot")?.querySelector("h3")?.id === `shot-${id}-title`,
      {},
      before[1],
    );
    expect((await shotIds()).slice(0, 2)).toEqual([before[1], before[0]]);
    await session.shoot("03-shot-moved");

    // Insert after shot 1.
    await ui.click("button", "Insert shot after shot 1");
    const form = await ui.find("form", "New shot after shot 1");
    await ui.type("New shot's frame prompt", "A close-up of the paper boat's folded sail", form);
    await ui.type("New shot's motion prompt", "Slow push in as the boat turns", form);
    await ui.click("button", "Add shot", form);
    await ui.find("listitem", `Shot ${before.length + 1}`);
    const inserted = (await project()).storyboards;
    expect(inserted).toHaveLength(before.length + 1);
    expect(inserted[1].frame_prompt).toBe("A close-up of the paper boat's folded sail");
    await session.shoot("04-shot-inserted");

    // Delete shot 2 (the inserted one), after confirming.
    await ui.click("button", "Delete shot 2");
    await ui.click("button", "Yes, delete shot 2");
    await session.page.waitForFunction(
      (n) => document.querySelectorAll(".shot").length === n,
      {},
      before.length,
    );
    expect(await shotIds()).toEqual([before[1], before[0], ...before.slice(2)]);
    await session.shoot("05-shot-deleted");
  });

  it("fits a 390 px wide screen in one column", async () => {
    await session.page.setViewport({ width: 390, height: 844 });
    const overflow = await session.page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const [a, b] = await session.page.$$eval(".shot", (cards) =>
      cards.slice(0, 2).map((c) => c.getBoundingClientRect().left),
    );
    expect(a).toBe(b);
    await session.shoot("06-narrow-390px");
    await session.page.setViewport({ width: 1280, height: 900 });
  });

  it("names every control for assistive technology", async () => {
    const controls = await session.page.$$("button, input, select, textarea, canvas");
    expect(controls.length).toBeGreaterThan(40);
    const unnamed: string[] = [];
    for (const control of controls) {
      // Inside a closed <details>, a control is out of the accessibility tree until opened.
      if (!(await control.evaluate((el) => el.checkVisibility()))) continue;
      const node = await session.page.accessibility.snapshot({
        root: control,
        interestingOnly: false,
      });
      if (!node?.name?.trim()) unnamed.push(await control.evaluate((el) => el.outerHTML));
    }
    expect(unnamed).toEqual([]);
  });

  it("deletes the project after asking, and its old address says why it cannot open", async () => {
    await ui.click("link", "← All projects");
    await ui.find("heading", "Projects");
    await ui.click("button", "Delete Paper boat");
    await ui.click("button", "Yes, delete project");
    await ui.waitForText("No projects yet");
    expect((await fetch(`${session.url}/api/v1/projects/${projectId}`)).status).toBe(404);
    await session.shoot("07-project-deleted");

    await session.page.goto(`${session.url}/#/projects/${projectId}`);
    expect(await ui.alertText()).toMatch(/^This project could not be opened: .+/);
    await ui.find("link", "← All projects");
    await session.shoot("08-deleted-project-address");
  });
});
