// Entry point for the `lmtransfer` binary and `npm run reproduce`: run the command line and set the exit code.
import { main } from './main.js';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
