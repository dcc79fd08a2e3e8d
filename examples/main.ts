/**
 * The entry point the Pulumi CLI runs (root Pulumi.yaml: `main: dist/examples/main.js`, this file compiled).
 *
 * The CLI calls a program module's export when that export is itself a function, but it does not
 * look inside a CommonJS module's `default` export. So the program lives in ./index (its default
 * export is what `npm run demo` and the tests run as an Automation API inline program) and this
 * file hands that same function to the CLI.
 */
import main from "./index";

export = main;
