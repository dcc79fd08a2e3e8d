/*
 * Preloaded with `node --require` (through NODE_OPTIONS, which does not allow `--cpu-prof` on
 * Node 20) by `npm run bench -- --cpu-prof <dir>`: profiles this Node process with the
 * inspector's sampling profiler and writes <dir>/<pid>.cpuprofile when it exits. The in-process
 * inspector session answers synchronously, so the profile can be taken in an 'exit' handler.
 */
"use strict";
const fs = require("node:fs");
const inspector = require("node:inspector");
const path = require("node:path");

const dir = process.env.BENCH_CPU_PROF_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  session.post("Profiler.setSamplingInterval", { interval: 500 });
  session.post("Profiler.enable");
  session.post("Profiler.start");
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    session.post("Profiler.stop", (err, res) => {
      if (err) return;
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(res.profile));
    });
  };
  process.on("exit", write);
  for (const sig of ["SIGTERM", "SIGINT"]) {
    process.prependListener(sig, () => {
      write();
      if (process.listenerCount(sig) === 1) process.exit(128 + (sig === "SIGTERM" ? 15 : 2));
    });
  }
}
