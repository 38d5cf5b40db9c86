// Page bundle: the whole scenario (createRng/fork, generateWorld, train, fitAnchor, logPartition).
import { publish } from './publish.js';
import { runScenario } from './scenario.js';

publish(runScenario, import.meta.url);
