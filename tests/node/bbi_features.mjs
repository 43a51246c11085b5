// Read a bigBed with JBrowse's @gmod/bbi and print what it sees, as JSON.
//   node bbi_features.mjs file.bb queries.json
// queries.json: [[chrom, start, end], ...]; "*" as chrom means every chromosome, whole.
// Prints {"header": {...}, "chroms": {name: size}, "results": [[[start, end, rest], ...], ...]}.
import { readFileSync } from 'node:fs'
import { BigBed } from '@gmod/bbi'

const [file, request] = process.argv.slice(2)
const queries = JSON.parse(readFileSync(request, 'utf8') || '[]')
const bb = new BigBed({ path: file })
const header = await bb.getHeader()
const chroms = {}
for (const ref of Object.values(header.refsByNumber)) {
  chroms[ref.name] = ref.length
}
const results = []
for (const [chrom, start, end] of queries) {
  const feats = []
  const names = chrom === '*' ? Object.keys(chroms) : [chrom]
  for (const name of names) {
    const s = chrom === '*' ? 0 : start
    const e = chrom === '*' ? chroms[name] : end
    for (const f of await bb.getFeatures(name, s, e)) {
      feats.push(chrom === '*' ? [name, f.start, f.end, f.rest ?? ''] : [f.start, f.end, f.rest ?? ''])
    }
  }
  results.push(feats)
}
const summary = header.totalSummary
process.stdout.write(JSON.stringify({
  header: {
    version: header.version,
    zoomLevels: header.zoomLevels.length,
    fieldCount: header.fieldCount,
    definedFieldCount: header.definedFieldCount,
    uncompressBufSize: header.uncompressBufSize,
    autoSql: header.autoSql,
    basesCovered: Number(summary.basesCovered),
    minVal: summary.scoreMin,
    maxVal: summary.scoreMax,
    sumData: summary.scoreSum,
  },
  chroms,
  results,
}))
