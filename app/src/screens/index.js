// The tabs each role sees, in order: a tab is a name (its label is t('tab.<name>')) and an
// async function that returns the screen's element. A role without tabs here cannot use
// the field app (the desk console is theirs).
import { leadsScreen } from './leads.js';
import { casesScreen } from './mediation.js';
import { reportScreen } from './report.js';
import { roundScreen } from './round.js';
import { sightingScreen } from './sighting.js';
import { tasksScreen } from './tasks.js';
import { wantedScreen } from './wanted.js';

export const TABS = {
  grid_assistant: { report: reportScreen, leads: leadsScreen, sighting: sightingScreen,
    wanted: wantedScreen, tasks: tasksScreen },
  mediator: { cases: casesScreen },
  officer: { round: roundScreen },
};
