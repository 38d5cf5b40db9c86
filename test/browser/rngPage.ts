// Page bundle: createRng with fork only (no kernel backend in the bundle).
import { publish } from './publish.js';
import { runRngScenario } from './rngScenario.js';

publish(runRngScenario, import.meta.url);
