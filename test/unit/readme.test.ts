/**
 * The READMEs tell the truth about the repository: every command they name exists, every file
 * they point at exists, and the facts they state (config keys, environment variables, arguments
 * and their update behaviour, outputs, the emulator's seed) are the ones the code has.
 *
 * Reads the source (no build needed).
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ENV_KEYS, STACK_KEYS } from "../../provider/config";
import { EXPORT_BUCKET_ARG_NAMES } from "../../provider/schemas/export-bucket-args";
import { EXPORT_JOB_ARG_NAMES, MAX_WAIT_TIMEOUT_MINUTES, DEFAULT_WAIT_TIMEOUT_MINUTES } from "../../provider/schemas/export-job-args";
import { EXPORT_BUCKET_COMPUTED_OUTPUTS, EXPORT_BUCKET_DIFF_FIELDS } from "../../provider/resources/export-bucket-handlers";
import { EXPORT_JOB_COMPUTED_OUTPUTS, EXPORT_JOB_DIFF_FIELDS } from "../../provider/resources/export-job-handlers";
import { AUTO_EXPORT_ARG_NAMES, AUTO_EXPORT_FREQUENCIES } from "../../provider/schemas/auto-export-args";
import { AUTO_EXPORT_COMPUTED_OUTPUTS, AUTO_EXPORT_DIFF_FIELDS } from "../../provider/resources/auto-export-handlers";
import { SEED } from "../../emulator/seed";

const root = path.resolve(__dirname, "..", "..");
const read = (p: string) => readFileSync(path.join(root, p), "utf8");
const pkg = JSON.parse(read("package.json")) as {
  scripts: Record<string, string>;
  bin: Record<string, string>;
  exports: Record<string, unknown>;
  engines: { node: string };
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const DOCS = ["README.md", "examples/README.md"] as const;

/** Fenced code blocks and inline code spans of a markdown text. */
function codeOf(md: string): { blocks: string[]; spans: string[] } {
  const blocks = [...md.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1] as string);
  const prose = md.replace(/^```[^\n]*\n[\s\S]*?^```/gm, "");
  const spans = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1] as string);
  return { blocks, spans };
}

/** Every `npm run <script>`, `npm test` and `npx <bin>` in the code of a markdown text. */
function commandsOf(md: string): { npmRun: string[]; npmTest: boolean; npx: string[] } {
  const { blocks, spans } = codeOf(md);
  const code = [...blocks, ...spans].join("\n");
  return {
    npmRun: [...code.matchAll(/\bnpm run ([\w:.-]+)/g)].map((m) => m[1] as string),
    npmTest: /\bnpm test\b/.test(code),
    npx: [...code.matchAll(/\bnpx ([\w@/.-]+)/g)].map((m) => m[1] as string),
  };
}

/** Files a package.json script runs directly (`node x.js`, `bash x.sh`). */
function filesRunBy(script: string): string[] {
  return [...script.matchAll(/\b(?:node|bash|sh) ((?:\.\/)?[\w./-]+\.(?:js|sh|mjs|cjs))/g)].map((m) => m[1] as string);
}

/** The top-level entries of the repository a path in the docs may start with. */
const REPO_TOP = ["provider", "emulator", "examples", "scripts", "test", "docs", ".ci", "bench"];
const REPO_FILES = ["package.json", "Pulumi.yaml", "tsconfig.json", "vitest.config.ts", "README.md", "package-lock.json"];

