// Compiles src/*.sol with solc-js (offline) into <outDir>/<Contract>.json:
// {"abi": [...], "bytecode": "0x...", "solc": "<version>"}.
// Usage: node build.mjs [outDir]   (default: ./artifacts)
// The output is byte-for-byte reproducible: no metadata hash or CBOR tail in the bytecode,
// sorted JSON keys, fixed compiler settings.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import solc from "solc";

const here = path.dirname(fileURLToPath(import.meta.url));
const srcDir = path.join(here, "src");
const outDir = path.resolve(process.argv[2] ?? path.join(here, "artifacts"));

const SETTINGS = {
  evmVersion: "cancun",
  optimizer: { enabled: true, runs: 200 },
  metadata: { bytecodeHash: "none", appendCBOR: false },
  outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
};

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

const sources = {};
for (const name of fs.readdirSync(srcDir).filter((f) => f.endsWith(".sol")).sort()) {
  sources[name] = { content: fs.readFileSync(path.join(srcDir, name), "utf8") };
}

const input = { language: "Solidity", sources, settings: SETTINGS };
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const problems = output.errors ?? [];
for (const problem of problems) console.error(problem.formattedMessage);
if (problems.some((p) => p.severity === "error")) process.exit(1);

// "0.8.37+commit.f401782d.Emscripten.clang" -> "0.8.37+commit.f401782d"
const version = solc.version().replace(/\.Emscripten\.clang$/, "");
fs.mkdirSync(outDir, { recursive: true });
for (const [file, contracts] of Object.entries(output.contracts).sort()) {
  for (const [name, compiled] of Object.entries(contracts).sort()) {
    const artifact = sortKeys({
      abi: compiled.abi,
      bytecode: `0x${compiled.evm.bytecode.object}`,
      solc: version,
    });
    const target = path.join(outDir, `${name}.json`);
    fs.writeFileSync(target, `${JSON.stringify(artifact, null, 2)}\n`);
    console.log(`${file}:${name} -> ${path.relative(process.cwd(), target)}`);
  }
}
