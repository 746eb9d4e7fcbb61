//! The one place features are registered. To add one: make a folder under src/features/
//! with an index.ts that exports a Feature (its sidebar entry and views), and add it here.
import { createRegistry } from "./lib/feature";
import { studies } from "./features/studies";
import { people } from "./features/people";
import { recruit } from "./features/recruit";
import { outreach } from "./features/outreach";
import { sessions } from "./features/sessions";
import { search } from "./features/search";
import { findings } from "./features/findings";
import { codebook } from "./features/synthesis";
import { insights } from "./features/insights";
import { models } from "./features/models";
import { guides } from "./features/guides";

export const registry = createRegistry([studies, people, recruit, outreach, sessions, guides, search, findings, codebook, insights, models]);
