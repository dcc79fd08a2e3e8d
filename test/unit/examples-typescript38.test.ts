/**
 * examples/index.ts is the program users copy. Without `typescript` in their project, Pulumi runs
 * TypeScript with the 3.8 compiler vendored in @pulumi/pulumi; the example's own syntax must
 * parse there (no inline `type` imports or other TS ≥ 3.9 syntax). The package's declaration
 * files need a newer compiler anyway, which the README says (Supported versions).
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..", "..");
const req = createRequire(path.join(root, "package.json"));
const vendor = path.join(path.dirname(req.resolve("@pulumi/pulumi/package.json")), "vendor");

interface ParsedFile {
  parseDiagnostics: { messageText: unknown; start?: number }[];
}
interface TsLike {
  version: string;
  createSourceFile(name: string, text: string, target: number, setParentNodes?: boolean): ParsedFile;
  ScriptTarget: { ES2020: number };
}

describe("examples/*.ts and Pulumi's bundled TypeScript", () => {
  it("every example file parses without a syntax error under the TypeScript that @pulumi/pulumi vendors (3.8)", () => {
    const dir = readdirSync(vendor).find((d) => d.startsWith("typescript@"));
    expect(dir, `a vendored typescript in ${vendor}`).toBeDefined();
    const ts = req(path.join(vendor, dir!, "typescript.js")) as TsLike;
    expect(ts.version).toMatch(/^3\./);
    const files = readdirSync(path.join(root, "examples")).filter((f) => f.endsWith(".ts"));
    expect(files).toContain("index.ts");
    for (const name of files) {
      const file = ts.createSourceFile(name, readFileSync(path.join(root, "examples", name), "utf8"), ts.ScriptTarget.ES2020, true);
      expect(file.parseDiagnostics.map((d) => `${name} ${d.start}: ${JSON.stringify(d.messageText)}`)).toEqual([]);
    }
  });

  it("the README says which TypeScript a project needs, and why not the bundled one", () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    const supported = readme.slice(readme.indexOf("### Supported versions"), readme.indexOf("## Usage"));
    expect(supported).toMatch(/TypeScript/);
    expect(supported).toMatch(/3\.8/);
  });
});