/** Repository paths named in a doc: relative link targets and code spans that look like paths. */
function pathsOf(md: string, docPath: string): string[] {
  const dir = path.dirname(docPath);
  const out = new Set<string>();
  for (const m of md.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = (m[1] as string).split("#")[0] as string;
    if (!target || /^[a-z]+:/i.test(target)) continue;
    out.add(path.normalize(path.join(dir, target)));
  }
  for (const span of codeOf(md).spans) {
    const s = span.trim();
    if (/\s/.test(s)) continue;
    const first = s.split("/")[0] as string;
    if ((REPO_TOP.includes(first) && s.includes("/")) || REPO_FILES.includes(s)) out.add(path.normalize(s));
    // Paths relative to the doc itself (examples/README.md names index.ts, main.ts).
    else if (dir !== "." && /^[\w.-]+\.(ts|js|md|yml|yaml)$/.test(s) && existsSync(path.join(root, dir, s))) out.add(path.join(dir, s));
  }
  return [...out];
}

describe.each(DOCS)("%s names only things that exist", (doc) => {
  const md = read(doc);

  it("every `npm run <script>` is a package.json script, and the files those scripts run exist", () => {
    const { npmRun, npmTest } = commandsOf(md);
    if (doc === "README.md") expect(npmRun.length).toBeGreaterThan(3);
    for (const name of npmRun) {
      expect(pkg.scripts, `npm run ${name}`).toHaveProperty([name]);
      for (const file of filesRunBy(pkg.scripts[name] as string)) {
        // dist/ is produced by the build the script runs first.
        if (file.startsWith("dist/")) continue;
        expect(existsSync(path.join(root, file)), `${file} (run by npm run ${name})`).toBe(true);
      }
    }
    if (npmTest) {
      expect(pkg.scripts).toHaveProperty(["test"]);
      for (const file of filesRunBy(pkg.scripts["test"] as string)) expect(existsSync(path.join(root, file)), file).toBe(true);
    }
  });

  it("every `npx <name>` is a bin of this package", () => {
    for (const name of commandsOf(md).npx) expect(Object.keys(pkg.bin), `npx ${name}`).toContain(name);
  });

  it("every repository path it mentions or links exists", () => {
    const paths = pathsOf(md, doc);
    expect(paths.length).toBeGreaterThan(2);
    for (const p of paths) expect(existsSync(path.join(root, p)), `${doc} names ${p}`).toBe(true);
  });

  it("every package subpath it imports is exported", () => {
    for (const m of md.matchAll(/["`](pulumi-atlas-export(?:\/[\w-]+)?)["`]/g)) {
      const sub = (m[1] as string).replace("pulumi-atlas-export", ".");
      expect(Object.keys(pkg.exports), m[1]).toContain(sub);
    }
  });

  it("every MONGODB_ATLAS_* variable and mongodbatlas:* key it names is read by provider/config.ts", () => {
    const envNames: string[] = Object.values(ENV_KEYS).flat();
    for (const m of md.matchAll(/\bMONGODB_ATLAS_[A-Z_]+\b/g)) expect(envNames, m[0]).toContain(m[0]);
    const stackKeys: string[] = Object.values(STACK_KEYS);
    for (const m of md.matchAll(/\bmongodbatlas:([a-zA-Z]+)\b/g)) expect(stackKeys, m[0]).toContain(m[0]);
  });

  it("every PULUMI_ATLAS_EXPORT_* / ATLAS_EMULATOR_* knob it names is read somewhere", () => {
    const sources = [
      read("scripts/ensure-pulumi.sh"),
      read("scripts/demo.js"),
      read("provider/resources/export-job-handlers.ts"),
      read("provider/client/wasm-baseline.ts"),
    ].join("\n");
    for (const m of md.matchAll(/\b(?:PULUMI_ATLAS_EXPORT|ATLAS_EMULATOR)_[A-Z_]+\b/g)) expect(sources, m[0]).toContain(m[0]);
  });
});

/** The rows of the first markdown table after a heading: arrays of cells. */
function tableAfter(md: string, heading: string, nth = 0): string[][] {
  const start = md.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const rest = md.slice(start + heading.length + 2);
  const section = rest.slice(0, rest.search(/\n## /) === -1 ? undefined : rest.search(/\n## /));
  const tables: string[][] = [];
  let current: string[] | undefined;
  for (const line of section.split("\n")) {
    if (line.startsWith("|")) {
      if (!current) tables.push((current = []));
      current.push(line);
    } else current = undefined;
  }
  const lines = tables[nth] ?? [];
  return lines.slice(2).map((l) =>
    l
      .replace(/\\\|/g, "\u0000")
      .split("|")
      .slice(1, -1)
      .map((c) => c.replace(/\u0000/g, "|").trim()),
  );
}

const firstCode = (cell: string) => /`([^`]+)`/.exec(cell)?.[1];

describe("README.md states what the code does", () => {
  const md = read("README.md");

  it("the ExportBucket table lists every argument with its update behaviour from the diff", () => {
    const rows = tableAfter(md, "## ExportBucket");
    expect(rows.map((r) => firstCode(r[0] as string))).toEqual([...EXPORT_BUCKET_ARG_NAMES]);
    for (const row of rows) {
      const name = firstCode(row[0] as string) as string;
      const onChange = (row[row.length - 1] as string).toLowerCase();
      const field = EXPORT_BUCKET_DIFF_FIELDS.find((f) => f.name === name);
      if (!field) expect(onChange, name).toContain("not sent to atlas");
      else if (field.replaces) expect(onChange, name).toMatch(/^replace/);
      else expect(onChange, name).toContain("in place");
    }
  });

  it("the ExportBucket outputs table lists every computed output", () => {
    const rows = tableAfter(md, "## ExportBucket", 1);
    expect(rows.map((r) => firstCode(r[0] as string))).toEqual([...EXPORT_BUCKET_COMPUTED_OUTPUTS]);
  });

  it("the ExportJob table lists every argument with its update behaviour from the diff, and the wait defaults", () => {
    const rows = tableAfter(md, "## ExportJob");
    expect(rows.map((r) => firstCode(r[0] as string))).toEqual([...EXPORT_JOB_ARG_NAMES]);
    for (const row of rows) {
      const name = firstCode(row[0] as string) as string;
      const onChange = (row[row.length - 1] as string).toLowerCase();
      const field = EXPORT_JOB_DIFF_FIELDS.find((f) => f.name === name);
      expect(field, name).toBeDefined();
      if (field?.replaces) expect(onChange, name).toMatch(/^replace/);
      else expect(onChange, name).toContain("in place, nothing sent to atlas");
    }
    const timeout = rows.find((r) => firstCode(r[0] as string) === "waitTimeoutMinutes")?.[1] ?? "";
    expect(timeout).toContain(`default ${DEFAULT_WAIT_TIMEOUT_MINUTES}`);
    expect(timeout).toContain(`at most ${MAX_WAIT_TIMEOUT_MINUTES}`);
  });

  it("the ExportJob outputs table lists every computed output", () => {
    const rows = tableAfter(md, "## ExportJob", 1);
    const named = rows.flatMap((r) => [...(r[0] as string).matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    expect(named).toEqual([...EXPORT_JOB_COMPUTED_OUTPUTS]);
  });

  it("the AutoExport table lists every argument with its update behaviour from the diff, and the frequencies check accepts", () => {
    const rows = tableAfter(md, "## AutoExport");
    expect(rows.map((r) => firstCode(r[0] as string))).toEqual([...AUTO_EXPORT_ARG_NAMES]);
    for (const row of rows) {
      const name = firstCode(row[0] as string) as string;
      const onChange = (row[row.length - 1] as string).toLowerCase();
      // useOrgAndGroupNamesInExportPrefix is diffed apart (only when set), always in place.
      const field = AUTO_EXPORT_DIFF_FIELDS.find((f) => f.name === name);
      if (field?.replaces) expect(onChange, name).toMatch(/^replace/);
      else expect(onChange.replace(/\*/g, ""), name).toContain("in place (one patch)");
    }
    const frequencies = rows.find((r) => firstCode(r[0] as string) === "frequencyType")?.[1] ?? "";
    expect([...frequencies.matchAll(/`"(\w+)"`/g)].map((m) => m[1])).toEqual([...AUTO_EXPORT_FREQUENCIES]);
  });

  it("the AutoExport outputs table lists every computed output", () => {
    const rows = tableAfter(md, "## AutoExport", 1);
    expect(rows.map((r) => firstCode(r[0] as string))).toEqual([...AUTO_EXPORT_COMPUTED_OUTPUTS]);
  });

  it("the configuration table pairs each stack key with its environment variables", () => {
    const rows = tableAfter(md, "## Configuration");
    const fields = Object.keys(STACK_KEYS) as (keyof typeof STACK_KEYS)[];
    expect(rows).toHaveLength(fields.length);
    for (const [i, field] of fields.entries()) {
      const row = rows[i] as string[];
      expect(firstCode(row[0] as string)).toBe(STACK_KEYS[field]);
      const envs = [...(row[1] as string).matchAll(/`([^`]+)`/g)].map((m) => m[1]);
      expect(envs).toEqual([...ENV_KEYS[field]]);
    }
  });

  it("the supported versions match package.json", () => {
    expect(pkg.engines.node).toBe(">=20.18.1");
    expect(md).toContain("Node.js ≥ 20.18.1");
    expect(pkg.peerDependencies["@pulumi/pulumi"]).toBe(">=3.216.0 <4");
    expect(md).toContain("`>=3.216.0 <4`");
    expect(pkg.devDependencies["@pulumi/pulumi"]).toBe("3.248.0");
    expect(md).toContain("`@pulumi/pulumi` 3.248");
  });

  it("the emulator seed table holds the seed's values", () => {
    const section = md.slice(md.indexOf("## The emulator"));
    for (const value of [
      SEED.groupId,
      SEED.otherGroupId,
      SEED.apiKey.publicKey,
      SEED.apiKey.privateKey,
      SEED.serviceAccount.clientId,
      SEED.serviceAccount.clientSecret,
      SEED.awsRoleId,
      SEED.azureRoleId,
      SEED.azureTenantId,
      SEED.gcpRoleId,
      SEED.unauthorizedAwsRoleId,
      SEED.bucketId,
      SEED.bucketName,
      ...SEED.clusters,
      SEED.shardedCluster,
      SEED.shardedSnapshotId,
      SEED.flexCluster,
      ...SEED.flexSnapshotIds,
    ]) {
      expect(section, value).toContain(value);
    }
  });

  it("the curl example is the emulator README's", () => {
    const curl = (text: string) => /curl --digest[\s\S]*?\/backup\/exportBuckets/.exec(text)?.[0];
    expect(curl(md)).toBeDefined();
    expect(curl(md)).toBe(curl(read("emulator/README.md")));
  });

  it("every control endpoint it lists is in the emulator README", () => {
    const emulatorReadme = read("emulator/README.md");
    const listed = [...md.matchAll(/`(?:[A-Z]+\/)*[A-Z]+ (\/__emulator\/[^`]+)`/g)].map((m) => m[1] as string);
    expect(listed.length).toBeGreaterThan(5);
    for (const p of listed) expect(emulatorReadme, p).toContain(p);
  });
});

describe("examples/README.md matches examples/index.ts", () => {
  it("every setting in its table is read by the program, with the same emulator default", () => {
    const md = read("examples/README.md");
    const program = read("examples/index.ts");
    const rows = tableAfter(md, "## Settings");
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) {
      const key = firstCode(row[0] as string) as string;
      expect(program, key).toMatch(new RegExp(`\\b${key}\\b`));
      const def = firstCode(row[2] as string) as string;
      if (key === "clouds") expect(program).toContain('["AWS", "AZURE", "GCP"]');
      else if (key === "waitTimeoutMinutes") expect(program).toContain(`getNumber("waitTimeoutMinutes") ?? ${def}`);
      else expect(program, key).toContain(`${key}: "${def}"`);
    }
  });
});
