// Reads `nhi check --format azure` output with Microsoft's task library (npm `azure-pipelines-task-lib`):
// every `##vso[` line is parsed by `commandFromString`, as the agent would, and written again with
// `logIssue`, which must give back the very same line. Writes what it read as JSON for the Rust test (the
// library prints debug commands of its own on stdout when loaded).
// Usage: node .ci/azure-tasklib.mjs TASK_LIB_DIR OUTPUT_FILE RESULT_JSON
import { createRequire } from "node:module";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

const [libDir, file, result] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const tcm = require(path.resolve(libDir, "taskcommand.js"));
const tl = require(path.resolve(libDir, "task.js"));

/** What `logIssue` writes for these values, captured from stdout. */
function written(type, message, props) {
  const chunks = [];
  const write = process.stdout.write;
  process.stdout.write = (chunk) => {
    chunks.push(String(chunk));
    return true;
  };
  try {
    tl.logIssue(
      type === "error" ? tl.IssueType.Error : tl.IssueType.Warning,
      message,
      props.sourcepath,
      Number(props.linenumber),
      Number(props.columnnumber),
      props.code,
    );
  } finally {
    process.stdout.write = write;
  }
  return chunks.join("").replace(/\r?\n$/, "");
}

const text = readFileSync(file, "utf8");
const commands = [];
const other = [];
for (const line of text.split("\n")) {
  if (line === "") continue;
  if (!line.startsWith("##vso[")) {
    other.push(line);
    continue;
  }
  const cmd = tcm.commandFromString(line);
  const again = written(cmd.properties.type, cmd.message, cmd.properties);
  commands.push({
    command: cmd.command,
    properties: cmd.properties,
    message: cmd.message,
    same_as_logissue: again === line,
    logissue: again,
  });
}
writeFileSync(result, JSON.stringify({ commands, other }) + "\n");
